package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The README's figures of speed, time and size come from bench/results.json:
// its Performance section shows table() of the results, the figures it
// quotes elsewhere are the recorded ones, and what it claims of them holds
// for them. A make bench that changes a figure fails these tests until the
// README says the new one.

func readResults(t *testing.T) Results {
	t.Helper()
	b, err := os.ReadFile("results.json")
	if err != nil {
		t.Fatal(err)
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	return r
}

func readREADME(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// performanceBlock is the first code block of README's Performance section.
func performanceBlock(t *testing.T, readme string) string {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n## Performance\n")
	if !ok {
		t.Fatal("README.md has no Performance section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "\n```\n")
	if !ok {
		t.Fatal("README.md's Performance section has no code block")
	}
	block, _, ok = strings.Cut(block, "\n```\n")
	if !ok {
		t.Fatal("README.md's Performance code block is not closed")
	}
	return block + "\n"
}

func TestREADMEPerformanceTable(t *testing.T) {
	if d := cmp.Diff(table(readResults(t)), performanceBlock(t, readREADME(t))); d != "" {
		t.Errorf("README.md's Performance block is not the table of bench/results.json (-table +README); paste make bench's table:\n%s", d)
	}
}

// goBench is the recorded benchmark name of package pkg.
func goBench(r Results, pkg, name string) (GoBench, error) {
	for _, g := range r.GoBench {
		if g.Package == pkg && g.Name == name {
			return g, nil
		}
	}
	return GoBench{}, fmt.Errorf("results.json has no %s benchmark %s", pkg, name)
}

// TestREADMEFigures: each figure the README quotes from the results, in
// the words around it (line breaks and indents do not matter).
func TestREADMEFigures(t *testing.T) {
	r := readResults(t)
	readme := strings.Join(strings.Fields(readREADME(t)), " ")
	for _, tc := range []struct {
		name string
		text func() (string, error)
	}{
		{"make demo's time", func() (string, error) {
			if r.Demo == nil {
				return "", fmt.Errorf("results.json has no demo")
			}
			return fmt.Sprintf("`make demo` took %.2f times as long as its scaled clock alone needs (%.0f simulated minutes at %gx) in the last `make bench`", r.Demo.Ratio, r.Demo.SimulatedSeconds/60, r.Demo.Speed), nil
		}},
		{"the first run's interpreter install", func() (string, error) {
			if r.FirstRun == nil {
				return "", fmt.Errorf("results.json has no firstRun")
			}
			return fmt.Sprintf("(in the last `make bench`, from an empty npm cache, %.0f %% of that first run, which took %.1f times as long as the next)", 100*r.FirstRun.InstallShare, r.FirstRun.Ratio), nil
		}},
		{"the archive's decoder against encoding/json", func() (string, error) {
			g, err := goBench(r, "pkg/archive", "Decode")
			return fmt.Sprintf("in %.0f %% of encoding/json's time", 100*g.Ratio), err
		}},
		{"validation against a plain YAML decode", func() (string, error) {
			g, err := goBench(r, "pkg/validate", "File")
			return fmt.Sprintf("(%.2fx in the last `make bench` for the full check", g.Ratio), err
		}},
		{"the archive's peak heap", func() (string, error) {
			var step, naive float64
			for _, a := range r.Archive {
				step, naive = max(step, a.PeakMB), max(naive, a.NaivePeakMB)
			}
			return fmt.Sprintf("its peak heap was at most %.1f MB in the runs above (the naive copy's %.1f MB)", step, naive), nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := tc.text()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(readme, want) {
				t.Errorf("README.md does not say %q (from bench/results.json)", want)
			}
		})
	}
}

// TestREADMEClaims: what the README says of the figures holds for the
// recorded ones.
func TestREADMEClaims(t *testing.T) {
	r := readResults(t)
	readme := strings.Join(strings.Fields(readREADME(t)), " ")
	for _, tc := range []struct {
		says  string
		check func() error
	}{
		{"every zip but preflight is under 4 MiB", func() error {
			for _, l := range r.Lambdas {
				if l.Function != "preflight" && l.ZipBytes >= 4<<20 {
					return fmt.Errorf("%s's zip is %d bytes", l.Function, l.ZipBytes)
				}
			}
			return nil
		}},
		{"a 12-hour experiment stays under 2,500 history events", func() error {
			for _, o := range r.Orchestration {
				if o.Experiment == "12h" {
					if o.HistoryEvents >= 2500 {
						return fmt.Errorf("12h: %d history events", o.HistoryEvents)
					}
					return nil
				}
			}
			return fmt.Errorf("results.json has no 12h orchestration run")
		}},
		{"a terminal state is noticed within max(15 s, 10 % of the time elapsed), never later than 5 minutes", func() error {
			for _, o := range r.Orchestration {
				if o.WorstNoticeSeconds > o.NoticeTargetSeconds || o.NoticeTargetSeconds > 300 {
					return fmt.Errorf("%s: worst %g s, target %g s", o.Experiment, o.WorstNoticeSeconds, o.NoticeTargetSeconds)
				}
			}
			return nil
		}},
	} {
		t.Run(tc.says, func(t *testing.T) {
			if !strings.Contains(readme, tc.says) {
				t.Fatalf("README.md no longer says %q: drop its check", tc.says)
			}
			if err := tc.check(); err != nil {
				t.Errorf("README.md says %q, but bench/results.json has %v", tc.says, err)
			}
		})
	}
}
