// Command bench measures what a GameDay costs, how fast gameday reacts, how
// far the archive scales, what its Lambdas weigh, what the package
// benchmarks (`go test -bench`) cost against their baselines and what a
// first local run costs, with the obvious alternatives measured or derived
// in the same run on the same machine. It prints a table and writes
// bench/results.json. Run it with `make bench` from the repository's root;
// it prints figures and asserts nothing. README.md's Performance section
// shows the table of bench/results.json, and the figures it quotes
// elsewhere are from it (readme_test.go checks both).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/interpreter"
)

// Results is bench/results.json.
type Results struct {
	Machine string    `json:"machine"`
	Date    time.Time `json:"date"`
	// Parts are the parts this run measured; the others' figures are from
	// earlier runs.
	Parts []string `json:"parts"`
	// LoadStart and LoadEnd are the machine's 1-minute load average when
	// the run began and ended.
	LoadStart     float64         `json:"loadStart"`
	LoadEnd       float64         `json:"loadEnd"`
	Orchestration []Orchestration `json:"orchestration"`
	QuotaCrossing []QuotaCrossing `json:"quotaCrossing"`
	Archive       []Archive       `json:"archive"`
	Lambdas       []Lambda        `json:"lambdas"`
	Handlers      []HandlerTiming `json:"handlers"`
	GoBench       []GoBench       `json:"goBench"`
	FirstRun      *FirstRun       `json:"firstRun,omitempty"`
	Demo          *Demo           `json:"demo,omitempty"`
	// WallSeconds is how long this run of the bench program took (make
	// bench adds building the CLI and, on a clean clone, npm ci).
	WallSeconds float64 `json:"wallSeconds"`
}

// HandlerTiming is the latency of one handler's invocations against the
// simulator during the orchestration runs.
type HandlerTiming struct {
	Function    string  `json:"function"`
	Invocations int     `json:"invocations"`
	P50Millis   float64 `json:"p50Millis"`
	P99Millis   float64 `json:"p99Millis"`
}

func main() {
	out := flag.String("out", "bench/results.json", "where to write the results")
	var all []string
	for _, p := range parts {
		all = append(all, p.name)
	}
	only := flag.String("only", strings.Join(all, ","), "comma-separated parts to run")
	lengths := flag.String("lengths", "10m,1h,4h,12h", "comma-separated experiment lengths for the orchestration part")
	records := flag.String("records", "1000,10000,100000", "comma-separated record counts for the archive part")
	latencies := flag.String("latencies", "0s,20ms", "comma-separated latencies added per S3 request for the archive part")
	count := flag.Int("count", 8, "how many go test runs the gobench part makes")
	benchtime := flag.String("benchtime", "1s", "go test's -benchtime for the gobench part")
	quick := flag.Bool("quick", false, "a quick check of every part but first use and the demo: orchestration 10m and 1h, archive up to 10,000 records, two short go test runs")
	flag.Parse()
	if *quick {
		*only, *lengths, *records = "orchestration,archive,lambdas,gobench", "10m,1h", "1000,10000"
		*count, *benchtime = 2, "100ms"
	}
	o := opts{records: parseList("records", *records, strconv.Atoi), latencies: parseList("latencies", *latencies, time.ParseDuration), count: *count, benchtime: *benchtime}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// The handlers' own logs would drown the table.
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, nil)))
	o.parts, o.lengths = strings.Split(*only, ","), strings.Split(*lengths, ",")
	if err := run(ctx, *out, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseList parses the comma-separated value of the flag name, each item
// with parse; a bad item ends the program (exit 2).
func parseList[T any](name, value string, parse func(string) (T, error)) []T {
	var out []T
	for _, item := range strings.Split(value, ",") {
		v, err := parse(item)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: -%s: %v\n", name, err)
			os.Exit(2)
		}
		out = append(out, v)
	}
	return out
}

// opts are what to run.
type opts struct {
	parts, lengths []string
	records        []int
	latencies      []time.Duration
	count          int
	benchtime      string
}

// part is one thing the bench measures, named for -only; run puts its
// figures in the results.
type part struct {
	name string
	run  func(ctx context.Context, o opts, tmp string, res *Results) error
}

// parts are the bench's parts, in the order they run.
var parts = []part{
	{"orchestration", measureOrchestrations},
	{"archive", func(ctx context.Context, o opts, _ string, res *Results) (err error) {
		res.Archive, err = measureArchive(ctx, o.records, o.latencies)
		return err
	}},
	{"lambdas", func(ctx context.Context, _ opts, tmp string, res *Results) (err error) {
		fmt.Fprintln(os.Stderr, "bench: Lambda artifacts ...")
		res.Lambdas, err = measureLambdas(ctx, tmp)
		return err
	}},
	{"gobench", func(ctx context.Context, o opts, _ string, res *Results) (err error) {
		res.GoBench, err = measureGoBench(ctx, o.count, o.benchtime)
		return err
	}},
	{"firstrun", func(ctx context.Context, _ opts, _ string, res *Results) (err error) {
		fmt.Fprintln(os.Stderr, "bench: first use (.ci/first-run.sh) ...")
		res.FirstRun, err = measureFirstRun(ctx)
		return err
	}},
	{"demo", func(ctx context.Context, _ opts, _ string, res *Results) error {
		fmt.Fprintln(os.Stderr, "bench: make demo ...")
		d, err := measureDemo(ctx)
		res.Demo = d
		return err
	}},
}

func run(ctx context.Context, outPath string, o opts) error {
	for _, name := range o.parts {
		if !slices.ContainsFunc(parts, func(p part) bool { return p.name == name }) {
			return fmt.Errorf("-only: no part %q", name)
		}
	}
	// Parts not run this time keep their last figures.
	var res Results
	if b, err := os.ReadFile(outPath); err == nil {
		_ = json.Unmarshal(b, &res)
	}
	began := time.Now()
	res.Date, res.Machine, res.LoadStart, res.Parts = began.UTC(), machine(), load(), nil
	tmp, err := os.MkdirTemp("", "gameday-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, p := range parts {
		if !slices.Contains(o.parts, p.name) {
			continue
		}
		res.Parts = append(res.Parts, p.name)
		if err := p.run(ctx, o, tmp, &res); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}

	res.WallSeconds, res.LoadEnd = time.Since(began).Seconds(), load()
	fmt.Print(table(res))
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(outPath, append(b, '\n'), 0o644)
}

func machine() string {
	out, _ := exec.Command("go", "env", "GOOS", "GOARCH").Output()
	cpus, _ := os.ReadFile("/proc/cpuinfo")
	n := strings.Count(string(cpus), "processor\t:")
	model := ""
	for _, l := range strings.Split(string(cpus), "\n") {
		if strings.HasPrefix(l, "model name") {
			_, model, _ = strings.Cut(l, ": ")
			break
		}
	}
	return fmt.Sprintf("%s, %d CPUs, %s", strings.Join(strings.Fields(string(out)), "/"), n, model)
}

// measureOrchestrations runs the GameDays of o.lengths through the real
// workflow, timing every handler invocation.
func measureOrchestrations(ctx context.Context, o opts, _ string, res *Results) error {
	found, err := interpreter.Ensure(ctx, interpreter.Options{Progress: os.Stderr})
	if err != nil {
		return err
	}
	timings := &latencies{by: map[string][]time.Duration{}}
	res.Orchestration = nil
	for _, c := range []struct {
		label string
		d     time.Duration
		speed float64
	}{
		{"10m", 10 * time.Minute, 60},
		{"1h", time.Hour, 240},
		{"4h", 4 * time.Hour, 600},
		{"12h", 12 * time.Hour, 900},
	} {
		if !slices.Contains(o.lengths, c.label) {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: orchestration %s at %gx ...\n", c.label, c.speed)
		run, err := runOrchestration(ctx, found, c.label, c.d, c.speed, timings.wrap)
		if err != nil {
			return err
		}
		res.Orchestration = append(res.Orchestration, run)
	}
	res.Handlers = timings.summary()
	// The longest run has the most poll iterations to count from.
	if n := len(res.Orchestration); n > 0 {
		last := res.Orchestration[n-1]
		res.QuotaCrossing = quotaCrossings(last.perIter, last.outside)
	}
	return nil
}

// load is the 1-minute load average (0 where /proc/loadavg is missing).
func load() float64 {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// latencies times every handler invocation.
type latencies struct {
	mu sync.Mutex
	by map[string][]time.Duration
}

type timedHandler struct {
	fn string
	h  lambda.Handler
	l  *latencies
}

func (t timedHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	start := time.Now()
	out, err := t.h.Invoke(ctx, payload)
	d := time.Since(start)
	t.l.mu.Lock()
	t.l.by[t.fn] = append(t.l.by[t.fn], d)
	t.l.mu.Unlock()
	return out, err
}

func (l *latencies) wrap(fn deploy.Function, h lambda.Handler) lambda.Handler {
	return timedHandler{fn: string(fn), h: h, l: l}
}

func (l *latencies) summary() []HandlerTiming {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []HandlerTiming
	for fn, ds := range l.by {
		slices.Sort(ds)
		pct := func(p float64) float64 {
			i := min(int(p*float64(len(ds))), len(ds)-1)
			return float64(ds[i].Microseconds()) / 1000
		}
		out = append(out, HandlerTiming{Function: fn, Invocations: len(ds), P50Millis: pct(0.50), P99Millis: pct(0.99)})
	}
	slices.SortFunc(out, func(a, b HandlerTiming) int { return strings.Compare(a.Function, b.Function) })
	return out
}

func table(r Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "gameday benchmarks, %s, %s\n\n", r.Date.Format(time.RFC3339), r.Machine)
	if len(r.Orchestration) > 0 {
		b.WriteString(orchestrationTable(r.Orchestration, r.QuotaCrossing))
		b.WriteString("\nHandler latency against the simulator (every invocation of the runs above)\n")
		fmt.Fprintf(&b, "%-17s %6s %9s %9s\n", "function", "calls", "p50 ms", "p99 ms")
		for _, h := range r.Handlers {
			fmt.Fprintf(&b, "%-17s %6d %9.2f %9.2f\n", h.Function, h.Invocations, h.P50Millis, h.P99Millis)
		}
		b.WriteString("\n")
	}
	if len(r.Archive) > 0 {
		b.WriteString(archiveTable(r.Archive))
		b.WriteString("\n")
	}
	if len(r.Lambdas) > 0 {
		b.WriteString(lambdaTable(r.Lambdas))
		b.WriteString("\n")
	}
	if len(r.GoBench) > 0 {
		b.WriteString(goBenchTable(r.GoBench))
		b.WriteString("\n")
	}
	if r.FirstRun != nil {
		b.WriteString(firstRunTable(r.FirstRun))
	}
	if r.Demo != nil {
		b.WriteString(demoTable(r.Demo))
	}
	fmt.Fprintf(&b, "bench: %.0f s wall for %s; 1-minute load %.1f at the start, %.1f at the end\n", r.WallSeconds, strings.Join(r.Parts, ", "), r.LoadStart, r.LoadEnd)
	return b.String()
}
