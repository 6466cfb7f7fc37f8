package cwsim

import (
	"fmt"
	"sort"
	"time"
)

// How long CloudWatch keeps data at each resolution (GetMetricData and
// GetMetricStatistics, "Amazon CloudWatch retains metric data as
// follows"): periods under a minute for 3 hours, one minute for 15 days,
// five minutes for 63 days, an hour for 455 days.
const (
	subMinuteRetention = 3 * time.Hour
	minuteRetention    = 15 * 24 * time.Hour
	fiveMinRetention   = 63 * 24 * time.Hour
	hourRetention      = 455 * 24 * time.Hour
)

// roundStart rounds a query's StartTime down as CloudWatch does (the
// StartTime member of GetMetricData and GetMetricStatistics): for a period
// under a minute, to a multiple of the period within the minute; otherwise
// to the minute when it is less than 15 days before now, to 5 minutes when
// less than 63 days, to the hour beyond. Periods then start at the rounded
// StartTime: a 5-minute period from 12:02:34 covers 12:02 to 12:07.
func roundStart(start, now time.Time, period int64) time.Time {
	if period < 60 {
		return start.Truncate(time.Duration(period) * time.Second)
	}
	switch age := now.Sub(start); {
	case age < minuteRetention:
		return start.Truncate(time.Minute)
	case age < fiveMinRetention:
		return start.Truncate(5 * time.Minute)
	default:
		return start.Truncate(time.Hour)
	}
}

// available says whether CloudWatch still has the data of a period of
// the given length starting at t, as of now: a finer period only while
// data is kept at that resolution (the Period member: "If the StartTime
// parameter specifies a time stamp that is greater than 3 hours ago, you
// must specify the period as follows or no data points in that time range
// is returned").
func available(t, now time.Time, period int64) bool {
	switch age := now.Sub(t); {
	case age < subMinuteRetention:
		return true
	case age < minuteRetention:
		return period%60 == 0
	case age < fiveMinRetention:
		return period%300 == 0
	case age < hourRetention:
		return period%3600 == 0
	}
	return false
}

// maxStatisticsDatapoints is GetMetricStatistics' limit on the datapoints
// one call may ask for.
const maxStatisticsDatapoints = 1440

type getMetricStatisticsInput struct {
	Namespace, MetricName string
	Dimensions            []dimensionInput
	StartTime, EndTime    *time.Time
	Period                *int64
	Statistics            []string
	ExtendedStatistics    []string
	Unit                  string
}

// statisticsPlan is a checked GetMetricStatistics request.
type statisticsPlan struct {
	dims       []dim
	period     int64
	statistics map[string]bool
	extended   []stat
}

func (in *getMetricStatisticsInput) check() (statisticsPlan, error) {
	switch {
	case in.Namespace == "":
		return statisticsPlan{}, errMissing("Namespace")
	case in.MetricName == "":
		return statisticsPlan{}, errMissing("MetricName")
	case in.StartTime == nil:
		return statisticsPlan{}, errMissing("StartTime")
	case in.EndTime == nil:
		return statisticsPlan{}, errMissing("EndTime")
	case in.Period == nil:
		return statisticsPlan{}, errMissing("Period")
	case !validPeriod(*in.Period, true):
		return statisticsPlan{}, errInvalidValue("The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.")
	case !in.EndTime.After(*in.StartTime):
		return statisticsPlan{}, errInvalidValue("The parameter StartTime must be less than the parameter EndTime.")
	case len(in.Statistics) > 0 && len(in.ExtendedStatistics) > 0:
		return statisticsPlan{}, errCombination("The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.")
	case len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0:
		return statisticsPlan{}, errCombination("Must specify either Statistics or ExtendedStatistics.")
	case len(in.Statistics) > 5:
		return statisticsPlan{}, errInvalidValue("The collection Statistics must not have a size greater than 5.")
	case len(in.ExtendedStatistics) > 10:
		return statisticsPlan{}, errInvalidValue("The collection ExtendedStatistics must not have a size greater than 10.")
	case in.Unit != "" && !standardUnits[in.Unit]:
		return statisticsPlan{}, errInvalidValue(fmt.Sprintf("The value %s for parameter Unit is invalid.", in.Unit))
	}
	p := statisticsPlan{period: *in.Period, statistics: map[string]bool{}}
	for i, name := range in.Statistics {
		st, ok := parseStat(name)
		if !ok || st.name == "p" {
			return statisticsPlan{}, errInvalidValue(fmt.Sprintf("The value %s for parameter Statistics.member.%d is invalid.", name, i+1))
		}
		p.statistics[st.name] = true
	}
	for i, name := range in.ExtendedStatistics {
		st, ok := parseStat(name)
		if !ok || st.name != "p" {
			return statisticsPlan{}, errInvalidValue(fmt.Sprintf("The value %s for parameter ExtendedStatistics.member.%d is invalid or not supported by the gameday simulator (pNN or pNN.NN).", name, i+1))
		}
		p.extended = append(p.extended, st)
	}
	var err error
	p.dims, err = parseDims("Dimensions", in.Dimensions)
	return p, err
}

func (s *Service) opGetMetricStatistics(in *getMetricStatisticsInput) (obj, error) {
	p, err := in.check()
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	start := roundStart(*in.StartTime, now, p.period)
	span := in.EndTime.Sub(start)
	n := int64((span + time.Duration(p.period)*time.Second - 1) / (time.Duration(p.period) * time.Second))
	if n > maxStatisticsDatapoints {
		return nil, errCombination(fmt.Sprintf("You have requested up to %s datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", thousands(n)))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	points := []any{}
	if m, ok := s.metrics[metricKey(in.Namespace, in.MetricName, p.dims)]; ok {
		points = statisticsDatapoints(m.aggregate(start, *in.EndTime, p.period, in.Unit, true, nil), p, now)
	}
	return obj{}.with("Label", in.MetricName).with("Datapoints", points), nil
}

// statisticsDatapoints writes one Datapoint per period and unit that has
// data, oldest first (CloudWatch promises no order).
func statisticsDatapoints(buckets map[bucketKey]*agg, p statisticsPlan, now time.Time) []any {
	keys := make([]bucketKey, 0, len(buckets))
	for k := range buckets {
		if available(time.Unix(k.t, 0), now, p.period) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].t != keys[j].t {
			return keys[i].t < keys[j].t
		}
		return keys[i].unit < keys[j].unit
	})
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		a := buckets[k]
		d := obj{}.with("Timestamp", time.Unix(k.t, 0).UTC())
		for _, name := range []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"} { // the model's xmlOrder
			if p.statistics[name] {
				v, _ := a.value(stat{name: name})
				d = d.with(name, v)
			}
		}
		d = d.with("Unit", k.unit)
		if len(p.extended) > 0 {
			ext := omap{}
			for _, st := range p.extended {
				if v, ok := a.value(st); ok {
					ext = append(ext, field{st.text, v})
				}
			}
			d = d.with("ExtendedStatistics", ext)
		}
		out = append(out, d)
	}
	return out
}

// thousands writes n with comma separators, as CloudWatch's messages do.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
