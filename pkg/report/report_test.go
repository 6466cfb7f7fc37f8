package report

import (
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/golden"
)

func f64(v float64) *float64 { return &v }

var t0 = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

func at(min float64) time.Time { return t0.Add(time.Duration(min * float64(time.Minute))) }

func tp(min float64) *time.Time { t := at(min); return &t }

// testSpec is the walkthrough GameDay: one fault, two checks, two stop conditions.
func testSpec() *gameday.Spec {
	return &gameday.Spec{
		TypeMeta: gameday.TypeMeta{APIVersion: gameday.APIVersion, Kind: gameday.Kind},
		Metadata: gameday.Metadata{Name: "sock-shop-carts-latency"},
		Spec: gameday.Body{
			Hypothesis: gameday.Hypothesis{
				Description: "Carts gets slower; no other service is affected.",
				SteadyState: []gameday.SteadyCheck{
					{Name: "orders-latency", Metric: gameday.Metric{Namespace: "SockShop", Name: "Latency", Dimensions: map[string]string{"service": "orders"}, Stat: "p99", Period: 60, Unit: "Milliseconds"}, Expect: gameday.Expect{Below: f64(300)}},
					{Name: "orders-rate", Metric: gameday.Metric{Namespace: "SockShop", Name: "Requests", Stat: "Sum", Period: 60}, Expect: gameday.Expect{Between: []float64{50, 500}}, Phases: []gameday.Phase{gameday.PhaseDuring}},
				},
			},
			Observe: []gameday.Observed{
				{Name: "carts-latency", Metric: gameday.Metric{Namespace: "SockShop", Name: "Latency", Dimensions: map[string]string{"service": "carts"}, Stat: "p99", Period: 60, Unit: "Milliseconds"}},
			},
			Faults: []gameday.Fault{{Name: "carts-delay"}},
			StopConditions: []gameday.StopCondition{
				{Alarm: &gameday.AlarmSpec{Name: "front-end-errors", Metric: frontEndErrors, Comparison: "GreaterThanThreshold", Threshold: 5, EvaluationPeriods: 2}},
				{AlarmARN: "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:existing-slo-alarm"},
			},
		},
	}
}

var frontEndErrors = gameday.Metric{Namespace: "SockShop", Name: "ErrorRate", Dimensions: map[string]string{"service": "front-end"}, Stat: "Average", Period: 60, Unit: "Percent"}

// series makes one point a minute over [from, to) minutes with values from f.
func series(check string, from, to int, f func(min int) float64) Series {
	s := Series{Check: check}
	for m := from; m < to; m++ {
		s.Points = append(s.Points, Point{T: at(float64(m)), V: f(m)})
	}
	return s
}

// baseRun is a completed run where every check holds.
func baseRun() Run {
	return Run{
		Spec:                 testSpec(),
		ExecutionARN:         "arn:aws:states:ap-northeast-1:123456789012:execution:gameday:run-1",
		ExperimentID:         "EXPaaaa1111",
		ExperimentTemplateID: "EXTbbbb2222",
		State:                gameday.StateCompleted,
		StopReason:           "Experiment completed.",
		StartedAt:            at(0),
		EndedAt:              at(4),
		Actions: []gameday.ActionState{
			{Name: "carts-delay", State: gameday.StateCompleted, StartTime: tp(0.5), EndTime: tp(3.5)},
		},
		Windows: Windows{
			Before: Span{at(-9.5), at(0.5)},
			During: Span{at(0.5), at(3.5)},
			After:  Span{at(3.5), at(13.5)},
		},
		Metrics: []Series{
			series("orders-latency", -10, 14, func(m int) float64 { return 120 + float64(m%3)*10 }),
			series("orders-rate", -10, 14, func(int) float64 { return 200 }),
		},
		Observed: []Series{
			series("carts-latency", -10, 14, func(m int) float64 {
				if m >= 1 && m <= 3 { // the minutes that end within the fault
					return 190
				}
				return 95
			}),
		},
		Alarms: []Alarm{
			{Name: "gameday-sock-shop-carts-latency-front-end-errors", ARN: "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:gameday-sock-shop-carts-latency-front-end-errors",
				Metric: &frontEndErrors, Comparison: "GreaterThanThreshold", Threshold: 5, Points: series("", -10, 14, func(int) float64 { return 0.2 }).Points},
			{Name: "existing-slo-alarm", ARN: "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:existing-slo-alarm"},
		},
		Timeline: []Event{
			{At: at(0), Type: "experiment-start", State: "initiating"},
			{At: at(0.2), Type: "target-resolution-end", Name: "Cluster-Target-1", Detail: "1 target resolved"},
			{At: at(0.5), Type: "action-start", Name: "carts-delay"},
			{At: at(3.5), Type: "action-end", Name: "carts-delay", State: "completed"},
			{At: at(4), Type: "experiment-end", State: "completed", Detail: "Experiment completed."},
		},
		Logs: Logs{Objects: 2, Bytes: 2345, Records: 7, ArchivedTo: "s3://archive/gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_EXPaaaa1111/logs/", Complete: true},
	}
}

func refutedRun() Run {
	r := baseRun()
	r.Metrics[0] = series("orders-latency", -10, 14, func(m int) float64 {
		if m >= 1 && m <= 3 {
			return 412
		}
		return 130
	})
	return r
}

func stoppedRun() Run {
	r := baseRun()
	r.State, r.StopReason, r.EndedAt = gameday.StateStopped, "Experiment stopped by a stop condition.", at(2.5)
	r.Actions[0] = gameday.ActionState{Name: "carts-delay", State: gameday.StateStopped, StartTime: tp(0.5), EndTime: tp(2.5)}
	r.Windows.During.End, r.Windows.After = at(2.5), Span{at(2.5), at(12.5)}
	r.Alarms[0].Points = series("", -10, 13, func(m int) float64 {
		if m >= 0 && m <= 2 {
			return 9
		}
		return 0.3
	}).Points
	r.Alarms[0].Transitions = []Transition{
		{At: at(-30), From: "INSUFFICIENT_DATA", To: "OK"},
		{At: at(2), From: "OK", To: "ALARM", Reason: "Threshold Crossed: 2 datapoints [9.1, 8.7] were greater than the threshold (5.0)."},
		{At: at(6), From: "ALARM", To: "OK"},
	}
	r.Timeline = []Event{
		{At: at(0), Type: "experiment-start", State: "initiating"},
		{At: at(0.5), Type: "action-start", Name: "carts-delay"},
		{At: at(2.5), Type: "action-end", Name: "carts-delay", State: "stopped"},
		{At: at(2.5), Type: "experiment-end", State: "stopped", Detail: "Experiment stopped by a stop condition."},
	}
	return r
}

// averageRun is the pod-kill walkthrough's case: an Average check whose one
// period during the fault is above the threshold while the phase's mean,
// which is what is judged, is below it, so the check holds.
func averageRun() Run {
	r := baseRun()
	r.Spec.Spec.Hypothesis.SteadyState[0] = gameday.SteadyCheck{Name: "carts-errors",
		Metric: gameday.Metric{Namespace: "SockShop", Name: "ErrorRate", Dimensions: map[string]string{"service": "carts"}, Stat: "Average", Period: 60, Unit: "Percent"},
		Expect: gameday.Expect{Below: f64(1)}}
	r.Metrics[0] = series("carts-errors", -10, 14, func(m int) float64 {
		switch m {
		case 1: // the period the pod died in
			return 1.13
		case 0, 2, 3:
			return 0.05
		}
		return 0.1
	})
	return r
}

func failedRun() Run {
	r := baseRun()
	r.State, r.StopReason = gameday.StateFailed, "Target resolution failed: no EKS cluster <carts>."
	r.Actions[0] = gameday.ActionState{Name: "carts-delay", State: gameday.StateCancelled, Reason: "Experiment failed"}
	r.Windows.During = Span{at(0), at(0.3)}
	r.Windows.After = Span{at(0.3), at(10.3)}
	r.Metrics = []Series{series("orders-latency", -10, 0, func(int) float64 { return 120 })}
	r.Timeline = []Event{
		{At: at(0), Type: "experiment-start", State: "initiating"},
		{At: at(0.2), Type: "action-error", Name: "carts-delay", Detail: "access denied to the cluster <carts> & \"sock-shop\""},
		{At: at(0.3), Type: "experiment-end", State: "failed", Detail: "Target resolution failed"},
	}
	r.Logs.Complete = false
	r.Logs.Records = 3
	return r
}

// escapingRun is a failed run whose free text, names and dashboard link hold
// what HTML must escape (markup, quotes, ampersands, plus signs, a NUL,
// non-ASCII), with no hypothesis description, a caught error and dropped
// timeline events: report.html's escaping and every branch of its page.
func escapingRun(dashboard string) Run {
	r := failedRun()
	r.Spec.Metadata.Name = "carts-<latency>"
	r.Spec.Spec.Hypothesis.Description = ""
	r.Spec.Spec.Faults[0].Name = `carts "delay" & 'loss'`
	r.Actions[0].Name = r.Spec.Spec.Faults[0].Name
	r.StopReason = "Target resolution failed: <no cluster> & 'x' + \"y\" \x00 é"
	r.DashboardURL = dashboard
	r.Error = &gameday.CaughtError{Error: "States.TaskFailed", Cause: `{"errorMessage":"<boom> & 'x' + 1"}`}
	r.Timeline = append(r.Timeline, Event{At: at(0.25), Type: "action-error", Name: "carts <2>", Detail: "a+b <c> & 'd' \x00 ü"})
	r.Logs.TimelineDropped = 3
	return r
}

// notedRun is a passed run whose stop condition preflight accepted only
// because the policy says its metric is sparse, and one it could not
// judge: the notes are in summary.json, summary.md and report.html.
func notedRun() Run {
	r := baseRun()
	r.Alarms = append(r.Alarms, Alarm{Name: "shop-5xx", ARN: "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:shop-5xx", Notes: []string{
		"stop-condition alarm shop-5xx watches AWS/ApplicationELB/HTTPCode_Target_5XX_Count (LoadBalancer=app/shop/1); CloudWatch does not list it (no data reported in the past two weeks): accepted as sparse by the policy sandbox (sparseMetrics); the alarm can fire only once the metric is published",
		"stop-condition alarm shop-5xx names alarm <gone> & 'co', which does not exist in this account and region: not judged",
	}})
	return r
}

// TestGolden renders a passed, a refuted, a stopped-by-alarm and a failed run
// (and failed runs whose text needs escaping, one with a dashboard link
// that needs normalising, one with a link that is not http(s)) and compares
// the three documents with testdata/<case>/. Run with -update to rewrite
// them.
func TestGolden(t *testing.T) {
	tests := []struct {
		name        string
		run         Run
		wantVerdict string
	}{
		{"passed", baseRun(), VerdictPassed},
		{"refuted", refutedRun(), VerdictRefuted},
		{"average-spike", averageRun(), VerdictPassed},
		{"stopped-by-alarm", stoppedRun(), VerdictStoppedByAlarm},
		{"failed", failedRun(), VerdictFailed},
		{"escaping", escapingRun("https://console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#dashboards:name=gameday-<x>&a=1+2 é'\""), VerdictFailed},
		{"unsafe-dashboard", escapingRun("javascript:alert('x')"), VerdictFailed},
		{"stop-condition-notes", notedRun(), VerdictPassed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.run)
			if s.Verdict != tt.wantVerdict {
				t.Errorf("verdict = %q, want %q (%s)", s.Verdict, tt.wantVerdict, s.VerdictReason)
			}
			js, err := JSON(s)
			if err != nil {
				t.Fatal(err)
			}
			page := HTML(tt.run, s)
			for file, got := range map[string][]byte{"summary.json": js, "summary.md": Markdown(s), "report.html": page} {
				checkGolden(t, filepath.Join("testdata", tt.name, file), got)
			}
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, got)
}

// TestSummaryFields checks that summary.json carries every field the contract
// (§4) lists, with the contract's JSON types.
func TestSummaryFields(t *testing.T) {
	js, err := JSON(Summarize(stoppedRun()))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schemaVersion", "gameday", "executionArn", "experimentId", "experimentTemplateId", "state", "stopReason", "stoppedByAlarm", "startedAt", "endedAt", "faults", "stopConditions", "hypothesis", "logs", "verdict"} {
		if _, ok := m[k]; !ok {
			t.Errorf("summary.json has no %q", k)
		}
	}
	if v := m["schemaVersion"]; v != float64(1) {
		t.Errorf("schemaVersion = %v, want 1", v)
	}
	fault := m["faults"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "state", "startedAt", "endedAt"} {
		if _, ok := fault[k]; !ok {
			t.Errorf("faults[0] has no %q", k)
		}
	}
	sc := m["stopConditions"].([]any)[0].(map[string]any)
	for _, k := range []string{"alarm", "arn", "wentIntoAlarm"} {
		if _, ok := sc[k]; !ok {
			t.Errorf("stopConditions[0] has no %q", k)
		}
	}
	h := m["hypothesis"].(map[string]any)
	check := h["checks"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "phase", "value", "expect", "result"} {
		if _, ok := check[k]; !ok {
			t.Errorf("hypothesis.checks[0] has no %q", k)
		}
	}
	logs := m["logs"].(map[string]any)
	for _, k := range []string{"objects", "bytes", "records", "archivedTo"} {
		if _, ok := logs[k]; !ok {
			t.Errorf("logs has no %q", k)
		}
	}
	for _, k := range []string{"startedAt", "endedAt"} {
		if _, err := time.Parse(time.RFC3339, m[k].(string)); err != nil {
			t.Errorf("%s is not RFC 3339: %v", k, err)
		}
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		name           string
		mutate         func(*Run)
		wantVerdict    string
		wantHypothesis string
		wantAlarm      string
	}{
		{"all held", func(*Run) {}, VerdictPassed, ResultHeld, ""},
		{"refuted", func(r *Run) { *r = refutedRun() }, VerdictRefuted, ResultRefuted, ""},
		{"no data is inconclusive, never passed", func(r *Run) { r.Metrics = nil }, VerdictInconclusive, ResultInconclusive, ""},
		{"one phase without data is inconclusive", func(r *Run) {
			r.Metrics[0].Points = r.Metrics[0].Points[:5] // before only
		}, VerdictInconclusive, ResultInconclusive, ""},
		{"refuted beats inconclusive", func(r *Run) {
			r.Metrics[0].Points = []Point{{T: at(1), V: 999}}
		}, VerdictRefuted, ResultRefuted, ""},
		{"stopped by alarm beats refuted; the faults did not run their course", func(r *Run) {
			*r = stoppedRun()
			r.Metrics[0] = refutedRun().Metrics[0]
		}, VerdictStoppedByAlarm, ResultUntested, "gameday-sock-shop-carts-latency-front-end-errors"},
		{"stopped, alarm named in the stop reason only", func(r *Run) {
			r.State, r.StopReason = gameday.StateStopped, "Stop condition arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:existing-slo-alarm triggered"
		}, VerdictStoppedByAlarm, ResultHeld, "existing-slo-alarm"},
		{"alarm outside the run does not count: stopped by hand fails", func(r *Run) {
			r.State = gameday.StateStopped
			r.Alarms[0].Points = series("", -10, 13, func(m int) float64 {
				if m >= 0 && m <= 2 {
					return 9
				}
				return 0.3
			}).Points
			r.Alarms[0].Transitions = []Transition{{At: at(-5), From: "OK", To: "ALARM"}, {At: at(30), From: "OK", To: "ALARM"}}
		}, VerdictFailed, ResultHeld, ""},
		{"stopped by hand, checks held, still fails", func(r *Run) {
			r.State, r.StopReason = gameday.StateStopped, "Experiment stopped by user."
		}, VerdictFailed, ResultHeld, ""},
		// A stop condition that went into ALARM while a completed experiment
		// ran (FIS did not act in time) refutes: the team's own limit was
		// crossed during the faults, whatever the checks say. It is not a
		// stop, so stoppedByAlarm stays null.
		{"alarm during a completed run refutes, checks held", func(r *Run) {
			r.Alarms[0].Transitions = []Transition{{At: at(3.9), From: "OK", To: "ALARM"}}
		}, VerdictRefuted, ResultRefuted, ""},
		{"alarm at the completed run's last instant refutes", func(r *Run) {
			r.Alarms[1].Transitions = []Transition{{At: at(4), From: "OK", To: "ALARM"}}
		}, VerdictRefuted, ResultRefuted, ""},
		{"alarm after a completed run does not count", func(r *Run) {
			r.Alarms[0].Transitions = []Transition{{At: at(4.1), From: "OK", To: "ALARM"}, {At: at(-1), From: "OK", To: "ALARM"}}
		}, VerdictPassed, ResultHeld, ""},
		{"alarm back to OK during a completed run does not count", func(r *Run) {
			r.Alarms[0].Transitions = []Transition{{At: at(2), From: "ALARM", To: "OK"}, {At: at(3), From: "OK", To: "INSUFFICIENT_DATA"}}
		}, VerdictPassed, ResultHeld, ""},
		{"alarm refutes a run without checks (else inconclusive)", func(r *Run) {
			r.Spec.Spec.Hypothesis.SteadyState = nil
			r.Alarms[0].Transitions = []Transition{{At: at(2), From: "OK", To: "ALARM"}}
		}, VerdictRefuted, ResultRefuted, ""},
		{"alarm refutes a run whose checks had no data (else inconclusive)", func(r *Run) {
			r.Metrics = nil
			r.Alarms[0].Transitions = []Transition{{At: at(2), From: "OK", To: "ALARM"}}
		}, VerdictRefuted, ResultRefuted, ""},
		{"a fault that did not run its course is untested, alarm or not", func(r *Run) {
			r.Actions[0] = gameday.ActionState{Name: "carts-delay", State: gameday.StateSkipped, Reason: "no targets found"}
			r.Alarms[0].Transitions = []Transition{{At: at(2), From: "OK", To: "ALARM"}}
		}, VerdictUntested, ResultUntested, ""},
		{"failed beats everything", func(r *Run) {
			*r = stoppedRun()
			r.State = gameday.StateFailed
		}, VerdictFailed, ResultUntested, ""},
		{"cancelled is failed", func(r *Run) { r.State = gameday.StateCancelled }, VerdictFailed, ResultHeld, ""},
		{"caught error is failed", func(r *Run) {
			*r = stoppedRun()
			r.Error = &gameday.CaughtError{Error: gameday.ErrNameExperimentTimeout, Cause: "past the deadline"}
		}, VerdictFailed, ResultUntested, "gameday-sock-shop-carts-latency-front-end-errors"},
		{"no checks is inconclusive", func(r *Run) { r.Spec.Spec.Hypothesis.SteadyState = nil }, VerdictInconclusive, ResultInconclusive, ""},
		{"a fault that did not run: failed experiment, hypothesis untested", func(r *Run) { *r = failedRun() }, VerdictFailed, ResultUntested, ""},
		{"a skipped fault in a completed experiment is untested", func(r *Run) {
			r.Actions[0] = gameday.ActionState{Name: "carts-delay", State: gameday.StateSkipped, Reason: "no targets found"}
		}, VerdictUntested, ResultUntested, ""},
		{"a fault FIS does not report is pending: untested", func(r *Run) { r.Actions = nil }, VerdictUntested, ResultUntested, ""},
		// Only a completed experiment can pass: one that has not ended (or
		// in a state gameday does not know) never does, whatever the checks.
		{"still running, checks held: failed", func(r *Run) { r.State, r.EndedAt = gameday.StateRunning, time.Time{} }, VerdictFailed, ResultHeld, ""},
		{"stopping, checks held: failed", func(r *Run) { r.State = gameday.StateStopping }, VerdictFailed, ResultHeld, ""},
		{"a state gameday does not know: failed", func(r *Run) { r.State = "" }, VerdictFailed, ResultHeld, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRun()
			tt.mutate(&r)
			s := Summarize(r)
			var alarm string
			if s.StoppedByAlarm != nil {
				alarm = *s.StoppedByAlarm
			}
			got := []string{s.Verdict, s.Hypothesis.Verdict, alarm}
			want := []string{tt.wantVerdict, tt.wantHypothesis, tt.wantAlarm}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("[verdict hypothesis stoppedByAlarm] mismatch (-want +got):\n%s\nreason: %s", diff, s.VerdictReason)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	w := Span{at(0), at(10)}
	pts := func(vs ...float64) []Point {
		var out []Point
		for i, v := range vs {
			out = append(out, Point{T: at(float64(i)), V: v})
		}
		return out
	}
	tests := []struct {
		name       string
		expect     gameday.Expect
		pts        []Point
		wantValue  *float64
		wantResult string
		wantN      int
	}{
		{"below holds, worst is max", gameday.Expect{Below: f64(300)}, pts(100, 250, 200), f64(250), ResultHeld, 3},
		{"below refuted at the bound", gameday.Expect{Below: f64(300)}, pts(100, 300), f64(300), ResultRefuted, 2},
		{"above holds, worst is min", gameday.Expect{Above: f64(10)}, pts(50, 11, 20), f64(11), ResultHeld, 3},
		{"above refuted", gameday.Expect{Above: f64(10)}, pts(50, 9), f64(9), ResultRefuted, 2},
		{"between holds, worst nearest an edge", gameday.Expect{Between: []float64{10, 20}}, pts(15, 19, 12), f64(19), ResultHeld, 3},
		{"between refuted below", gameday.Expect{Between: []float64{10, 20}}, pts(15, 2, 21), f64(2), ResultRefuted, 3},
		{"between inclusive", gameday.Expect{Between: []float64{10, 20}}, pts(10, 20), f64(10), ResultHeld, 2},
		{"no points", gameday.Expect{Below: f64(1)}, nil, nil, ResultInconclusive, 0},
		{"points outside the window", gameday.Expect{Below: f64(1)}, []Point{{T: at(-1), V: 5}, {T: at(11), V: 5}}, nil, ResultInconclusive, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := gameday.Metric{Namespace: "Shop", Name: "Latency", Stat: "p99", Period: 60, Unit: "Milliseconds"}
			c := gameday.SteadyCheck{Name: "c", Metric: m, Expect: tt.expect}
			got := evaluate(c, gameday.PhaseDuring, w, tt.pts)
			want := Check{Name: "c", Phase: gameday.PhaseDuring, Expect: tt.expect, Value: tt.wantValue, Result: tt.wantResult, Judged: JudgedWorst, Datapoints: tt.wantN, Metric: &m}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("evaluate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// A period straddling the faults' start counts as during, not before; an
// Average is judged on the phase's mean, a percentile on its worst period.
func TestEvaluatePhasesAndStatistics(t *testing.T) {
	w := Windows{Before: Span{at(-10), at(0.5)}, During: Span{at(0.5), at(3.5)}, After: Span{at(3.5), at(13.5)}}
	var pts []Point
	for m := -10; m < 14; m++ {
		v := 1.0
		if m >= 0 && m <= 3 { // the periods overlapping the faults
			v = 9
		}
		pts = append(pts, Point{T: at(float64(m)), V: v})
	}
	pts[len(pts)-1].V = 5 // one bad period after
	tests := []struct {
		stat       string
		phase      gameday.Phase
		wantValue  float64
		wantN      int
		wantJudged string
	}{
		{"p99", gameday.PhaseBefore, 1, 10, JudgedWorst}, // -10..-1: 0..1 straddles the start
		{"p99", gameday.PhaseDuring, 9, 4, JudgedWorst},  // 0, 1, 2, 3
		{"p99", gameday.PhaseAfter, 5, 10, JudgedWorst},  // 4..13, worst is the bad one
		{"Average", gameday.PhaseAfter, 1.4, 10, JudgedMean},
		{"Sum", gameday.PhaseAfter, 5, 10, JudgedWorst},
	}
	for _, tt := range tests {
		t.Run(tt.stat+" "+string(tt.phase), func(t *testing.T) {
			c := gameday.SteadyCheck{Name: "c", Expect: gameday.Expect{Below: f64(100)}, Metric: gameday.Metric{Stat: tt.stat, Period: 60}}
			got := evaluate(c, tt.phase, w.Of(tt.phase), pts)
			if got.Value == nil || math.Abs(*got.Value-tt.wantValue) > 1e-9 || got.Datapoints != tt.wantN || got.Judged != tt.wantJudged {
				t.Errorf("value %v (%s) over %d datapoints, want %v (%s) over %d", got.Value, got.Judged, got.Datapoints, tt.wantValue, tt.wantJudged, tt.wantN)
			}
		})
	}
}

// TestHTMLSelfContained checks that report.html loads nothing from outside
// and escapes text from the logs.
func TestHTMLSelfContained(t *testing.T) {
	r := failedRun()
	page := HTML(r, Summarize(r))
	for _, bad := range []string{"<script", "src=", "<link", "@import", "url("} {
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("report.html contains %q", bad)
		}
	}
	if bytes.Contains(page, []byte("<carts>")) {
		t.Error("report.html does not escape log text")
	}
	if !bytes.Contains(page, []byte("&lt;carts&gt;")) {
		t.Error("report.html lost the escaped log text")
	}
	// Two checks, an observed metric and two stop conditions.
	if got, want := strings.Count(string(page), "<figure class=\"chart\""), 5; got != want {
		t.Errorf("report.html has %d charts, want %d", got, want)
	}
	// orders-rate has no data in this run: its chart says so instead of
	// drawing an empty axis.
	if got, want := strings.Count(string(page), "<svg"), 4*len(chartSizes); got != want {
		t.Errorf("report.html has %d svg, want %d", got, want)
	}
	if !strings.Contains(string(page), `<p class="nodata">No datapoints for SockShop/Requests Sum`) {
		t.Error("the chart of a check without data does not say so")
	}
}

func TestNiceStep(t *testing.T) {
	tests := []struct{ raw, want float64 }{{0.7, 1}, {1, 1}, {1.3, 2}, {3, 5}, {7, 10}, {42, 50}, {0.013, 0.02}, {0, 1}}
	for _, tt := range tests {
		if got := niceStep(tt.raw); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("niceStep(%v) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

// TestVerdictReason: the reason names the check, the phase and the metric
// without datapoints, with a hint when the account has no such metric; an
// untested run names the fault that did not run its course.
func TestVerdictReason(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Run)
		want   string
	}{
		{"a mistyped metric", func(r *Run) {
			r.Spec.Spec.Hypothesis.SteadyState[1].Metric.Name = "Requestz"
			r.Metrics[1] = Series{Check: "orders-rate", Unknown: true}
		}, "the experiment completed but the hypothesis is inconclusive: check orders-rate (during) had no datapoints for SockShop/Requestz Sum (no such metric in the account: check the namespace, name and dimensions)"},
		{"a metric without data in one phase", func(r *Run) {
			r.Metrics[0].Points = r.Metrics[0].Points[:5]
		}, "the experiment completed but the hypothesis is inconclusive: check orders-latency (during) had no datapoints for SockShop/Latency{service=orders} p99; check orders-latency (after) had no datapoints for SockShop/Latency{service=orders} p99"},
		{"a skipped fault", func(r *Run) {
			r.Actions[0] = gameday.ActionState{Name: "carts-delay", State: gameday.StateSkipped, Reason: "no targets found"}
		}, "the experiment completed but the hypothesis was not tested: not every fault ran its course: carts-delay (skipped: no targets found)"},
		{"a fault stopped with FIS's sentence as reason", func(r *Run) {
			r.Actions[0] = gameday.ActionState{Name: "carts-delay", State: gameday.StateStopped, Reason: "Action was stopped because the experiment was stopped."}
		}, "the experiment completed but the hypothesis was not tested: not every fault ran its course: carts-delay (stopped: Action was stopped because the experiment was stopped)"},
		{"refuted", func(r *Run) { *r = refutedRun() }, "the hypothesis was refuted by orders-latency (during)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRun()
			tt.mutate(&r)
			s := Summarize(r)
			if s.VerdictReason != tt.want {
				t.Errorf("reason\n got %q\nwant %q", s.VerdictReason, tt.want)
			}
			md := string(Markdown(s))
			h := HTML(r, s)
			// summary.md and report.html say the same verdict and reason.
			if !strings.Contains(md, "**Verdict: "+s.Verdict+".** "+sentence(s.VerdictReason)) {
				t.Errorf("summary.md does not give the verdict and its reason:\n%s", md)
			}
			if !strings.Contains(string(h), strings.ToUpper(s.Verdict)+"</strong>: ") {
				t.Errorf("report.html has no %s banner", s.Verdict)
			}
		})
	}
}

// TestExitCode: the one table from a run's outcome to an exit code.
func TestExitCode(t *testing.T) {
	tests := []struct {
		status, verdict string
		want            int
	}{
		{"SUCCEEDED", VerdictPassed, 0},
		{"SUCCEEDED", VerdictRefuted, 3},
		{"SUCCEEDED", VerdictStoppedByAlarm, 4},
		{"SUCCEEDED", VerdictFailed, 5},
		{"SUCCEEDED", VerdictUntested, 5},
		{"SUCCEEDED", VerdictInconclusive, 6},
		{"SUCCEEDED", "", 1},
		{"FAILED", VerdictFailed, 1},
		{"ABORTED", VerdictPassed, 1},
		{"TIMED_OUT", "", 1},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.status, tt.verdict); got != tt.want {
			t.Errorf("ExitCode(%s, %q) = %d, want %d", tt.status, tt.verdict, got, tt.want)
		}
	}
}

// The reasons name the alarm and when it went into ALARM, next to the
// checks that did not hold.
func TestAlarmInCompletedRunReasons(t *testing.T) {
	r := refutedRun()
	r.Alarms[0].Transitions = []Transition{{At: at(3), From: "OK", To: "ALARM"}}
	s := Summarize(r)
	alarm := "stop condition gameday-sock-shop-carts-latency-front-end-errors"
	when := "went into ALARM at " + at(3).UTC().Format(time.RFC3339)
	for _, tt := range []struct{ what, got string }{
		{"hypothesis.reason", s.Hypothesis.Reason},
		{"verdictReason", s.VerdictReason},
	} {
		if !strings.Contains(tt.got, alarm) || !strings.Contains(tt.got, when) {
			t.Errorf("%s = %q, want it to name %q and say it %s", tt.what, tt.got, alarm, when)
		}
		if !strings.Contains(tt.got, "orders-latency (during)") {
			t.Errorf("%s = %q, want it to name the refuted check too", tt.what, tt.got)
		}
	}
	if s.StoppedByAlarm != nil {
		t.Errorf("stoppedByAlarm = %q, want null: FIS did not stop the experiment", *s.StoppedByAlarm)
	}
}

// TestUnits: a check's value and expectation are written in its metric's
// unit, as the GameDay gives it ("412 ms", "0.3%"); a count, or a metric
// without a unit, stays a bare number.
func TestUnits(t *testing.T) {
	tests := []struct {
		unit       string
		expect     gameday.Expect
		wantValue  string
		wantExpect string
	}{
		{"Milliseconds", gameday.Expect{Below: f64(300)}, "187.093 ms (worst datapoint)", "below 300 ms"},
		{"Percent", gameday.Expect{Above: f64(1)}, "187.093% (worst datapoint)", "above 1%"},
		{"Count", gameday.Expect{Between: []float64{5, 1000}}, "187.093 (worst datapoint)", "between 5 and 1000"},
		{"Bytes/Second", gameday.Expect{Between: []float64{5, 1000}}, "187.093 bytes/s (worst datapoint)", "between 5 and 1000 bytes/s"},
		{"", gameday.Expect{Below: f64(300)}, "187.093 (worst datapoint)", "below 300"},
	}
	for _, tt := range tests {
		name := tt.unit
		if name == "" {
			name = "none"
		}
		t.Run(name, func(t *testing.T) {
			c := Check{Value: f64(187.093), Judged: JudgedWorst, Expect: tt.expect, Metric: &gameday.Metric{Name: "Latency", Stat: "p99", Unit: tt.unit}}
			got := []string{valueText(c), expectText(c.Expect, c.Metric)}
			if diff := cmp.Diff([]string{tt.wantValue, tt.wantExpect}, got); diff != "" {
				t.Errorf("[value, expect] mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// Without a metric (archives before checks carried it): bare numbers.
	if got := valueText(Check{Value: f64(2), Judged: JudgedMean}); got != "2 (phase mean)" {
		t.Errorf("valueText without a metric = %q", got)
	}
}
