package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestValidateExamples(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*.yaml")
	good, _ := filepath.Glob("../../pkg/gameday/testdata/good/*.yaml")
	files = append(files, good...)
	code, stdout, stderr := runCLI(t, append([]string{"validate"}, files...)...)
	if code != exitOK || stderr != "" {
		t.Fatalf("validate examples: exit %d, stderr:\n%s", code, stderr)
	}
	for _, f := range files {
		if !strings.Contains(stdout, "ok "+f+"\n") {
			t.Errorf("stdout lacks %q:\n%s", "ok "+f, stdout)
		}
	}
}

// TestValidateBadFiles: every bad file exits 1 with its problems on stderr,
// one per line, each naming the file (and, where the file has lines, the
// line and column), and nothing on stdout.
func TestValidateBadFiles(t *testing.T) {
	var files []string
	for _, glob := range []string{"../../pkg/gameday/testdata/bad/*.yaml", "../../pkg/validate/testdata/bad/*.yaml"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("only %d bad files", len(files))
	}
	positioned := regexp.MustCompile(`^[^:]+\.yaml:\d+:\d+: `)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "validate", f)
			if code != exitInvalid {
				t.Errorf("exit %d, want %d", code, exitInvalid)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			if len(lines) == 0 || lines[0] == "" {
				t.Fatal("no problems on stderr")
			}
			for _, l := range lines {
				if !strings.HasPrefix(l, f+":") {
					t.Errorf("problem line %q does not start with %s:", l, f)
				}
				if strings.Contains(l, "goroutine") || strings.Contains(l, "panic") {
					t.Errorf("problem line looks like a crash: %q", l)
				}
			}
			// Files with content point at a line, except the few refused whole.
			wholeFile := map[string]bool{"empty.yaml": true, "comments-only.yaml": true, "garbage.yaml": true, "billion-laughs.yaml": true}
			if !wholeFile[filepath.Base(f)] && !positioned.MatchString(lines[0]) {
				t.Errorf("first problem %q has no LINE:COL", lines[0])
			}
		})
	}
}

func TestValidateMixedAndUsage(t *testing.T) {
	good := "../../pkg/gameday/testdata/good/carts-delay.yaml"
	bad := "../../pkg/gameday/testdata/bad/schedule.yaml"
	code, stdout, stderr := runCLI(t, "validate", good, bad)
	if code != exitInvalid || stdout != "ok "+good+"\n" || !strings.Contains(stderr, bad+":") {
		t.Errorf("validate good bad: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "validate"); code != exitUsage || !strings.Contains(stderr, "validate takes one or more FILEs") {
		t.Errorf("validate with no files: exit %d, stderr %q", code, stderr)
	}
	if code, stdout, _ := runCLI(t, "validate", "--help"); code != exitOK || !strings.Contains(stdout, "Usage: gameday validate FILE...") {
		t.Errorf("validate --help: exit %d, stdout %q", code, stdout)
	}
	if code, stdout, _ := runCLI(t, "validate", "--quiet", good); code != exitOK || stdout != "" {
		t.Errorf("validate --quiet good: exit %d, stdout %q", code, stdout)
	}
	if code, _, stderr := runCLI(t, "validate", filepath.Join(t.TempDir(), "missing.yaml")); code != exitInvalid || !strings.Contains(stderr, "no such file") {
		t.Errorf("validate missing file: exit %d, stderr %q", code, stderr)
	}
}

func TestValidateHugeFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.yaml")
	if err := os.WriteFile(p, bytes.Repeat([]byte("# 0123456789 0123456789 0123456789 0123456789\n"), 10<<20/46), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, _, stderr := runCLI(t, "validate", p)
	// Refused by its size before any parse: a bound far above a refusal's
	// milliseconds (and as in gameday's TestParseHuge) even on a loaded machine.
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("validate of a 10 MB file took %v: it parsed the file instead of refusing its size", elapsed)
	}
	if code != exitInvalid || !strings.Contains(stderr, "a GameDay file must be at most 1048576 bytes") {
		t.Errorf("validate huge: exit %d, stderr %q", code, stderr)
	}
	// The real size, not the 1048577 bytes read to find it too large.
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%s: file is %d bytes (10.0 MiB); a GameDay file must be at most 1048576 bytes (1 MiB)\n", p, st.Size())
	if stderr != want {
		t.Errorf("validate huge: stderr %q, want %q", stderr, want)
	}
}

// TestValidateInputEdges: a UTF-8 byte order mark is accepted; period: 0 is
// invalid, not missing.
func TestValidateInputEdges(t *testing.T) {
	carts := readFile(t, "../../examples/sock-shop-carts-latency.yaml")
	bom := writeFile(t, "bom.yaml", "\ufeff"+carts)
	if code, stdout, stderr := runCLI(t, "validate", bom); code != exitOK || stdout != "ok "+bom+"\n" {
		t.Errorf("validate a file with a BOM: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	const period = "stat: p99, period: 60,"
	if !strings.Contains(carts, period) {
		t.Fatalf("the example has no %q to edit", period)
	}
	p0 := writeFile(t, "p0.yaml", strings.Replace(carts, period, "stat: p99, period: 0,", 1))
	code, _, stderr := runCLI(t, "validate", p0)
	want := p0 + ":23:96: spec.hypothesis.steadyState[0].metric.period: 0 is not a CloudWatch period: use a multiple of 60 seconds (10, 20 or 30 for a high-resolution metric)\n"
	if code != exitInvalid || stderr != want {
		t.Errorf("validate period: 0: exit %d, stderr %q, want %q", code, stderr, want)
	}
	none := writeFile(t, "none.yaml", strings.Replace(carts, period, "stat: p99,", 1))
	if _, _, stderr := runCLI(t, "validate", none); !strings.Contains(stderr, "period: required") {
		t.Errorf("validate without a period: stderr %q, want it required", stderr)
	}
}

func TestSchemaCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t, "schema")
	if code != exitOK || stderr != "" {
		t.Fatalf("schema: exit %d, stderr %q", code, stderr)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("schema output is not JSON: %v", err)
	}
	if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", s["$schema"])
	}
	committed, err := os.ReadFile("../../docs/gameday.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if stdout != string(committed) {
		t.Error("gameday schema differs from docs/gameday.schema.json: run go test ./pkg/validate -update")
	}
	if code, _, _ := runCLI(t, "schema", "extra"); code != exitUsage {
		t.Errorf("schema extra: exit %d, want %d", code, exitUsage)
	}
}

// TestValidateNoStopConditions: a file without a stop condition is valid,
// with a warning that a deployment's policy refuses it by default; a policy
// given decides instead, and --quiet prints nothing for it.
func TestValidateNoStopConditions(t *testing.T) {
	carts := readFile(t, cartsLatency)
	i, j := strings.Index(carts, "  stopConditions:"), strings.Index(carts, "  timeouts:")
	if i < 0 || j < i {
		t.Fatal("the walkthrough has no stopConditions before timeouts")
	}
	file := writeFile(t, "no-stop.yaml", carts[:i]+carts[j:])
	lenient := writeFile(t, "lenient.yaml", strings.Replace(readFile(t, examplePolicy), "requireStopConditions: true", "requireStopConditions: false", 1))
	warning := file + ": warning: spec.stopConditions: none, so nothing but maxDuration ends the faults early; " +
		"a deployment's policy refuses this file unless it sets requireStopConditions: false (check with --policy FILE)\n"
	tests := []struct {
		name       string
		args       []string
		wantStdout string
		wantStderr string
	}{
		{"no policy", []string{"validate", file}, "ok " + file + "\n", warning},
		{"quiet", []string{"validate", "--quiet", file}, "", ""},
		{"a policy that allows it", []string{"validate", "--policy", lenient, file}, "ok " + file + "\n", ""},
		{"with stop conditions", []string{"validate", cartsLatency}, "ok " + cartsLatency + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitOK || stdout != tt.wantStdout || stderr != tt.wantStderr {
				t.Errorf("gameday %v = %d, stdout %q, stderr %q; want 0, %q, %q", tt.args, code, stdout, stderr, tt.wantStdout, tt.wantStderr)
			}
		})
	}
}
