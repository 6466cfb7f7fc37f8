package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Past is one archived run, as `gameday list` and `gameday history` read it
// back from the archive: where it is and its summary.json.
type Past struct {
	// Prefix is the run's archive folder (gamedays/<name>/<start>_<id>/).
	Prefix  string  `json:"prefix"`
	Summary Summary `json:"summary"`
}

// Start is when the run's experiment started (from the summary, else zero).
func (p Past) Start() time.Time {
	if p.Summary.StartedAt != nil {
		return *p.Summary.StartedAt
	}
	return time.Time{}
}

// Duration is the experiment's run, or zero while unknown.
func (p Past) Duration() time.Duration {
	s := p.Summary
	if s.StartedAt == nil || s.EndedAt == nil || s.EndedAt.Before(*s.StartedAt) {
		return 0
	}
	return s.EndedAt.Sub(*s.StartedAt)
}

// TimeToStop is how long after the start the first stop condition went
// into ALARM, when one did.
func (p Past) TimeToStop() (time.Duration, bool) {
	var first *time.Time
	for _, sc := range p.Summary.StopConditions {
		if sc.WentIntoAlarm && sc.AlarmAt != nil && (first == nil || sc.AlarmAt.Before(*first)) {
			first = sc.AlarmAt
		}
	}
	if first == nil || p.Summary.StartedAt == nil {
		return 0, false
	}
	return first.Sub(*p.Summary.StartedAt), true
}

// History is a GameDay's runs, oldest first, and what they add up to.
type History struct {
	GameDay string
	Runs    []Past
	// Passed counts the runs whose verdict is passed.
	Passed int
	// MedianDuration is over the runs with a known duration.
	MedianDuration time.Duration
	// MedianTimeToStop is over the runs where a stop condition fired;
	// StopsFired counts them.
	MedianTimeToStop time.Duration
	StopsFired       int
	// Trends are each check's value per run, per phase, in the checks'
	// order of the newest run.
	Trends []Trend
}

// Trend is one check in one phase over the runs, oldest first; a nil value
// is a run without data (or without that check).
type Trend struct {
	Check  string         `json:"check"`
	Phase  gameday.Phase  `json:"phase"`
	Expect gameday.Expect `json:"expect"`
	// Metric and Judged are the newest run's that says them (nil and ""
	// when only archives older than summary.json's check metric have the
	// check).
	Metric *gameday.Metric `json:"metric,omitempty"`
	Judged string          `json:"judged,omitempty"`
	Values []*float64      `json:"values"`
}

// NewHistory sums up a GameDay's runs (given in any order).
func NewHistory(name string, runs []Past) History {
	h := History{GameDay: name, Runs: slices.Clone(runs)}
	slices.SortStableFunc(h.Runs, func(a, b Past) int { return a.Start().Compare(b.Start()) })
	var durations, stops []time.Duration
	for _, r := range h.Runs {
		if r.Summary.Verdict == VerdictPassed {
			h.Passed++
		}
		if d := r.Duration(); d > 0 {
			durations = append(durations, d)
		}
		if d, ok := r.TimeToStop(); ok {
			stops = append(stops, d)
		}
	}
	h.MedianDuration, h.MedianTimeToStop, h.StopsFired = median(durations), median(stops), len(stops)

	type key struct {
		check string
		phase gameday.Phase
	}
	index := map[key]int{}
	for i := len(h.Runs) - 1; i >= 0; i-- { // the newest run's checks first
		for _, c := range h.Runs[i].Summary.Hypothesis.Checks {
			k := key{c.Name, c.Phase}
			if _, ok := index[k]; !ok {
				index[k] = len(h.Trends)
				h.Trends = append(h.Trends, Trend{Check: c.Name, Phase: c.Phase, Expect: c.Expect, Values: make([]*float64, len(h.Runs))})
			}
		}
	}
	for i, r := range h.Runs { // oldest first: the newest run's metric wins
		for _, c := range r.Summary.Hypothesis.Checks {
			t := &h.Trends[index[key{c.Name, c.Phase}]]
			t.Values[i] = c.Value
			if c.Metric != nil {
				t.Metric, t.Judged = c.Metric, c.Judged
			}
		}
	}
	// In the GameDay's order: by the newest run's order of checks, which
	// lists phases together per check.
	return h
}

// median of durations (zero for none).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// PassRate is the share of passed runs in percent.
func (h History) PassRate() float64 {
	if len(h.Runs) == 0 {
		return 0
	}
	return float64(h.Passed) * 100 / float64(len(h.Runs))
}

// SummaryLine is the history's one-line summary.
func (h History) SummaryLine() string {
	n := len(h.Runs)
	line := fmt.Sprintf("%d run%s, pass rate %s%%, median duration %s", n, plural(n), num(roundTo(h.PassRate(), 1)), DurationText(h.MedianDuration))
	if h.StopsFired > 0 {
		line += fmt.Sprintf(", median time to a stop condition %s (%d of %d run%s)", DurationText(h.MedianTimeToStop), h.StopsFired, n, plural(n))
	} else {
		line += ", no stop condition fired"
	}
	return line
}

// Direction says how a trend moved from its first value to its last:
// "rising", "falling", "flat", or "" with fewer than two values.
func (t Trend) Direction() string {
	var first, last *float64
	for _, v := range t.Values {
		if v == nil {
			continue
		}
		if first == nil {
			first = v
		}
		last = v
	}
	if first == nil || first == last {
		return ""
	}
	d := *last - *first
	tol := 0.05 * max(abs(*first), abs(*last))
	switch {
	case d > tol:
		return "rising"
	case d < -tol:
		return "falling"
	}
	return "flat"
}

// Text is the trend on one line: "orders-latency-p99 (during, expect below
// 300 ms): 182 → - → 240, rising" (the unit when a run recorded it).
func (t Trend) Text() string {
	vals := make([]string, len(t.Values))
	for i, v := range t.Values {
		vals[i] = "-"
		if v != nil {
			vals[i] = num(*v)
		}
	}
	s := fmt.Sprintf("%s (%s, expect %s): %s", t.Check, t.Phase, expectText(t.Expect, t.Metric), strings.Join(vals, " → "))
	if d := t.Direction(); d != "" {
		s += ", " + d
	}
	return s
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// DurationText is a duration for people: "4m30s", "1h2m", "-" for zero.
func DurationText(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return gameday.Short(d.Round(time.Second))
}

// trendCharts are the history's charts: one per check and phase, a point
// per run at its start.
func (h History) trendCharts() []Chart {
	if len(h.Runs) == 0 {
		return nil
	}
	from, to := h.Runs[0].Start(), h.Runs[len(h.Runs)-1].Start()
	pad := max(to.Sub(from)/20, 30*time.Minute)
	from, to = from.Add(-pad), to.Add(pad)
	var out []Chart
	for _, t := range h.Trends {
		c := Chart{Name: t.Check + " (" + string(t.Phase) + ")", Kind: "trend", From: from, To: to,
			Subtitle: t.subtitle(), YLabel: t.yLabel()}
		for i, v := range t.Values {
			if v != nil {
				c.Points = append(c.Points, Point{T: h.Runs[i].Start(), V: *v})
			}
		}
		c.Thresholds = thresholds(t.Expect)
		if len(c.Points) == 0 {
			c.NoData = "No run had data for this check."
		}
		out = append(out, c)
	}
	return out
}

// yLabel names a trend's y axis: its metric's, "Latency p99 (ms)", or,
// when no run's summary.json names the metric, what the values are.
func (t Trend) yLabel() string {
	if t.Metric == nil {
		return "value as judged (metric not recorded)"
	}
	return yLabel(*t.Metric)
}

// subtitle says which metric a trend follows, which value of each run it
// shows, and what is expected.
func (t Trend) subtitle() string {
	var s string
	if t.Metric != nil {
		s = metricText(*t.Metric) + "; "
	}
	switch t.Judged {
	case JudgedMean:
		s += "each run's mean in the phase; "
	case JudgedWorst:
		s += "each run's worst datapoint in the phase; "
	}
	return s + "expect " + expectText(t.Expect, t.Metric) + "; one point per run, at its start; a gap is a run without data"
}

type historyData struct {
	H      History
	Charts []htmlChart
	Rows   []historyRow
}

type historyRow struct {
	Start, Verdict, Class, Experiment, Duration, Reason string
}

// HistoryHTML is the history page: the summary line, a trend chart per
// check and phase, and a row per run; self-contained like report.html.
func HistoryHTML(h History) []byte {
	d := historyData{H: h}
	for _, c := range h.trendCharts() {
		hc := htmlChart{Chart: c}
		if c.NoData == "" {
			for _, sz := range chartSizes {
				hc.Sizes = append(hc.Sizes, c.layout(sz.Class, sz.W, sz.H))
			}
		}
		d.Charts = append(d.Charts, hc)
	}
	for i := len(h.Runs) - 1; i >= 0; i-- {
		r := h.Runs[i]
		d.Rows = append(d.Rows, historyRow{Start: r.Start().UTC().Format("2006-01-02 15:04Z"), Verdict: r.Summary.Verdict,
			Class: verdictClass(r.Summary.Verdict), Experiment: r.Summary.ExperimentID, Duration: DurationText(r.Duration()), Reason: r.Summary.VerdictReason})
	}
	var w htmlWriter
	w.historyPage(d)
	return []byte(w.String())
}

// historyPage is the history page.
func (w *htmlWriter) historyPage(d historyData) {
	w.pageHead("GameDay " + d.H.GameDay + ": history")
	class := "warn"
	if d.H.Passed == len(d.H.Runs) {
		class = "ok"
	}
	w.raw("\ntd.ok{background:none;border-left:4px solid var(--ok)}td.warn{background:none;border-left:4px solid var(--warn)}td.bad{background:none;border-left:4px solid var(--bad)}\n",
		"</style>\n</head>\n<body>\n<h1>GameDay ", esc(d.H.GameDay), ": history</h1>\n<p class=\"verdict ", class, "\">", esc(d.H.SummaryLine()), ".</p>\n",
		"<h2>Trends</h2>\n<p><small>Times in UTC. Each check's value per run, as its report judged it.</small></p>")
	w.charts(d.Charts, "No checks.")
	w.raw("\n<h2>Runs</h2>\n<table class=\"cards\">\n<tr><th>Start</th><th>Verdict</th><th>Experiment</th><th>Duration</th><th>Why</th></tr>")
	for _, r := range d.Rows {
		w.raw("\n<tr><td data-label=\"Start\">", esc(r.Start), "</td><td data-label=\"Verdict\" class=\"", esc(r.Class), "\">", esc(r.Verdict),
			"</td><td data-label=\"Experiment\"><code>", esc(r.Experiment), "</code></td><td data-label=\"Duration\">", esc(r.Duration),
			"</td><td data-label=\"Why\">", esc(r.Reason), "</td></tr>")
	}
	w.raw("\n</table>\n</body>\n</html>\n")
}
