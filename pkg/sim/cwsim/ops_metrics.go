package cwsim

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// Limits from the PutMetricData, GetMetricData and ListMetrics references.
const (
	maxMetricData       = 1000
	maxValuesPerDatum   = 150
	maxDimensions       = 30
	maxQueries          = 500
	defaultMaxDatapoint = 100800
	listMetricsPage     = 500
	listedFor           = 14 * 24 * time.Hour // ListMetrics: data reported in the past two weeks
	recentlyActive      = 3 * time.Hour       // ListMetrics' RecentlyActive PT3H
	maxPastPut          = 14 * 24 * time.Hour
	maxFuturePut        = 2 * time.Hour
	minMagnitude        = 8.515920e-109
	maxMagnitude        = 1.174271e+108
)

func checkValue(path string, f float64) error {
	a := math.Abs(f)
	if math.IsNaN(f) || math.IsInf(f, 0) || (a != 0 && (a < minMagnitude || a > maxMagnitude)) {
		return errInvalidValue(fmt.Sprintf("The value %s for parameter %s is invalid.", strconv.FormatFloat(f, 'g', -1, 64), path))
	}
	return nil
}

// parseDims checks the dimensions of the parameter param.
func parseDims(param string, l []dimensionInput) ([]dim, error) {
	if len(l) > maxDimensions {
		return nil, errInvalidValue(fmt.Sprintf("The collection %s must not have a size greater than %d.", param, maxDimensions))
	}
	seen := map[string]bool{}
	out := make([]dim, 0, len(l))
	for _, e := range l {
		if e.Name == "" {
			return nil, errMissing(e.Path + ".Name")
		}
		if e.Value == "" {
			return nil, errMissing(e.Path + ".Value")
		}
		if len(e.Name) > 255 || len(e.Value) > 1024 {
			return nil, errInvalidValue(fmt.Sprintf("The parameter %s is too long.", e.Path))
		}
		if seen[e.Name] {
			return nil, errInvalidValue(fmt.Sprintf("The dimension %s is specified more than once in %s.", e.Name, param))
		}
		seen[e.Name] = true
		out = append(out, dim{e.Name, e.Value})
	}
	return sortDims(out), nil
}

type (
	putMetricDataInput struct {
		Namespace  string
		MetricData []metricDatumInput
	}
	metricDatumInput struct {
		Path              string `cw:",path"`
		MetricName        string
		Dimensions        []dimensionInput
		Timestamp         *time.Time
		Value             *float64
		StatisticValues   *statisticSetInput
		Values, Counts    []float64
		Unit              string
		StorageResolution *int64
	}
	statisticSetInput struct {
		Path                               string `cw:",path"`
		SampleCount, Sum, Minimum, Maximum *float64
	}
)

func (s *Service) opPutMetricData(in *putMetricDataInput) (obj, error) {
	switch {
	case in.Namespace == "":
		return nil, errMissing("Namespace")
	case len(in.Namespace) > 255:
		return nil, errInvalidValue("The parameter Namespace must be 255 characters or fewer.")
	case strings.HasPrefix(in.Namespace, "AWS/"):
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter Namespace is invalid.", in.Namespace))
	case len(in.MetricData) == 0:
		return nil, errMissing("MetricData")
	case len(in.MetricData) > maxMetricData:
		return nil, errInvalidValue(fmt.Sprintf("The collection MetricData must not have a size greater than %d.", maxMetricData))
	}
	now := s.clock.Now()
	type parsed struct {
		name string
		dims []dim
		p    point
	}
	all := make([]parsed, 0, len(in.MetricData))
	for _, d := range in.MetricData {
		dims, p, err := d.parse(now)
		if err != nil {
			return nil, err
		}
		all = append(all, parsed{d.MetricName, dims, p})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range all {
		s.addPoint(in.Namespace, x.name, x.dims, x.p)
	}
	return nil, nil
}

// parse checks one datum and returns its dimensions and point.
func (d *metricDatumInput) parse(now time.Time) ([]dim, point, error) {
	if d.MetricName == "" {
		return nil, point{}, errMissing(d.Path + ".MetricName")
	}
	if len(d.MetricName) > 255 {
		return nil, point{}, errInvalidValue(fmt.Sprintf("The parameter %s.MetricName must be 255 characters or fewer.", d.Path))
	}
	dims, err := parseDims(d.Path+".Dimensions", d.Dimensions)
	if err != nil {
		return nil, point{}, err
	}
	p := point{t: now, received: now, unit: d.Unit}
	if p.unit == "" {
		p.unit = "None"
	}
	if !standardUnits[p.unit] {
		return nil, point{}, errInvalidValue(fmt.Sprintf("The value %s for parameter %s.Unit is invalid.", p.unit, d.Path))
	}
	if ts := d.Timestamp; ts != nil {
		p.t = *ts
		if p.t.Before(now.Add(-maxPastPut)) {
			return nil, point{}, errInvalidValue(fmt.Sprintf("The parameter %s.Timestamp must specify a time no more than two weeks in the past.", d.Path))
		}
		if p.t.After(now.Add(maxFuturePut)) {
			return nil, point{}, errInvalidValue(fmt.Sprintf("The parameter %s.Timestamp must specify a time no more than two hours in the future.", d.Path))
		}
	}
	if res := d.StorageResolution; res != nil && *res != 1 && *res != 60 {
		return nil, point{}, errInvalidValue(fmt.Sprintf("The value %d for parameter %s.StorageResolution is invalid. Valid values are 1 and 60.", *res, d.Path))
	}
	p.highRes = d.StorageResolution != nil && *d.StorageResolution == 1
	if err := d.values(&p); err != nil {
		return nil, point{}, err
	}
	return dims, p, nil
}

// values checks the datum's value, values and counts, or statistic set,
// and puts them in p.
func (d *metricDatumInput) values(p *point) error {
	hasValues, hasSet := len(d.Values) > 0, d.StatisticValues != nil
	switch {
	case d.Value != nil && hasValues:
		return errCombination(fmt.Sprintf("The parameters %[1]s.Value and %[1]s.Values are mutually exclusive and you have specified both.", d.Path))
	case d.Value != nil && hasSet:
		return errCombination(fmt.Sprintf("The parameters %[1]s.Value and %[1]s.StatisticValues are mutually exclusive and you have specified both.", d.Path))
	case hasValues && hasSet:
		return errCombination(fmt.Sprintf("The parameters %[1]s.Values and %[1]s.StatisticValues are mutually exclusive and you have specified both.", d.Path))
	case len(d.Counts) > 0 && !hasValues:
		return errCombination(fmt.Sprintf("The parameter %[1]s.Counts must be specified with %[1]s.Values.", d.Path))
	case d.Value == nil && !hasValues && !hasSet:
		return errMissing(d.Path + ".Value")
	case d.Value != nil:
		p.values = []float64{*d.Value}
		return checkValue(d.Path+".Value", *d.Value)
	case hasSet:
		set, err := d.StatisticValues.parse()
		p.set = set
		return err
	}
	if len(d.Values) > maxValuesPerDatum {
		return errInvalidValue(fmt.Sprintf("The collection %s.Values must not have a size greater than %d.", d.Path, maxValuesPerDatum))
	}
	if len(d.Counts) > 0 && len(d.Counts) != len(d.Values) {
		return errInvalidValue(fmt.Sprintf("The parameters %[1]s.Values and %[1]s.Counts must be of the same size.", d.Path))
	}
	for i, v := range d.Values {
		if err := checkValue(fmt.Sprintf("%s.Values.member.%d", d.Path, i+1), v); err != nil {
			return err
		}
	}
	for i, c := range d.Counts {
		if c < 0 || math.IsNaN(c) || math.IsInf(c, 0) {
			return errInvalidValue(fmt.Sprintf("The value %s for parameter %s.Counts.member.%d is invalid.", strconv.FormatFloat(c, 'g', -1, 64), d.Path, i+1))
		}
	}
	p.values, p.counts = d.Values, d.Counts
	return nil
}

func (sv *statisticSetInput) parse() (*statSet, error) {
	var set statSet
	for _, f := range []struct {
		name string
		in   *float64
		dst  *float64
	}{{"SampleCount", sv.SampleCount, &set.count}, {"Sum", sv.Sum, &set.sum}, {"Minimum", sv.Minimum, &set.min}, {"Maximum", sv.Maximum, &set.max}} {
		if f.in == nil {
			return nil, errMissing(sv.Path + "." + f.name)
		}
		if err := checkValue(sv.Path+"."+f.name, *f.in); err != nil {
			return nil, err
		}
		*f.dst = *f.in
	}
	if set.count <= 0 {
		return nil, errInvalidValue(fmt.Sprintf("The parameter %s.SampleCount must be greater than 0.", sv.Path))
	}
	if set.min > set.max {
		return nil, errInvalidValue(fmt.Sprintf("The parameter %[1]s.Minimum must be less than or equal to %[1]s.Maximum.", sv.Path))
	}
	return &set, nil
}

var queryIDRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

func validPeriod(p int64, allowHighRes bool) bool {
	if p <= 0 {
		return false
	}
	if p%60 == 0 {
		return true
	}
	if allowHighRes && (p == 1 || p == 5) {
		return true
	}
	return p == 10 || p == 20 || p == 30
}

type mdResult struct {
	id, label string
	times     []time.Time
	values    []float64
}

type (
	getMetricDataInput struct {
		MetricDataQueries  []metricDataQueryInput
		StartTime, EndTime *time.Time
		NextToken          string
		ScanBy             string
		MaxDatapoints      *int64
	}
	metricDataQueryInput struct {
		Path       string `cw:",path"`
		Id         string
		MetricStat *metricStatInput
		Expression string
		Label      string
		ReturnData *bool
		Period     *int64
	}
	metricStatInput struct {
		Path   string `cw:",path"`
		Metric struct {
			Path                  string `cw:",path"`
			Namespace, MetricName string
			Dimensions            []dimensionInput
		}
		Period *int64
		Stat   string
		Unit   string
	}
)

func (s *Service) opGetMetricData(in *getMetricDataInput) (obj, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	offset, ok := wire.Offset(in.NextToken, "dp", math.MaxInt)
	if !ok {
		return nil, errNextToken()
	}
	maxDP := int64(defaultMaxDatapoint)
	if in.MaxDatapoints != nil {
		maxDP = *in.MaxDatapoints
	}
	seen := map[string]bool{}
	var results []mdResult
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range in.MetricDataQueries {
		if err := q.checkID(seen); err != nil {
			return nil, err
		}
		res, err := s.runQuery(&q, *in.StartTime, *in.EndTime, now, in.ScanBy)
		if err != nil {
			return nil, err
		}
		if res != nil {
			results = append(results, *res)
		}
	}
	return pageResults(results, offset, maxDP), nil
}

// check checks the request's own parameters, not its queries; it makes
// ScanBy explicit.
func (in *getMetricDataInput) check() error {
	switch {
	case len(in.MetricDataQueries) == 0:
		return errMissing("MetricDataQueries")
	case len(in.MetricDataQueries) > maxQueries:
		return errInvalidValue(fmt.Sprintf("The collection MetricDataQueries must not have a size greater than %d.", maxQueries))
	case in.StartTime == nil:
		return errMissing("StartTime")
	case in.EndTime == nil:
		return errMissing("EndTime")
	case !in.EndTime.After(*in.StartTime):
		return errValidation("The parameter EndTime must be greater than StartTime.")
	}
	switch in.ScanBy {
	case "":
		in.ScanBy = "TimestampDescending"
	case "TimestampDescending", "TimestampAscending":
	default:
		return errInvalidValue(fmt.Sprintf("The value %s for parameter ScanBy is invalid.", in.ScanBy))
	}
	if m := in.MaxDatapoints; m != nil && *m <= 0 {
		return errInvalidValue("The parameter MaxDatapoints must be greater than 0.")
	}
	return nil
}

// checkID checks the query's Id, unique among those seen.
func (q *metricDataQueryInput) checkID(seen map[string]bool) error {
	switch {
	case q.Id == "":
		return errMissing(q.Path + ".Id")
	case !queryIDRE.MatchString(q.Id) || len(q.Id) > 255:
		return errValidation(fmt.Sprintf("The value %s for parameter %s.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.", q.Id, q.Path))
	case seen[q.Id]:
		return errValidation(fmt.Sprintf("The value %s for parameter %s.Id is duplicated.", q.Id, q.Path))
	}
	seen[q.Id] = true
	return nil
}

// pageResults pages over the datapoints of all results, in query order,
// from offset, at most maxDP of them.
func pageResults(results []mdResult, offset int, maxDP int64) obj {
	skip, budget := offset, maxDP
	consumed := 0
	out := make([]any, 0, len(results))
	truncated := false
	for _, r := range results {
		times, values := r.times, r.values
		n := len(times)
		from := min(skip, n)
		skip -= from
		to := n
		if int64(to-from) > budget {
			to = from + int(budget)
			truncated = true
		}
		budget -= int64(to - from)
		consumed += to - from
		status := "Complete"
		if to < n {
			status = "PartialData"
		}
		ts := make([]any, 0, to-from)
		vs := make([]any, 0, to-from)
		for i := from; i < to; i++ {
			ts = append(ts, times[i])
			vs = append(vs, values[i])
		}
		out = append(out, obj{}.with("Id", r.id).with("Label", r.label).with("Timestamps", ts).
			with("Values", vs).with("StatusCode", status).with("Messages", []any{}))
	}
	res := obj{}.with("MetricDataResults", out).with("Messages", []any{})
	if truncated {
		res = res.with("NextToken", wire.Token("dp", offset+consumed))
	}
	return res
}

// queryPlan is a checked MetricStat query.
type queryPlan struct {
	ns, name string
	dims     []dim
	period   int64
	stat     stat
	unit     string
}

// plan checks the query's MetricStat.
func (q *metricDataQueryInput) plan() (queryPlan, error) {
	ms := q.MetricStat
	switch {
	case q.Expression != "" && ms != nil:
		return queryPlan{}, errCombination(fmt.Sprintf("The parameters %[1]s.MetricStat and %[1]s.Expression are mutually exclusive and you have specified both.", q.Path))
	case q.Expression != "":
		return queryPlan{}, errValidation(fmt.Sprintf("%s.Expression: metric math and Metrics Insights expressions are not supported by the gameday simulator; use MetricStat.", q.Path))
	case ms == nil:
		return queryPlan{}, errCombination(fmt.Sprintf("Exactly one of %[1]s.MetricStat and %[1]s.Expression must be specified.", q.Path))
	case ms.Metric.MetricName == "":
		return queryPlan{}, errMissing(ms.Metric.Path + ".MetricName")
	}
	dims, err := parseDims(ms.Metric.Path+".Dimensions", ms.Metric.Dimensions)
	if err != nil {
		return queryPlan{}, err
	}
	period := ms.Period
	if period == nil {
		period = q.Period
	}
	switch {
	case period == nil:
		return queryPlan{}, errMissing(ms.Path + ".Period")
	case !validPeriod(*period, true):
		return queryPlan{}, errInvalidValue(fmt.Sprintf("The parameter %s.Period must be 1, 5, 10, 20, 30, or a multiple of 60.", ms.Path))
	case ms.Stat == "":
		return queryPlan{}, errMissing(ms.Path + ".Stat")
	}
	st, ok := parseStat(ms.Stat)
	if !ok {
		return queryPlan{}, errInvalidValue(fmt.Sprintf("The value %s for parameter %s.Stat is invalid or not supported by the gameday simulator (SampleCount, Average, Sum, Minimum, Maximum, pNN or pNN.NN).", ms.Stat, ms.Path))
	}
	if ms.Unit != "" && !standardUnits[ms.Unit] {
		return queryPlan{}, errInvalidValue(fmt.Sprintf("The value %s for parameter %s.Unit is invalid.", ms.Unit, ms.Path))
	}
	return queryPlan{ns: ms.Metric.Namespace, name: ms.Metric.MetricName, dims: dims, period: *period, stat: st, unit: ms.Unit}, nil
}

// runQuery evaluates one MetricDataQuery; s.mu must be held. It returns nil
// for a query with ReturnData false.
func (s *Service) runQuery(q *metricDataQueryInput, start, end, now time.Time, scanBy string) (*mdResult, error) {
	p, err := q.plan()
	if err != nil {
		return nil, err
	}
	if q.ReturnData != nil && !*q.ReturnData {
		return nil, nil
	}
	res := &mdResult{id: q.Id, label: q.Label}
	if res.label == "" {
		res.label = p.name
	}
	m, ok := s.metrics[metricKey(p.ns, p.name, p.dims)]
	if !ok {
		return res, nil
	}
	start = roundStart(start, now, p.period)
	buckets := m.buckets(start, end, p.period, p.unit)
	keys := make([]int64, 0, len(buckets))
	for k := range buckets {
		if available(time.Unix(k, 0), now, p.period) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	if scanBy == "TimestampDescending" {
		sort.Slice(keys, func(i, j int) bool { return keys[i] > keys[j] })
	}
	for _, k := range keys {
		if v, ok := buckets[k].value(p.stat); ok {
			res.times = append(res.times, time.Unix(k, 0).UTC())
			res.values = append(res.values, v)
		}
	}
	return res, nil
}

type listMetricsInput struct {
	Namespace, MetricName string
	Dimensions            []struct {
		Path  string `cw:",path"`
		Name  string
		Value *string
	}
	RecentlyActive string
	NextToken      string
}

func (s *Service) opListMetrics(in *listMetricsInput) (obj, error) {
	if len(in.Dimensions) > 10 {
		return nil, errInvalidValue("The collection Dimensions must not have a size greater than 10.")
	}
	for _, f := range in.Dimensions {
		if f.Name == "" {
			return nil, errMissing(f.Path + ".Name")
		}
	}
	if in.RecentlyActive != "" && in.RecentlyActive != "PT3H" {
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter RecentlyActive is invalid.", in.RecentlyActive))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.listMetrics(in, s.clock.Now())
	start, end, next, err := page(in.NextToken, "lm", nil, listMetricsPage, len(ms))
	if err != nil {
		return nil, err
	}
	list := make([]any, 0, end-start)
	for _, m := range ms[start:end] {
		list = append(list, obj{}.with("Namespace", m.namespace).with("MetricName", m.name).with("Dimensions", dimsOut(m.dims)))
	}
	return obj{}.with("Metrics", list).with("NextToken", next), nil
}

// listMetrics returns the metrics the request matches, sorted; s.mu must be
// held. A metric is listed while it has reported data in the past two
// weeks, and with RecentlyActive in the past three hours: both windows
// count from when the data was reported (put), not from its timestamps
// (the ListMetrics reference: "haven't reported data in the past two
// weeks", "had data points published in the past three hours"). A
// dimension filter matches a metric that has that dimension (with that
// value, when given), whatever other dimensions it has, as moto 5.2.1
// does.
func (s *Service) listMetrics(in *listMetricsInput, now time.Time) []*metric {
	var ms []*metric
	for _, m := range s.metrics {
		if (in.Namespace != "" && m.namespace != in.Namespace) || (in.MetricName != "" && m.name != in.MetricName) {
			continue
		}
		last, ok := m.lastReceived()
		if !ok || last.Before(now.Add(-listedFor)) || (in.RecentlyActive != "" && last.Before(now.Add(-recentlyActive))) {
			continue
		}
		match := true
		for _, f := range in.Dimensions {
			found := false
			for _, d := range m.dims {
				if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
					found = true
				}
			}
			match = match && found
		}
		if match {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool {
		return metricKey(ms[i].namespace, ms[i].name, ms[i].dims) < metricKey(ms[j].namespace, ms[j].name, ms[j].dims)
	})
	return ms
}

func dimsOut(ds []dim) []any {
	out := make([]any, 0, len(ds))
	for _, d := range ds {
		out = append(out, obj{{"Name", d.Name}, {"Value", d.Value}})
	}
	return out
}
