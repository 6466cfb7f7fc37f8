package validate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/golden"
)

// goodFiles are the valid GameDays: pkg/gameday's good test files and the
// examples, when they exist.
func goodFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, glob := range []string{"../gameday/testdata/good/*.yaml", "../../examples/*.yaml"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no good files")
	}
	return files
}

func TestFileGood(t *testing.T) {
	for _, file := range goodFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := File(file, data); err != nil {
				t.Errorf("File(%s):\n%v", file, err)
			}
		})
	}
}

// TestFileBad checks the files under testdata/bad and pkg/gameday's bad
// files (every rule holds here too) against their golden problems.
func TestFileBad(t *testing.T) {
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
			_, err = File(name, data)
			var ps gameday.Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("File(%s) = %v; want Problems", name, err)
			}
			got := err.Error() + "\n"
			golden.Check(t, strings.TrimSuffix(file, ".yaml")+".golden", []byte(got))
		})
	}
}

// TestFileGameDayBad: every bad file of pkg/gameday is refused here too,
// with at least the same problems.
func TestFileGameDayBad(t *testing.T) {
	files, err := filepath.Glob("../gameday/testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad files in pkg/gameday: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, err = File(name, data)
			if err == nil {
				t.Fatalf("File(%s) = nil; want problems", name)
			}
			want, err2 := os.ReadFile(strings.TrimSuffix(file, ".yaml") + ".golden")
			if err2 != nil {
				t.Fatal(err2)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				if !strings.Contains(err.Error(), line) {
					t.Errorf("File(%s) lacks the problem %q; got:\n%v", name, line, err)
				}
			}
		})
	}
}

// TestSpecJSON checks a spec as the state machine carries it: decoded from
// JSON, where numbers are float64 and there are no positions.
func TestSpecJSON(t *testing.T) {
	data, err := os.ReadFile("../gameday/testdata/good/everything.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := File("everything.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(gameday.RunInput{GameDay: s})
	if err != nil {
		t.Fatal(err)
	}
	var in gameday.RunInput
	if err := json.Unmarshal(b, &in); err != nil {
		t.Fatal(err)
	}
	if err := Spec(in.GameDay); err != nil {
		t.Fatalf("Spec(round-tripped everything.yaml) = %v", err)
	}

	in.GameDay.Spec.Faults[1].ChaosMesh.Spec["stressors"] = map[string]any{"cpu": map[string]any{"workers": 2.0, "lod": 80.0}}
	in.GameDay.Spec.Faults[0].ChaosMesh.Spec["mode"] = "fixed"
	in.GameDay.Spec.Faults[0].ChaosMesh.Spec["value"] = "0"
	err = Spec(in.GameDay)
	want := gameday.Problems{
		{Path: "spec.faults[0].chaosMesh.spec.value", Message: `"0": value must be greater than 0 with mode:fixed (Chaos Mesh validation)`},
		{Path: "spec.faults[1].chaosMesh.spec.stressors.cpu.lod", Message: `unknown field "lod" (did you mean "load"?)`},
	}
	var got gameday.Problems
	if !errors.As(err, &got) {
		t.Fatalf("Spec = %v; want Problems", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Spec problems differ (-want +got):\n%s", diff)
	}
	if Spec(nil) == nil {
		t.Error("Spec(nil) = nil; want a problem")
	}
}

// TestExamplesGiveUnits: every metric of the examples names its CloudWatch
// unit, so that their reports, dashboards and history label values and
// axes with it ("187 ms", "Latency p99 (ms)") rather than bare numbers.
func TestExamplesGiveUnits(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		s, _, err := ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		metrics := map[string]gameday.Metric{}
		for _, c := range s.Spec.Hypothesis.SteadyState {
			metrics["check "+c.Name] = c.Metric
		}
		for _, o := range s.Spec.Observe {
			metrics["observed "+o.Name] = o.Metric
		}
		for _, sc := range s.Spec.StopConditions {
			if sc.Alarm != nil {
				metrics["stop condition "+sc.Alarm.Name] = sc.Alarm.Metric
			}
		}
		for what, m := range metrics {
			if m.Unit == "" {
				t.Errorf("%s: %s: metric %s/%s names no unit", filepath.Base(f), what, m.Namespace, m.Name)
			}
		}
	}
}
