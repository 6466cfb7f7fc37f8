package gameday

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseScheduleExpression(t *testing.T) {
	tests := []struct {
		expr    string
		wantErr string // substring; empty for valid
	}{
		{"cron(0 10 ? * TUE *)", ""},
		{"cron(0/15 8-18 ? * MON-FRI *)", ""},
		{"cron(0 12 1 * ? *)", ""},
		{"cron(0 12 L * ? 2027)", ""},
		{"cron(0 12 15W * ? *)", ""},
		{"cron(0 12 ? * 3#2 *)", ""},
		{"cron(0 12 ? * 6L *)", ""},
		{"cron(0,30 9,17 ? JAN,JUL * *)", ""},
		{"rate(1 minute)", ""},
		{"rate(5 minutes)", ""},
		{"rate(7 days)", ""},
		{"at(2026-03-01T10:00:00)", ""},
		{"cron(0 10 * * TUE *)", "exactly one of day-of-month and day-of-week"},
		{"cron(0 10 ? * ? *)", "exactly one of day-of-month and day-of-week"},
		{"cron(0 10 * * 2)", "has 5 fields"},
		{"cron(60 10 ? * TUE *)", "minutes"},
		{"cron(0 24 ? * TUE *)", "hours"},
		{"cron(0 10 ? * FUNDAY *)", "day-of-week"},
		{"cron(0 10 ? 13 TUE *)", "month"},
		{"cron(0 10 ? * TUE 1969)", "year"},
		{"cron(0 10 ? * 3#6 *)", "day#n"},
		{"cron(0 18-8 ? * TUE *)", "backwards"},
		{"rate(0 minutes)", "positive"},
		{"rate(1 days)", "write rate(1 day)"},
		{"rate(2 hour)", "write rate(2 hours)"},
		{"rate(5 weeks)", "not a rate"},
		{"at(2026-03-01 10:00)", "not a date"},
		{"every tuesday", "not a schedule expression"},
		{"", "not a schedule expression"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			err := ParseScheduleExpression(tt.expr)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("ParseScheduleExpression(%q) = %v, want nil", tt.expr, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("ParseScheduleExpression(%q) = %v, want an error containing %q", tt.expr, err, tt.wantErr)
			}
		})
	}
}

func TestMaxParallel(t *testing.T) {
	tests := []struct {
		name string
		deps [][]int
		want int
	}{
		{"one", [][]int{nil}, 1},
		{"all parallel", [][]int{nil, nil, nil}, 3},
		{"chain", [][]int{nil, {0}, {1}}, 1},
		{"fan out", [][]int{nil, {0}, {0}, {0}}, 3},
		{"diamond", [][]int{nil, {0}, {0}, {1, 2}}, 2},
		{"two chains", [][]int{nil, {0}, nil, {2}}, 2},
		// 0→1→2 and 3 after 0 only: {1,3} or {2,3} run together
		{"transitive", [][]int{nil, {0}, {1}, {0}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := maxParallel(tt.deps); got != tt.want {
				t.Errorf("maxParallel(%v) = %d, want %d", tt.deps, got, tt.want)
			}
		})
	}
}

func TestCheckShape(t *testing.T) {
	type inner struct {
		Name string `json:"name"`
	}
	type embedded struct {
		Extra int32 `json:"extra,omitempty"`
	}
	type outer struct {
		embedded `json:",inline"`
		Inner    inner             `json:"inner"`
		List     []inner           `json:"list,omitempty"`
		Labels   map[string]string `json:"labels,omitempty"`
		Ratio    float64           `json:"ratio,omitempty"`
		D        Duration          `json:"d,omitempty"`
		Skip     string            `json:"-"`
	}
	v := map[string]any{
		"extra":  int64(1 << 40),
		"inner":  map[string]any{"nmae": "x"},
		"list":   []any{map[string]any{"name": int64(3)}, "nope"},
		"labels": map[string]any{"a": true},
		"ratio":  "half",
		"d":      "5 minutes",
		"Skip":   "x",
	}
	got := PruneShape(v, reflect.TypeFor[outer](), "root")
	want := Problems{
		{Path: "root.Skip", Message: `unknown field "Skip" (known fields: d, extra, inner, labels, list, ratio)`},
		{Path: "root.d", Message: `"5 minutes" is not a duration (write 90s, 5m, 1h30m or PT5M)`},
		{Path: "root.extra", Message: "1099511627776 is out of range"},
		{Path: "root.inner.nmae", Message: `unknown field "nmae" (did you mean "name"?)`},
		{Path: "root.labels.a", Message: `must be a string, not true: quote it, "true"`},
		{Path: "root.list[0].name", Message: `must be a string, not the number 3: quote it, "3"`},
		{Path: "root.list[1]", Message: `must be a mapping (key: value), not the string "nope"`},
		{Path: "root.ratio", Message: `must be a number, not the string "half"`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PruneShape problems differ (-want +got):\n%s", diff)
	}
	// JSON numbers (float64) are whole numbers when integral.
	if ps := PruneShape(map[string]any{"extra": 3.0}, reflect.TypeFor[outer](), ""); len(ps) != 0 {
		t.Errorf("PruneShape(3.0 into int32) = %v, want none", ps)
	}
}

// TestCheckDecodedJSON checks a spec decoded from JSON (the state machine's
// payload): problems have paths and no positions.
func TestCheckDecodedJSON(t *testing.T) {
	s := &Spec{TypeMeta: TypeMeta{APIVersion: APIVersion, Kind: Kind}, Metadata: Metadata{Name: "x"}}
	s.Spec.Faults = []Fault{{Name: "w", FIS: &FISAction{ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT1M"}}, MaxDuration: Duration{13 * 3600e9}}}
	got := Check(s)
	want := Problems{{Path: "spec.faults[0].maxDuration", Message: "13h0m0s is above FIS's limit of 12h (PT12H)"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check differs (-want +got):\n%s", diff)
	}
}

// TestCheckShapeIntegerRange checks the range of each integer kind at its
// bounds, signed and unsigned.
func TestCheckShapeIntegerRange(t *testing.T) {
	tests := []struct {
		name string
		typ  reflect.Type
		n    int64
		fits bool
	}{
		{"int8 max", reflect.TypeFor[int8](), 127, true},
		{"int8 over", reflect.TypeFor[int8](), 128, false},
		{"int8 min", reflect.TypeFor[int8](), -128, true},
		{"int8 under", reflect.TypeFor[int8](), -129, false},
		{"int64 min", reflect.TypeFor[int64](), math.MinInt64, true},
		{"uint8 max", reflect.TypeFor[uint8](), 255, true},
		{"uint8 over", reflect.TypeFor[uint8](), 256, false},
		{"uint negative", reflect.TypeFor[uint](), -1, false},
		{"uint64 max int64", reflect.TypeFor[uint64](), math.MaxInt64, true},
		{"uint32 over", reflect.TypeFor[uint32](), 1 << 32, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PruneShape(tt.n, tt.typ, "n")
			var want Problems
			if !tt.fits {
				want = Problems{{Path: "n", Message: fmt.Sprintf("%d is out of range", tt.n)}}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("PruneShape(%d into %s) (-want +got):\n%s", tt.n, tt.typ, diff)
			}
		})
	}
}
