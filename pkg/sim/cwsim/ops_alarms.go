package cwsim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
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

func parseActions(v val) ([]string, error) {
	l, err := v.strs()
	if err != nil {
		return nil, err
	}
	if len(l) > 5 {
		return nil, errInvalidValue(fmt.Sprintf("The collection %s must not have a size greater than 5.", v.path))
	}
	return l, nil
}

func parseTags(v val) ([][2]string, error) {
	l, err := v.list()
	if err != nil {
		return nil, err
	}
	out := make([][2]string, 0, len(l))
	for _, e := range l {
		k, err := e.get("Key").str()
		if err != nil {
			return nil, err
		}
		value, err := e.get("Value").strp()
		if err != nil {
			return nil, err
		}
		if k == "" {
			return nil, errMissing(e.path + ".Key")
		}
		if value == nil {
			return nil, errMissing(e.path + ".Value")
		}
		if len(k) > 128 || len(*value) > 256 {
			return nil, errInvalidValue(fmt.Sprintf("The parameter %s is too long.", e.path))
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, errInvalidValue(fmt.Sprintf("The tag key %s uses the reserved prefix aws:.", k))
		}
		out = append(out, [2]string{k, *value})
	}
	if len(out) > maxTags {
		return nil, errInvalidValue(fmt.Sprintf("The collection %s must not have a size greater than %d.", v.path, maxTags))
	}
	return out, nil
}

func (s *Service) opPutMetricAlarm(in val) (obj, error) {
	a := &alarm{actionsEnabled: true}
	var err error
	str := func(name string, dst *string) {
		if err == nil {
			*dst, err = in.get(name).str()
		}
	}
	str("AlarmName", &a.name)
	str("AlarmDescription", &a.description)
	str("Namespace", &a.namespace)
	str("MetricName", &a.metricName)
	str("Statistic", &a.statistic)
	str("ExtendedStatistic", &a.extendedStatistic)
	str("Unit", &a.unit)
	str("ComparisonOperator", &a.comparison)
	str("TreatMissingData", &a.treatMissingData)
	str("EvaluateLowSampleCountPercentile", &a.evaluateLowSample)
	var thresholdMetricID string
	str("ThresholdMetricId", &thresholdMetricID)
	if err != nil {
		return nil, err
	}
	if a.name == "" {
		return nil, errMissing("AlarmName")
	}
	if len(a.name) > 255 {
		return nil, errInvalidValue("The parameter AlarmName must be 255 characters or fewer.")
	}
	for _, r := range a.name {
		if r > unicode.MaxASCII || unicode.IsControl(r) {
			return nil, errInvalidValue("The parameter AlarmName must contain only printable ASCII characters.")
		}
	}
	if len(a.description) > 1024 {
		return nil, errInvalidValue("The parameter AlarmDescription must be 1024 characters or fewer.")
	}
	if b, err := in.get("ActionsEnabled").bool(); err != nil {
		return nil, err
	} else if b != nil {
		a.actionsEnabled = *b
	}
	if a.okActions, err = parseActions(in.get("OKActions")); err != nil {
		return nil, err
	}
	if a.alarmActions, err = parseActions(in.get("AlarmActions")); err != nil {
		return nil, err
	}
	if a.insufficientActions, err = parseActions(in.get("InsufficientDataActions")); err != nil {
		return nil, err
	}
	if metrics, err := in.get("Metrics").list(); err != nil {
		return nil, err
	} else if len(metrics) > 0 {
		return nil, errValidation("Metrics: alarms on metric math or multiple metrics are not supported by the gameday simulator; use MetricName, Namespace and Statistic.")
	}
	if thresholdMetricID != "" || anomalyComparison[a.comparison] {
		return nil, errValidation("ThresholdMetricId: anomaly detection alarms are not supported by the gameday simulator.")
	}
	if a.metricName == "" {
		return nil, errMissing("MetricName")
	}
	if a.namespace == "" {
		return nil, errMissing("Namespace")
	}
	if a.comparison == "" {
		return nil, errMissing("ComparisonOperator")
	}
	if !validComparison[a.comparison] {
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter ComparisonOperator is invalid.", a.comparison))
	}
	switch {
	case a.statistic != "" && a.extendedStatistic != "":
		return nil, errCombination("The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.")
	case a.statistic == "" && a.extendedStatistic == "":
		return nil, errMissing("Statistic or ExtendedStatistic")
	case a.statistic != "":
		if st, ok := parseStat(a.statistic); !ok || st.name == "p" {
			return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter Statistic is invalid.", a.statistic))
		}
	default:
		if st, ok := parseStat(a.extendedStatistic); !ok || st.name != "p" {
			return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter ExtendedStatistic is not supported.", a.extendedStatistic))
		}
	}
	if a.unit != "" && !standardUnits[a.unit] {
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter Unit is invalid.", a.unit))
	}
	switch a.treatMissingData {
	case "", "breaching", "notBreaching", "ignore", "missing":
	default:
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter TreatMissingData is invalid. Valid values are breaching, notBreaching, ignore and missing.", a.treatMissingData))
	}
	switch a.evaluateLowSample {
	case "", "evaluate", "ignore":
	default:
		return nil, errInvalidValue(fmt.Sprintf("Option %s is not supported. Supported options for parameter EvaluateLowSampleCountPercentile are evaluate and ignore.", a.evaluateLowSample))
	}
	if a.evaluateLowSample != "" && a.extendedStatistic == "" {
		return nil, errCombination("The parameter EvaluateLowSampleCountPercentile can be used only with ExtendedStatistic percentiles.")
	}
	if a.dims, err = parseDims(in.get("Dimensions")); err != nil {
		return nil, err
	}
	period, err := in.get("Period").int()
	if err != nil {
		return nil, err
	}
	if period == nil {
		return nil, errMissing("Period")
	}
	if !validPeriod(*period, false) {
		return nil, errInvalidValue("Period must be 10, 20, 30 or a multiple of 60.")
	}
	a.period = *period
	ep, err := in.get("EvaluationPeriods").int()
	if err != nil {
		return nil, err
	}
	if ep == nil {
		return nil, errMissing("EvaluationPeriods")
	}
	if *ep < 1 {
		return nil, errInvalidValue("The parameter EvaluationPeriods must be greater than or equal to 1.")
	}
	a.evaluationPeriods = *ep
	limit := int64(maxEvalSeconds)
	if a.period < 3600 {
		limit = maxEvalSecondsHour
	}
	if a.period*a.evaluationPeriods > limit {
		return nil, errValidation(fmt.Sprintf("Metrics can only be evaluated over %d seconds: Period multiplied by EvaluationPeriods must not exceed %d.", limit, limit))
	}
	if a.datapointsToAlarm, err = in.get("DatapointsToAlarm").int(); err != nil {
		return nil, err
	}
	if d := a.datapointsToAlarm; d != nil {
		if *d < 1 {
			return nil, errInvalidValue("The parameter DatapointsToAlarm must be greater than or equal to 1.")
		}
		if *d > a.evaluationPeriods {
			return nil, errValidation("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
		}
	}
	th, err := in.get("Threshold").float()
	if err != nil {
		return nil, err
	}
	if th == nil {
		return nil, errMissing("Threshold")
	}
	a.threshold = *th
	tags, err := parseTags(in.get("Tags"))
	if err != nil {
		return nil, err
	}

	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a.arn = s.alarmARN(a.name)
	a.configUpdated = now
	old, exists := s.alarms[a.name]
	if !exists && len(s.alarms) >= maxAlarms {
		return nil, errLimit(fmt.Sprintf("The maximum number of alarms (%d) has been reached.", maxAlarms))
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
	return nil, nil
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

func (s *Service) opDescribeAlarms(in val) (obj, error) {
	names, err := in.get("AlarmNames").strs()
	if err != nil {
		return nil, err
	}
	if len(names) > 100 {
		return nil, errInvalidValue("The collection AlarmNames must not have a size greater than 100.")
	}
	prefix, err := in.get("AlarmNamePrefix").str()
	if err != nil {
		return nil, err
	}
	if len(names) > 0 && prefix != "" {
		return nil, errCombination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.")
	}
	state, err := in.get("StateValue").str()
	if err != nil {
		return nil, err
	}
	switch state {
	case "", StateOK, StateAlarm, StateInsufficientData:
	default:
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter StateValue is invalid.", state))
	}
	actionPrefix, err := in.get("ActionPrefix").str()
	if err != nil {
		return nil, err
	}
	wantMetric, err := wantsMetricAlarms(in)
	if err != nil {
		return nil, err
	}
	maxRecords, err := maxRecordsOf(in, 50)
	if err != nil {
		return nil, err
	}
	offset, err := decodeToken(in.get("NextToken"), "da")
	if err != nil {
		return nil, err
	}
	nameSet := map[string]bool{}
	for _, n := range names {
		nameSet[n] = true
	}
	s.mu.Lock()
	var match []*alarm
	if wantMetric {
		for _, a := range s.alarms {
			if len(names) > 0 && !nameSet[a.name] {
				continue
			}
			if prefix != "" && !strings.HasPrefix(a.name, prefix) {
				continue
			}
			if state != "" && a.state != state {
				continue
			}
			if actionPrefix != "" && !anyPrefix(a, actionPrefix) {
				continue
			}
			match = append(match, a)
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].name < match[j].name })
	if offset > len(match) {
		s.mu.Unlock()
		return nil, errNextToken()
	}
	page := match[offset:]
	more := false
	if int64(len(page)) > maxRecords {
		page, more = page[:maxRecords], true
	}
	list := make([]any, 0, len(page))
	for _, a := range page {
		list = append(list, a.out())
	}
	s.mu.Unlock()
	out := obj{}.with("MetricAlarms", list).with("CompositeAlarms", []any{})
	if more {
		out = out.with("NextToken", wire.Token("da", offset+len(page)))
	}
	return out, nil
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
func (s *Service) opDeleteAlarms(in val) (obj, error) {
	names, err := in.get("AlarmNames").strs()
	if err != nil {
		return nil, err
	}
	if in.get("AlarmNames").missing() {
		return nil, errMissing("AlarmNames")
	}
	if len(names) > 100 {
		return nil, errInvalidValue("The collection AlarmNames must not have a size greater than 100.")
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		if _, ok := s.alarms[n]; !ok {
			return nil, errNotFound(fmt.Sprintf("Alarm %s does not exist.", n))
		}
	}
	for _, n := range names {
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
func (s *Service) opSetAlarmState(in val) (obj, error) {
	name, err := in.get("AlarmName").str()
	if err != nil {
		return nil, err
	}
	state, err := in.get("StateValue").str()
	if err != nil {
		return nil, err
	}
	reason, err := in.get("StateReason").str()
	if err != nil {
		return nil, err
	}
	data, err := in.get("StateReasonData").str()
	if err != nil {
		return nil, err
	}
	switch {
	case name == "":
		return nil, errMissing("AlarmName")
	case state == "":
		return nil, errMissing("StateValue")
	case in.get("StateReason").missing():
		return nil, errMissing("StateReason")
	}
	switch state {
	case StateOK, StateAlarm, StateInsufficientData:
	default:
		return nil, errValidation(fmt.Sprintf("1 validation error detected: Value '%s' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]", state))
	}
	if len(reason) > 1023 {
		return nil, errValidation("1 validation error detected: Value at 'stateReason' failed to satisfy constraint: Member must have length less than or equal to 1023")
	}
	if data != "" && !json.Valid([]byte(data)) {
		return nil, errFormat("Unknown")
	}
	now := s.clock.Now()
	s.mu.Lock()
	a, ok := s.alarms[name]
	if !ok {
		s.mu.Unlock()
		return nil, errNotFound(fmt.Sprintf("Alarm %s does not exist.", name))
	}
	old := a.state
	t := s.setState(a, state, reason, data, now)
	s.mu.Unlock()
	if old != state {
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
func wantsMetricAlarms(in val) (bool, error) {
	types, err := in.get("AlarmTypes").strs()
	if err != nil {
		return false, err
	}
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

// maxRecordsOf reads MaxRecords (1 to 100), def when it is absent.
func maxRecordsOf(in val, def int64) (int64, error) {
	m, err := in.get("MaxRecords").int()
	switch {
	case err != nil:
		return 0, err
	case m == nil:
		return def, nil
	case *m < 1 || *m > 100:
		return 0, errInvalidValue("The parameter MaxRecords must be between 1 and 100.")
	}
	return *m, nil
}

func (s *Service) opDescribeAlarmHistory(in val) (obj, error) {
	name, err := in.get("AlarmName").str()
	if err != nil {
		return nil, err
	}
	typ, err := in.get("HistoryItemType").str()
	if err != nil {
		return nil, err
	}
	if typ != "" && !historyTypes[typ] {
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter HistoryItemType is invalid.", typ))
	}
	wantMetric, err := wantsMetricAlarms(in)
	if err != nil {
		return nil, err
	}
	start, err := in.get("StartDate").time()
	if err != nil {
		return nil, err
	}
	end, err := in.get("EndDate").time()
	if err != nil {
		return nil, err
	}
	scanBy, err := in.get("ScanBy").str()
	if err != nil {
		return nil, err
	}
	switch scanBy {
	case "", "TimestampDescending", "TimestampAscending":
	default:
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter ScanBy is invalid.", scanBy))
	}
	maxRecords, err := maxRecordsOf(in, 100)
	if err != nil {
		return nil, err
	}
	offset, err := decodeToken(in.get("NextToken"), "ah")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	var match []historyItem
	if wantMetric {
		for _, h := range s.history {
			if name != "" && h.alarmName != name {
				continue
			}
			if typ != "" && h.typ != typ {
				continue
			}
			if start != nil && h.time.Before(*start) {
				continue
			}
			if end != nil && h.time.After(*end) {
				continue
			}
			match = append(match, h)
		}
	}
	s.mu.Unlock()
	sort.SliceStable(match, func(i, j int) bool { return match[i].time.Before(match[j].time) })
	if scanBy != "TimestampAscending" {
		for i, j := 0, len(match)-1; i < j; i, j = i+1, j-1 {
			match[i], match[j] = match[j], match[i]
		}
	}
	if offset > len(match) {
		return nil, errNextToken()
	}
	page := match[offset:]
	more := false
	if int64(len(page)) > maxRecords {
		page, more = page[:maxRecords], true
	}
	list := make([]any, 0, len(page))
	for _, h := range page {
		list = append(list, obj{}.with("AlarmName", h.alarmName).with("AlarmType", "MetricAlarm").
			with("Timestamp", h.time).with("HistoryItemType", h.typ).
			with("HistorySummary", h.summary).with("HistoryData", h.data))
	}
	out := obj{}.with("AlarmHistoryItems", list)
	if more {
		out = out.with("NextToken", wire.Token("ah", offset+len(page)))
	}
	return out, nil
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

func (s *Service) opTagResource(in val) (obj, error) {
	arn, err := in.get("ResourceARN").str()
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(in.get("Tags"))
	if err != nil {
		return nil, err
	}
	if in.get("Tags").missing() {
		return nil, errMissing("Tags")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.alarmByARN(arn)
	if err != nil {
		return nil, err
	}
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
}

func (s *Service) opUntagResource(in val) (obj, error) {
	arn, err := in.get("ResourceARN").str()
	if err != nil {
		return nil, err
	}
	keys, err := in.get("TagKeys").strs()
	if err != nil {
		return nil, err
	}
	if in.get("TagKeys").missing() {
		return nil, errMissing("TagKeys")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.alarmByARN(arn)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		delete(s.tags[a.arn], k)
	}
	return nil, nil
}

func (s *Service) opListTagsForResource(in val) (obj, error) {
	arn, err := in.get("ResourceARN").str()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.alarmByARN(arn)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(s.tags[a.arn]))
	for k := range s.tags[a.arn] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	list := make([]any, 0, len(keys))
	for _, k := range keys {
		list = append(list, obj{{"Key", k}, {"Value", s.tags[a.arn][k]}})
	}
	return obj{}.with("Tags", list), nil
}
