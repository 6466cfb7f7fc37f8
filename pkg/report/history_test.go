package report

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

func past(startMin, minutes float64, verdict string, value *float64, alarmAfter float64) Past {
	s := Summary{GameDay: "carts", Verdict: verdict, StartedAt: tp(startMin), EndedAt: tp(startMin + minutes),
		Hypothesis: Hypothesis{Checks: []Check{{Name: "orders", Phase: gameday.PhaseDuring, Value: value, Expect: gameday.Expect{Below: f64(300)}}}}}
	if alarmAfter > 0 {
		s.StopConditions = []StopCondition{{Alarm: "a", WentIntoAlarm: true, AlarmAt: tp(startMin + alarmAfter)}}
	}
	return Past{Prefix: "gamedays/carts/x/", Summary: s}
}

func TestHistory(t *testing.T) {
	runs := []Past{ // given newest first, as list reads them
		past(3000, 2, VerdictStoppedByAlarm, f64(310), 1.5),
		past(2000, 3, VerdictPassed, nil, 0),
		past(1000, 3, VerdictPassed, f64(180), 0),
		past(0, 4, VerdictRefuted, f64(320), 2.5),
	}
	h := NewHistory("carts", runs)
	if got := h.Runs[0].Start(); !got.Equal(at(0)) {
		t.Errorf("first run starts %s, want the oldest", got)
	}
	if got, want := h.SummaryLine(), "4 runs, pass rate 50%, median duration 3m, median time to a stop condition 2m (2 of 4 runs)"; got != want {
		t.Errorf("summary line\n got %s\nwant %s", got, want)
	}
	if len(h.Trends) != 1 {
		t.Fatalf("trends %+v", h.Trends)
	}
	if got, want := h.Trends[0].Text(), "orders (during, expect below 300): 320 → 180 → - → 310, flat"; got != want {
		t.Errorf("trend\n got %s\nwant %s", got, want)
	}
	none := NewHistory("carts", []Past{past(0, 3, VerdictPassed, f64(1), 0)})
	if got, want := none.SummaryLine(), "1 run, pass rate 100%, median duration 3m, no stop condition fired"; got != want {
		t.Errorf("summary line %q, want %q", got, want)
	}
}

func TestTrendDirection(t *testing.T) {
	tests := []struct {
		vals []*float64
		want string
	}{
		{[]*float64{f64(100), f64(200)}, "rising"},
		{[]*float64{f64(200), nil, f64(100)}, "falling"},
		{[]*float64{f64(100), f64(102)}, "flat"},
		{[]*float64{f64(100)}, ""},
		{[]*float64{nil, nil}, ""},
	}
	for _, tt := range tests {
		if got := (Trend{Values: tt.vals}).Direction(); got != tt.want {
			t.Errorf("Direction(%v) = %q, want %q", tt.vals, got, tt.want)
		}
	}
}

func TestMedian(t *testing.T) {
	if diff := cmp.Diff([]time.Duration{0, 3, 2, 5}, []time.Duration{median(nil), median([]time.Duration{3}), median([]time.Duration{1, 3}), median([]time.Duration{9, 5, 1})}); diff != "" {
		t.Error(diff)
	}
}

// withMetric is p with its check's metric recorded, as summary.json has
// it since the check carries its metric.
func withMetric(p Past, m gameday.Metric, judged string) Past {
	p.Summary.Hypothesis.Checks = slices.Clone(p.Summary.Hypothesis.Checks)
	p.Summary.Hypothesis.Checks[0].Metric, p.Summary.Hypothesis.Checks[0].Judged = &m, judged
	return p
}

// TestTrendAxis: a trend chart's y axis names the metric, its statistic
// and its unit from the newest run that recorded them, not the chart's
// heading again; runs archived before summary.json carried the metric say
// so.
func TestTrendAxis(t *testing.T) {
	latency := gameday.Metric{Namespace: "SockShop", Name: "Latency", Dimensions: map[string]string{"service": "orders"}, Stat: "p99", Period: 60, Unit: "Milliseconds"}
	errs := gameday.Metric{Namespace: "SockShop", Name: "ErrorRate", Stat: "Average", Period: 60, Unit: "Percent"}
	tests := []struct {
		name         string
		runs         []Past
		wantY        string
		wantSubtitle string
	}{
		{"recorded", []Past{withMetric(past(0, 3, VerdictPassed, f64(180), 0), latency, JudgedWorst), withMetric(past(1000, 3, VerdictPassed, f64(190), 0), latency, JudgedWorst)},
			"Latency p99 (ms)", "SockShop/Latency {service=orders}, p99 per 60s; each run's worst datapoint in the phase; expect below 300 ms; one point per run, at its start; a gap is a run without data"},
		{"the newest run's wins", []Past{withMetric(past(0, 3, VerdictPassed, f64(1), 0), latency, JudgedWorst), withMetric(past(1000, 3, VerdictPassed, f64(0.5), 0), errs, JudgedMean)},
			"ErrorRate Average (%)", "SockShop/ErrorRate, Average per 60s; each run's mean in the phase; expect below 300%; one point per run, at its start; a gap is a run without data"},
		{"an older run's when the newest has none", []Past{withMetric(past(0, 3, VerdictPassed, f64(180), 0), latency, JudgedWorst), past(1000, 3, VerdictPassed, f64(190), 0)},
			"Latency p99 (ms)", "SockShop/Latency {service=orders}, p99 per 60s; each run's worst datapoint in the phase; expect below 300 ms; one point per run, at its start; a gap is a run without data"},
		{"not recorded", []Past{past(0, 3, VerdictPassed, f64(180), 0)},
			"value as judged (metric not recorded)", "expect below 300; one point per run, at its start; a gap is a run without data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			charts := NewHistory("carts", tt.runs).trendCharts()
			if len(charts) != 1 {
				t.Fatalf("%d charts, want 1", len(charts))
			}
			c := charts[0]
			if diff := cmp.Diff([]string{tt.wantY, tt.wantSubtitle}, []string{c.YLabel, c.Subtitle}); diff != "" {
				t.Errorf("[y label, subtitle] mismatch (-want +got):\n%s", diff)
			}
			if c.YLabel == c.Name {
				t.Errorf("the y axis repeats the heading %q", c.Name)
			}
		})
	}
}

func TestHistoryHTML(t *testing.T) {
	m := gameday.Metric{Namespace: "SockShop", Name: "Latency", Stat: "p99", Period: 60, Unit: "Milliseconds"}
	h := NewHistory("carts", []Past{past(0, 4, VerdictRefuted, f64(320), 2.5), withMetric(past(1000, 3, VerdictPassed, f64(180), 0), m, JudgedWorst)})
	page := HistoryHTML(h)
	checkGolden(t, filepath.Join("testdata", "history.html"), page)
	for _, want := range []string{"<h1>GameDay carts: history</h1>", `data-chart="orders (during)"`, "2 runs, pass rate 50%", `<path class="series"`, ">Latency p99 (ms)</text>"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("history page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "src=", "<link", "url("} {
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("history page contains %q", bad)
		}
	}
	if n := strings.Count(string(page), "<tr><td"); n != 2 {
		t.Errorf("%d run rows, want 2", n)
	}
}
