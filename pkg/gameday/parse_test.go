package gameday

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/golden"
)

// TestParseBad parses each file under testdata/bad and compares its problems,
// one per line, with the golden file next to it.
func TestParseBad(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad files: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := Parse(name, data)
			if err == nil {
				t.Fatalf("Parse(%s) = %+v, nil; want problems", name, spec)
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Parse(%s) error is %T, want Problems", name, err)
			}
			for _, p := range ps {
				if p.File != name {
					t.Errorf("problem %q has file %q, want %q", p, p.File, name)
				}
			}
			got := err.Error() + "\n"
			golden.Check(t, strings.TrimSuffix(file, ".yaml")+".golden", []byte(got))
		})
	}
}

func TestParseGood(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	if len(files) == 0 {
		t.Fatal("no good files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(file, data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if s.Metadata.Name == "" || len(s.Spec.Faults) == 0 {
				t.Errorf("Parse returned an empty spec: %+v", s)
			}
		})
	}
}

// TestParseWalkthrough checks that the contract's walkthrough decodes to
// the values written.
func TestParseWalkthrough(t *testing.T) {
	data, err := os.ReadFile("testdata/good/carts-delay.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse("carts-delay.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	f := s.Spec.Faults[0]
	got := map[string]any{
		"name":        s.Metadata.Name,
		"tags":        s.Metadata.Tags["env"],
		"cluster":     s.Spec.Target.Cluster,
		"fault":       f.Name,
		"kind":        f.ChaosMesh.Kind,
		"namespace":   f.ChaosMesh.Metadata.Namespace,
		"latency":     f.ChaosMesh.Spec["delay"].(map[string]any)["latency"],
		"maxDuration": f.MaxDuration.ISO8601(),
		"period":      s.Spec.StopConditions[0].Alarm.Metric.Period,
		"threshold":   s.Spec.StopConditions[0].Alarm.Threshold,
		"alarmArn":    s.Spec.StopConditions[1].AlarmARN,
		"schedule":    s.Spec.Schedule.Expression,
		"timeout":     s.ExperimentTimeout().String(),
		"below":       *s.Spec.Hypothesis.SteadyState[0].Expect.Below,
	}
	want := map[string]any{
		"name":        "sock-shop-carts-latency",
		"tags":        "staging",
		"cluster":     "arn:aws:eks:ap-northeast-1:123456789012:cluster/sandbox",
		"fault":       "carts-delay",
		"kind":        "NetworkChaos",
		"namespace":   "default",
		"latency":     "90ms",
		"maxDuration": "PT5M",
		"period":      int32(60),
		"threshold":   5.0,
		"alarmArn":    "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:existing-slo-alarm",
		"schedule":    "cron(0 10 ? * TUE *)",
		"timeout":     "30m0s",
		"below":       300.0,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded walkthrough differs (-want +got):\n%s", diff)
	}
}

// TestParseHuge refuses a 10 MB file by its size, before parsing it.
func TestParseHuge(t *testing.T) {
	data := bytes.Repeat([]byte("# padding padding padding padding padding padding\n"), 10<<20/50)
	start := time.Now()
	_, err := Parse("huge.yaml", data)
	// The message below shows the size check refused it; the bound only
	// catches a parse of the whole file, with room for a loaded machine.
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Parse of 10 MB took %v; want a quick refusal", elapsed)
	}
	if err == nil || !strings.Contains(err.Error(), "at most 1048576 bytes") {
		t.Errorf("Parse(10 MB) = %v; want a size problem", err)
	}
}

// TestParseAliasBomb refuses anchors that expand explosively without
// building the expansion: bounded time and allocation.
func TestParseAliasBomb(t *testing.T) {
	data, err := os.ReadFile("testdata/bad/billion-laughs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err = Parse("billion-laughs.yaml", data)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "anchors and aliases expand") {
		t.Fatalf("Parse(billion laughs) = %v; want an expansion problem", err)
	}
	if elapsed > time.Second {
		t.Errorf("Parse(billion laughs) took %v", elapsed)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("Parse(billion laughs) allocated %d bytes; want < 16 MiB", alloc)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"full", Problem{File: "f.yaml", Line: 3, Col: 5, Path: "spec.faults[0].maxDuration", Message: "too long"}, "f.yaml:3:5: spec.faults[0].maxDuration: too long"},
		{"no position", Problem{Path: "spec.faults[0].maxDuration", Message: "too long"}, "spec.faults[0].maxDuration: too long"},
		{"file only", Problem{File: "f.yaml", Message: "empty file"}, "f.yaml: empty file"},
		{"line no file", Problem{Line: 2, Col: 1, Path: "kind", Message: "bad"}, "line 2:1: kind: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
	ps := Problems{tests[0].p, tests[1].p}
	if got, want := ps.Error(), tests[0].want+"\n"+tests[1].want; got != want {
		t.Errorf("Problems.Error() = %q, want %q", got, want)
	}
	if (Problems{}).Err() != nil {
		t.Error("empty Problems.Err() is not nil")
	}
}

// TestLocate points a problem without position at the nearest field that
// is in the file.
func TestLocate(t *testing.T) {
	data, err := os.ReadFile("testdata/good/carts-delay.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, ps := ParseDocument("f.yaml", data)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	tests := []struct {
		path string
		want Pos
	}{
		{"spec.faults[0].maxDuration", Pos{31, 7}},
		{"spec.faults[0].chaosMesh.spec.delay.latency", Pos{29, 19}},
		{"spec.faults[0].chaosMesh.spec.selector.namespaces[0]", Pos{28, 35}},
		{"spec.faults[0].chaosMesh.spec.nothere.deeper", Pos{25, 9}},
		{"metadata.name", Pos{5, 3}},
		{"spec.schedule.expression", Pos{43, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, ok := doc.PosOf(tt.path)
			if !ok || got != tt.want {
				t.Errorf("PosOf(%q) = %v, %v; want %v", tt.path, got, ok, tt.want)
			}
		})
	}
}

// TestNoChaosMeshImport keeps the heavy Chaos Mesh module out of the
// packages that the small Lambdas import.
func TestNoChaosMeshImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := string(out)
	if !strings.Contains(deps, "github.com/goccy/go-yaml") {
		t.Fatalf("go list -deps output looks wrong (no goccy/go-yaml):\n%s", deps)
	}
	for _, heavy := range []string{"github.com/chaos-mesh/", "github.com/gameday-dev/gameday/third_party/", "k8s.io/", "sigs.k8s.io/controller-runtime"} {
		if strings.Contains(deps, heavy) {
			t.Errorf("pkg/gameday depends on %s; only pkg/chaoscheck may", heavy)
		}
	}
}

// TestParsePathological refuses input built to exhaust the parser (deep
// nesting, alias floods) quickly and with a clear message; a regression
// shows as a timeout or an out-of-memory crash of the test binary.
func TestParsePathological(t *testing.T) {
	nestedBlock := func(levels int) string {
		var b strings.Builder
		for i := 0; i < levels; i++ {
			b.WriteString(strings.Repeat(" ", i) + "a:\n")
		}
		return b.String()
	}
	tests := []struct {
		name, input, want string
	}{
		{"flow brackets", strings.Repeat("[", 200000), "nested more than 64 levels deep"},
		{"flow braces", "a: " + strings.Repeat("{a: ", 100000), "nested more than 64 levels deep"},
		{"dashes on one line", strings.Repeat("- ", 300000), "nested more than 64 levels deep"},
		{"dashes on a later line", "a:\n" + strings.Repeat("- ", 300000), "nested more than 64 levels deep"},
		{"indentation", nestedBlock(1400), "nested more than 64 levels deep"},
		{"alias flood", "a: &a x\nb: [" + strings.Repeat("*a, ", 200000) + "]", "more than 1000 aliases"},
		{"long line", "a: " + strings.Repeat("x", MaxFileSize-10), `unknown field "a"`},
		{"brackets in quotes are text", "metadata: {name: \"" + strings.Repeat("[", 100) + "\"}", "metadata.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse("p.yaml", []byte(tt.input))
			// Generous, for a loaded machine: a super-linear regression
			// on these inputs takes minutes, not seconds.
			if elapsed := time.Since(start); elapsed > 20*time.Second {
				t.Errorf("Parse took %v", elapsed)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %v; want a problem containing %q", err, tt.want)
			}
		})
	}
}
