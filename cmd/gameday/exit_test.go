package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
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

// TestArgsErrors: a command's complaint about its positional arguments or
// flags exits 2 with one line that names the command and points at its
// --help.
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
		// Flags, written --name as users write them; an unknown one
		// names the flag it most likely misspells.
		{[]string{"status", "--folow", "x"}, "gameday: status: unknown flag --folow (did you mean --follow?); run 'gameday status --help'\n"},
		{[]string{"run", "--Local", "x.yaml"}, "gameday: run: unknown flag --Local (did you mean --local?); run 'gameday run --help'\n"},
		{[]string{"validate", "--verbose", "x.yaml"}, "gameday: validate: unknown flag --verbose; run 'gameday validate --help'\n"},
		{[]string{"run", "--local", "--speed", "fast", "x.yaml"}, "gameday: run: invalid value \"fast\" for flag --speed: parse error; run 'gameday run --help'\n"},
		{[]string{"status", "--limit"}, "gameday: status: flag needs an argument: --limit; run 'gameday status --help'\n"},
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

// TestFlagsAsWritten: --help lists each flag as its usage line and the
// README write it (--name); TestArgsErrors has the flag errors.
func TestFlagsAsWritten(t *testing.T) {
	for _, c := range commands() {
		_, stdout, _ := runCLI(t, c.about.name, "--help")
		for _, l := range strings.Split(stdout, "\n") {
			if strings.HasPrefix(l, "  -") && !strings.HasPrefix(l, "  --") {
				t.Errorf("%s --help lists a flag as %q, not --name", c.about.name, l)
			}
		}
	}
	if _, stdout, _ := runCLI(t, "run", "--help"); !strings.Contains(stdout, "\n  --speed N\n") {
		t.Errorf("run --help does not list --speed N:\n%s", stdout)
	}
}

// refusal is the error chain the SDK returns when a dial to addr for
// rawURL is refused: a *url.Error around a *net.OpError, as net/http makes.
func refusal(rawURL, addr string, errno syscall.Errno) error {
	ap := netip.MustParseAddrPort(addr)
	op := &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(ap), Err: os.NewSyscallError("connect", errno)}
	return fmt.Errorf("operation error CloudFormation: DescribeStacks: %w", &url.Error{Op: "Post", URL: rawURL, Err: op})
}

// TestEndpointHint: a connection refused by an endpoint on this machine
// gets a hint naming that endpoint, as the request did; a refusal from
// anywhere else (AWS, a local proxy for another address), and other
// errors, do not.
func TestEndpointHint(t *testing.T) {
	const sim = "(is gameday sim running at %s?)"
	tests := []struct {
		name string
		err  error
		want string // the hint's address; "" for no hint
	}{
		{"refused by 127.0.0.1", refusal("http://127.0.0.1:4566/", "127.0.0.1:4566", syscall.ECONNREFUSED), "http://127.0.0.1:4566"},
		{"refused by localhost, dialled as ::1", refusal("http://localhost:4566/bucket/key?x-id=GetObject", "[::1]:4566", syscall.ECONNREFUSED), "http://localhost:4566"},
		{"refused by another loopback address", refusal("https://127.0.0.2/", "127.0.0.2:443", syscall.ECONNREFUSED), "https://127.0.0.2"},
		{"wrapped again", fmt.Errorf("describe stack GameDay: %w", refusal("http://127.0.0.1:9000/", "127.0.0.1:9000", syscall.ECONNREFUSED)), "http://127.0.0.1:9000"},
		{"no URL in the chain", fmt.Errorf("x: %w", &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:4566")), Err: syscall.ECONNREFUSED}), "127.0.0.1:4566"},
		{"AWS refused", refusal("https://cloudformation.us-east-1.amazonaws.com/", "52.94.0.10:443", syscall.ECONNREFUSED), ""},
		{"a LAN address refused", refusal("http://192.168.1.20:4566/", "192.168.1.20:4566", syscall.ECONNREFUSED), ""},
		{"a local proxy refused a request for AWS", refusal("https://cloudformation.us-east-1.amazonaws.com/", "127.0.0.1:3128", syscall.ECONNREFUSED), ""},
		{"a local endpoint timed out", refusal("http://127.0.0.1:4566/", "127.0.0.1:4566", syscall.ETIMEDOUT), ""},
		{"reset, not refused", refusal("http://127.0.0.1:4566/", "127.0.0.1:4566", syscall.ECONNRESET), ""},
		{"another error", errors.New("describe stack GameDay: AccessDenied"), ""},
		{"a usage error", usagef("bad"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			finish(&env{stderr: &stderr}, tt.err)
			want := "gameday: " + tt.err.Error() + "\n"
			if tt.want != "" {
				want = "gameday: " + tt.err.Error() + " " + fmt.Sprintf(sim, tt.want) + "\n"
			}
			if got := stderr.String(); got != want {
				t.Errorf("printed %q, want %q", got, want)
			}
		})
	}
}

// TestEndpointHintThroughSDK: gameday start against a port nothing listens
// on, set in each way the SDK takes an endpoint, gets the hint naming it.
func TestEndpointHintThroughSDK(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	dir := t.TempDir()
	none := filepath.Join(dir, "none")
	profile := filepath.Join(dir, "config")
	if err := os.WriteFile(profile, []byte("[profile sim]\nregion = us-east-1\nendpoint_url = "+closed+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": closed}},
		{"AWS_ENDPOINT_URL_CLOUDFORMATION", map[string]string{"AWS_ENDPOINT_URL_CLOUDFORMATION": closed}},
		{"a profile's endpoint_url", map[string]string{"AWS_CONFIG_FILE": profile, "AWS_PROFILE": "sim"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range map[string]string{
				"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_CLOUDFORMATION": "", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
				"AWS_PROFILE": "", "AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none,
			} {
				t.Setenv(k, v)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"start", cartsLatency}, &env{stdout: &stdout, stderr: &stderr})
			want := " (is gameday sim running at " + closed + "?)\n"
			if code != exitInvalid || stdout.Len() != 0 || !strings.Contains(stderr.String(), "connection refused") || !strings.HasSuffix(stderr.String(), want) {
				t.Errorf("start against a closed port = %d, stdout %q, stderr %q; want 1 and a line ending %q", code, stdout.String(), stderr.String(), want)
			}
		})
	}
}
