package report

import (
	"bytes"
	"path/filepath"
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

func TestHistoryHTML(t *testing.T) {
	h := NewHistory("carts", []Past{past(0, 4, VerdictRefuted, f64(320), 2.5), past(1000, 3, VerdictPassed, f64(180), 0)})
	page := HistoryHTML(h)
	checkGolden(t, filepath.Join("testdata", "history.html"), page)
	for _, want := range []string{"<h1>GameDay carts: history</h1>", `data-chart="orders (during)"`, "2 runs, pass rate 50%", `<path class="series"`} {
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
