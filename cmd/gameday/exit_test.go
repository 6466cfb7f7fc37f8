package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestExitCode: the one mapping from a command's error to the exit code,
// and what finish prints for each.
func TestExitCode(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantCode  int
		wantPrint string
	}{
		{"nil", nil, exitOK, ""},
		{"usage", usagef("run takes one GameDay file, got %d arguments", 2), exitUsage, "gameday: run takes one GameDay file, got 2 arguments\n"},
		{"wrapped usage", fmt.Errorf("x: %w", usagef("bad")), exitUsage, "gameday: x: bad\n"},
		{"reported problems", errReported, exitInvalid, ""},
		{"an outcome", &exitError{code: 4}, 4, ""},
		{"any other error, on one line", errors.New("describe run x:\n  no such   execution"), exitInvalid, "gameday: describe run x: no such execution\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := finish(&env{stderr: &stderr}, tt.err)
			if code != tt.wantCode || stderr.String() != tt.wantPrint {
				t.Errorf("finish(%v) = %d, printed %q; want %d, %q", tt.err, code, stderr.String(), tt.wantCode, tt.wantPrint)
			}
		})
	}
}

// TestCommandsDistinct: every command has its own name and a summary, and
// --help lists it once, under its heading.
func TestCommandsDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands() {
		a := c.about
		if a.name == "" || a.summary == "" || seen[a.name] {
			t.Errorf("command %+v: empty or duplicate name, or no summary", a)
		}
		seen[a.name] = true
		if lookup(a.name) == nil {
			t.Errorf("lookup(%q) = nil", a.name)
		}
	}
	// --help lists each command once, under its group's heading.
	_, stdout, _ := runCLI(t, "--help")
	for _, g := range commandGroups() {
		if len(g.cmds) == 0 || !strings.Contains(stdout, "\n"+g.title+":\n") {
			t.Errorf("--help has no heading %q, or the group is empty:\n%s", g.title, stdout)
		}
		for _, c := range g.cmds {
			if n := strings.Count(stdout, "\n  "+c.about.name+" "); n != 1 {
				t.Errorf("--help lists %s %d times, want once:\n%s", c.about.name, n, stdout)
			}
		}
	}
}

// TestArgsErrors: a command's complaint about its positional arguments
// exits 2 with one line that names the command and points at its --help.
func TestArgsErrors(t *testing.T) {
	tests := []struct {
		args       []string
		wantStderr string
	}{
		{[]string{"doctor", "x"}, "gameday: doctor takes no arguments; run 'gameday doctor --help'\n"},
		{[]string{"schema", "x"}, "gameday: schema takes no arguments; run 'gameday schema --help'\n"},
		{[]string{"render"}, "gameday: render takes one FILE; run 'gameday render --help'\n"},
		{[]string{"run", "--local", "a", "b"}, "gameday: run takes one GameDay file; run 'gameday run --help'\n"},
		{[]string{"validate"}, "gameday: validate takes one or more FILEs; run 'gameday validate --help'\n"},
		{[]string{"status", "a", "b"}, "gameday: status takes at most one RUN; run 'gameday status --help'\n"},
		{[]string{"import", "a", "b"}, "gameday: import takes at most one SOURCE; run 'gameday import --help'\n"},
		{[]string{"import"}, "gameday: import takes one SOURCE (a JSON file, or - for standard input) or --id EXT...; run 'gameday import --help'\n"},
		{[]string{"import", "--id", "EXT1", "a"}, "gameday: import takes a SOURCE or --id, not both; run 'gameday import --help'\n"},
		{[]string{"list", "x"}, "gameday: list takes no arguments (use --gameday NAME); run 'gameday list --help'\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage || stderr != tt.wantStderr {
				t.Errorf("gameday %v = %d, stderr %q; want %d, %q", tt.args, code, stderr, exitUsage, tt.wantStderr)
			}
		})
	}
}

// TestEndpointHint: a connection that AWS_ENDPOINT_URL refuses gets a
// hint naming it; other errors, and refusals with no endpoint set, do not.
func TestEndpointHint(t *testing.T) {
	const url = "http://127.0.0.1:4566"
	refused := fmt.Errorf("describe stack GameDay: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
	tests := []struct {
		name, endpoint string
		err            error
		wantPrint      string
	}{
		{"refused by the endpoint", url, refused, "gameday: " + refused.Error() + " (is gameday sim running at " + url + "?)\n"},
		{"refused, no endpoint set", "", refused, "gameday: " + refused.Error() + "\n"},
		{"another error", url, errors.New("describe stack GameDay: AccessDenied"), "gameday: describe stack GameDay: AccessDenied\n"},
		{"a usage error", url, usagef("bad"), "gameday: bad\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			finish(&env{stderr: &stderr, endpoint: tt.endpoint}, tt.err)
			if got := stderr.String(); got != tt.wantPrint {
				t.Errorf("printed %q, want %q", got, tt.wantPrint)
			}
		})
	}

	// Through the SDK: gameday start against a port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": closed, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_MAX_ATTEMPTS": "1",
	} {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"start", cartsLatency}, &env{stdout: &stdout, stderr: &stderr, endpoint: closed})
	want := " (is gameday sim running at " + closed + "?)\n"
	if code != exitInvalid || stdout.Len() != 0 || !strings.Contains(stderr.String(), "connection refused") || !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("start against a closed port = %d, stdout %q, stderr %q; want 1 and a line ending %q", code, stdout.String(), stderr.String(), want)
	}
}
