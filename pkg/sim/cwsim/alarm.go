package cwsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// alarm is one metric alarm.
type alarm struct {
	name, arn, description string
	actionsEnabled         bool
	okActions              []string
	alarmActions           []string
	insufficientActions    []string

	namespace, metricName string
	dims                  []dim
	statistic             string // or
	extendedStatistic     string
	unit                  string
	period                int64
	evaluationPeriods     int64
	datapointsToAlarm     *int64
	threshold             float64
	comparison            string
	treatMissingData      string // as given; "" means missing
	evaluateLowSample     string
	configUpdated         time.Time

	state, reason, reasonData       string
	stateUpdated, stateTransitioned time.Time
}

// cadence is how often CloudWatch evaluates the alarm: every 10 seconds
// for periods under a minute, every minute otherwise.
func (a *alarm) cadence() time.Duration {
	if a.period < 60 {
		return HighResolutionEvaluationInterval
	}
	return EvaluationInterval
}

// m is DatapointsToAlarm, EvaluationPeriods when not set.
func (a *alarm) m() int64 {
	if a.datapointsToAlarm != nil {
		return *a.datapointsToAlarm
	}
	return a.evaluationPeriods
}

func (a *alarm) stat() stat {
	if a.extendedStatistic != "" {
		st, _ := parseStat(a.extendedStatistic)
		return st
	}
	st, _ := parseStat(a.statistic)
	return st
}

var comparisonText = map[string]string{
	"GreaterThanOrEqualToThreshold": "greater than or equal to",
	"GreaterThanThreshold":          "greater than",
	"LessThanThreshold":             "less than",
	"LessThanOrEqualToThreshold":    "less than or equal to",
}

func (a *alarm) breaches(v float64) bool {
	switch a.comparison {
	case "GreaterThanOrEqualToThreshold":
		return v >= a.threshold
	case "GreaterThanThreshold":
		return v > a.threshold
	case "LessThanThreshold":
		return v < a.threshold
	case "LessThanOrEqualToThreshold":
		return v <= a.threshold
	}
	return false
}

// datapoint is one evaluated period: its start and, unless missing, value.
type datapoint struct {
	t      time.Time
	v      float64
	count  float64
	exists bool
}

// evaluation is the outcome of evaluating one alarm; change is false when
// the alarm keeps its state whatever it is (treatMissingData ignore).
type evaluation struct {
	change     bool
	state      string
	reason     string
	reasonData string
}

// highResIngestionDelay bounds the ingestion delay of a high-resolution
// datum: AWS documents no figure either, and its 10-second alarms, which
// look back only 30 seconds, would never see data that takes longer.
const highResIngestionDelay = 5 * time.Second

// ingested says whether a point has been ingested by now, ingestionDelay
// after it was put (at most highResIngestionDelay for a high-resolution
// one); nil, all of them, without a delay.
func (s *Service) ingested(now time.Time) func(point) bool {
	if s.ingestionDelay <= 0 {
		return nil
	}
	return func(p point) bool {
		d := s.ingestionDelay
		if p.highRes {
			d = min(d, highResIngestionDelay)
		}
		return !p.received.Add(d).After(now)
	}
}

// evaluationRange is how many periods CloudWatch retrieves to evaluate an
// alarm: more than EvaluationPeriods, so that missing data can be skipped.
// The CloudWatch guide's examples retrieve 5 for 3 evaluation periods.
func evaluationRange(n int64) int64 { return n + 2 }

// evaluate computes a's state, at now, from the periods of its metric that
// end at the boundary of its cadence at or before b (a sliding window: a
// 5-minute alarm evaluated at 12:16 reads 12:01-12:06, 12:06-12:11,
// 12:11-12:16, as the user guide's "Limits" describes), counting only the
// data ingested by now; s.mu must be held.
//
// It follows "How alarm state is evaluated when data is missing" in the
// CloudWatch user guide: the range holds the last N+2 complete periods; with
// N or more real datapoints the N most recent are evaluated and missing data
// treatment is not needed; with fewer, missing periods are filled as the
// treatment says, as few as possible; with none, missing gives
// INSUFFICIENT_DATA, ignore keeps the state, breaching ALARM, notBreaching OK.
func (s *Service) evaluate(a *alarm, b, now time.Time) evaluation {
	n, m := a.evaluationPeriods, a.m()
	r := evaluationRange(n)
	end := b.Truncate(a.cadence()) // only complete periods
	start := end.Add(-time.Duration(r*a.period) * time.Second)
	st := a.stat()

	agg := map[int64]*agg{}
	if mm, ok := s.metrics[metricKey(a.namespace, a.metricName, a.dims)]; ok {
		agg = mm.bucketsSeen(start, end, a.period, a.unit, s.ingested(now))
	}
	points := make([]datapoint, r) // oldest first
	var real []int
	for i := int64(0); i < r; i++ {
		t := start.Add(time.Duration(i*a.period) * time.Second)
		points[i].t = t
		if g, ok := agg[t.Unix()]; ok && available(t, now, a.period) {
			if v, ok := g.value(st); ok {
				points[i].v, points[i].count, points[i].exists = v, g.count, true
				real = append(real, int(i))
			}
		}
	}
	return decide(a, points, real, n, m, now, start)
}

// decide applies the evaluation rules to the range's datapoints.
func decide(a *alarm, points []datapoint, real []int, n, m int64, now, start time.Time) evaluation {
	treat := a.treatMissingData
	if treat == "" {
		treat = "missing"
	}
	if len(real) == 0 {
		return decideNoData(a, treat, n, now, start)
	}

	var evaluated []datapoint // newest first
	filled := int64(0)
	if int64(len(real)) >= n {
		for i := len(real) - 1; i >= len(real)-int(n); i-- {
			evaluated = append(evaluated, points[real[i]])
		}
	} else {
		for i := len(real) - 1; i >= 0; i-- {
			evaluated = append(evaluated, points[real[i]])
		}
		filled = n - int64(len(real))
	}

	if lowSample(a, evaluated) {
		return evaluation{} // EvaluateLowSampleCountPercentile ignore: keep the state
	}

	var breaching, ok []datapoint
	for _, p := range evaluated {
		if a.breaches(p.v) {
			breaching = append(breaching, p)
		} else {
			ok = append(ok, p)
		}
	}
	nb := int64(len(breaching))
	nok := int64(len(ok))
	if filled > 0 {
		switch treat {
		case "breaching":
			nb += filled
		case "notBreaching":
			nok += filled
		default: // missing, ignore: only the real datapoints count
			if nb < m && nok == 0 {
				// Every real datapoint breaches, but fewer than M. The guide's
				// first table (3 of 3, "X - - - -") goes to ALARM with missing
				// when the breaching datapoints are all older than the last N
				// periods, and to INSUFFICIENT_DATA ("- - - - X") otherwise.
				newest := real[len(real)-1]
				if treat == "missing" && int64(newest) < int64(len(points))-n {
					nb = m
				} else if treat == "ignore" {
					return evaluation{}
				} else {
					return evaluation{change: true, state: StateInsufficientData,
						reason:     fmt.Sprintf("Insufficient Data: %s unknown.", plural(filled, "datapoint was", "datapoints were")),
						reasonData: reasonData(a, now, start, evaluated)}
				}
			}
		}
	}
	if nb >= m {
		return evaluation{change: true, state: StateAlarm,
			reason:     thresholdReason(a, breaching, nb, n, m, false),
			reasonData: reasonData(a, now, start, evaluated)}
	}
	return evaluation{change: true, state: StateOK,
		reason:     thresholdReason(a, ok, nok, n, n-m+1, true),
		reasonData: reasonData(a, now, start, evaluated)}
}

// decideNoData is decide when no period has a datapoint: TreatMissingData
// decides alone.
func decideNoData(a *alarm, treat string, n int64, now, start time.Time) evaluation {
	switch treat {
	case "ignore":
		return evaluation{}
	case "breaching", "notBreaching":
		state, label := StateAlarm, "Breaching"
		if treat == "notBreaching" {
			state, label = StateOK, "NonBreaching"
		}
		reason := fmt.Sprintf("Threshold Crossed: no datapoints were received for %s and %s treated as [%s].",
			plural(n, "period", "periods"), plural(n, "missing datapoint was", "missing datapoints were"), label)
		return evaluation{change: true, state: state, reason: reason, reasonData: reasonData(a, now, start, nil)}
	default:
		return evaluation{change: true, state: StateInsufficientData,
			reason:     fmt.Sprintf("Insufficient Data: %s unknown.", plural(n, "datapoint was", "datapoints were")),
			reasonData: reasonData(a, now, start, nil)}
	}
}

// lowSample reports whether a percentile alarm set to ignore low sample
// counts has too few samples in an evaluated period: fewer than
// 10/(1-p) for percentiles from p50 up, 10/p below (the user guide's
// "Percentile-based alarms and low data samples").
func lowSample(a *alarm, evaluated []datapoint) bool {
	st := a.stat()
	if st.name != "p" || a.evaluateLowSample != "ignore" {
		return false
	}
	p := st.pct / 100
	var need float64
	switch {
	case p >= 1 || p <= 0:
		return false
	case p >= 0.5:
		need = 10 / (1 - p)
	default:
		need = 10 / p
	}
	for _, d := range evaluated {
		if d.count < need-1e-9 { // 10/(1-0.9) is 100.00000000000001
			return true
		}
	}
	return false
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// thresholdReason writes CloudWatch's "Threshold Crossed" reason, for
// example "Threshold Crossed: 1 datapoint [42.0 (26/11/26 00:10:00)] was
// greater than the threshold (10.0)." or, for an M out of N alarm,
// "Threshold Crossed: 2 out of the last 3 datapoints [...] were greater than
// the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition)."
func thresholdReason(a *alarm, shown []datapoint, count, n, min int64, notBreaching bool) string {
	vals := make([]string, len(shown))
	for i, p := range shown {
		vals[i] = javaDouble(p.v) + " (" + p.t.UTC().Format("02/01/06 15:04:05") + ")"
	}
	cmp := comparisonText[a.comparison]
	if notBreaching {
		cmp = "not " + cmp
	}
	thr := javaDouble(a.threshold)
	if n == 1 {
		return fmt.Sprintf("Threshold Crossed: 1 datapoint [%s] was %s the threshold (%s).", strings.Join(vals, ", "), cmp, thr)
	}
	from, to := a.state, StateAlarm
	if notBreaching {
		to = StateOK
	}
	verb := "were"
	if count == 1 {
		verb = "was"
	}
	return fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] %s %s the threshold (%s) (minimum %s for %s -> %s transition).",
		count, n, strings.Join(vals, ", "), verb, cmp, thr, plural(min, "datapoint", "datapoints"), from, to)
}

// jfloat marshals as CloudWatch's JSON does: always with a decimal point.
type jfloat float64

func (f jfloat) MarshalJSON() ([]byte, error) { return []byte(javaDouble(float64(f))), nil }

const jsonTime = "2006-01-02T15:04:05.000-0700"

type reasonDataJSON struct {
	Version             string          `json:"version"`
	QueryDate           string          `json:"queryDate"`
	StartDate           string          `json:"startDate"`
	Statistic           string          `json:"statistic,omitempty"`
	ExtendedStatistic   string          `json:"extendedStatistic,omitempty"`
	Unit                string          `json:"unit,omitempty"`
	Period              int64           `json:"period"`
	RecentDatapoints    []jfloat        `json:"recentDatapoints"`
	Threshold           jfloat          `json:"threshold"`
	EvaluatedDatapoints []evaluatedJSON `json:"evaluatedDatapoints,omitempty"`
}

type evaluatedJSON struct {
	Timestamp   string  `json:"timestamp"`
	SampleCount *jfloat `json:"sampleCount,omitempty"`
	Value       *jfloat `json:"value,omitempty"`
}

// reasonData is the StateReasonData JSON CloudWatch writes for an
// evaluation: the query, the recent datapoints oldest first and the
// evaluated ones newest first.
func reasonData(a *alarm, now, start time.Time, evaluated []datapoint) string {
	d := reasonDataJSON{
		Version:           "1.0",
		QueryDate:         now.UTC().Format(jsonTime),
		StartDate:         start.UTC().Format(jsonTime),
		Statistic:         a.statistic,
		ExtendedStatistic: a.extendedStatistic,
		Unit:              a.unit,
		Period:            a.period,
		RecentDatapoints:  []jfloat{},
		Threshold:         jfloat(a.threshold),
	}
	for i := len(evaluated) - 1; i >= 0; i-- {
		d.RecentDatapoints = append(d.RecentDatapoints, jfloat(evaluated[i].v))
	}
	for _, p := range evaluated {
		c, v := jfloat(p.count), jfloat(p.v)
		d.EvaluatedDatapoints = append(d.EvaluatedDatapoints, evaluatedJSON{Timestamp: p.t.UTC().Format(jsonTime), SampleCount: &c, Value: &v})
	}
	return marshalJSON(d)
}

// historyItem is one DescribeAlarmHistory item.
type historyItem struct {
	alarmName string
	time      time.Time
	typ       string // StateUpdate, ConfigurationUpdate
	summary   string
	data      string
}

type stateJSON struct {
	StateValue      string          `json:"stateValue"`
	StateReason     string          `json:"stateReason"`
	StateReasonData json.RawMessage `json:"stateReasonData,omitempty"`
}

func stateHistoryData(oldState, oldReason, newState, newReason, newData string) string {
	d := struct {
		Version  string    `json:"version"`
		OldState stateJSON `json:"oldState"`
		NewState stateJSON `json:"newState"`
	}{Version: "1.0", OldState: stateJSON{StateValue: oldState, StateReason: oldReason},
		NewState: stateJSON{StateValue: newState, StateReason: newReason}}
	if newData != "" && json.Valid([]byte(newData)) {
		d.NewState.StateReasonData = json.RawMessage(newData)
	}
	return marshalJSON(d)
}

// configJSON is the alarm's configuration as ConfigurationUpdate history
// items show it: the members DescribeAlarms answers (out), in the same
// order, less the ARN, the state's reason and the timestamps, named in
// lower camel case.
func (a *alarm) configJSON() json.RawMessage {
	var b bytes.Buffer
	writeConfigJSON(&b, a.out())
	return b.Bytes()
}

// notInConfig are the members of out that the history's configuration
// leaves out.
var notInConfig = map[string]bool{
	"AlarmArn": true, "AlarmConfigurationUpdatedTimestamp": true, "StateReason": true, "StateReasonData": true,
	"StateUpdatedTimestamp": true, "StateTransitionedTimestamp": true,
}

func writeConfigJSON(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case obj:
		b.WriteByte('{')
		n := 0
		for _, f := range x {
			if notInConfig[f.name] {
				continue
			}
			if n++; n > 1 {
				b.WriteByte(',')
			}
			// Lower camel case; CloudWatch writes OKActions "okactions".
			key := strings.ToLower(f.name[:1]) + f.name[1:]
			if f.name == "OKActions" {
				key = "okactions"
			}
			b.WriteString(marshalJSON(key) + ":")
			writeConfigJSON(b, f.v)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeConfigJSON(b, e)
		}
		b.WriteByte(']')
	case float64:
		b.WriteString(javaDouble(x))
	default:
		b.WriteString(marshalJSON(x))
	}
}

// configHistoryData is the HistoryData of a ConfigurationUpdate item:
// {"version":"1.0","type":"Create","createdAlarm":{...}} on creation,
// "Update" with updatedAlarm and the changed fields' originalUpdatedFields,
// "Delete" with deletedAlarm.
func configHistoryData(typ string, old, cur *alarm) string {
	d := map[string]any{"version": "1.0", "type": typ}
	switch typ {
	case "Create":
		d["createdAlarm"] = cur.configJSON()
	case "Delete":
		d["deletedAlarm"] = cur.configJSON()
	case "Update":
		d["updatedAlarm"] = cur.configJSON()
		d["originalUpdatedFields"] = changedFields(old.configJSON(), cur.configJSON())
	}
	return marshalJSON(d)
}

func changedFields(old, cur json.RawMessage) map[string]json.RawMessage {
	var om, cm map[string]json.RawMessage
	_ = json.Unmarshal(old, &om)
	_ = json.Unmarshal(cur, &cm)
	out := map[string]json.RawMessage{}
	for k, v := range om {
		if k == "stateValue" {
			continue
		}
		if string(cm[k]) != string(v) {
			out[k] = v
		}
	}
	for k := range cm {
		if _, ok := om[k]; !ok {
			out[k] = json.RawMessage("null")
		}
	}
	return out
}

// marshalJSON encodes v compactly without HTML escaping, so that reasons
// read "OK -> ALARM" as CloudWatch writes them.
func marshalJSON(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return "{}"
	}
	return strings.TrimSuffix(b.String(), "\n")
}
