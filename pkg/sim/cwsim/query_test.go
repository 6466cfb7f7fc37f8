package cwsim

import (
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// manualClock is a clock the test moves by hand.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *manualClock) After(time.Duration) <-chan time.Time { return make(chan time.Time) }

func TestRoundStart(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 7, 17, 0, time.UTC)
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// The cases are the examples of the StartTime member of GetMetricData
	// and GetMetricStatistics.
	tests := []struct {
		name   string
		start  string
		period int64
		want   string
	}{
		{"under 15 days: to the minute", "2026-11-26T12:32:34Z", 60, "2026-11-26T12:32:00Z"},
		{"under 15 days, 5-minute period: still to the minute", "2026-11-26T12:32:34Z", 300, "2026-11-26T12:32:00Z"},
		{"15 to 63 days: to 5 minutes", "2026-10-26T12:32:34Z", 300, "2026-10-26T12:30:00Z"},
		{"over 63 days: to the hour", "2026-08-26T12:32:34Z", 3600, "2026-08-26T12:00:00Z"},
		{"10 s period: to 10 s", "2026-11-26T15:05:23Z", 10, "2026-11-26T15:05:20Z"},
		{"5 s period: the previous 5 minutes at 15:07:17", "2026-11-26T15:02:17Z", 5, "2026-11-26T15:02:15Z"},
		{"30 s period", "2026-11-26T15:05:59Z", 30, "2026-11-26T15:05:30Z"},
		{"1 s period keeps the second", "2026-11-26T15:05:59.5Z", 1, "2026-11-26T15:05:59Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := roundStart(at(tt.start), now, tt.period); !got.Equal(at(tt.want)) {
				t.Errorf("roundStart(%s, period %d) = %s, want %s", tt.start, tt.period, got.Format(time.RFC3339), tt.want)
			}
		})
	}
}

func TestAvailable(t *testing.T) {
	now := testOrigin
	day := 24 * time.Hour
	tests := []struct {
		age    time.Duration
		period int64
		want   bool
	}{
		{time.Hour, 10, true},
		{3*time.Hour - time.Second, 10, true},
		{3 * time.Hour, 10, false},
		{3 * time.Hour, 60, true},
		{15*day - time.Minute, 60, true},
		{15 * day, 60, false},
		{15 * day, 300, true},
		{63 * day, 300, false},
		{63 * day, 3600, true},
		{455 * day, 3600, false},
	}
	for _, tt := range tests {
		if got := available(now.Add(-tt.age), now, tt.period); got != tt.want {
			t.Errorf("available(%v ago, period %d) = %v, want %v", tt.age, tt.period, got, tt.want)
		}
	}
}

// statPoint is a GetMetricStatistics datapoint as the tests compare it.
type statPoint struct {
	T                                   time.Time
	Unit                                string
	SampleCount, Average, Sum, Min, Max *float64
	Ext                                 map[string]float64
}

func statPointsFrom(dps []types.Datapoint) []statPoint {
	out := make([]statPoint, 0, len(dps))
	for _, d := range dps {
		out = append(out, statPoint{T: aws.ToTime(d.Timestamp).UTC(), Unit: string(d.Unit), SampleCount: d.SampleCount,
			Average: d.Average, Sum: d.Sum, Min: d.Minimum, Max: d.Maximum, Ext: d.ExtendedStatistics})
	}
	return out
}

func TestGetMetricStatistics(t *testing.T) {
	_, c := newTestService(t)
	seedLatency(t, c)
	// Minute 9 again, in another unit: a query without Unit answers a
	// datapoint per unit.
	sec := datum("Latency", testOrigin.Add(-9*time.Minute+40*time.Second))
	sec.Value, sec.Unit = aws.Float64(0.2), types.StandardUnitSeconds
	if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("SockShop"), MetricData: []types.MetricDatum{sec}}); err != nil {
		t.Fatal(err)
	}
	min := func(n int) time.Time { return testOrigin.Add(time.Duration(-n) * time.Minute) }
	f := aws.Float64
	in := func(start, end time.Time, period int32, edit func(*cloudwatch.GetMetricStatisticsInput)) *cloudwatch.GetMetricStatisticsInput {
		in := &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("SockShop"), MetricName: aws.String("Latency"), Dimensions: cartsDims,
			StartTime: aws.Time(start), EndTime: aws.Time(end), Period: aws.Int32(period)}
		edit(in)
		return in
	}
	tests := []struct {
		name     string
		in       *cloudwatch.GetMetricStatisticsInput
		want     []statPoint
		wantCode string
	}{
		{"statistics per minute and unit", in(min(15), testOrigin, 60, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics = []types.Statistic{types.StatisticAverage, types.StatisticSampleCount, types.StatisticMaximum}
		}), []statPoint{
			{T: min(10), Unit: "Milliseconds", SampleCount: f(10), Average: f(5.5), Max: f(10)},
			{T: min(9), Unit: "Milliseconds", SampleCount: f(1), Average: f(100), Max: f(100)},
			{T: min(9), Unit: "Seconds", SampleCount: f(1), Average: f(0.2), Max: f(0.2)},
			{T: min(7), Unit: "Milliseconds", SampleCount: f(4), Average: f(10), Max: f(15)},
		}, ""},
		{"unit filter", in(min(15), testOrigin, 60, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics, in.Unit = []types.Statistic{types.StatisticSum}, types.StandardUnitSeconds
		}), []statPoint{{T: min(9), Unit: "Seconds", Sum: f(0.2)}}, ""},
		{"percentiles: none for the statistic set", in(min(15), testOrigin, 60, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.ExtendedStatistics, in.Unit = []string{"p50", "p99.9"}, types.StandardUnitMilliseconds
		}), []statPoint{
			{T: min(10), Unit: "Milliseconds", Ext: map[string]float64{"p50": 5, "p99.9": 10}},
			{T: min(9), Unit: "Milliseconds", Ext: map[string]float64{"p50": 100, "p99.9": 100}},
			{T: min(7), Unit: "Milliseconds", Ext: map[string]float64{}},
		}, ""},
		{"5-minute periods from the rounded StartTime", in(min(12).Add(34*time.Second), testOrigin, 300, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics, in.Unit = []types.Statistic{types.StatisticSum}, types.StandardUnitMilliseconds
		}), []statPoint{{T: min(12), Unit: "Milliseconds", Sum: f(155)}, {T: min(7), Unit: "Milliseconds", Sum: f(40)}}, ""},
		{"no such metric", in(min(15), testOrigin, 60, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.MetricName, in.Statistics = aws.String("Nope"), []types.Statistic{types.StatisticSum}
		}), []statPoint{}, ""},
		{"1440 datapoints", in(testOrigin.Add(-24*time.Hour), testOrigin, 60, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics = []types.Statistic{types.StatisticSum}
		}), []statPoint{{T: min(10), Unit: "Milliseconds", Sum: f(55)}, {T: min(9), Unit: "Milliseconds", Sum: f(100)},
			{T: min(9), Unit: "Seconds", Sum: f(0.2)}, {T: min(7), Unit: "Milliseconds", Sum: f(40)}}, ""},
		{"1441 datapoints", in(testOrigin.Add(-24*time.Hour-time.Minute), testOrigin, 60, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics = []types.Statistic{types.StatisticSum}
		}), nil, "InvalidParameterCombination"},
		{"both kinds of statistic", in(min(15), testOrigin, 60, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics, in.ExtendedStatistics = []types.Statistic{types.StatisticSum}, []string{"p50"}
		}), nil, "InvalidParameterCombination"},
		{"no statistic", in(min(15), testOrigin, 60, func(*cloudwatch.GetMetricStatisticsInput) {}), nil, "InvalidParameterCombination"},
		{"bad period", in(min(15), testOrigin, 45, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics = []types.Statistic{types.StatisticSum}
		}), nil, "InvalidParameterValue"},
		{"end before start", in(testOrigin, min(15), 60, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics = []types.Statistic{types.StatisticSum}
		}), nil, "InvalidParameterValue"},
		{"percentile as a statistic", in(min(15), testOrigin, 60, func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics = []types.Statistic{"p50"}
		}), nil, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.GetMetricStatistics(ctx, tt.in)
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("error %v, want code %q", err, tt.wantCode)
			}
			if err != nil {
				return
			}
			if aws.ToString(out.Label) != aws.ToString(tt.in.MetricName) {
				t.Errorf("Label = %q, want the metric name", aws.ToString(out.Label))
			}
			if diff := cmp.Diff(tt.want, statPointsFrom(out.Datapoints), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("datapoints (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPercentileRules: percentiles from statistic sets only when the set is
// one value repeated, and never for a period holding a negative value
// (PutMetricData and GetMetricStatistics); the other statistics are
// unaffected.
func TestPercentileRules(t *testing.T) {
	set := func(n, sum, lo, hi float64) *types.StatisticSet {
		return &types.StatisticSet{SampleCount: aws.Float64(n), Sum: aws.Float64(sum), Minimum: aws.Float64(lo), Maximum: aws.Float64(hi)}
	}
	tests := []struct {
		name    string
		data    func(d *types.MetricDatum)
		wantP50 []float64 // nil: no datapoint
		wantAvg float64
	}{
		{"raw values", func(d *types.MetricDatum) { d.Values = []float64{1, 2, 3} }, []float64{2}, 2},
		{"set of one value", func(d *types.MetricDatum) { d.StatisticValues = set(1, 7, 7, 7) }, []float64{7}, 7},
		{"set of one value repeated", func(d *types.MetricDatum) { d.StatisticValues = set(4, 20, 5, 5) }, []float64{5}, 5},
		{"set of several values", func(d *types.MetricDatum) { d.StatisticValues = set(4, 40, 5, 15) }, nil, 10},
		{"set with min = max but another sum", func(d *types.MetricDatum) { d.StatisticValues = set(4, 21, 5, 5) }, nil, 5.25},
		{"a negative value", func(d *types.MetricDatum) { d.Values = []float64{-1, 2, 3} }, nil, 4.0 / 3},
		{"a negative single-value set", func(d *types.MetricDatum) { d.StatisticValues = set(2, -4, -2, -2) }, nil, -2},
		{"zero is not negative", func(d *types.MetricDatum) { d.Values = []float64{0, 0, 4} }, []float64{0}, 4.0 / 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newTestService(t)
			d := datum("Latency", testOrigin.Add(-5*time.Minute))
			tt.data(&d)
			if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("SockShop"), MetricData: []types.MetricDatum{d}}); err != nil {
				t.Fatal(err)
			}
			out, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(testOrigin.Add(-10 * time.Minute)), EndTime: aws.Time(testOrigin),
				MetricDataQueries: []types.MetricDataQuery{statQuery("p", "p50"), statQuery("avg", "Average")}})
			if err != nil {
				t.Fatal(err)
			}
			got := seriesFrom(out.MetricDataResults)
			if diff := cmp.Diff(tt.wantP50, got[0].Values, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("p50 (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]float64{tt.wantAvg}, got[1].Values, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("Average (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGetMetricStatisticsQuery: the awsQuery protocol, whose
// ExtendedStatistics map is entry/key/value elements, and the checks the
// SDKs make before sending.
func TestGetMetricStatisticsQuery(t *testing.T) {
	s, c := newTestService(t)
	seedLatency(t, c)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	q := &queryClient{endpoint: srv.URL}
	base := map[string]string{"Namespace": "SockShop", "MetricName": "Latency", "Period": "60",
		"StartTime": testOrigin.Add(-15 * time.Minute).Format(time.RFC3339), "EndTime": testOrigin.Format(time.RFC3339),
		"Dimensions.member.1.Name": "service", "Dimensions.member.1.Value": "carts"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
				continue
			}
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	res, err := q.call("GetMetricStatistics", with("ExtendedStatistics.member.1", "p90", "ExtendedStatistics.member.2", "p10"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.members("Datapoints") {
		for _, e := range d.at("ExtendedStatistics").kids {
			got = append(got, d.str("Timestamp")+" "+e.name+" "+e.str("key")+"="+e.str("value"))
		}
	}
	ts := func(n int) string {
		return testOrigin.Add(time.Duration(-n) * time.Minute).Format("2006-01-02T15:04:05.000Z")
	}
	want := []string{ts(10) + " entry p90=9", ts(10) + " entry p10=1", ts(9) + " entry p90=100", ts(9) + " entry p10=100"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExtendedStatistics (-want +got):\n%s", diff)
	}
	if l := res.str("Label"); l != "Latency" {
		t.Errorf("Label = %q", l)
	}

	for _, tt := range []struct {
		name   string
		params map[string]string
		want   string
	}{
		{"missing namespace", with("Namespace", "", "Statistics.member.1", "Sum"), "MissingParameter"},
		{"missing period", with("Period", "", "Statistics.member.1", "Sum"), "MissingParameter"},
		{"missing start", with("StartTime", "", "Statistics.member.1", "Sum"), "MissingParameter"},
		{"six statistics", with("Statistics.member.1", "Sum", "Statistics.member.2", "Average", "Statistics.member.3", "Minimum",
			"Statistics.member.4", "Maximum", "Statistics.member.5", "SampleCount", "Statistics.member.6", "Sum"), "InvalidParameterValue"},
		{"unknown unit", with("Statistics.member.1", "Sum", "Unit", "Parsecs"), "InvalidParameterValue"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := q.call("GetMetricStatistics", tt.params)
			if got := errCode(err); got != tt.want {
				t.Errorf("error %v, want %s", err, tt.want)
			}
		})
	}
}

// TestStorageResolution: sub-minute periods find a standard-resolution
// metric only in the period that starts each minute (CloudWatch stores it
// at one-minute resolution), a high-resolution one (StorageResolution 1)
// where it was put; sub-minute periods answer only for 3 hours, minute
// periods on.
func TestStorageResolution(t *testing.T) {
	clock := &manualClock{t: testOrigin}
	s := New(clock, testAccount, testRegion)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := testClient(srv.URL)
	at := testOrigin.Add(25 * time.Second) // 12:00:25
	var data []types.MetricDatum
	for _, res := range []int32{0, 60, 1} {
		d := datum(fmt.Sprintf("Res%d", res), at)
		d.Values = []float64{1, 3}
		if res != 0 {
			d.StorageResolution = aws.Int32(res)
		}
		data = append(data, d)
	}
	if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("SockShop"), MetricData: data}); err != nil {
		t.Fatal(err)
	}
	query := func(name string, period int32) []series {
		t.Helper()
		q := statQuery("q", "Average")
		q.MetricStat.Metric.MetricName, q.MetricStat.Period = aws.String(name), aws.Int32(period)
		out, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(testOrigin.Add(-time.Minute)), EndTime: aws.Time(testOrigin.Add(2 * time.Minute)),
			MetricDataQueries: []types.MetricDataQuery{q}})
		if err != nil {
			t.Fatal(err)
		}
		return seriesFrom(out.MetricDataResults)
	}
	sec := func(n int) time.Time { return testOrigin.Add(time.Duration(n) * time.Second) }
	tests := []struct {
		name   string
		now    time.Time
		metric string
		period int32
		want   []time.Time // timestamps, newest first
	}{
		{"default resolution, 10 s", sec(60), "Res0", 10, []time.Time{sec(0)}},
		{"standard resolution, 10 s", sec(60), "Res60", 10, []time.Time{sec(0)}},
		{"high resolution, 10 s", sec(60), "Res1", 10, []time.Time{sec(20)}},
		{"high resolution, 1 s", sec(60), "Res1", 1, []time.Time{sec(25)}},
		{"high resolution, 60 s", sec(60), "Res1", 60, []time.Time{sec(0)}},
		{"high resolution, 10 s, under 3 hours later", sec(3*3600 - 1), "Res1", 10, []time.Time{sec(20)}},
		{"high resolution, 10 s, 3 hours later", sec(3*3600 + 20), "Res1", 10, nil},
		{"high resolution, 60 s, 3 hours later", sec(3*3600 + 20), "Res1", 60, []time.Time{sec(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.set(tt.now)
			got := query(tt.metric, tt.period)
			if diff := cmp.Diff(tt.want, got[0].Times, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("timestamps (-want +got):\n%s", diff)
			}
			if len(tt.want) > 0 && (len(got[0].Values) != 1 || got[0].Values[0] != 2) {
				t.Errorf("values %v, want [2]", got[0].Values)
			}
		})
	}

	// An alarm of 10 s periods on a standard-resolution metric finds data
	// only in the period that starts the minute, and otherwise lapses into
	// INSUFFICIENT_DATA (PutMetricAlarm, Period).
	clock.set(testOrigin)
	if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("SockShop"), MetricData: []types.MetricDatum{
		func() types.MetricDatum { d := datum("Std", sec(25)); d.Value = aws.Float64(50); return d }(),
		func() types.MetricDatum {
			d := datum("High", sec(25))
			d.Value, d.StorageResolution = aws.Float64(50), aws.Int32(1)
			return d
		}(),
	}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Std", "High"} {
		if _, err := c.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("SockShop"),
			MetricName: aws.String(name), Dimensions: cartsDims, Statistic: types.StatisticMaximum, Period: aws.Int32(10),
			EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(10), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold}); err != nil {
			t.Fatal(err)
		}
	}
	states := func(now time.Time) []string {
		s.Evaluate(now)
		out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
		if err != nil {
			t.Fatal(err)
		}
		var st []string
		for _, a := range out.MetricAlarms {
			st = append(st, aws.ToString(a.AlarmName)+"="+string(a.StateValue))
		}
		return st
	}
	// Both were put at 12:00:25. At 12:00:10 only the standard one has
	// data (stored at 12:00:00); at 12:00:50 the three periods evaluated,
	// 12:00:20 to 12:00:50, hold only the high-resolution one's.
	for _, tc := range []struct {
		now  time.Time
		want []string
	}{
		{sec(10), []string{"High=INSUFFICIENT_DATA", "Std=ALARM"}},
		{sec(50), []string{"High=ALARM", "Std=INSUFFICIENT_DATA"}},
	} {
		clock.set(tc.now)
		if diff := cmp.Diff(tc.want, states(tc.now)); diff != "" {
			t.Errorf("at %s (-want +got):\n%s", tc.now.Format("15:04:05"), diff)
		}
	}
}
