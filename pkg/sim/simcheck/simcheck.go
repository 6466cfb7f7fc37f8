// Package simcheck starts the tools that check the simulator from outside,
// for tests: moto_server (moto 5.2.1) and python3 with boto3 and botocore.
// A tool that is not installed skips the test, saying which; .ci/run prints
// which tools it found, so a skipped check shows in CI's log.
package simcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Moto runs moto_server on a free port until the test ends and returns its
// URL; the test skips when moto_server is not on PATH.
func Moto(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server is not on PATH; skipping the check against moto")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not listen on %s within 30s", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Boto3 skips the test unless python3 can import boto3 (and so botocore).
func Boto3(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not on PATH; skipping the boto3 check")
	}
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("boto3 is not installed; skipping the boto3 check")
	}
}

// Python runs python3 with args (a script and its arguments), stdin on its
// standard input, and returns its standard output; the test fails, showing
// the script's standard error, when it exits non-zero. Call Boto3 first.
// It reads the script and every other .py file of its directory first, so
// that go test's cache, which sees only the files the test itself opens,
// runs the test again when one of them changes.
func Python(t testing.TB, stdin []byte, args ...string) []byte {
	t.Helper()
	if len(args) > 0 {
		Track(t, filepath.Dir(args[0]))
	}
	cmd := exec.Command("python3", args...)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("python3 %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatalf("python3 %v: %v", args, err)
	}
	return out
}

// Track reads every .py file in dir, for go test's cache (see Python).
func Track(t testing.TB, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.py"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Python scripts in %s", dir)
	}
	for _, f := range files {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
}

// Expect reads what a check script printed, {"calls": [[case, operation,
// HTTP status, error code or ""]], "errors": [...]}, reports each error it
// found (an answer that does not fit the model), and checks each call's
// outcome: the error code wantErr gives for its case, else success. A case
// of wantErr that the script did not make fails the test too.
func Expect(t testing.TB, out []byte, wantErr map[string]string) {
	t.Helper()
	var res struct {
		Calls  [][4]any `json:"calls"`
		Errors []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("check script output %q: %v", out, err)
	}
	for _, e := range res.Errors {
		t.Errorf("botocore model: %s", e)
	}
	seen := map[string]bool{}
	for _, c := range res.Calls {
		name, op, code := fmt.Sprint(c[0]), fmt.Sprint(c[1]), fmt.Sprint(c[3])
		seen[name] = true
		if want, ok := wantErr[name]; ok && code != want {
			t.Errorf("%s: %s answered %q, want %s", name, op, code, want)
		} else if !ok && code != "" {
			t.Errorf("%s: %s answered %q, want success", name, op, code)
		}
	}
	for name := range wantErr {
		if !seen[name] {
			t.Errorf("the script made no call %q", name)
		}
	}
}
