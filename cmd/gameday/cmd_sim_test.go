package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/interpreter/interpretertest"
	"github.com/gameday-dev/gameday/pkg/sim"
)

// lockedBuffer is a bytes.Buffer safe to read while the command writes,
// which a test can wait on.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed (and dropped) at the next Write
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.written != nil {
		close(l.written)
		l.written = nil
	}
	return l.b.Write(p)
}

// await waits until what was written matches re, woken by each write,
// and returns the match; nil when timeout passes first. The command runs
// in the test's process on real time (a TCP listener, or the Node
// interpreter), so a wall-clock bound is what there is.
func (l *lockedBuffer) await(re *regexp.Regexp, timeout time.Duration) []string {
	expired := time.After(timeout)
	for {
		l.mu.Lock()
		m := re.FindStringSubmatch(l.b.String())
		if m == nil && l.written == nil {
			l.written = make(chan struct{})
		}
		written := l.written
		l.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-written:
		case <-expired:
			return nil
		}
	}
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestSimCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int)
	t0 := time.Now()
	go func() {
		done <- run(ctx, []string{"sim", "--addr", "127.0.0.1:0", "--speed", "60", "--data", t.TempDir()}, &env{stdout: &stdout, stderr: &stderr})
	}()
	exportRE := regexp.MustCompile(`export AWS_ENDPOINT_URL=(http://127\.0\.0\.1:\d+) `)
	var url string
	if m := stdout.await(exportRE, 15*time.Second); m != nil {
		url = m[1]
	}
	if url == "" {
		t.Fatalf("no export line; stdout %q stderr %q", stdout.String(), stderr.String())
	}
	// The stack it plays names its state machine as a deployed stack does
	// (the state machine needs the interpreter).
	t.Run("state machine named as deployed", func(t *testing.T) {
		interpretertest.Ensure(t)
		want := "Stack " + deploy.DefaultStackName + ": state machine arn:aws:states:" + sim.DefaultRegion + ":" + sim.DefaultAccount +
			":stateMachine:" + deploy.StateMachineName(deploy.DefaultStackName) + ";"
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout %q, want a line with %q", stdout.String(), want)
		}
		// The handlers' JSON on stderr is announced, not a surprise.
		if line := "The handlers log JSON lines to stderr, as to CloudWatch Logs (2>FILE keeps them apart)"; !strings.Contains(stdout.String(), line) {
			t.Errorf("stdout %q, want %q", stdout.String(), line)
		}
		// At 60x, following every 5 s would see 5 simulated minutes at
		// a time: a 3-minute fault between two looks.
		if hint := "try 'gameday start FILE --follow --interval 1s' (at 60x, --follow's default 5s is 5m0s of simulated time)"; !strings.Contains(stdout.String(), hint) {
			t.Errorf("stdout %q, want the hint %q", stdout.String(), hint)
		}
	})
	resp, err := http.Get(url + "/_gameday/sim")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	startup := time.Since(t0)
	t.Logf("serving after %v", startup)
	// A start that waits on something (a download, a synth) takes far
	// longer; the bound leaves room for a loaded machine.
	if startup > 10*time.Second {
		t.Errorf("started in %v, want within seconds", startup)
	}
	cancel() // what Ctrl-C does through signal.NotifyContext
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d, stderr %q", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sim did not stop after the interrupt")
	}
	if !strings.Contains(stdout.String(), "stopped in") {
		t.Errorf("stdout %q", stdout.String())
	}
}

func TestSimCommandUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"argument", []string{"sim", "extra"}, exitUsage},
		{"zero speed", []string{"sim", "--speed", "0"}, exitUsage},
		{"speed too high", []string{"sim", "--speed", "1e9"}, exitUsage},
		{"speed NaN", []string{"sim", "--speed", "NaN"}, exitUsage},
		{"seed not a number", []string{"sim", "--seed", "x"}, exitUsage},
		{"bad flag", []string{"sim", "--nope"}, exitUsage},
		{"address in use or bad", []string{"sim", "--addr", "256.0.0.1:1"}, exitInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if tc.code == exitInvalid && (!strings.HasPrefix(stderr, "gameday: ") || strings.Count(stderr, "\n") != 1) {
				t.Errorf("stderr %q is not one gameday: line", stderr)
			}
		})
	}
}
