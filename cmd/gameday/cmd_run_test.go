package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/interpreter/interpretertest"
)

// TestRunHelpExitCodes: run --help gives the exit-code table.
func TestRunHelpExitCodes(t *testing.T) {
	for _, cmd := range []string{"run", "start", "status"} {
		code, stdout, _ := runCLI(t, cmd, "--help")
		if code != exitOK || !strings.Contains(stdout, "6 inconclusive (a check had no data)") || !strings.Contains(stdout, "130 interrupted") {
			t.Errorf("%s --help: exit %d, no exit-code table:\n%s", cmd, code, stdout)
		}
	}
}

func TestRunUsage(t *testing.T) {
	bad := writeFile(t, "bad.yaml", "apiVersion: gameday/v1alpha1\nkind: GameDay\nmetadata: {name: Bad_Name}\n")
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no --local", []string{"run", cartsLatency}, exitUsage, "run needs --local"},
		{"no file", []string{"run", "--local"}, exitUsage, "one GameDay file"},
		{"bad speed", []string{"run", "--local", "--speed", "0", cartsLatency}, exitUsage, "gameday: --speed must be between 1 and 1000 (times real time), not 0\n"},
		{"speed too slow", []string{"run", "--local", "--speed", "0.001", cartsLatency}, exitUsage, "gameday: --speed must be between 1 and 1000 (times real time), not 0.001\n"},
		{"speed too fast", []string{"run", "--local", "--speed", "1e9", cartsLatency}, exitUsage, "gameday: --speed must be between 1 and 1000 (times real time), not 1e+09\n"},
		{"speed NaN", []string{"run", "--local", "--speed", "NaN", cartsLatency}, exitUsage, "gameday: --speed must be between 1 and 1000 (times real time), not NaN\n"},
		{"speed Inf", []string{"run", "--local", "--speed", "Inf", cartsLatency}, exitUsage, "gameday: --speed must be between 1 and 1000 (times real time), not +Inf\n"},
		{"seed not a number", []string{"run", "--local", "--seed", "1.5", cartsLatency}, exitUsage, `invalid value "1.5" for flag --seed: not an integer`},
		{"invalid file", []string{"run", "--local", bad}, exitInvalid, "bad.yaml:3:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.inStderr)
			}
		})
	}
}

// TestRunLocal runs the walkthrough through the CLI, as `make demo` does.
func TestRunLocal(t *testing.T) {
	interpretertest.Ensure(t)
	cartsLatency, err := filepath.Abs(cartsLatency) // the README's file, from the folder below
	if err != nil {
		t.Fatal(err)
	}
	// From a folder of the user's, with a relative --out, as the README runs it.
	cwd := t.TempDir()
	t.Chdir(cwd)
	const out = "out"
	code, stdout, stderr := runCLI(t, "run", "--local", cartsLatency, "--out", out, "--speed", "120", "--plain")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var report, page string
	for _, l := range strings.Split(stdout, "\n") {
		if r, ok := strings.CutPrefix(l, "report:  "); ok {
			report = r
		}
		if p, ok := strings.CutPrefix(l, "page:    "); ok {
			page = p
		}
	}
	if want := filepath.Join(filepath.Dir(report), "report.html"); page != want {
		t.Errorf("page: %q, want %q (report.html beside summary.md):\n%s", page, want, stdout)
	}
	if !strings.HasPrefix(report, filepath.Join(out, "gamedays", "sock-shop-carts-latency")) {
		t.Fatalf("report path %q is not under %s:\n%s", report, out, stdout)
	}
	dir := filepath.Dir(report)
	for _, f := range []string{"summary.md", "summary.json", "report.html", "spec.yaml", "template.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("archive lacks %s: %v", f, err)
		}
	}
	if logs, _ := filepath.Glob(filepath.Join(dir, "logs", "fis-logs", "AWSLogs", "*", "fis", "*", "*", "*", "*", "*", "*.log")); len(logs) == 0 {
		t.Error("archive has no FIS log objects at the FIS key layout")
	}
	if !strings.Contains(stdout, "verdict: passed") {
		t.Errorf("stdout does not give the verdict:\n%s", stdout)
	}
	// The report names where the logs are once the simulator is gone: the
	// folder they were downloaded into, as --out named it, not the
	// simulator's bucket, and no path of this machine.
	logs := filepath.ToSlash(filepath.Join(dir, "logs")) + "/"
	for _, f := range []string{"summary.md", "report.html", "summary.json"} {
		text := readFile(t, filepath.Join(dir, f))
		if !strings.Contains(text, logs) || strings.Contains(text, "s3://") {
			t.Errorf("%s does not name %s for the logs, or names an s3:// place", f, logs)
		}
		if strings.Contains(text, filepath.ToSlash(cwd)) {
			t.Errorf("%s names the path of this machine's folder %s", f, cwd)
		}
	}
}

// TestRunLocalInterruptedWhileArchiving: Ctrl-C once the experiment has
// completed, while the archive waits for the logs and metrics, exits 130
// and says that the run has no report, and why.
func TestRunLocalInterruptedWhileArchiving(t *testing.T) {
	interpretertest.Ensure(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"run", "--local", cartsLatency, "--out", t.TempDir(), "--speed", "60", "--plain"}, &env{stdout: &stdout, stderr: &stderr})
	}()
	if stdout.await(regexp.MustCompile(`archive waits`), 3*time.Minute) == nil {
		cancel()
		t.Fatalf("the archive never waited:\n%s\n%s", stdout.String(), stderr.String())
	}
	cancel()
	if code := <-done; code != exitInterrupted {
		t.Errorf("exit %d, want %d", code, exitInterrupted)
	}
	want := "gameday: no report: the experiment had completed, but the run ended while the archive waited for the FIS logs and the after window's metrics, so nothing was archived\n"
	if !strings.Contains(stderr.String(), want) || strings.Contains(stdout.String(), "verdict:") {
		t.Errorf("stderr does not say why there is no report, or stdout gives a verdict:\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}

// TestRunLocalCPUStress keeps the CPU-stress example's header true: run
// locally, the hypothesis is refuted by orders' latency during the stress,
// and the command exits 3.
func TestRunLocalCPUStress(t *testing.T) {
	interpretertest.Ensure(t)
	const example = "../../examples/sock-shop-orders-cpu-stress.yaml"
	code, stdout, stderr := runCLI(t, "run", "--local", example, "--out", t.TempDir(), "--speed", "300", "--plain")
	if code != 3 || !strings.Contains(stdout, "verdict: hypothesis-refuted\nreason:  the hypothesis was refuted by orders-latency-p99 (during)") {
		t.Errorf("exit %d, want 3 with orders' p99 latency during the stress named\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(readFile(t, example), "# Run locally, it refutes its hypothesis") {
		t.Error("the CPU-stress example's header does not say it refutes its hypothesis locally")
	}
}

// TestRunLocalNodeLoss keeps the node-loss example's header true: it cannot
// run locally, since the simulator has none of its stop-condition alarm.
func TestRunLocalNodeLoss(t *testing.T) {
	interpretertest.Ensure(t)
	code, stdout, stderr := runCLI(t, "run", "--local", "../../examples/sock-shop-node-loss.yaml", "--out", t.TempDir(), "--speed", "120", "--plain")
	if code != exitInvalid || !strings.Contains(stderr, "PreflightFailed: stop-condition alarm sock-shop-front-end-availability-slo") {
		t.Errorf("exit %d, want %d with the missing alarm named\nstdout:\n%s\nstderr:\n%s", code, exitInvalid, stdout, stderr)
	}
	if !strings.Contains(readFile(t, "../../examples/sock-shop-node-loss.yaml"), "# It does not run locally") {
		t.Error("the node-loss example's header does not say it cannot run locally")
	}
}

// TestRunLocalInterrupted: Ctrl-C during the experiment aborts the
// execution; once the guard has stopped the experiment the command exits
// 130, and the last progress lines show the stop, not a running fault. On
// a terminal (stdout and stderr one screen) the block is redrawn with the
// stop before anything is printed below it, which the redraw would
// overwrite.
func TestRunLocalInterrupted(t *testing.T) {
	interpretertest.Ensure(t)
	tests := []struct {
		name     string
		terminal bool
	}{
		{"plain", false},
		{"terminal", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr lockedBuffer
			e := &env{stdout: &stdout, stderr: &stderr, terminal: tt.terminal}
			args := []string{"run", "--local", cartsLatency, "--out", t.TempDir(), "--speed", "60"}
			if tt.terminal {
				e.stderr = &stdout // one screen
			} else {
				args = append(args, "--plain")
			}
			done := make(chan int)
			go func() { done <- run(ctx, args, e) }()
			if stdout.await(regexp.MustCompile(`carts-delay +running`), 3*time.Minute) == nil {
				cancel()
				t.Fatalf("the fault never ran:\n%s\n%s", stdout.String(), stderr.String())
			}
			cancel()
			code := <-done
			out, errs := stdout.String(), stderr.String()
			if tt.terminal {
				errs = out
			}
			if code != exitInterrupted {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, out, errs)
			}
			if !strings.Contains(errs, "gameday: execution aborted") || !strings.Contains(errs, "after the guard, experiment") || !strings.Contains(errs, "is stopped") {
				t.Errorf("the output does not say the execution was aborted and the experiment stopped:\n%s", errs)
			}
			if !tt.terminal {
				if i := strings.LastIndex(out, "experiment stopped"); i < 0 || strings.Contains(out[i:], "running") {
					t.Errorf("the last progress lines do not show the stop:\n%s", out)
				}
				// Said once, on stderr, whether or not stdout is kept apart.
				if n := strings.Count(out+errs, "after the guard"); n != 1 {
					t.Errorf("the guard's stop is said %d times, want once:\nstdout:\n%s\nstderr:\n%s", n, out, errs)
				}
				return
			}
			// The last redraw (a cursor move up) is the stop's, and
			// comes before the lines below the block.
			ups := regexp.MustCompile(`\x1b\[\d+A`).FindAllStringIndex(out, -1)
			if len(ups) == 0 {
				t.Fatalf("no block was redrawn:\n%q", out)
			}
			redraw := ups[len(ups)-1][0]
			if block := out[redraw:]; !strings.Contains(block, "done: aborted") || strings.Contains(block[:strings.Index(block, "logs:")+1], "running") {
				t.Errorf("the last block drawn does not show the stop, or says something runs:\n%q", block)
			}
			for _, below := range []string{"logs:", "gameday: execution aborted", "after the guard, experiment"} {
				if strings.LastIndex(out, below) < redraw {
					t.Errorf("%q was printed before the last redraw, which overwrites it:\n%q", below, out)
				}
			}
		})
	}
}

// TestSeedOrigin: given --seed, a run's simulated clock starts at the next
// whole minute, so that two runs with one seed meet the Sock Shop's
// one-minute periods at the same points and draw the same metrics; without
// it, at the wall clock's now (zero).
func TestSeedOrigin(t *testing.T) {
	now := time.Date(2026, 12, 6, 13, 7, 41, 500, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		args []string
		want time.Time
	}{
		{"no seed", nil, time.Time{}},
		{"seed", []string{"7"}, time.Date(2026, 12, 6, 12, 8, 0, 0, time.UTC)},
		{"seed 1 given", []string{"1"}, time.Date(2026, 12, 6, 12, 8, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f seedFlag
			for _, a := range tt.args {
				if err := f.Set(a); err != nil {
					t.Fatal(err)
				}
			}
			if got := f.origin(now); !got.Equal(tt.want) {
				t.Errorf("origin(%s) = %s, want %s", now, got, tt.want)
			}
		})
	}
}
