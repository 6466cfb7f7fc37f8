// Package report turns what a run left behind (the experiment's final state,
// its FIS log timeline, steady-state metrics and stop-condition alarm history)
// into the run's verdict and its three documents: summary.json, summary.md and
// report.html. It is pure: no AWS, no clock, no I/O; the same Run always gives
// the same bytes.
package report

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// SchemaVersion is summary.json's schemaVersion.
const SchemaVersion = 1

// Run verdicts, from worst to best.
const (
	VerdictFailed         = "failed"
	VerdictStoppedByAlarm = "stopped-by-alarm"
	// VerdictUntested: the experiment completed but a fault did not run its
	// course (skipped, cancelled...), so the hypothesis was not tested.
	VerdictUntested = "untested"
	VerdictRefuted  = "hypothesis-refuted"
	// VerdictInconclusive: no check refuted the hypothesis, but some check
	// had no data in a phase, so it cannot be said to have held.
	VerdictInconclusive = "inconclusive"
	VerdictPassed       = "passed"
)

// Check and hypothesis results. A hypothesis is held only when every check
// of every phase had data and held; untested when a fault did not run its
// course.
const (
	ResultHeld         = "held"
	ResultRefuted      = "refuted"
	ResultInconclusive = "inconclusive"
	ResultUntested     = "untested"
)

// Exit codes of every command that waits for a run (run --local, start
// --follow, status --follow): ExitCode maps a run's outcome to them.
const (
	ExitPassed            = 0
	ExitOrchestration     = 1
	ExitHypothesisRefuted = 3
	ExitStoppedByAlarm    = 4
	ExitExperimentFailed  = 5 // or untested
	ExitInconclusive      = 6
	ExitInterrupted       = 130
)

// exitCodes is the one table from a verdict to an exit code.
var exitCodes = map[string]int{
	VerdictPassed:         ExitPassed,
	VerdictRefuted:        ExitHypothesisRefuted,
	VerdictStoppedByAlarm: ExitStoppedByAlarm,
	VerdictFailed:         ExitExperimentFailed,
	VerdictUntested:       ExitExperimentFailed,
	VerdictInconclusive:   ExitInconclusive,
}

// ExitCode is the exit code of a run whose Step Functions execution ended
// with status and whose archive gave verdict: the verdict's code when the
// execution succeeded, 1 (an orchestration error) when it failed, was
// aborted or timed out, or left no verdict.
func ExitCode(status, verdict string) int {
	code, ok := exitCodes[verdict]
	if status != "SUCCEEDED" || !ok {
		return ExitOrchestration
	}
	return code
}

// AlarmState is the CloudWatch state that counts as "went into alarm".
const AlarmState = "ALARM"

// Run is everything the report is built from.
type Run struct {
	Spec                 *gameday.Spec
	ExecutionARN         string
	ExperimentID         string
	ExperimentTemplateID string
	// State and StopReason are the experiment's final state, from GetExperiment.
	State      gameday.State
	StopReason string
	StartedAt  time.Time
	EndedAt    time.Time // zero when unknown
	// Actions are FIS's view of the faults, one per fault.
	Actions []gameday.ActionState
	// Windows are the metric windows around the faults.
	Windows Windows
	// Metrics holds one series per steady-state check, by check name.
	Metrics []Series
	// Observed holds one series per observed metric (spec.observe), by its
	// name in Series.Check.
	Observed []Series
	// Alarms are the stop-condition alarms, in the order of spec.stopConditions.
	Alarms []Alarm
	// DashboardURL is the GameDay's CloudWatch dashboard in the console.
	DashboardURL string
	// Timeline is what the FIS logs say happened, in time order.
	Timeline []Event
	Logs     Logs
	// Error is what the state machine caught, if anything.
	Error *gameday.CaughtError
}

// Windows are the before, during and after windows of a run.
type Windows struct {
	Before Span `json:"before"`
	During Span `json:"during"`
	After  Span `json:"after"`
}

// Span is a time range [Start, End].
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Contains reports whether t is in the span (both ends included).
func (s Span) Contains(t time.Time) bool { return !t.Before(s.Start) && !t.After(s.End) }

// Empty reports whether the span has no length.
func (s Span) Empty() bool { return !s.End.After(s.Start) }

// Of returns the window of a phase.
func (w Windows) Of(p gameday.Phase) Span {
	switch p {
	case gameday.PhaseBefore:
		return w.Before
	case gameday.PhaseDuring:
		return w.During
	default:
		return w.After
	}
}

// Series is one check's metric over the whole run, in time order.
type Series struct {
	Check  string  `json:"check"`
	Points []Point `json:"points"`
	// Unknown is true when the account has no such metric at all
	// (ListMetrics finds none with its namespace, name and dimensions).
	Unknown bool `json:"unknown,omitempty"`
}

// Point is one datapoint.
type Point struct {
	T time.Time `json:"t"`
	V float64   `json:"v"`
}

// Alarm is one stop-condition alarm and its state changes in the run's range.
type Alarm struct {
	Name        string       `json:"name"`
	ARN         string       `json:"arn"`
	Transitions []Transition `json:"transitions,omitempty"`
	// Notes are preflight's notes on what the alarm watches.
	Notes []string `json:"notes,omitempty"`
	// Metric, Comparison and Threshold are the alarm's, when gameday
	// staged it (nil Metric: an existing alarm named by ARN); Points is
	// its metric over the run.
	Metric     *gameday.Metric `json:"-"`
	Comparison string          `json:"-"`
	Threshold  float64         `json:"-"`
	Points     []Point         `json:"-"`
}

// Transition is one StateUpdate of an alarm.
type Transition struct {
	At     time.Time `json:"at"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason,omitempty"`
}

// Event is one entry of the timeline.
type Event struct {
	At time.Time `json:"at"`
	// Type is the FIS log_type (experiment-start, action-start, action-error,
	// action-end, target-resolution-end, experiment-end).
	Type string `json:"type"`
	// Name is the action or target name.
	Name   string `json:"name,omitempty"`
	State  string `json:"state,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Logs describes the archived FIS logs.
type Logs struct {
	Objects    int    `json:"objects"`
	Bytes      int64  `json:"bytes"`
	Records    int    `json:"records"`
	ArchivedTo string `json:"archivedTo"`
	// Complete is false when experiment-end was not delivered in time.
	Complete bool `json:"complete"`
	// TimelineDropped counts timeline events left out to bound its size.
	TimelineDropped int `json:"timelineDropped,omitempty"`
}

// Summary is summary.json. Every field of the contract (§4) is present;
// the rest are extensions.
type Summary struct {
	SchemaVersion        int                  `json:"schemaVersion"`
	GameDay              string               `json:"gameday"`
	ExecutionARN         string               `json:"executionArn"`
	ExperimentID         string               `json:"experimentId"`
	ExperimentTemplateID string               `json:"experimentTemplateId"`
	State                gameday.State        `json:"state"`
	StopReason           *string              `json:"stopReason"`
	StoppedByAlarm       *string              `json:"stoppedByAlarm"`
	StartedAt            *time.Time           `json:"startedAt"`
	EndedAt              *time.Time           `json:"endedAt"`
	Faults               []Fault              `json:"faults"`
	StopConditions       []StopCondition      `json:"stopConditions"`
	Hypothesis           Hypothesis           `json:"hypothesis"`
	Logs                 Logs                 `json:"logs"`
	Verdict              string               `json:"verdict"`
	VerdictReason        string               `json:"verdictReason"`
	Error                *gameday.CaughtError `json:"error,omitempty"`
	// Dashboard is the GameDay's CloudWatch dashboard in the console.
	Dashboard string  `json:"dashboard,omitempty"`
	Windows   Windows `json:"windows"`
	Timeline  []Event `json:"timeline"`
}

// Fault is one fault's outcome.
type Fault struct {
	Name      string        `json:"name"`
	State     gameday.State `json:"state"`
	Reason    string        `json:"reason,omitempty"`
	StartedAt *time.Time    `json:"startedAt"`
	EndedAt   *time.Time    `json:"endedAt"`
}

// StopCondition is one stop-condition alarm's outcome.
type StopCondition struct {
	Alarm         string     `json:"alarm"`
	ARN           string     `json:"arn"`
	WentIntoAlarm bool       `json:"wentIntoAlarm"`
	AlarmAt       *time.Time `json:"alarmAt,omitempty"`
	// Notes are what preflight found of the metrics the alarm watches
	// and only reported (extension): a metric the policy lets be sparse
	// that had no data, what it could not judge.
	Notes []string `json:"notes,omitempty"`
}

// Hypothesis is the hypothesis's verdict and its checks.
type Hypothesis struct {
	Description string `json:"description,omitempty"`
	Verdict     string `json:"verdict"`
	// Reason says why the hypothesis is not held (extension).
	Reason string  `json:"reason,omitempty"`
	Checks []Check `json:"checks"`
}

// Check is one steady-state check in one phase. A phase takes the periods
// wholly before the faults, those that overlap them, and those wholly after
// them. For an Average the value is the mean of the phase's datapoints (the
// phase's average); for every other statistic, which is a per-period
// figure (a p99, a Sum per period, ...), it is the worst datapoint (the
// highest for below, the lowest for above, the farthest from the range for
// between), and the check holds when every datapoint does.
type Check struct {
	Name   string         `json:"name"`
	Phase  gameday.Phase  `json:"phase"`
	Value  *float64       `json:"value"`
	Expect gameday.Expect `json:"expect"`
	Result string         `json:"result"`
	// Judged says what Value is: JudgedMean or JudgedWorst (extension;
	// absent from archives written before it).
	Judged     string `json:"judged,omitempty"`
	Datapoints int    `json:"datapoints"`
	// Reason says why a check is inconclusive: which metric had no
	// datapoints, and whether it exists at all (extension).
	Reason string `json:"reason,omitempty"`
	// Metric is the check's metric as the GameDay defines it, so that the
	// value can be read without the GameDay (its statistic and unit label
	// the history's charts) (extension; absent from archives written
	// before it).
	Metric *gameday.Metric `json:"metric,omitempty"`
}

// What a check's value is (Check.Judged).
const (
	JudgedMean  = "mean"  // an Average: the mean of the phase's datapoints
	JudgedWorst = "worst" // any other statistic: the phase's worst datapoint
)

// judgedBy is what a check on statistic stat is judged on in a phase.
func judgedBy(stat string) string {
	if stat == "Average" {
		return JudgedMean
	}
	return JudgedWorst
}

// Summarize decides the run's verdict and builds summary.json.
func Summarize(r Run) Summary {
	s := Summary{
		SchemaVersion:        SchemaVersion,
		ExecutionARN:         r.ExecutionARN,
		ExperimentID:         r.ExperimentID,
		ExperimentTemplateID: r.ExperimentTemplateID,
		State:                r.State,
		StartedAt:            timePtr(r.StartedAt),
		EndedAt:              timePtr(r.EndedAt),
		Logs:                 r.Logs,
		Error:                r.Error,
		Windows:              r.Windows,
		Timeline:             r.Timeline,
		Dashboard:            r.DashboardURL,
	}
	if s.Timeline == nil {
		s.Timeline = []Event{}
	}
	if r.StopReason != "" {
		s.StopReason = &r.StopReason
	}
	if r.Spec != nil {
		s.GameDay = r.Spec.Metadata.Name
		s.Hypothesis.Description = r.Spec.Spec.Hypothesis.Description
	}
	s.Faults = faults(r)
	s.StopConditions = stopConditions(r)
	s.StoppedByAlarm = stoppedByAlarm(r, s.StopConditions)
	s.Hypothesis.Checks = checks(r)
	s.Hypothesis.Verdict, s.Hypothesis.Reason = hypothesisVerdict(ranTheirCourse(r, s.Faults), s.Hypothesis.Checks, s.StopConditions)
	r.State = effectiveState(r)
	s.Verdict, s.VerdictReason = verdict(r, s)
	return s
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// faults lists the spec's faults with FIS's view of each; a fault FIS does
// not report is pending.
func faults(r Run) []Fault {
	byName := make(map[string]gameday.ActionState, len(r.Actions))
	for _, a := range r.Actions {
		byName[a.Name] = a
	}
	var names []string
	if r.Spec != nil {
		for _, f := range r.Spec.Spec.Faults {
			names = append(names, f.Name)
		}
	}
	for _, a := range r.Actions { // actions the spec does not name, for completeness
		if !slices.Contains(names, a.Name) {
			names = append(names, a.Name)
		}
	}
	out := make([]Fault, 0, len(names))
	for _, n := range names {
		a, ok := byName[n]
		f := Fault{Name: n, State: gameday.StatePending}
		if ok {
			f.State, f.Reason = a.State, a.Reason
			if a.StartTime != nil {
				f.StartedAt = timePtr(*a.StartTime)
			}
			if a.EndTime != nil {
				f.EndedAt = timePtr(*a.EndTime)
			}
		}
		out = append(out, f)
	}
	return out
}

// stopConditions says, for each alarm, whether it went into ALARM during the
// experiment (from its start to its end, or to the last transition known).
func stopConditions(r Run) []StopCondition {
	out := make([]StopCondition, 0, len(r.Alarms))
	for _, a := range r.Alarms {
		sc := StopCondition{Alarm: a.Name, ARN: a.ARN, Notes: a.Notes}
		for _, t := range a.Transitions {
			if t.To != AlarmState || !inRun(r, t.At) {
				continue
			}
			sc.WentIntoAlarm = true
			sc.AlarmAt = timePtr(t.At)
			break
		}
		out = append(out, sc)
	}
	return out
}

func inRun(r Run, t time.Time) bool {
	if !r.StartedAt.IsZero() && t.Before(r.StartedAt) {
		return false
	}
	return r.EndedAt.IsZero() || !t.After(r.EndedAt)
}

// stoppedByAlarm names the alarm that stopped the experiment: FIS stopped it
// and a stop-condition alarm went into ALARM during the run (the earliest
// one), or FIS's stop reason names one of the alarms.
func stoppedByAlarm(r Run, scs []StopCondition) *string {
	if r.State != gameday.StateStopped {
		return nil
	}
	var first *StopCondition
	for i := range scs {
		sc := &scs[i]
		if sc.WentIntoAlarm && (first == nil || sc.AlarmAt.Before(*first.AlarmAt)) {
			first = sc
		}
	}
	if first != nil {
		return &first.Alarm
	}
	for i := range scs {
		sc := &scs[i]
		if (sc.ARN != "" && strings.Contains(r.StopReason, sc.ARN)) || (sc.Alarm != "" && strings.Contains(r.StopReason, sc.Alarm)) {
			return &sc.Alarm
		}
	}
	return nil
}

// checks evaluates every steady-state check in each of its phases.
func checks(r Run) []Check {
	out := []Check{}
	if r.Spec == nil {
		return out
	}
	series := r.seriesByCheck()
	unknown := map[string]bool{}
	for _, s := range r.Metrics {
		unknown[s.Check] = s.Unknown
	}
	for _, c := range r.Spec.Spec.Hypothesis.SteadyState {
		for _, p := range c.CheckPhases() {
			ch := evaluate(c, p, r.Windows.Of(p), series[c.Name])
			if ch.Result == ResultInconclusive {
				ch.Reason = noData(c, unknown[c.Name])
			}
			out = append(out, ch)
		}
	}
	return out
}

// noData says which metric had no datapoints in a phase and, when the
// account has no such metric at all, what to check.
func noData(c gameday.SteadyCheck, unknown bool) string {
	why := "no datapoints for " + MetricText(c.Metric)
	if unknown {
		why += " (no such metric in the account: check the namespace, name and dimensions)"
	}
	return why
}

// MetricText names a metric as Namespace/Name{k=v,...} Stat, dimensions in
// name order.
func MetricText(m gameday.Metric) string {
	s := m.Namespace + "/" + m.Name
	if len(m.Dimensions) > 0 {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(m.Dimensions)) {
			kv = append(kv, k+"="+m.Dimensions[k])
		}
		s += "{" + strings.Join(kv, ",") + "}"
	}
	return s + " " + m.Stat
}

// seriesByCheck is r.Metrics by check name.
func (r Run) seriesByCheck() map[string][]Point {
	series := make(map[string][]Point, len(r.Metrics))
	for _, s := range r.Metrics {
		series[s.Check] = s.Points
	}
	return series
}

// evaluate judges one check in one phase.
func evaluate(c gameday.SteadyCheck, p gameday.Phase, w Span, pts []Point) Check {
	m := c.Metric
	ch := Check{Name: c.Name, Phase: p, Expect: c.Expect, Result: ResultInconclusive, Judged: judgedBy(c.Metric.Stat), Metric: &m}
	var value, sum float64
	for _, pt := range phasePoints(p, w, pts, periodOf(c.Metric)) {
		ch.Datapoints++
		sum += pt.V
		if ch.Datapoints == 1 || excess(c.Expect, pt.V) > excess(c.Expect, value) {
			value = pt.V
		}
	}
	if ch.Datapoints == 0 {
		return ch
	}
	if ch.Judged == JudgedMean {
		value = sum / float64(ch.Datapoints)
	}
	ch.Value = &value
	ch.Result = ResultHeld
	if !Within(c.Expect, value) {
		ch.Result = ResultRefuted
	}
	return ch
}

// periodOf is a metric's period.
func periodOf(m gameday.Metric) time.Duration { return time.Duration(m.Period) * time.Second }

// phasePoints are the points of pts (in time order) that phase p of
// window w judges; none when the window is empty.
func phasePoints(p gameday.Phase, w Span, pts []Point, period time.Duration) []Point {
	var out []Point
	for _, pt := range pts {
		if !w.Empty() && inPhase(p, w, pt.T, period) {
			out = append(out, pt)
		}
	}
	return out
}

// inPhase says whether the period starting at t (CloudWatch labels a
// datapoint with its period's start) belongs to phase p of window w: before
// and after take only periods wholly inside their window, so that a period
// straddling the faults' start or end counts as during.
func inPhase(p gameday.Phase, w Span, t time.Time, period time.Duration) bool {
	if period <= 0 {
		return w.Contains(t)
	}
	end := t.Add(period)
	switch p {
	case gameday.PhaseBefore:
		return !t.Before(w.Start) && !end.After(w.End)
	case gameday.PhaseAfter:
		return !t.Before(w.Start) && !t.After(w.End)
	default:
		return t.Before(w.End) && end.After(w.Start)
	}
}

// excess is how far v is beyond the expectation: positive outside, negative
// inside; the larger, the worse.
func excess(e gameday.Expect, v float64) float64 {
	switch {
	case e.Below != nil:
		return v - *e.Below
	case e.Above != nil:
		return *e.Above - v
	case len(e.Between) == 2:
		return math.Max(e.Between[0]-v, v-e.Between[1])
	}
	return math.Inf(-1)
}

// Within reports whether v meets the expectation: strictly below, strictly
// above, or between the bounds inclusive.
func Within(e gameday.Expect, v float64) bool {
	switch {
	case e.Below != nil:
		return v < *e.Below
	case e.Above != nil:
		return v > *e.Above
	case len(e.Between) == 2:
		return v >= e.Between[0] && v <= e.Between[1]
	}
	return true
}

// hypothesisVerdict: untested when a fault did not run its course (the
// hypothesis was not put to the test), else refuted if any check is or any
// stop condition went into ALARM during the run, else inconclusive if any
// check had no data (or there are none), else held. The reason names the
// faults, checks or alarms that decided it.
//
// A stop condition in ALARM refutes even when every check held: the team's
// own line for "stop, this hurts too much" was crossed while the faults
// ran. FIS stops an experiment when one of its alarms goes into ALARM, so
// a completed one has this only when FIS did not act in time (an alarm in
// the faults' last seconds); a stopped one is stopped-by-alarm, and its
// faults did not run their course.
func hypothesisVerdict(fs []Fault, cs []Check, scs []StopCondition) (string, string) {
	var notRun []string
	for _, f := range fs {
		if f.State != gameday.StateCompleted {
			notRun = append(notRun, faultText(f))
		}
	}
	if len(notRun) > 0 {
		return ResultUntested, "not every fault ran its course: " + strings.Join(notRun, ", ")
	}
	var why []string
	if refuted := refutedChecks(cs); len(refuted) > 0 {
		why = append(why, strings.Join(refuted, ", ")+" did not hold")
	}
	for _, sc := range alarmsInRun(scs) {
		why = append(why, "stop condition "+sc.Alarm+" went into ALARM at "+fmtTimePtr(sc.AlarmAt)+" while the experiment ran, and FIS did not stop it")
	}
	if len(why) > 0 {
		return ResultRefuted, strings.Join(why, "; ")
	}
	if len(cs) == 0 {
		return ResultInconclusive, "the hypothesis has no steady-state checks"
	}
	var noData []string
	for _, c := range cs {
		if c.Result == ResultInconclusive {
			noData = append(noData, "check "+c.Name+" ("+string(c.Phase)+") had "+c.Reason)
		}
	}
	if len(noData) > 0 {
		return ResultInconclusive, strings.Join(noData, "; ")
	}
	return ResultHeld, ""
}

// refutedChecks names the refuted checks: "orders-latency (during)".
func refutedChecks(cs []Check) []string {
	var out []string
	for _, c := range cs {
		if c.Result == ResultRefuted {
			out = append(out, c.Name+" ("+string(c.Phase)+")")
		}
	}
	return out
}

// alarmsInRun is the stop conditions that went into ALARM during the run.
func alarmsInRun(scs []StopCondition) []StopCondition {
	var out []StopCondition
	for _, sc := range scs {
		if sc.WentIntoAlarm {
			out = append(out, sc)
		}
	}
	return out
}

// faultText is a fault and its state: "carts-delay (cancelled: no targets)".
func faultText(f Fault) string {
	s := f.Name + " (" + string(f.State)
	if f.Reason != "" {
		s += ": " + strings.TrimSuffix(f.Reason, ".") // FIS's reasons may end a sentence; this one goes on
	}
	return s + ")"
}

// verdict: failed > stopped-by-alarm > untested > hypothesis-refuted >
// inconclusive > passed; only a completed experiment can pass.
func verdict(r Run, s Summary) (string, string) {
	switch {
	case r.State == gameday.StateFailed || r.State == gameday.StateCancelled:
		why := "the experiment " + string(r.State)
		if r.StopReason != "" {
			why += ": " + r.StopReason
		}
		return VerdictFailed, why
	case r.Error != nil:
		why := "the orchestration caught " + r.Error.Error
		if r.Error.Cause != "" {
			why += ": " + firstLine(r.Error.Cause)
		}
		return VerdictFailed, why
	case s.StoppedByAlarm != nil:
		return VerdictStoppedByAlarm, "stop condition " + *s.StoppedByAlarm + " went into ALARM and FIS stopped the experiment"
	case r.State == gameday.StateStopped:
		// Stopped by hand (or by the guard), not by a stop condition: the
		// faults did not run their course, so the hypothesis was not tested.
		why := "the experiment was stopped before it completed, not by a stop condition"
		if r.StopReason != "" {
			why += ": " + r.StopReason
		}
		return VerdictFailed, why
	case r.State != gameday.StateCompleted:
		// Not ended, or in a state gameday does not know: the faults may
		// still run, so the hypothesis cannot be said to have been tested.
		return VerdictFailed, "the experiment had not ended (its state is " + cmp.Or(string(r.State), "unknown") + ")"
	case s.Hypothesis.Verdict == ResultUntested:
		return VerdictUntested, "the experiment " + string(r.State) + " but the hypothesis was not tested: " + s.Hypothesis.Reason
	case s.Hypothesis.Verdict == ResultRefuted:
		by := refutedChecks(s.Hypothesis.Checks)
		for _, sc := range alarmsInRun(s.StopConditions) {
			by = append(by, "stop condition "+sc.Alarm+", which went into ALARM at "+fmtTimePtr(sc.AlarmAt)+" while the experiment ran; FIS did not stop it")
		}
		return VerdictRefuted, "the hypothesis was refuted by " + strings.Join(by, ", ")
	case s.Hypothesis.Verdict == ResultInconclusive:
		return VerdictInconclusive, "the experiment " + string(r.State) + " but the hypothesis is inconclusive: " + s.Hypothesis.Reason
	}
	return VerdictPassed, "the experiment " + string(r.State) + " and every check held"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// effectiveState is the experiment's state for the verdict. A custom
// resource without a duration runs until FIS deletes it at maxDuration, and
// FIS may then report its action failed or completed (docs/fidelity.md):
// an experiment that failed only because such actions reached their
// maxDuration ran its faults as written, and counts as completed.
func effectiveState(r Run) gameday.State {
	if r.State != gameday.StateFailed || r.Spec == nil {
		return r.State
	}
	failed := 0
	for _, a := range r.Actions {
		if a.State != gameday.StateFailed {
			continue
		}
		failed++
		if !ranToMaxDuration(r.Spec, a) {
			return r.State
		}
	}
	if failed == 0 {
		return r.State
	}
	return gameday.StateCompleted
}

// ranTheirCourse is fs with each fault that failed only because its custom
// resource, without a duration, reached maxDuration (see effectiveState)
// counted as completed: it ran as written, so it put the hypothesis to the
// test. fs itself keeps FIS's view.
func ranTheirCourse(r Run, fs []Fault) []Fault {
	if r.Spec == nil {
		return fs
	}
	out := slices.Clone(fs)
	for i, f := range out {
		if f.State != gameday.StateFailed {
			continue
		}
		for _, a := range r.Actions {
			if a.Name == f.Name && ranToMaxDuration(r.Spec, a) {
				out[i].State, out[i].Reason = gameday.StateCompleted, ""
			}
		}
	}
	return out
}

// ranToMaxDuration says whether a is the action of a fault whose custom
// resource sets no duration and ran for its whole maxDuration.
func ranToMaxDuration(s *gameday.Spec, a gameday.ActionState) bool {
	if a.StartTime == nil || a.EndTime == nil {
		return false
	}
	for i := range s.Spec.Faults {
		f := &s.Spec.Faults[i]
		if f.Name != a.Name || f.Resource() == nil {
			continue
		}
		if _, ok, err := f.CRDuration(); ok || err != nil {
			return false
		}
		return a.EndTime.Sub(*a.StartTime) >= f.EffectiveMaxDuration()
	}
	return false
}
