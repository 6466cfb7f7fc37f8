package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// goTestOutput is `go test -bench` output of two runs of one package.
func goTestOutput(base, decode float64) string {
	return strings.NewReplacer("BASE", ftoa(base), "DECODE", ftoa(decode)).Replace(`goos: linux
goarch: amd64
pkg: github.com/gameday-dev/gameday/pkg/archive
cpu: AMD EPYC
BenchmarkBaselineDecodeEncodingJSON-2   	      15	  BASE ns/op	  600136 B/op	   11759 allocs/op
BenchmarkDecode-2                       	      79	  DECODE ns/op	  270396 B/op	    2109 allocs/op
PASS
ok  	github.com/gameday-dev/gameday/pkg/archive	0.872s
`)
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func TestGoBenchRatios(t *testing.T) {
	ns := map[string]map[string][]float64{}
	// The machine slowed down in the second run: the ratio is the same.
	for _, out := range []string{goTestOutput(1000, 250), goTestOutput(4000, 1000)} {
		if err := readBenchmarks(bytes.NewBufferString(out), ns); err != nil {
			t.Fatal(err)
		}
	}
	got, err := summariseGoBench(ns)
	if err != nil {
		t.Fatal(err)
	}
	want := []GoBench{{Package: "pkg/archive", Name: "Decode", Baseline: "BaselineDecodeEncodingJSON", NsPerOp: 625, BaselineNsPerOp: 2500, Ratio: 0.25, Runs: 2}}
	if d := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); d != "" {
		t.Errorf("summariseGoBench (-want +got):\n%s", d)
	}
}

func TestGoBenchNeedsABaseline(t *testing.T) {
	ns := map[string]map[string][]float64{}
	out := strings.ReplaceAll(goTestOutput(1000, 250), "BenchmarkBaseline", "BenchmarkOther")
	if err := readBenchmarks(bytes.NewBufferString(out), ns); err != nil {
		t.Fatal(err)
	}
	if _, err := summariseGoBench(ns); err == nil || !strings.Contains(err.Error(), "no BenchmarkBaseline") {
		t.Errorf("summariseGoBench without a baseline: %v, want an error naming BenchmarkBaseline", err)
	}
}

func TestParseFirstRun(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		want      *FirstRun
	}{
		{"both runs", `gameday: doctor ...
gameday: installing the States Language interpreter (npm aws-local-stepfunctions 1.2.3) into /tmp/x/home/.cache/gameday/abc with npm ci ... done in 13.9s
first-run: first run 40.0 s (with the interpreter install), second run 25.0 s
`, &FirstRun{InstallSeconds: 13.9, FirstSeconds: 40, SecondSeconds: 25, Ratio: 1.6, InstallShare: 13.9 / 40}},
		{"same times", `gameday: installing the States Language interpreter (npm aws-local-stepfunctions 1.2.3) into /c with npm ci ... done in 1.0s
first-run: first run 25.0 s (with the interpreter install), second run 25.0 s
`, &FirstRun{InstallSeconds: 1, FirstSeconds: 25, SecondSeconds: 25, Ratio: 1, InstallShare: 0.04}},
		{"no install line", "first-run: first run 40.0 s (with the interpreter install), second run 25.0 s\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFirstRun(tc.out)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("parseFirstRun = %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-9)); d != "" {
				t.Errorf("parseFirstRun (-want +got):\n%s", d)
			}
		})
	}
}
