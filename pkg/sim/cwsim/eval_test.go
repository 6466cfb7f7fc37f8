package cwsim

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
)

// putAlarm creates an alarm through the same code path as the API.
func putAlarm(t *testing.T, s *Service, params map[string]string) {
	t.Helper()
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	if _, err := ops["PutMetricAlarm"](s, val{v: queryTree(form)}); err != nil {
		t.Fatalf("PutMetricAlarm %v: %v", params, err)
	}
}

func alarmParams(name, op string, threshold float64, n, m int, treat string) map[string]string {
	p := map[string]string{
		"AlarmName": name, "Namespace": "SockShop", "MetricName": "Latency",
		"Dimensions.member.1.Name": "service", "Dimensions.member.1.Value": "carts",
		"Statistic": "Average", "Period": "60", "EvaluationPeriods": fmt.Sprint(n),
		"Threshold": fmt.Sprint(threshold), "ComparisonOperator": op,
	}
	if m > 0 {
		p["DatapointsToAlarm"] = fmt.Sprint(m)
	}
	if treat != "" {
		p["TreatMissingData"] = treat
	}
	return p
}

// putPattern publishes one datapoint per minute from origin, oldest first:
// 'X' breaching (100), '0' not breaching (0), '-' missing.
func putPattern(s *Service, origin time.Time, pattern string) {
	for i, c := range strings.Fields(pattern) {
		var v float64
		switch c {
		case "-":
			continue
		case "X":
			v = 100
		case "0":
			v = 0
		}
		s.PutMetrics("SockShop", []Datum{{MetricName: "Latency", Dimensions: map[string]string{"service": "carts"},
			Timestamp: origin.Add(time.Duration(i)*time.Minute + 15*time.Second), Values: []float64{v}}})
	}
}

func forceState(s *Service, name, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.alarms[name]
	a.state, a.reason = state, "preset by the test"
}

// TestEvaluateMissingDataTables runs the two tables of "How alarm state is
// evaluated when data is missing" in the CloudWatch user guide: 3 of 3 and
// 2 of 3 alarms, each evaluating the 5 most recent periods, under every
// treatment of missing data. "retain" means the state before evaluation,
// which each case starts from both OK and ALARM.
func TestEvaluateMissingDataTables(t *testing.T) {
	type row struct {
		m, n    int
		pattern string
		want    map[string]string // by treatment
	}
	const retain = "retain"
	rows := []row{
		{3, 3, "0 - X - X", map[string]string{"missing": "OK", "ignore": "OK", "breaching": "OK", "notBreaching": "OK"}},
		{3, 3, "0 - - - -", map[string]string{"missing": "OK", "ignore": "OK", "breaching": "OK", "notBreaching": "OK"}},
		{3, 3, "- - - - -", map[string]string{"missing": "INSUFFICIENT_DATA", "ignore": retain, "breaching": "ALARM", "notBreaching": "OK"}},
		{3, 3, "0 X X - X", map[string]string{"missing": "ALARM", "ignore": "ALARM", "breaching": "ALARM", "notBreaching": "ALARM"}},
		{3, 3, "- - - - X", map[string]string{"missing": "INSUFFICIENT_DATA", "ignore": retain, "breaching": "ALARM", "notBreaching": "OK"}},
		{3, 3, "X - - - -", map[string]string{"missing": "ALARM", "ignore": retain, "breaching": "ALARM", "notBreaching": "OK"}},
		{2, 3, "0 - X - X", map[string]string{"missing": "ALARM", "ignore": "ALARM", "breaching": "ALARM", "notBreaching": "ALARM"}},
		{2, 3, "0 0 X 0 X", map[string]string{"missing": "ALARM", "ignore": "ALARM", "breaching": "ALARM", "notBreaching": "ALARM"}},
		{2, 3, "0 - X - -", map[string]string{"missing": "OK", "ignore": "OK", "breaching": "ALARM", "notBreaching": "OK"}},
		{2, 3, "- - - - 0", map[string]string{"missing": "OK", "ignore": "OK", "breaching": "ALARM", "notBreaching": "OK"}},
		{2, 3, "- - - - X", map[string]string{"missing": "INSUFFICIENT_DATA", "ignore": retain, "breaching": "ALARM", "notBreaching": "OK"}},
	}
	for _, r := range rows {
		for _, treat := range []string{"missing", "ignore", "breaching", "notBreaching"} {
			for _, before := range []string{StateOK, StateAlarm} {
				name := fmt.Sprintf("%d of %d %q %s from %s", r.m, r.n, r.pattern, treat, before)
				t.Run(name, func(t *testing.T) {
					s := New(simclock.New(testOrigin, 1), testAccount, testRegion)
					putPattern(s, testOrigin, r.pattern)
					putAlarm(t, s, alarmParams("a", "GreaterThanThreshold", 50, r.n, r.m, treat))
					forceState(s, "a", before)
					s.Evaluate(testOrigin.Add(5*time.Minute + 10*time.Second))
					want := r.want[treat]
					if want == retain {
						want = before
					}
					got, _ := s.AlarmState(s.alarmARN("a"))
					if got != want {
						t.Errorf("state = %s, want %s", got, want)
					}
				})
			}
		}
	}
}

// TestEvaluateOperators checks every comparison operator at, above and
// below its threshold, for 1 of 1 and 2 of 3 alarms.
func TestEvaluateOperators(t *testing.T) {
	breaches := map[string]map[string]bool{ // operator -> below/at/above
		"GreaterThanThreshold":          {"below": false, "at": false, "above": true},
		"GreaterThanOrEqualToThreshold": {"below": false, "at": true, "above": true},
		"LessThanThreshold":             {"below": true, "at": false, "above": false},
		"LessThanOrEqualToThreshold":    {"below": true, "at": true, "above": false},
	}
	values := map[string]float64{"below": 49.5, "at": 50, "above": 50.5}
	for op, cases := range breaches {
		for where, breach := range cases {
			for _, mn := range [][2]int{{1, 1}, {2, 3}} {
				t.Run(fmt.Sprintf("%s %s %d of %d", op, where, mn[0], mn[1]), func(t *testing.T) {
					s := New(simclock.New(testOrigin, 1), testAccount, testRegion)
					// The last three minutes: two at the tested value and one
					// in between that never breaches either way.
					neutral := 0.0
					if strings.HasPrefix(op, "Less") {
						neutral = 100
					}
					for i, v := range []float64{values[where], neutral, values[where]} {
						s.PutMetrics("SockShop", []Datum{{MetricName: "Latency", Dimensions: map[string]string{"service": "carts"},
							Timestamp: testOrigin.Add(time.Duration(2+i) * time.Minute), Values: []float64{v}}})
					}
					putAlarm(t, s, alarmParams("a", op, 50, mn[1], mn[0], ""))
					s.Evaluate(testOrigin.Add(5 * time.Minute))
					want := StateOK
					if breach {
						want = StateAlarm
					}
					if got, _ := s.AlarmState(s.alarmARN("a")); got != want {
						t.Errorf("state = %s, want %s", got, want)
					}
				})
			}
		}
	}
}

// TestEvaluateMOfN checks the M out of N count at its boundary for each
// treatment of missing data, with all N periods present.
func TestEvaluateMOfN(t *testing.T) {
	tests := []struct {
		m, n    int
		pattern string // the last n periods
		want    string
	}{
		{1, 1, "X", StateAlarm},
		{1, 1, "0", StateOK},
		{2, 3, "X 0 X", StateAlarm},
		{2, 3, "X 0 0", StateOK},
		{3, 5, "X 0 X 0 X", StateAlarm},
		{3, 5, "X 0 X 0 0", StateOK},
		{4, 4, "X X X X", StateAlarm},
		{4, 4, "X X 0 X", StateOK},
	}
	for _, tt := range tests {
		for _, treat := range []string{"", "missing", "ignore", "breaching", "notBreaching"} {
			t.Run(fmt.Sprintf("%d of %d %q %q", tt.m, tt.n, tt.pattern, treat), func(t *testing.T) {
				s := New(simclock.New(testOrigin, 1), testAccount, testRegion)
				putPattern(s, testOrigin, tt.pattern)
				putAlarm(t, s, alarmParams("a", "GreaterThanThreshold", 50, tt.n, tt.m, treat))
				s.Evaluate(testOrigin.Add(time.Duration(tt.n)*time.Minute + time.Second))
				if got, _ := s.AlarmState(s.alarmARN("a")); got != tt.want {
					t.Errorf("state = %s, want %s", got, tt.want)
				}
			})
		}
	}
}

// TestEvaluateReasons checks the StateReason text CloudWatch writes for
// each kind of transition, and the transitions reported to listeners.
func TestEvaluateReasons(t *testing.T) {
	tests := []struct {
		name    string
		m, n    int
		treat   string
		pattern string
		want    string
	}{
		{"one datapoint", 1, 1, "", "- - X",
			"Threshold Crossed: 1 datapoint [100.0 (26/11/26 12:02:00)] was greater than the threshold (50.0)."},
		{"m of n alarm", 2, 3, "", "X 0 X",
			"Threshold Crossed: 2 out of the last 3 datapoints [100.0 (26/11/26 12:02:00), 100.0 (26/11/26 12:00:00)] were greater than the threshold (50.0) (minimum 2 datapoints for INSUFFICIENT_DATA -> ALARM transition)."},
		{"m of n ok", 2, 3, "", "0 0 X",
			"Threshold Crossed: 2 out of the last 3 datapoints [0.0 (26/11/26 12:01:00), 0.0 (26/11/26 12:00:00)] were not greater than the threshold (50.0) (minimum 2 datapoints for INSUFFICIENT_DATA -> OK transition)."},
		{"no data breaching", 1, 2, "breaching", "- -",
			"Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [Breaching]."},
		{"no data not breaching", 1, 1, "notBreaching", "-",
			"Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(simclock.New(testOrigin, 1), testAccount, testRegion)
			var got []Transition
			s.OnTransition(func(tr Transition) { got = append(got, tr) })
			putPattern(s, testOrigin, tt.pattern)
			putAlarm(t, s, alarmParams("a", "GreaterThanThreshold", 50, tt.n, tt.m, tt.treat))
			now := testOrigin.Add(3*time.Minute + 10*time.Second)
			s.Evaluate(now)
			if len(got) != 1 {
				t.Fatalf("transitions = %+v, want 1", got)
			}
			if diff := cmp.Diff(tt.want, got[0].Reason); diff != "" {
				t.Errorf("reason (-want +got):\n%s", diff)
			}
			if got[0].From != StateInsufficientData || got[0].AlarmARN != "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a" || !got[0].Time.Equal(now) {
				t.Errorf("transition = %+v", got[0])
			}
			s.Evaluate(now.Add(10 * time.Second))
			if len(got) != 1 {
				t.Errorf("a second evaluation with the same data reported %+v", got[1:])
			}
		})
	}
}

func TestEvaluatePercentileAlarm(t *testing.T) {
	s := New(simclock.New(testOrigin, 1), testAccount, testRegion)
	vals := make([]float64, 100)
	for i := range vals {
		vals[i] = float64(i + 1) // 1..100: p90 = 90, p99 = 99
	}
	s.PutMetrics("SockShop", []Datum{{MetricName: "Latency", Dimensions: map[string]string{"service": "carts"},
		Timestamp: testOrigin.Add(30 * time.Second), Values: vals}})
	for _, tt := range []struct {
		name, stat string
		want       string
	}{{"p90", "p90", StateOK}, {"p99", "p99", StateAlarm}, {"p95.5", "p95.5", StateAlarm}} {
		p := alarmParams(tt.name, "GreaterThanThreshold", 95, 1, 0, "")
		delete(p, "Statistic")
		p["ExtendedStatistic"] = tt.stat
		putAlarm(t, s, p)
		s.Evaluate(testOrigin.Add(70 * time.Second))
		if got, _ := s.AlarmState(s.alarmARN(tt.name)); got != tt.want {
			t.Errorf("%s: state = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestEvaluateLowSampleCount(t *testing.T) {
	for _, tt := range []struct {
		option string
		n      int // samples, all breaching
		want   string
	}{
		{"ignore", 50, StateInsufficientData}, // p90 needs 100 samples
		{"ignore", 100, StateAlarm},
		{"evaluate", 50, StateAlarm},
	} {
		t.Run(fmt.Sprint(tt.option, tt.n), func(t *testing.T) {
			s := New(simclock.New(testOrigin, 1), testAccount, testRegion)
			vals := make([]float64, tt.n)
			for i := range vals {
				vals[i] = 100
			}
			s.PutMetrics("SockShop", []Datum{{MetricName: "Latency", Dimensions: map[string]string{"service": "carts"},
				Timestamp: testOrigin.Add(30 * time.Second), Values: vals}})
			p := alarmParams("a", "GreaterThanThreshold", 50, 1, 0, "")
			delete(p, "Statistic")
			p["ExtendedStatistic"], p["EvaluateLowSampleCountPercentile"] = "p90", tt.option
			putAlarm(t, s, p)
			s.Evaluate(testOrigin.Add(70 * time.Second))
			if got, _ := s.AlarmState(s.alarmARN("a")); got != tt.want {
				t.Errorf("state = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestRun checks that Run evaluates on its own, on the simulated clock.
func TestRun(t *testing.T) {
	clock := simclock.New(testOrigin, 600) // 10 simulated seconds per 1/60 s
	s := New(clock, testAccount, testRegion)
	putAlarm(t, s, alarmParams("a", "GreaterThanThreshold", 50, 1, 0, "breaching"))
	arn := s.alarmARN("a")
	done := make(chan Transition, 1)
	var once sync.Once
	s.OnTransition(func(tr Transition) { once.Do(func() { done <- tr }) })
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { s.Run(ctx); close(stopped) }()
	select {
	case tr := <-done:
		if tr.AlarmARN != arn || tr.To != StateAlarm {
			t.Errorf("transition = %+v", tr)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not evaluate the alarm within 5s")
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if st, ok := s.AlarmState(arn); !ok || st != StateAlarm {
		t.Errorf("AlarmState = %s, %v", st, ok)
	}
	if _, ok := s.AlarmState(arn + "x"); ok {
		t.Error("AlarmState of an unknown ARN reported ok")
	}
}
