package cwsim

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// dim is one metric dimension.
type dim struct{ Name, Value string }

// metric is one CloudWatch metric: namespace, name and the exact set of
// dimensions, and its points in time order.
type metric struct {
	namespace, name string
	dims            []dim // sorted by name
	points          []point
}

// point is one PutMetricData datum: raw values with counts, or a statistic set.
type point struct {
	t time.Time
	// received is when the simulator got it: alarms see it ingestionDelay
	// later.
	received time.Time
	unit     string
	values   []float64
	counts   []float64
	set      *statSet
	// highRes is StorageResolution 1: the point keeps its second. A
	// standard-resolution point is stored at the start of its minute, as
	// CloudWatch stores it at 1-minute resolution (MetricDatum
	// StorageResolution), so a sub-minute query or alarm finds it only in
	// the period that starts the minute.
	highRes bool
}

type statSet struct{ count, sum, min, max float64 }

// singleValue says whether the set is one value repeated, the only sets
// CloudWatch computes percentiles from (PutMetricData: SampleCount 1 with
// Min, Max and Sum equal, or Min equal to Max and Sum to Min × SampleCount).
func (s *statSet) singleValue() bool {
	return s.min == s.max && math.Abs(s.sum-s.min*s.count) <= 1e-9*math.Max(1, math.Abs(s.sum))
}

func metricKey(namespace, name string, dims []dim) string {
	var b strings.Builder
	b.WriteString(strconv.Quote(namespace))
	b.WriteString(strconv.Quote(name))
	for _, d := range dims {
		b.WriteString(strconv.Quote(d.Name))
		b.WriteString(strconv.Quote(d.Value))
	}
	return b.String()
}

func sortDims(d []dim) []dim {
	out := append([]dim(nil), d...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// lastReceived is when the metric last received a datum.
func (m *metric) lastReceived() (time.Time, bool) {
	var last time.Time
	for _, p := range m.points {
		if p.received.After(last) {
			last = p.received
		}
	}
	return last, len(m.points) > 0
}

func (m *metric) add(p point) {
	i := sort.Search(len(m.points), func(i int) bool { return m.points[i].t.After(p.t) })
	m.points = append(m.points, point{})
	copy(m.points[i+1:], m.points[i:])
	m.points[i] = p
}

// agg is the aggregate of the points in one period bucket.
type agg struct {
	count, sum, min, max float64
	samples              []sample // raw values, for percentiles
	// noPercentile: the period holds a statistic set that is not one value
	// repeated, or a negative value; CloudWatch has no percentile for it
	// (GetMetricStatistics: "Percentile statistics are not available for
	// metrics when any of the metric values are negative numbers").
	noPercentile bool
}

type sample struct{ v, n float64 }

func (a *agg) addPoint(p point) {
	if s := p.set; s != nil {
		if s.singleValue() {
			a.samples = append(a.samples, sample{s.min, s.count})
		} else {
			a.noPercentile = true
		}
		a.noPercentile = a.noPercentile || s.min < 0
		a.merge(s.count, s.sum, s.min, s.max)
		return
	}
	for i, v := range p.values {
		n := 1.0
		if i < len(p.counts) {
			n = p.counts[i]
		}
		if n <= 0 {
			continue
		}
		a.samples = append(a.samples, sample{v, n})
		a.noPercentile = a.noPercentile || v < 0
		a.merge(n, v*n, v, v)
	}
}

func (a *agg) merge(count, sum, min, max float64) {
	if a.count == 0 {
		a.min, a.max = min, max
	} else {
		a.min = math.Min(a.min, min)
		a.max = math.Max(a.max, max)
	}
	a.count += count
	a.sum += sum
}

// stat is a parsed statistic: one of the five names, or a percentile.
type stat struct {
	name string  // SampleCount, Average, Sum, Minimum, Maximum, or "p"
	pct  float64 // for "p"
	text string  // as given
}

var percentileRE = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,2})?|100(\.0{1,2})?)$`)

func parseStat(s string) (stat, bool) {
	switch s {
	case "SampleCount", "Average", "Sum", "Minimum", "Maximum":
		return stat{name: s, text: s}, true
	}
	if percentileRE.MatchString(s) {
		f, err := strconv.ParseFloat(s[1:], 64)
		if err == nil && f >= 0 && f <= 100 {
			return stat{name: "p", pct: f, text: s}, true
		}
	}
	return stat{}, false
}

// value computes the statistic; ok is false when it has no value for the
// bucket (no samples, or a percentile CloudWatch cannot compute either: see
// noPercentile).
func (a *agg) value(st stat) (float64, bool) {
	if a.count == 0 {
		return 0, false
	}
	switch st.name {
	case "SampleCount":
		return a.count, true
	case "Sum":
		return a.sum, true
	case "Average":
		return a.sum / a.count, true
	case "Minimum":
		return a.min, true
	case "Maximum":
		return a.max, true
	case "p":
		if a.noPercentile || len(a.samples) == 0 {
			return 0, false
		}
		return percentile(a.samples, st.pct), true
	}
	return 0, false
}

// percentile is the nearest-rank percentile over weighted samples: the
// smallest value v such that at least pct% of the samples are <= v.
func percentile(samples []sample, pct float64) float64 {
	s := append([]sample(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i].v < s[j].v })
	var total float64
	for _, x := range s {
		total += x.n
	}
	if pct <= 0 {
		return s[0].v
	}
	rank := math.Ceil(pct / 100 * total)
	var cum float64
	for _, x := range s {
		cum += x.n
		if cum >= rank {
			return x.v
		}
	}
	return s[len(s)-1].v
}

// buckets aggregates m's points in [start, end) into period buckets that
// start at start, keyed by their start in Unix seconds, keeping only points
// with the given unit when unit is not empty.
func (m *metric) buckets(start, end time.Time, period int64, unit string) map[int64]*agg {
	return m.bucketsSeen(start, end, period, unit, nil)
}

// bucketsSeen is buckets with only the points seen says are there, all when
// seen is nil.
func (m *metric) bucketsSeen(start, end time.Time, period int64, unit string, seen func(point) bool) map[int64]*agg {
	out := map[int64]*agg{}
	for k, a := range m.aggregate(start, end, period, unit, false, seen) {
		out[k.t] = a
	}
	return out
}

// bucketKey is one period bucket (its start in Unix seconds) and, when
// aggregating by unit, one unit.
type bucketKey struct {
	t    int64
	unit string
}

// aggregate is bucketsSeen with, when byUnit, a bucket per unit in each
// period, as GetMetricStatistics answers a query without Unit.
func (m *metric) aggregate(start, end time.Time, period int64, unit string, byUnit bool, seen func(point) bool) map[bucketKey]*agg {
	out := map[bucketKey]*agg{}
	i := sort.Search(len(m.points), func(i int) bool { return !m.points[i].t.Before(start) })
	for ; i < len(m.points) && m.points[i].t.Before(end); i++ {
		p := m.points[i]
		if (unit != "" && p.unit != unit) || (seen != nil && !seen(p)) {
			continue
		}
		k := bucketKey{t: start.Unix() + (p.t.Unix()-start.Unix())/period*period}
		if byUnit {
			k.unit = p.unit
		}
		a, ok := out[k]
		if !ok {
			a = &agg{}
			out[k] = a
		}
		a.addPoint(p)
	}
	return out
}

var standardUnits = map[string]bool{}

func init() {
	for _, u := range strings.Fields(`Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes
		Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second
		Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second
		Gigabits/Second Terabits/Second Count/Second None`) {
		standardUnits[u] = true
	}
}

// javaDouble formats f as CloudWatch (a Java service) prints doubles in
// reasons and history: 42.0, 0.5, 1.0E-4, 1.2345678E7.
func javaDouble(f float64) string {
	if math.IsNaN(f) {
		return "NaN"
	}
	if math.IsInf(f, 0) {
		if f > 0 {
			return "Infinity"
		}
		return "-Infinity"
	}
	a := math.Abs(f)
	if f == 0 || (a >= 1e-3 && a < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1.2345678E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return fmt.Sprintf("%sE%d", mant, e)
}
