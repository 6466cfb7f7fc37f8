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
	t      time.Time
	unit   string
	values []float64
	counts []float64
	set    *statSet
}

type statSet struct{ count, sum, min, max float64 }

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
	hasSet               bool     // some points were statistic sets
}

type sample struct{ v, n float64 }

func (a *agg) addPoint(p point) {
	if p.set != nil {
		a.hasSet = true
		a.merge(p.set.count, p.set.sum, p.set.min, p.set.max)
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
// bucket (no samples, or a percentile over statistic sets, which CloudWatch
// cannot compute either).
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
		if a.hasSet || len(a.samples) == 0 {
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

// bucketStart aligns t down to a multiple of period seconds since the epoch.
func bucketStart(t time.Time, period int64) time.Time {
	sec := t.Unix()
	b := sec - ((sec%period)+period)%period
	return time.Unix(b, 0).UTC()
}

// buckets aggregates m's points in [start, end) into period buckets keyed by
// their aligned start, keeping only points with the given unit when unit is
// not empty.
func (m *metric) buckets(start, end time.Time, period int64, unit string) map[int64]*agg {
	out := map[int64]*agg{}
	i := sort.Search(len(m.points), func(i int) bool { return !m.points[i].t.Before(start) })
	for ; i < len(m.points) && m.points[i].t.Before(end); i++ {
		p := m.points[i]
		if unit != "" && p.unit != unit {
			continue
		}
		k := bucketStart(p.t, period).Unix()
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
