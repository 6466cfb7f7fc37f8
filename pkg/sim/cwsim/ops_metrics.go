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

func parseDims(v val) ([]dim, error) {
	l, err := v.list()
	if err != nil {
		return nil, err
	}
	if len(l) > maxDimensions {
		return nil, errInvalidValue(fmt.Sprintf("The collection %s must not have a size greater than %d.", v.path, maxDimensions))
	}
	seen := map[string]bool{}
	out := make([]dim, 0, len(l))
	for _, e := range l {
		name, err := e.get("Name").str()
		if err != nil {
			return nil, err
		}
		value, err := e.get("Value").str()
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, errMissing(e.path + ".Name")
		}
		if value == "" {
			return nil, errMissing(e.path + ".Value")
		}
		if len(name) > 255 || len(value) > 1024 {
			return nil, errInvalidValue(fmt.Sprintf("The parameter %s is too long.", e.path))
		}
		if seen[name] {
			return nil, errInvalidValue(fmt.Sprintf("The dimension %s is specified more than once in %s.", name, v.path))
		}
		seen[name] = true
		out = append(out, dim{name, value})
	}
	return sortDims(out), nil
}

func (s *Service) opPutMetricData(in val) (obj, error) {
	ns, err := in.get("Namespace").str()
	if err != nil {
		return nil, err
	}
	if ns == "" {
		return nil, errMissing("Namespace")
	}
	if len(ns) > 255 {
		return nil, errInvalidValue("The parameter Namespace must be 255 characters or fewer.")
	}
	if strings.HasPrefix(ns, "AWS/") {
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter Namespace is invalid.", ns))
	}
	data, err := in.get("MetricData").list()
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, errMissing("MetricData")
	}
	if len(data) > maxMetricData {
		return nil, errInvalidValue(fmt.Sprintf("The collection MetricData must not have a size greater than %d.", maxMetricData))
	}
	now := s.clock.Now()
	type parsed struct {
		name string
		dims []dim
		p    point
	}
	var all []parsed
	for _, d := range data {
		name, err := d.get("MetricName").str()
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, errMissing(d.path + ".MetricName")
		}
		if len(name) > 255 {
			return nil, errInvalidValue(fmt.Sprintf("The parameter %s.MetricName must be 255 characters or fewer.", d.path))
		}
		dims, err := parseDims(d.get("Dimensions"))
		if err != nil {
			return nil, err
		}
		unit, err := d.get("Unit").str()
		if err != nil {
			return nil, err
		}
		if unit == "" {
			unit = "None"
		}
		if !standardUnits[unit] {
			return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter %s.Unit is invalid.", unit, d.path))
		}
		ts, err := d.get("Timestamp").time()
		if err != nil {
			return nil, err
		}
		t := now
		if ts != nil {
			t = *ts
			if t.Before(now.Add(-maxPastPut)) {
				return nil, errInvalidValue(fmt.Sprintf("The parameter %s.Timestamp must specify a time no more than two weeks in the past.", d.path))
			}
			if t.After(now.Add(maxFuturePut)) {
				return nil, errInvalidValue(fmt.Sprintf("The parameter %s.Timestamp must specify a time no more than two hours in the future.", d.path))
			}
		}
		res, err := d.get("StorageResolution").int()
		if err != nil {
			return nil, err
		}
		if res != nil && *res != 1 && *res != 60 {
			return nil, errInvalidValue(fmt.Sprintf("The value %d for parameter %s.StorageResolution is invalid. Valid values are 1 and 60.", *res, d.path))
		}
		value, err := d.get("Value").float()
		if err != nil {
			return nil, err
		}
		values, err := d.get("Values").floats()
		if err != nil {
			return nil, err
		}
		counts, err := d.get("Counts").floats()
		if err != nil {
			return nil, err
		}
		sv := d.get("StatisticValues")
		hasValues := !d.get("Values").missing() && len(values) > 0
		hasSet := !sv.missing()
		switch {
		case value != nil && hasValues:
			return nil, errCombination(fmt.Sprintf("The parameters %[1]s.Value and %[1]s.Values are mutually exclusive and you have specified both.", d.path))
		case value != nil && hasSet:
			return nil, errCombination(fmt.Sprintf("The parameters %[1]s.Value and %[1]s.StatisticValues are mutually exclusive and you have specified both.", d.path))
		case hasValues && hasSet:
			return nil, errCombination(fmt.Sprintf("The parameters %[1]s.Values and %[1]s.StatisticValues are mutually exclusive and you have specified both.", d.path))
		case len(counts) > 0 && !hasValues:
			return nil, errCombination(fmt.Sprintf("The parameter %[1]s.Counts must be specified with %[1]s.Values.", d.path))
		case value == nil && !hasValues && !hasSet:
			return nil, errMissing(d.path + ".Value")
		}
		p := point{t: t, unit: unit}
		switch {
		case value != nil:
			if err := checkValue(d.path+".Value", *value); err != nil {
				return nil, err
			}
			p.values = []float64{*value}
		case hasValues:
			if len(values) > maxValuesPerDatum {
				return nil, errInvalidValue(fmt.Sprintf("The collection %s.Values must not have a size greater than %d.", d.path, maxValuesPerDatum))
			}
			if len(counts) > 0 && len(counts) != len(values) {
				return nil, errInvalidValue(fmt.Sprintf("The parameters %[1]s.Values and %[1]s.Counts must be of the same size.", d.path))
			}
			for i, v := range values {
				if err := checkValue(fmt.Sprintf("%s.Values.member.%d", d.path, i+1), v); err != nil {
					return nil, err
				}
			}
			for i, c := range counts {
				if c < 0 || math.IsNaN(c) || math.IsInf(c, 0) {
					return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter %s.Counts.member.%d is invalid.", strconv.FormatFloat(c, 'g', -1, 64), d.path, i+1))
				}
			}
			p.values, p.counts = values, counts
		default:
			var set statSet
			for _, f := range []struct {
				name string
				dst  *float64
			}{{"SampleCount", &set.count}, {"Sum", &set.sum}, {"Minimum", &set.min}, {"Maximum", &set.max}} {
				x, err := sv.get(f.name).float()
				if err != nil {
					return nil, err
				}
				if x == nil {
					return nil, errMissing(sv.path + "." + f.name)
				}
				if err := checkValue(sv.path+"."+f.name, *x); err != nil {
					return nil, err
				}
				*f.dst = *x
			}
			if set.count <= 0 {
				return nil, errInvalidValue(fmt.Sprintf("The parameter %s.SampleCount must be greater than 0.", sv.path))
			}
			if set.min > set.max {
				return nil, errInvalidValue(fmt.Sprintf("The parameter %[1]s.Minimum must be less than or equal to %[1]s.Maximum.", sv.path))
			}
			p.set = &set
		}
		all = append(all, parsed{name, dims, p})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range all {
		s.addPoint(ns, x.name, x.dims, x.p)
	}
	return nil, nil
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

// decodeToken reads a NextToken wire.Token wrote for kind; the listing's
// length is checked by the caller.
func decodeToken(v val, kind string) (int, error) {
	t, err := v.str()
	if err != nil {
		return 0, err
	}
	n, ok := wire.Offset(t, kind, math.MaxInt)
	if !ok {
		return 0, errNextToken()
	}
	return n, nil
}

type mdResult struct {
	id, label string
	times     []time.Time
	values    []float64
}

func (s *Service) opGetMetricData(in val) (obj, error) {
	queries, err := in.get("MetricDataQueries").list()
	if err != nil {
		return nil, err
	}
	if len(queries) == 0 {
		return nil, errMissing("MetricDataQueries")
	}
	if len(queries) > maxQueries {
		return nil, errInvalidValue(fmt.Sprintf("The collection MetricDataQueries must not have a size greater than %d.", maxQueries))
	}
	start, err := in.get("StartTime").time()
	if err != nil {
		return nil, err
	}
	if start == nil {
		return nil, errMissing("StartTime")
	}
	end, err := in.get("EndTime").time()
	if err != nil {
		return nil, err
	}
	if end == nil {
		return nil, errMissing("EndTime")
	}
	if !end.After(*start) {
		return nil, errValidation("The parameter EndTime must be greater than StartTime.")
	}
	scanBy, err := in.get("ScanBy").str()
	if err != nil {
		return nil, err
	}
	switch scanBy {
	case "":
		scanBy = "TimestampDescending"
	case "TimestampDescending", "TimestampAscending":
	default:
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter ScanBy is invalid.", scanBy))
	}
	maxDP := int64(defaultMaxDatapoint)
	if m, err := in.get("MaxDatapoints").int(); err != nil {
		return nil, err
	} else if m != nil {
		if *m <= 0 {
			return nil, errInvalidValue("The parameter MaxDatapoints must be greater than 0.")
		}
		maxDP = *m
	}
	offset, err := decodeToken(in.get("NextToken"), "dp")
	if err != nil {
		return nil, err
	}

	seen := map[string]bool{}
	var results []mdResult
	s.mu.Lock()
	for _, q := range queries {
		id, err := q.get("Id").str()
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		if id == "" {
			s.mu.Unlock()
			return nil, errMissing(q.path + ".Id")
		}
		if !queryIDRE.MatchString(id) || len(id) > 255 {
			s.mu.Unlock()
			return nil, errValidation(fmt.Sprintf("The value %s for parameter %s.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.", id, q.path))
		}
		if seen[id] {
			s.mu.Unlock()
			return nil, errValidation(fmt.Sprintf("The value %s for parameter %s.Id is duplicated.", id, q.path))
		}
		seen[id] = true
		res, err := s.runQuery(q, id, *start, *end, scanBy)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		if res != nil {
			results = append(results, *res)
		}
	}
	s.mu.Unlock()

	// Page over the datapoints of all results, in query order.
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
	return res, nil
}

// runQuery evaluates one MetricDataQuery; s.mu must be held. It returns nil
// for a query with ReturnData false.
func (s *Service) runQuery(q val, id string, start, end time.Time, scanBy string) (*mdResult, error) {
	expr, err := q.get("Expression").str()
	if err != nil {
		return nil, err
	}
	ms := q.get("MetricStat")
	if expr != "" && !ms.missing() {
		return nil, errCombination(fmt.Sprintf("The parameters %[1]s.MetricStat and %[1]s.Expression are mutually exclusive and you have specified both.", q.path))
	}
	if expr != "" {
		return nil, errValidation(fmt.Sprintf("%s.Expression: metric math and Metrics Insights expressions are not supported by the gameday simulator; use MetricStat.", q.path))
	}
	if ms.missing() {
		return nil, errCombination(fmt.Sprintf("Exactly one of %[1]s.MetricStat and %[1]s.Expression must be specified.", q.path))
	}
	mt := ms.get("Metric")
	ns, err := mt.get("Namespace").str()
	if err != nil {
		return nil, err
	}
	name, err := mt.get("MetricName").str()
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errMissing(mt.path + ".MetricName")
	}
	dims, err := parseDims(mt.get("Dimensions"))
	if err != nil {
		return nil, err
	}
	period, err := ms.get("Period").int()
	if err != nil {
		return nil, err
	}
	if qp, err := q.get("Period").int(); err != nil {
		return nil, err
	} else if period == nil {
		period = qp
	}
	if period == nil {
		return nil, errMissing(ms.path + ".Period")
	}
	if !validPeriod(*period, true) {
		return nil, errInvalidValue(fmt.Sprintf("The parameter %s.Period must be 1, 5, 10, 20, 30, or a multiple of 60.", ms.path))
	}
	statText, err := ms.get("Stat").str()
	if err != nil {
		return nil, err
	}
	if statText == "" {
		return nil, errMissing(ms.path + ".Stat")
	}
	st, ok := parseStat(statText)
	if !ok {
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter %s.Stat is invalid or not supported by the gameday simulator (SampleCount, Average, Sum, Minimum, Maximum, pNN or pNN.NN).", statText, ms.path))
	}
	unit, err := ms.get("Unit").str()
	if err != nil {
		return nil, err
	}
	if unit != "" && !standardUnits[unit] {
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter %s.Unit is invalid.", unit, ms.path))
	}
	label, err := q.get("Label").str()
	if err != nil {
		return nil, err
	}
	if label == "" {
		label = name
	}
	rd, err := q.get("ReturnData").bool()
	if err != nil {
		return nil, err
	}
	if rd != nil && !*rd {
		return nil, nil
	}
	res := &mdResult{id: id, label: label}
	m, ok := s.metrics[metricKey(ns, name, dims)]
	if !ok {
		return res, nil
	}
	from := bucketStart(start, *period)
	buckets := m.buckets(from, end, *period, unit)
	keys := make([]int64, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	if scanBy == "TimestampDescending" {
		sort.Slice(keys, func(i, j int) bool { return keys[i] > keys[j] })
	}
	for _, k := range keys {
		if v, ok := buckets[k].value(st); ok {
			res.times = append(res.times, time.Unix(k, 0).UTC())
			res.values = append(res.values, v)
		}
	}
	return res, nil
}

func (s *Service) opListMetrics(in val) (obj, error) {
	ns, err := in.get("Namespace").str()
	if err != nil {
		return nil, err
	}
	name, err := in.get("MetricName").str()
	if err != nil {
		return nil, err
	}
	filters, err := in.get("Dimensions").list()
	if err != nil {
		return nil, err
	}
	if len(filters) > 10 {
		return nil, errInvalidValue("The collection Dimensions must not have a size greater than 10.")
	}
	type dimFilter struct {
		name  string
		value *string
	}
	var fs []dimFilter
	for _, f := range filters {
		n, err := f.get("Name").str()
		if err != nil {
			return nil, err
		}
		if n == "" {
			return nil, errMissing(f.path + ".Name")
		}
		v, err := f.get("Value").strp()
		if err != nil {
			return nil, err
		}
		fs = append(fs, dimFilter{n, v})
	}
	recent, err := in.get("RecentlyActive").str()
	if err != nil {
		return nil, err
	}
	if recent != "" && recent != "PT3H" {
		return nil, errInvalidValue(fmt.Sprintf("The value %s for parameter RecentlyActive is invalid.", recent))
	}
	offset, err := decodeToken(in.get("NextToken"), "lm")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	now := s.clock.Now()
	var ms []*metric
	for _, m := range s.metrics {
		if (ns != "" && m.namespace != ns) || (name != "" && m.name != name) {
			continue
		}
		if recent != "" && (len(m.points) == 0 || m.points[len(m.points)-1].t.Before(now.Add(-3*time.Hour))) {
			continue
		}
		match := true
		for _, f := range fs {
			found := false
			for _, d := range m.dims {
				if d.Name == f.name && (f.value == nil || *f.value == d.Value) {
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
	if offset > len(ms) {
		s.mu.Unlock()
		return nil, errNextToken()
	}
	page := ms[offset:]
	more := false
	if len(page) > listMetricsPage {
		page, more = page[:listMetricsPage], true
	}
	list := make([]any, 0, len(page))
	for _, m := range page {
		list = append(list, obj{}.with("Namespace", m.namespace).with("MetricName", m.name).with("Dimensions", dimsOut(m.dims)))
	}
	s.mu.Unlock()
	out := obj{}.with("Metrics", list)
	if more {
		out = out.with("NextToken", wire.Token("lm", offset+listMetricsPage))
	}
	return out, nil
}

func dimsOut(ds []dim) []any {
	out := make([]any, 0, len(ds))
	for _, d := range ds {
		out = append(out, obj{{"Name", d.Name}, {"Value", d.Value}})
	}
	return out
}
