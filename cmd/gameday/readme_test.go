package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/interpreter/interpretertest"
)

// readmeCommands returns the command lines of README.md's sh code blocks,
// without their comments.
func readmeCommands(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []string
	inSh := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```sh"):
			inSh = true
			continue
		case strings.HasPrefix(line, "```"):
			inSh = false
			continue
		}
		if !inSh {
			continue
		}
		if i := strings.Index(line, "  #"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			cmds = append(cmds, line)
		}
	}
	return cmds
}

// TestREADMECommands keeps every command in README.md exercised. Each is
// run here, or is run by the CI script or test named, which this checks
// still runs it; a command added to the README fails this test until it
// is added below.
func TestREADMECommands(t *testing.T) {
	// Run elsewhere: the file that runs it and the text that shows it does.
	elsewhere := map[string]struct{ file, contains string }{
		"make demo":  {"../../.ci/run", "make demo"},
		"make test":  {"../../.ci/run", "make test"},
		"make build": {"../../Makefile", "synth: build"}, // .ci/run's make synth builds
		// From this checkout rather than the module proxy, into an empty
		// GOBIN, then run from an empty directory with an empty cache.
		"go install github.com/gameday-dev/gameday/cmd/gameday@latest":                         {"../../.ci/first-run.sh", "go install ./cmd/gameday"},
		"gameday run --local sock-shop-carts-latency.yaml":                                     {"../../.ci/first-run.sh", `run --local "$name"`},
		"bin/gameday run --local examples/sock-shop-carts-latency.yaml --out out [--speed 60]": {"cmd_run_test.go", `"run", "--local", cartsLatency, "--out", out, "--speed"`},
		// With the importer's sample template for console.json, and a
		// template in a fake FIS for EXT...
		"bin/gameday import console.json --out gamedays/carts-latency.yaml":  {"cmd_import_test.go", `runImport(t, "", consoleTemplate, "--out", file)`},
		"aws fis get-experiment-template --id EXT... | bin/gameday import -": {"cmd_import_test.go", `runImport(t, string(console), "-"`},
		"bin/gameday import --id EXT... --out gamedays/x.yaml":               {"cmd_import_test.go", `runImport(t, "", "--id", id)`},
	}
	// Run here, from the repository's root (shell redirections dropped:
	// stdout is captured).
	here := map[string]int{
		"gameday doctor":                       exitOK,
		"gameday version":                      exitOK,
		"bin/gameday validate examples/*.yaml": exitOK,
		"bin/gameday render examples/sock-shop-carts-latency.yaml --account 123456789012 --region us-east-1": exitOK,
		"bin/gameday rbac examples/sock-shop-carts-latency.yaml":                                             exitOK,
		"bin/gameday schema > gameday.schema.json":                                                           exitOK,
	}
	// The gameday sim walkthrough, run together by testSimWalkthrough.
	simWalk := map[string]bool{
		"bin/gameday sim --addr 127.0.0.1:4566": true,
		"export AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test": true,
		"bin/gameday start examples/sock-shop-carts-latency.yaml":                                                              true,
		"bin/gameday status --follow sock-shop-carts-latency":                                                                  true,
		"bin/gameday report sock-shop-carts-latency":                                                                           true,
		"bin/gameday list --since 90d":                                                                                         true,
		"bin/gameday history sock-shop-carts-latency --html history.html":                                                      true,
	}

	cmds := readmeCommands(t)
	if len(cmds) < 10 {
		t.Fatalf("found %d commands in README.md: %q", len(cmds), cmds)
	}
	seen := map[string]bool{}
	for _, c := range cmds {
		seen[c] = true
		_, inHere := here[c]
		if _, ok := elsewhere[c]; !ok && !inHere && !simWalk[c] {
			t.Errorf("README command %q is exercised nowhere: run it here or name what runs it", c)
		}
	}
	for _, m := range []map[string]bool{keys(elsewhere), keys(here), simWalk} {
		for c := range m {
			if !seen[c] {
				t.Errorf("%q is no longer in README.md: drop it here", c)
			}
		}
	}

	for c, e := range elsewhere {
		b, err := os.ReadFile(e.file)
		if err != nil || !strings.Contains(string(b), e.contains) {
			t.Errorf("%q: %s does not run it (no %q): %v", c, e.file, e.contains, err)
		}
	}

	interpretertest.Ensure(t) // doctor and the sim walkthrough need it
	t.Chdir("../..")
	for c, want := range here {
		t.Run(c, func(t *testing.T) {
			args := strings.Fields(c)[1:]
			if i := indexOf(args, ">"); i >= 0 {
				args = args[:i]
			}
			var expanded []string
			for _, a := range args {
				if strings.ContainsAny(a, "*?[") {
					m, _ := filepath.Glob(a)
					if len(m) == 0 {
						t.Fatalf("%s matches nothing", a)
					}
					expanded = append(expanded, m...)
					continue
				}
				expanded = append(expanded, a)
			}
			code, stdout, stderr := runCLI(t, expanded...)
			if code != want || stdout == "" {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, want, stdout, stderr)
			}
		})
	}
	t.Run("sim walkthrough", testSimWalkthrough)
}

// testSimWalkthrough follows the README's gameday sim paragraph: start the
// simulator (on a free port, with a faster clock), export the four
// variables it prints, then start, status --follow and report.
func testSimWalkthrough(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sim", "--addr", "127.0.0.1:0", "--speed", "120"}, &env{stdout: &stdout, stderr: &stderr})
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("sim did not stop")
		}
	}()
	exportRE := regexp.MustCompile(`(?m)^export (.*)$`)
	var export string
	if m := stdout.await(exportRE, 30*time.Second); m != nil {
		export = m[1]
	}
	if export == "" {
		t.Fatalf("no export line; stdout %q stderr %q", stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "Stack GameDay: state machine") {
		t.Fatalf("the simulator plays no deployed stack:\n%s", stdout.String())
	}
	vars := map[string]string{}
	for _, kv := range strings.Fields(export) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if vars[k] == "" {
			t.Fatalf("the export line %q lacks %s, which the README names", export, k)
		}
		t.Setenv(k, vars[k])
	}
	// Nothing else of this machine's AWS setup.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	os.Unsetenv("AWS_PROFILE")

	code, out, errOut := runCLI(t, "start", "examples/sock-shop-carts-latency.yaml")
	if code != exitOK || !strings.HasPrefix(out, "started sock-shop-carts-latency-") {
		t.Fatalf("start: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "status", "--follow", "sock-shop-carts-latency", "--interval", "1s")
	if code != exitOK || !strings.Contains(out, "SUCCEEDED") {
		t.Fatalf("status --follow: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "report", "sock-shop-carts-latency")
	if code != exitOK || !strings.Contains(out, "passed") {
		t.Errorf("report: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	// The run, read back from the archive bucket alone.
	code, out, errOut = runCLI(t, "list", "--since", "90d")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != exitOK || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "GAMEDAY") || !strings.HasPrefix(lines[1], "sock-shop-carts-latency ") || !strings.Contains(lines[1], " passed ") {
		t.Errorf("list: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	page := filepath.Join(t.TempDir(), "history.html")
	code, out, errOut = runCLI(t, "history", "sock-shop-carts-latency", "--html", page)
	if code != exitOK || !strings.Contains(out, "1 run, pass rate 100%, median duration ") || !strings.Contains(out, "orders-latency-p99 (during, expect below 300 ms): ") {
		t.Errorf("history: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if b, err := os.ReadFile(page); err != nil || !strings.Contains(string(b), `data-chart="orders-latency-p99 (during)"`) {
		t.Errorf("history --html: %v, a page without the trend chart", err)
	} else if !strings.Contains(string(b), `>Latency p99 (ms)</text>`) {
		t.Error("history --html: the trend chart's y axis does not name the metric, statistic and unit")
	}
}

func keys[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
