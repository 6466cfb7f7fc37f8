package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// goBenchPackages are the packages whose `go test -bench` benchmarks the
// gobench part runs. In each, one benchmark is named BenchmarkBaseline...:
// the others are recorded as ratios of it.
var goBenchPackages = []string{"./pkg/archive", "./pkg/validate"}

// baselinePrefix starts the name of a package's baseline benchmark (its
// name without "Benchmark").
const baselinePrefix = "Baseline"

// GoBench is one `go test -bench` benchmark as a ratio of its package's
// baseline: each `go test` run runs both, one after the other, and Ratio
// is the median of the runs' ratios, so a machine's load that changes
// between runs weighs on both sides of each ratio alike.
type GoBench struct {
	Package         string  `json:"package"`
	Name            string  `json:"name"`
	Baseline        string  `json:"baseline"`
	NsPerOp         float64 `json:"nsPerOp"`
	BaselineNsPerOp float64 `json:"baselineNsPerOp"`
	// Ratio is NsPerOp over BaselineNsPerOp (under 1: faster than the
	// baseline); RatioLo and RatioHi bound it at 95 % confidence (both 0
	// when the runs were too few to bound it).
	Ratio   float64 `json:"ratio"`
	RatioLo float64 `json:"ratioLo"`
	RatioHi float64 `json:"ratioHi"`
	Runs    int     `json:"runs"`
}

// measureGoBench runs `go test -bench` on goBenchPackages count times and
// summarises each benchmark against its package's baseline.
func measureGoBench(ctx context.Context, count int, benchtime string) ([]GoBench, error) {
	// ns[package][benchmark] is one value per run.
	ns := map[string]map[string][]float64{}
	for i := range count {
		fmt.Fprintf(os.Stderr, "bench: go test -bench, run %d of %d ...\n", i+1, count)
		// -p 1: one package's benchmarks at a time, not each package's
		// test binary beside another's.
		args := append([]string{"test", "-p", "1", "-run", "^$", "-bench", ".", "-count", "1", "-benchtime", benchtime}, goBenchPackages...)
		cmd := exec.CommandContext(ctx, "go", args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go test -bench: %w: %s", err, out.String())
		}
		if err := readBenchmarks(&out, ns); err != nil {
			return nil, err
		}
	}
	return summariseGoBench(ns)
}

// readBenchmarks adds each ns/op value of go test's output to ns.
func readBenchmarks(out *bytes.Buffer, ns map[string]map[string][]float64) error {
	r := benchfmt.NewReader(out, "go test -bench")
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue // a syntax error or unit metadata: go test's other lines
		}
		sec, ok := res.Value("sec/op")
		if !ok {
			continue
		}
		pkg := res.GetConfig("pkg")
		if ns[pkg] == nil {
			ns[pkg] = map[string][]float64{}
		}
		name := string(res.Name.Base())
		ns[pkg][name] = append(ns[pkg][name], sec*1e9)
	}
	return r.Err()
}

func summariseGoBench(ns map[string]map[string][]float64) ([]GoBench, error) {
	var out []GoBench
	for _, pkg := range slices.Sorted(maps.Keys(ns)) {
		byName := ns[pkg]
		var base string
		for name := range byName {
			if strings.HasPrefix(name, baselinePrefix) {
				base = name
			}
		}
		if base == "" {
			return nil, fmt.Errorf("go test -bench: %s has no Benchmark%s... to measure against", pkg, baselinePrefix)
		}
		for _, name := range slices.Sorted(maps.Keys(byName)) {
			if name == base {
				continue
			}
			vals, baseVals := byName[name], byName[base]
			if len(vals) != len(baseVals) {
				return nil, fmt.Errorf("go test -bench: %s: %d runs of %s, %d of %s", pkg, len(vals), name, len(baseVals), base)
			}
			ratios := make([]float64, len(vals))
			for i := range vals {
				ratios[i] = vals[i] / baseVals[i]
			}
			r := median(ratios)
			g := GoBench{
				Package: strings.TrimPrefix(pkg, modulePrefix), Name: name, Baseline: base,
				NsPerOp: median(vals).Center, BaselineNsPerOp: median(baseVals).Center,
				Ratio: r.Center, Runs: len(vals),
			}
			// Too few runs bound the median by no run: no interval.
			if !math.IsInf(r.Lo, 0) && !math.IsInf(r.Hi, 0) {
				g.RatioLo, g.RatioHi = r.Lo, r.Hi
			}
			out = append(out, g)
		}
	}
	return out, nil
}

// modulePrefix is trimmed from package paths in the results.
const modulePrefix = "github.com/gameday-dev/gameday/"

func median(vals []float64) benchmath.Summary {
	return benchmath.AssumeNothing.Summary(benchmath.NewSample(slices.Clone(vals), &benchmath.DefaultThresholds), 0.95)
}

func goBenchTable(bs []GoBench) string {
	var b strings.Builder
	b.WriteString("go test -bench: each benchmark as a ratio of its package's baseline, both in each go test run (median of the runs' ratios, 95 % CI)\n")
	fmt.Fprintf(&b, "%-13s %-7s %10s   %-26s %10s | %6s %11s %4s\n", "package", "bench", "ns/op", "baseline", "ns/op", "ratio", "95 % CI", "runs")
	for _, g := range bs {
		ci := "-"
		if g.RatioHi > 0 {
			ci = fmt.Sprintf("%.2f-%.2f", g.RatioLo, g.RatioHi)
		}
		fmt.Fprintf(&b, "%-13s %-7s %10.0f   %-26s %10.0f | %5.2fx %11s %4d\n", g.Package, g.Name, g.NsPerOp, g.Baseline, g.BaselineNsPerOp, g.Ratio, ci, g.Runs)
	}
	return b.String()
}
