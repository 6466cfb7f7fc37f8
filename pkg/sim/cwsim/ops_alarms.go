package cwsim

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

const (
	maxAlarms          = 5000 // per account and Region
	maxTags            = 50
	maxEvalSeconds     = 7 * 24 * 3600
	maxEvalSecondsHour = 24 * 3600
)

var validComparison = map[string]bool{
	"GreaterThanOrEqualToThreshold": true, "GreaterThanThreshold": true,
	"LessThanThreshold": true, "LessThanOrEqualToThreshold": true,
}

var anomalyComparison = map[string]bool{
	"LessThanLowerOrGreaterThanUpperThreshold": true, "LessThanLowerThreshold": true, "GreaterThanUpperThreshold": true,
}

// Request shapes shared by several operations (see decodeInput).
type (
	dimensionInput struct {
		Path        string `cw:",path"`
		Name, Value string
	}
	tagInput struct {
		Path  string `cw:",path"`
		Key   string
		Value *string
	}
)

func parseActions(param string, l []string) ([]string, error) {
	if len(l) > 5 {
		return nil, errInvalidValue(fmt.Sprintf("The collection %s must not have a size greater than 5.", param))
	}
	return l, nil
}

func parseTags(param string, l []tagInput) ([][2]string, error) {
	out := make([][2]string, 0, len(l))
	for _, e := range l {
		if e.Key == "" {
			return nil, errMissing(e.Path + ".Key")
		}
		if e.Value == nil {
			return nil, errMissing(e.Path + ".Value")
		}
		if len(e.Key) > 128 || len(*e.Value) > 256 {
			return nil, errInvalidValue(fmt.Sprintf("The parameter %s is too long.", e.Path))
		}
		if strings.HasPrefix(strings.ToLower(e.Key), "aws:") {
			return nil, errInvalidValue(fmt.Sprintf("The tag key %s uses the reserved prefix aws:.", e.Key))
		}
		out = append(out, [2]string{e.Key, *e.Value})
	}
	if len(out) > maxTags {
		return nil, errInvalidValue(fmt.Sprintf("The collection %s must not have a size greater than %d.", param, maxTags))
	}
	return out, nil
}

type putMetricAlarmInput struct {
	AlarmName, AlarmDescription                  string
	ActionsEnabled                               *bool
	OKActions, AlarmActions                      []string
	InsufficientDataActions                      []string
	Namespace, MetricName                        string
	Dimensions                                   []dimensionInput
	Statistic, ExtendedStatistic, Unit           string
	Period, EvaluationPeriods, DatapointsToAlarm *int64
	Threshold                                    *float64
	ComparisonOperator, TreatMissingData         string
	EvaluateLowSampleCountPercentile             string
	ThresholdMetricId                            string
	Metrics                                      []struct{ Id string }
	Tags                                         []tagInput
}

func (s *Service) opPutMetricAlarm(in *putMetricAlarmInput) (obj, error) {
	a := &alarm{
		name: in.AlarmName, description: in.AlarmDescription, actionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		namespace: in.Namespace, metricName: in.MetricName, statistic: in.Statistic, extendedStatistic: in.ExtendedStatistic,
		unit: in.Unit, comparison: in.ComparisonOperator, treatMissingData: in.TreatMissingData,
		evaluateLowSample: in.EvaluateLowSampleCountPercentile,
	}
	if err := a.checkIdentity(in); err != nil {
		return nil, err
	}
	if err := a.checkMetric(in); err != nil {
		return nil, err
	}
	if err := a.checkEvaluation(in); err != nil {
		return nil, err
	}
	tags, err := parseTags("Tags", in.Tags)
	if err != nil {
		return nil, err
	}
	return nil, s.storeAlarm(a, tags)
}

// checkIdentity checks the alarm's name, description and actions.
func (a *alarm) checkIdentity(in *putMetricAlarmInput) error {
	if a.name == "" {
		return errMissing("AlarmName")
	}
	if len(a.name) > 255 {
		return errInvalidValue("The parameter AlarmName must be 255 characters or fewer.")
	}
	for _, r := range a.name {
		if r > unicode.MaxASCII || unicode.IsControl(r) {
			return errInvalidValue("The parameter AlarmName must contain only printable ASCII characters.")
		}
	}
	if len(a.description) > 1024 {
		return errInvalidValue("The parameter AlarmDescription must be 1024 characters or fewer.")
	}
	var err error
	if a.okActions, err = parseActions("OKActions", in.OKActions); err != nil {
		return err
	}
	if a.alarmActions, err = parseActions("AlarmActions", in.AlarmActions); err != nil {
		return err
	}
	a.insufficientActions, err = parseActions("InsufficientDataActions", in.InsufficientDataActions)
	return err
}

// checkMetric checks what the alarm watches: one metric and a statistic.
func (a *alarm) checkMetric(in *putMetricAlarmInput) error {
	if len(in.Metrics) > 0 {
		return errValidation("Metrics: alarms on metric math or multiple metrics are not supported by the gameday simulator; use MetricName, Namespace and Statistic.")
	}
	if in.ThresholdMetricId != "" || anomalyComparison[a.comparison] {
		return errValidation("ThresholdMetricId: anomaly detection alarms are not supported by the gameday simulator.")
	}
	switch {
	case a.metricName == "":
		return errMissing("MetricName")
	case a.namespace == "":
		return errMissing("Namespace")
	// MetricName and Namespace: 1 to 255 characters, a namespace not
	// beginning with a colon (CW API PutMetricAlarm; the model's
	// MetricName and Namespace shapes).
	case len(a.metricName) > 255:
		return errInvalidValue("The parameter MetricName must be 255 characters or fewer.")
	case len(a.namespace) > 255:
		return errInvalidValue("The parameter Namespace must be 255 characters or fewer.")
	case strings.HasPrefix(a.namespace, ":"):
		return errInvalidValue(fmt.Sprintf("The value %s for parameter Namespace is invalid.", a.namespace))
	case a.comparison == "":
		return errMissing("ComparisonOperator")
	case !validComparison[a.comparison]:
		return errInvalidValue(fmt.Sprintf("The value %s for parameter ComparisonOperator is invalid.", a.comparison))
	}
	if err := a.checkStatistic(); err != nil {
		return err
	}
	if a.unit != "" && !standardUnits[a.unit] {
		return errInvalidValue(fmt.Sprintf("The value %s for parameter Unit is invalid.", a.unit))
	}
	switch a.treatMissingData {
	case "", "breaching", "notBreaching", "ignore", "missing":
	default:
		return errInvalidValue(fmt.Sprintf("The value %s for parameter TreatMissingData is invalid. Valid values are breaching, notBreaching, ignore and missing.", a.treatMissingData))
	}
	switch a.evaluateLowSample {
	case "", "evaluate", "ignore":
	default:
		return errInvalidValue(fmt.Sprintf("Option %s is not supported. Supported options for parameter EvaluateLowSampleCountPercentile are evaluate and ignore.", a.evaluateLowSample))
	}
	if a.evaluateLowSample != "" && a.extendedStatistic == "" {
		return errCombination("The parameter EvaluateLowSampleCountPercentile can be used only with ExtendedStatistic percentiles.")
	}
	var err error
	a.dims, err = parseDims("Dimensions", in.Dimensions)
	return err
}

func (a *alarm) checkStatistic() error {
	switch {
	case a.statistic != "" && a.extendedStatistic != "":
		return errCombination("The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.")
	case a.statistic == "" && a.extendedStatistic == "":
		return errMissing("Statistic or ExtendedStatistic")
	case a.statistic != "":
		if st, ok := parseStat(a.statistic); !ok || st.name == "p" {
			return errInvalidValue(fmt.Sprintf("The value %s for parameter Statistic is invalid.", a.statistic))
		}
	default:
		if st, ok := parseStat(a.extendedStatistic); !ok || st.name != "p" {
			return errInvalidValue(fmt.Sprintf("The value %s for parameter ExtendedStatistic is not supported.", a.extendedStatistic))
		}
	}
	return nil
}

// checkEvaluation checks how the alarm evaluates: period, evaluation
// periods, datapoints to alarm and threshold.
func (a *alarm) checkEvaluation(in *putMetricAlarmInput) error {
	switch {
	case in.Period == nil:
		return errMissing("Period")
	case !validPeriod(*in.Period, false):
		return errInvalidValue("Period must be 10, 20, 30 or a multiple of 60.")
	case in.EvaluationPeriods == nil:
		return errMissing("EvaluationPeriods")
	case *in.EvaluationPeriods < 1:
		return errInvalidValue("The parameter EvaluationPeriods must be greater than or equal to 1.")
	}
	a.period, a.evaluationPeriods = *in.Period, *in.EvaluationPeriods
	limit := int64(maxEvalSeconds)
	if a.period < 3600 {
		limit = maxEvalSecondsHour
	}
	if a.period*a.evaluationPeriods > limit {
		return errValidation(fmt.Sprintf("Metrics can only be evaluated over %d seconds: Period multiplied by EvaluationPeriods must not exceed %d.", limit, limit))
	}
	if d := in.DatapointsToAlarm; d != nil {
		if *d < 1 {
			return errInvalidValue("The parameter DatapointsToAlarm must be greater than or equal to 1.")
		}
		if *d > a.evaluationPeriods {
			return errValidation("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
		}
	}
	a.datapointsToAlarm = in.DatapointsToAlarm
	if in.Threshold == nil {
		return errMissing("Threshold")
	}
	a.threshold = *in.Threshold
	return nil
}

// storeAlarm creates or updates the alarm and records the change in its
// history.
func (s *Service) storeAlarm(a *alarm, tags [][2]string) error {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a.arn = s.alarmARN(a.name)
	a.configUpdated = now
	old, exists := s.alarms[a.name]
	if !exists && len(s.alarms) >= maxAlarms {
		return errLimit(fmt.Sprintf("The maximum number of alarms (%d) has been reached.", maxAlarms))
	}
	item := historyItem{alarmName: a.name, time: now, typ: "ConfigurationUpdate"}
	if exists {
		// An update keeps the state; tags given on update are ignored.
		a.state, a.reason, a.reasonData = old.state, old.reason, old.reasonData
		a.stateUpdated, a.stateTransitioned = old.stateUpdated, old.stateTransitioned
		item.summary = fmt.Sprintf("Alarm %q updated", a.name)
		item.data = configHistoryData("Update", old, a)
	} else {
		a.state, a.reason = StateInsufficientData, "Unchecked: Initial alarm creation"
		a.stateUpdated, a.stateTransitioned = now, now
		item.summary = fmt.Sprintf("Alarm %q created", a.name)
		item.data = configHistoryData("Create", nil, a)
		if len(tags) > 0 {
			m := map[string]string{}
			for _, t := range tags {
				m[t[0]] = t[1]
			}
			s.tags[a.arn] = m
		}
	}
	s.alarms[a.name] = a
	s.history = append(s.history, item)
	return nil
}

func ptrIf[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

func strList(l []string) []any {
	out := make([]any, 0, len(l))
	for _, s := range l {
		out = append(out, s)
	}
	return out
}

func (a *alarm) out() obj {
	o := obj{}.with("AlarmName", a.name).with("AlarmArn", a.arn).
		with("AlarmDescription", ptrIf(a.description)).
		with("AlarmConfigurationUpdatedTimestamp", a.configUpdated).
		with("ActionsEnabled", a.actionsEnabled).
		with("OKActions", strList(a.okActions)).
		with("AlarmActions", strList(a.alarmActions)).
		with("InsufficientDataActions", strList(a.insufficientActions)).
		with("StateValue", a.state).with("StateReason", a.reason).
		with("StateReasonData", ptrIf(a.reasonData)).
		with("StateUpdatedTimestamp", a.stateUpdated).
		with("MetricName", a.metricName).with("Namespace", a.namespace).
		with("Statistic", ptrIf(a.statistic)).with("ExtendedStatistic", ptrIf(a.extendedStatistic)).
		with("Dimensions", dimsOut(a.dims)).
		with("Period", a.period).with("Unit", ptrIf(a.unit)).
		with("EvaluationPeriods", a.evaluationPeriods).
		with("DatapointsToAlarm", a.datapointsToAlarm).
		with("Threshold", a.threshold).
		with("ComparisonOperator", a.comparison).
		with("TreatMissingData", ptrIf(a.treatMissingData)).
		with("EvaluateLowSampleCountPercentile", ptrIf(a.evaluateLowSample)).
		with("StateTransitionedTimestamp", a.stateTransitioned)
	return o
}

type describeAlarmsInput struct {
	AlarmNames      []string
	AlarmNamePrefix string
	AlarmTypes      []string
	StateValue      string
	ActionPrefix    string
	MaxRecords      *int64
	NextToken       string
}

func (s *Service) opDescribeAlarms(in *describeAlarmsInput) (obj, error) {
	if len(in.AlarmNames) > 100 {
		return nil, errInvalidValue("The collection AlarmNames must not have a size greater than 100.")
	}
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != "" {
		return nil, errCombination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.")
	}
	switch in.StateValue {
	case "", StateOK, StateAlarm, StateInsufficientData:
	default:
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter StateValue is invalid.", in.StateValue))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, next, err := alarmListing(in.AlarmTypes, in.NextToken, "da", in.MaxRecords, 50,
		func() []*alarm { return s.matchAlarms(in) }, (*alarm).out)
	if err != nil {
		return nil, err
	}
	return obj{}.with("MetricAlarms", list).with("CompositeAlarms", []any{}).with("NextToken", next), nil
}

// matchAlarms returns the alarms the request asks for, by name; s.mu must
// be held.
func (s *Service) matchAlarms(in *describeAlarmsInput) []*alarm {
	nameSet := map[string]bool{}
	for _, n := range in.AlarmNames {
		nameSet[n] = true
	}
	var match []*alarm
	for _, a := range s.alarms {
		switch {
		case len(in.AlarmNames) > 0 && !nameSet[a.name],
			in.AlarmNamePrefix != "" && !strings.HasPrefix(a.name, in.AlarmNamePrefix),
			in.StateValue != "" && a.state != in.StateValue,
			in.ActionPrefix != "" && !anyPrefix(a, in.ActionPrefix):
			continue
		}
		match = append(match, a)
	}
	sort.Slice(match, func(i, j int) bool { return match[i].name < match[j].name })
	return match
}

func anyPrefix(a *alarm, prefix string) bool {
	for _, l := range [][]string{a.okActions, a.alarmActions, a.insufficientActions} {
		for _, x := range l {
			if strings.HasPrefix(x, prefix) {
				return true
			}
		}
	}
	return false
}

// opDeleteAlarms deletes all the named alarms, or none: as the reference
// says, if one name is wrong no alarm is deleted (ResourceNotFound).
func (s *Service) opDeleteAlarms(in *struct{ AlarmNames []string }) (obj, error) {
	if in.AlarmNames == nil {
		return nil, errMissing("AlarmNames")
	}
	if len(in.AlarmNames) > 100 {
		return nil, errInvalidValue("The collection AlarmNames must not have a size greater than 100.")
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range in.AlarmNames {
		if _, ok := s.alarms[n]; !ok {
			return nil, errNotFound(fmt.Sprintf("Alarm %s does not exist.", n))
		}
	}
	for _, n := range in.AlarmNames {
		a, ok := s.alarms[n]
		if !ok {
			continue // named twice
		}
		delete(s.alarms, n)
		delete(s.tags, a.arn)
		s.history = append(s.history, historyItem{alarmName: n, time: now, typ: "ConfigurationUpdate",
			summary: fmt.Sprintf("Alarm %q deleted", n), data: configHistoryData("Delete", nil, a)})
	}
	return nil, nil
}

// opSetAlarmState sets an alarm's state until the next evaluation, which
// may change it back, as in CloudWatch.
func (s *Service) opSetAlarmState(in *struct {
	AlarmName, StateValue string
	StateReason           *string
	StateReasonData       string
}) (obj, error) {
	switch {
	case in.AlarmName == "":
		return nil, errMissing("AlarmName")
	case in.StateValue == "":
		return nil, errMissing("StateValue")
	case in.StateReason == nil:
		return nil, errMissing("StateReason")
	}
	switch in.StateValue {
	case StateOK, StateAlarm, StateInsufficientData:
	default:
		return nil, errValidation(fmt.Sprintf("1 validation error detected: Value '%s' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]", in.StateValue))
	}
	if len(*in.StateReason) > 1023 {
		return nil, errValidation("1 validation error detected: Value at 'stateReason' failed to satisfy constraint: Member must have length less than or equal to 1023")
	}
	if in.StateReasonData != "" && !json.Valid([]byte(in.StateReasonData)) {
		return nil, errFormat("Unknown")
	}
	now := s.clock.Now()
	s.mu.Lock()
	a, ok := s.alarms[in.AlarmName]
	if !ok {
		s.mu.Unlock()
		return nil, errNotFound(fmt.Sprintf("Alarm %s does not exist.", in.AlarmName))
	}
	old := a.state
	t := s.setState(a, in.StateValue, *in.StateReason, in.StateReasonData, now)
	s.mu.Unlock()
	if old != in.StateValue {
		s.notify([]Transition{t})
	}
	return nil, nil
}

var historyTypes = map[string]bool{
	"ConfigurationUpdate": true, "StateUpdate": true, "Action": true,
	"AlarmContributorStateUpdate": true, "AlarmContributorAction": true,
}

// wantsMetricAlarms reads AlarmTypes: whether metric alarms are asked for
// (the simulator keeps no composite alarms).
func wantsMetricAlarms(types []string) (bool, error) {
	want := len(types) == 0
	for _, t := range types {
		switch t {
		case "MetricAlarm":
			want = true
		case "CompositeAlarm":
		default:
			return false, errInvalidValue(fmt.Sprintf("The value %s for parameter AlarmTypes is invalid.", t))
		}
	}
	return want, nil
}

// alarmListing answers a listing of metric alarms or of their history:
// nothing when AlarmTypes asks only for composite alarms (the simulator has
// none), else the page of what match finds that NextToken and MaxRecords
// (def when absent) ask for, each item as out writes it, and the token for
// the rest.
func alarmListing[T any](types []string, token, kind string, maxRecords *int64, def int64, match func() []T, out func(T) obj) ([]any, *string, error) {
	wantMetric, err := wantsMetricAlarms(types)
	if err != nil {
		return nil, nil, err
	}
	var items []T
	if wantMetric {
		items = match()
	}
	start, end, next, err := page(token, kind, maxRecords, def, len(items))
	if err != nil {
		return nil, nil, err
	}
	list := make([]any, 0, end-start)
	for _, it := range items[start:end] {
		list = append(list, out(it))
	}
	return list, next, nil
}

// page is the part [start, end) of a listing (kind names it, see
// wire.Token) of n items that a NextToken and MaxRecords (1 to 100; def
// when absent) ask for, and the token for the rest (nil at the end).
func page(token, kind string, maxRecords *int64, def int64, n int) (start, end int, next *string, err error) {
	size := def
	if maxRecords != nil {
		if *maxRecords < 1 || *maxRecords > 100 {
			return 0, 0, nil, errInvalidValue("The parameter MaxRecords must be between 1 and 100.")
		}
		size = *maxRecords
	}
	start, end, tok, ok := wire.Page(token, kind, int(size), n)
	if !ok {
		return 0, 0, nil, errNextToken()
	}
	if tok != "" {
		next = &tok
	}
	return start, end, next, nil
}

type describeAlarmHistoryInput struct {
	AlarmName          string
	AlarmTypes         []string
	HistoryItemType    string
	StartDate, EndDate *time.Time
	MaxRecords         *int64
	NextToken          string
	ScanBy             string
}

func (s *Service) opDescribeAlarmHistory(in *describeAlarmHistoryInput) (obj, error) {
	if in.HistoryItemType != "" && !historyTypes[in.HistoryItemType] {
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter HistoryItemType is invalid.", in.HistoryItemType))
	}
	switch in.ScanBy {
	case "", "TimestampDescending", "TimestampAscending":
	default:
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter ScanBy is invalid.", in.ScanBy))
	}
	list, next, err := alarmListing(in.AlarmTypes, in.NextToken, "ah", in.MaxRecords, 100,
		func() []historyItem { return s.matchHistory(in) },
		func(h historyItem) obj {
			return obj{}.with("AlarmName", h.alarmName).with("AlarmType", "MetricAlarm").
				with("Timestamp", h.time).with("HistoryItemType", h.typ).
				with("HistorySummary", h.summary).with("HistoryData", h.data)
		})
	if err != nil {
		return nil, err
	}
	return obj{}.with("AlarmHistoryItems", list).with("NextToken", next), nil
}

// matchHistory returns the history items the request asks for, in its
// order.
func (s *Service) matchHistory(in *describeAlarmHistoryInput) []historyItem {
	s.mu.Lock()
	var match []historyItem
	for _, h := range s.history {
		switch {
		case in.AlarmName != "" && h.alarmName != in.AlarmName,
			in.HistoryItemType != "" && h.typ != in.HistoryItemType,
			in.StartDate != nil && h.time.Before(*in.StartDate),
			in.EndDate != nil && h.time.After(*in.EndDate):
			continue
		}
		match = append(match, h)
	}
	s.mu.Unlock()
	sort.SliceStable(match, func(i, j int) bool { return match[i].time.Before(match[j].time) })
	if in.ScanBy != "TimestampAscending" {
		slices.Reverse(match)
	}
	return match
}

// alarmByARN finds an alarm for the tagging operations; s.mu must be held.
func (s *Service) alarmByARN(arn string) (*alarm, error) {
	if arn == "" {
		return nil, errMissing("ResourceARN")
	}
	name, ok := strings.CutPrefix(arn, "arn:aws:cloudwatch:"+s.region+":"+s.account+":alarm:")
	if ok {
		if a, found := s.alarms[name]; found {
			return a, nil
		}
	}
	if !strings.HasPrefix(arn, "arn:") {
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter ResourceARN is invalid.", arn))
	}
	return nil, errResourceNotFound("Unknown")
}

// withAlarm runs fn, under the lock, on the alarm arn names.
func (s *Service) withAlarm(arn string, fn func(a *alarm) (obj, error)) (obj, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.alarmByARN(arn)
	if err != nil {
		return nil, err
	}
	return fn(a)
}

func (s *Service) opTagResource(in *struct {
	ResourceARN string
	Tags        []tagInput
}) (obj, error) {
	tags, err := parseTags("Tags", in.Tags)
	if err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, errMissing("Tags")
	}
	return s.withAlarm(in.ResourceARN, func(a *alarm) (obj, error) {
		m := map[string]string{}
		for k, v := range s.tags[a.arn] {
			m[k] = v
		}
		for _, t := range tags {
			m[t[0]] = t[1]
		}
		if len(m) > maxTags {
			return nil, errInvalidValue(fmt.Sprintf("A resource can have at most %d tags.", maxTags))
		}
		s.tags[a.arn] = m
		return nil, nil
	})
}

func (s *Service) opUntagResource(in *struct {
	ResourceARN string
	TagKeys     []string
}) (obj, error) {
	if in.TagKeys == nil {
		return nil, errMissing("TagKeys")
	}
	return s.withAlarm(in.ResourceARN, func(a *alarm) (obj, error) {
		for _, k := range in.TagKeys {
			delete(s.tags[a.arn], k)
		}
		return nil, nil
	})
}

func (s *Service) opListTagsForResource(in *struct{ ResourceARN string }) (obj, error) {
	return s.withAlarm(in.ResourceARN, func(a *alarm) (obj, error) {
		keys := slices.Sorted(maps.Keys(s.tags[a.arn]))
		list := make([]any, 0, len(keys))
		for _, k := range keys {
			list = append(list, obj{{"Key", k}, {"Value", s.tags[a.arn][k]}})
		}
		return obj{}.with("Tags", list), nil
	})
}
