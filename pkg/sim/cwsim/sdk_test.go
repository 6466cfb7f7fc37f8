package cwsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
)

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

// testOrigin is where the tests' simulated clock starts: on a period
// boundary, so bucket arithmetic in the tests is easy to follow.
var testOrigin = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// newTestService starts the service behind an httptest.Server and returns it
// with a real SDK client pointed at it.
func newTestService(t *testing.T) (*Service, *cloudwatch.Client) {
	t.Helper()
	s := New(simclock.New(testOrigin, 1), testAccount, testRegion)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, testClient(srv.URL)
}

// testClient is the tests' real SDK client for endpoint: with the SDK's
// standard retries, as a user's client has them.
func testClient(endpoint string) *cloudwatch.Client {
	return cloudwatch.New(cloudwatch.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
}

// TestClientRetriesABrokenResponse: a 200 whose connection breaks halfway
// through its body, as one can on a loaded machine, is retried by the
// tests' client, as by a user's, and the call succeeds.
func TestClientRetriesABrokenResponse(t *testing.T) {
	s := New(simclock.New(testOrigin, 1), testAccount, testRegion)
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) > 1 {
			s.ServeHTTP(w, r)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 4096\r\n\r\n<ListMetricsResponse")
		_ = buf.Flush()
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with a reset, not a FIN
		}
		_ = conn.Close()
	}))
	t.Cleanup(srv.Close)
	if _, err := testClient(srv.URL).ListMetrics(ctx, &cloudwatch.ListMetricsInput{}); err != nil {
		t.Fatalf("ListMetrics after a broken response: %v", err)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2: the broken one and its retry", n)
	}
}

// apiCode is the error code of err as the SDK classifies it; "" for nil.
func apiCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not a smithy.APIError", err)
	}
	return ae.ErrorCode()
}

var ctx = context.Background()

var cartsDims = []types.Dimension{{Name: aws.String("service"), Value: aws.String("carts")}}

func datum(name string, ts time.Time) types.MetricDatum {
	return types.MetricDatum{MetricName: aws.String(name), Dimensions: cartsDims, Timestamp: aws.Time(ts)}
}

func TestPutMetricData(t *testing.T) {
	now := testOrigin
	tests := []struct {
		name string
		ns   string
		d    func() types.MetricDatum
		want string // error code, "" for success
	}{
		{"value", "SockShop", func() types.MetricDatum { d := datum("Latency", now); d.Value = aws.Float64(1); return d }, ""},
		{"values and counts", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.Values, d.Counts = []float64{1, 2}, []float64{3, 4}
			return d
		}, ""},
		{"statistic set", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.StatisticValues = &types.StatisticSet{SampleCount: aws.Float64(2), Sum: aws.Float64(3), Minimum: aws.Float64(1), Maximum: aws.Float64(2)}
			return d
		}, ""},
		{"no timestamp", "SockShop", func() types.MetricDatum {
			return types.MetricDatum{MetricName: aws.String("Latency"), Value: aws.Float64(1), Unit: types.StandardUnitPercent}
		}, ""},
		{"AWS namespace", "AWS/EC2", func() types.MetricDatum { d := datum("Latency", now); d.Value = aws.Float64(1); return d }, "InvalidParameterValue"},
		{"value and values", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.Value, d.Values = aws.Float64(1), []float64{1}
			return d
		}, "InvalidParameterCombination"},
		{"value and statistic set", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.Value = aws.Float64(1)
			d.StatisticValues = &types.StatisticSet{SampleCount: aws.Float64(1), Sum: aws.Float64(1), Minimum: aws.Float64(1), Maximum: aws.Float64(1)}
			return d
		}, "InvalidParameterCombination"},
		{"counts without values", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.Counts = []float64{1}
			return d
		}, "InvalidParameterCombination"},
		{"counts size", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.Values, d.Counts = []float64{1, 2}, []float64{1}
			return d
		}, "InvalidParameterValue"},
		{"151 values", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.Values = make([]float64, 151)
			return d
		}, "InvalidParameterValue"},
		{"no value", "SockShop", func() types.MetricDatum { return datum("Latency", now) }, "MissingParameter"},
		{"three weeks ago", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now.Add(-21*24*time.Hour))
			d.Value = aws.Float64(1)
			return d
		}, "InvalidParameterValue"},
		{"three hours ahead", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now.Add(3*time.Hour))
			d.Value = aws.Float64(1)
			return d
		}, "InvalidParameterValue"},
		{"minimum above maximum", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.StatisticValues = &types.StatisticSet{SampleCount: aws.Float64(1), Sum: aws.Float64(1), Minimum: aws.Float64(2), Maximum: aws.Float64(1)}
			return d
		}, "InvalidParameterValue"},
		{"bad unit", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.Value, d.Unit = aws.Float64(1), "Parsecs"
			return d
		}, "InvalidParameterValue"},
		{"storage resolution 5", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.Value, d.StorageResolution = aws.Float64(1), aws.Int32(5)
			return d
		}, "InvalidParameterValue"},
		{"31 dimensions", "SockShop", func() types.MetricDatum {
			d := datum("Latency", now)
			d.Value, d.Dimensions = aws.Float64(1), nil
			for i := range 31 {
				d.Dimensions = append(d.Dimensions, types.Dimension{Name: aws.String(fmt.Sprint("d", i)), Value: aws.String("v")})
			}
			return d
		}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newTestService(t)
			_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(tt.ns), MetricData: []types.MetricDatum{tt.d()}})
			if got := apiCode(t, err); got != tt.want {
				t.Errorf("error code = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestPutMetricDataErrorTypes(t *testing.T) {
	_, c := newTestService(t)
	d := datum("Latency", testOrigin)
	d.Value, d.Values = aws.Float64(1), []float64{1}
	_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("SockShop"), MetricData: []types.MetricDatum{d}})
	var comb *types.InvalidParameterCombinationException
	if !errors.As(err, &comb) {
		t.Fatalf("err = %T %v, want *types.InvalidParameterCombinationException", err, err)
	}
	want := "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both."
	if diff := cmp.Diff(want, comb.ErrorMessage()); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() != smithy.FaultClient {
		t.Errorf("fault = %v, want client", ae.ErrorFault())
	}
}

// seedLatency publishes carts latency: minute 0 values 1..10, minute 1 a
// single 100, minute 3 a statistic set; minute 2 has no data.
func seedLatency(t *testing.T, c *cloudwatch.Client) {
	t.Helper()
	m0 := datum("Latency", testOrigin.Add(-10*time.Minute+5*time.Second))
	m0.Values = []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	m0.Unit = types.StandardUnitMilliseconds
	m1 := datum("Latency", testOrigin.Add(-9*time.Minute+30*time.Second))
	m1.Value, m1.Unit = aws.Float64(100), types.StandardUnitMilliseconds
	m3 := datum("Latency", testOrigin.Add(-7*time.Minute))
	m3.StatisticValues = &types.StatisticSet{SampleCount: aws.Float64(4), Sum: aws.Float64(40), Minimum: aws.Float64(5), Maximum: aws.Float64(15)}
	m3.Unit = types.StandardUnitMilliseconds
	other := datum("Latency", testOrigin.Add(-10*time.Minute))
	other.Dimensions = []types.Dimension{{Name: aws.String("service"), Value: aws.String("orders")}}
	other.Value = aws.Float64(7)
	if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("SockShop"),
		MetricData: []types.MetricDatum{m0, m1, m3, other}}); err != nil {
		t.Fatal(err)
	}
}

func statQuery(id, stat string) types.MetricDataQuery {
	return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{
		Metric: &types.Metric{Namespace: aws.String("SockShop"), MetricName: aws.String("Latency"), Dimensions: cartsDims},
		Period: aws.Int32(60), Stat: aws.String(stat)}}
}

type series struct {
	ID, Label, Status string
	Times             []time.Time
	Values            []float64
}

func seriesFrom(rs []types.MetricDataResult) []series {
	var out []series
	for _, r := range rs {
		s := series{ID: aws.ToString(r.Id), Label: aws.ToString(r.Label), Status: string(r.StatusCode), Values: r.Values}
		for _, ts := range r.Timestamps {
			s.Times = append(s.Times, ts.UTC())
		}
		out = append(out, s)
	}
	return out
}

func TestGetMetricData(t *testing.T) {
	_, c := newTestService(t)
	seedLatency(t, c)
	min := func(n int) time.Time { return testOrigin.Add(time.Duration(-n) * time.Minute) }
	labelled := statQuery("p90", "p90")
	labelled.Label = aws.String("carts p90")
	out, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(min(15)), EndTime: aws.Time(testOrigin),
		MetricDataQueries: []types.MetricDataQuery{statQuery("avg", "Average"), statQuery("sum", "Sum"),
			statQuery("mn", "Minimum"), statQuery("mx", "Maximum"), statQuery("n", "SampleCount"), labelled, statQuery("p99_9", "p99.9")},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Newest first (ScanBy TimestampDescending by default); percentiles
	// have no value for statistic sets; buckets are aligned to the period.
	all := []time.Time{min(7), min(9), min(10)}
	want := []series{
		{"avg", "Latency", "Complete", all, []float64{10, 100, 5.5}},
		{"sum", "Latency", "Complete", all, []float64{40, 100, 55}},
		{"mn", "Latency", "Complete", all, []float64{5, 100, 1}},
		{"mx", "Latency", "Complete", all, []float64{15, 100, 10}},
		{"n", "Latency", "Complete", all, []float64{4, 1, 10}},
		{"p90", "carts p90", "Complete", []time.Time{min(9), min(10)}, []float64{100, 9}},
		{"p99_9", "Latency", "Complete", []time.Time{min(9), min(10)}, []float64{100, 10}},
	}
	if diff := cmp.Diff(want, seriesFrom(out.MetricDataResults)); diff != "" {
		t.Errorf("GetMetricData (-want +got):\n%s", diff)
	}
	if out.NextToken != nil {
		t.Errorf("NextToken = %q, want none", *out.NextToken)
	}

	t.Run("ascending, unit filter, 5 minute period", func(t *testing.T) {
		q := statQuery("avg", "Average")
		q.MetricStat.Period = aws.Int32(300)
		q.MetricStat.Unit = types.StandardUnitMilliseconds
		qs := statQuery("secs", "Average")
		qs.MetricStat.Unit = types.StandardUnitSeconds
		out, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(min(12)), EndTime: aws.Time(testOrigin),
			ScanBy: types.ScanByTimestampAscending, MetricDataQueries: []types.MetricDataQuery{q, qs}})
		if err != nil {
			t.Fatal(err)
		}
		// Periods start at StartTime (11:48), not at multiples of 5
		// minutes: 11:48-11:53 holds minutes 10 and 9 (11 samples summing
		// to 155), 11:53-11:58 minute 7's statistic set (4 summing to 40).
		want := []series{
			{"avg", "Latency", "Complete", []time.Time{min(12), min(7)}, []float64{155.0 / 11, 10}},
			{"secs", "Latency", "Complete", nil, nil},
		}
		if diff := cmp.Diff(want, seriesFrom(out.MetricDataResults), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("GetMetricData (-want +got):\n%s", diff)
		}
	})

	t.Run("paginator", func(t *testing.T) {
		p := cloudwatch.NewGetMetricDataPaginator(c, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(min(15)), EndTime: aws.Time(testOrigin),
			MaxDatapoints: aws.Int32(2), MetricDataQueries: []types.MetricDataQuery{statQuery("avg", "Average"), statQuery("n", "SampleCount")}})
		var pages [][]series
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, seriesFrom(page.MetricDataResults))
		}
		want := [][]series{
			{{"avg", "Latency", "PartialData", []time.Time{min(7), min(9)}, []float64{10, 100}}, {"n", "Latency", "PartialData", []time.Time{}, []float64{}}},
			{{"avg", "Latency", "Complete", []time.Time{min(10)}, []float64{5.5}}, {"n", "Latency", "PartialData", []time.Time{min(7)}, []float64{4}}},
			{{"avg", "Latency", "Complete", []time.Time{}, []float64{}}, {"n", "Latency", "Complete", []time.Time{min(9), min(10)}, []float64{1, 10}}},
		}
		if diff := cmp.Diff(want, pages, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
	})

	errTests := []struct {
		name string
		in   cloudwatch.GetMetricDataInput
		want string
	}{
		{"end before start", cloudwatch.GetMetricDataInput{StartTime: aws.Time(testOrigin), EndTime: aws.Time(min(5)),
			MetricDataQueries: []types.MetricDataQuery{statQuery("a", "Average")}}, "ValidationError"},
		{"bad stat", cloudwatch.GetMetricDataInput{StartTime: aws.Time(min(5)), EndTime: aws.Time(testOrigin),
			MetricDataQueries: []types.MetricDataQuery{statQuery("a", "Median")}}, "InvalidParameterValue"},
		{"bad period", cloudwatch.GetMetricDataInput{StartTime: aws.Time(min(5)), EndTime: aws.Time(testOrigin),
			MetricDataQueries: []types.MetricDataQuery{func() types.MetricDataQuery {
				q := statQuery("a", "Average")
				q.MetricStat.Period = aws.Int32(45)
				return q
			}()}}, "InvalidParameterValue"},
		{"high-resolution period 20", cloudwatch.GetMetricDataInput{StartTime: aws.Time(min(5)), EndTime: aws.Time(testOrigin),
			MetricDataQueries: []types.MetricDataQuery{func() types.MetricDataQuery {
				q := statQuery("a", "Average")
				q.MetricStat.Period = aws.Int32(20)
				return q
			}()}}, ""},
		{"bad id", cloudwatch.GetMetricDataInput{StartTime: aws.Time(min(5)), EndTime: aws.Time(testOrigin),
			MetricDataQueries: []types.MetricDataQuery{statQuery("Avg", "Average")}}, "ValidationError"},
		{"duplicate id", cloudwatch.GetMetricDataInput{StartTime: aws.Time(min(5)), EndTime: aws.Time(testOrigin),
			MetricDataQueries: []types.MetricDataQuery{statQuery("a", "Average"), statQuery("a", "Sum")}}, "ValidationError"},
		{"expression", cloudwatch.GetMetricDataInput{StartTime: aws.Time(min(5)), EndTime: aws.Time(testOrigin),
			MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("e"), Expression: aws.String("SUM(METRICS())")}}}, "ValidationError"},
		{"bad token", cloudwatch.GetMetricDataInput{StartTime: aws.Time(min(5)), EndTime: aws.Time(testOrigin), NextToken: aws.String("garbage"),
			MetricDataQueries: []types.MetricDataQuery{statQuery("a", "Average")}}, "InvalidNextToken"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.GetMetricData(ctx, &tt.in)
			if got := apiCode(t, err); got != tt.want {
				t.Errorf("error code = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestListMetrics(t *testing.T) {
	_, c := newTestService(t)
	seedLatency(t, c)
	d := datum("ErrorRate", testOrigin)
	d.Value = aws.Float64(1)
	d.Dimensions = append(d.Dimensions, types.Dimension{Name: aws.String("pod"), Value: aws.String("carts-1")})
	if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Other"), MetricData: []types.MetricDatum{d}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   cloudwatch.ListMetricsInput
		want []string
	}{
		{"all", cloudwatch.ListMetricsInput{}, []string{"Other/ErrorRate pod=carts-1 service=carts", "SockShop/Latency service=carts", "SockShop/Latency service=orders"}},
		{"namespace", cloudwatch.ListMetricsInput{Namespace: aws.String("SockShop")}, []string{"SockShop/Latency service=carts", "SockShop/Latency service=orders"}},
		{"metric name", cloudwatch.ListMetricsInput{MetricName: aws.String("ErrorRate")}, []string{"Other/ErrorRate pod=carts-1 service=carts"}},
		{"dimension value", cloudwatch.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("service"), Value: aws.String("carts")}}},
			[]string{"Other/ErrorRate pod=carts-1 service=carts", "SockShop/Latency service=carts"}},
		{"dimension name", cloudwatch.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("pod")}}}, []string{"Other/ErrorRate pod=carts-1 service=carts"}},
		{"recently active", cloudwatch.ListMetricsInput{RecentlyActive: types.RecentlyActivePt3h, Namespace: aws.String("Other")}, []string{"Other/ErrorRate pod=carts-1 service=carts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.ListMetrics(ctx, &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range out.Metrics {
				s := aws.ToString(m.Namespace) + "/" + aws.ToString(m.MetricName)
				for _, d := range m.Dimensions {
					s += " " + aws.ToString(d.Name) + "=" + aws.ToString(d.Value)
				}
				got = append(got, s)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("metrics (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("paginator", func(t *testing.T) {
		var data []types.MetricDatum
		for i := range 501 {
			d := datum(fmt.Sprintf("M%03d", i), testOrigin)
			d.Value = aws.Float64(1)
			data = append(data, d)
		}
		if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Many"), MetricData: data}); err != nil {
			t.Fatal(err)
		}
		p := cloudwatch.NewListMetricsPaginator(c, &cloudwatch.ListMetricsInput{Namespace: aws.String("Many")})
		var sizes []int
		var last string
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(out.Metrics))
			last = aws.ToString(out.Metrics[len(out.Metrics)-1].MetricName)
		}
		if diff := cmp.Diff([]any{[]int{500, 1}, "M500"}, []any{sizes, last}); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
	})
	_, err := c.ListMetrics(ctx, &cloudwatch.ListMetricsInput{NextToken: aws.String("bm90IGEgdG9rZW4")})
	if got := apiCode(t, err); got != "InvalidNextToken" {
		t.Errorf("bad token: code %q, want InvalidNextToken", got)
	}
}

// TestListMetricsWindows: ListMetrics lists a metric while it has reported
// data in the past two weeks (RecentlyActive: three hours), counted from
// when the data was put, not from its timestamp (the ListMetrics
// reference). The simulator listed a metric forever, and judged
// RecentlyActive by the newest timestamp.
func TestListMetricsWindows(t *testing.T) {
	clock := simclock.NewManual(testOrigin)
	srv := httptest.NewServer(New(clock, testAccount, testRegion))
	t.Cleanup(srv.Close)
	c := testClient(srv.URL)
	put := func(name string, ts time.Time) {
		t.Helper()
		d := datum(name, ts)
		d.Value = aws.Float64(1)
		if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Windows"), MetricData: []types.MetricDatum{d}}); err != nil {
			t.Fatal(err)
		}
	}
	list := func(recent bool) []string {
		t.Helper()
		in := &cloudwatch.ListMetricsInput{Namespace: aws.String("Windows")}
		if recent {
			in.RecentlyActive = types.RecentlyActivePt3h
		}
		var got []string
		p := cloudwatch.NewListMetricsPaginator(c, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range out.Metrics {
				got = append(got, aws.ToString(m.MetricName))
			}
		}
		return got
	}
	put("Old", clock.Now())
	clock.Advance(14*24*time.Hour - time.Hour)
	// Reported now, timestamped 13 days ago: reported in both windows.
	put("Backdated", clock.Now().Add(-13*24*time.Hour))
	put("Fresh", clock.Now())
	steps := []struct {
		advance     time.Duration
		all, recent []string
	}{
		{0, []string{"Backdated", "Fresh", "Old"}, []string{"Backdated", "Fresh"}},
		{2 * time.Hour, []string{"Backdated", "Fresh"}, []string{"Backdated", "Fresh"}},
		{2 * time.Hour, []string{"Backdated", "Fresh"}, nil},
		{14 * 24 * time.Hour, nil, nil},
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		if diff := cmp.Diff(st.all, list(false)); diff != "" {
			t.Errorf("step %d: listed (-want +got):\n%s", i, diff)
		}
		if diff := cmp.Diff(st.recent, list(true)); diff != "" {
			t.Errorf("step %d: recently active (-want +got):\n%s", i, diff)
		}
	}
}

func alarmInput(name string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), Namespace: aws.String("SockShop"), MetricName: aws.String("Latency"),
		Dimensions: cartsDims, Statistic: types.StatisticAverage, Period: aws.Int32(60),
		EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(2), Threshold: aws.Float64(250),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("notBreaching"),
		AlarmDescription: aws.String("carts latency"), AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:gameday"},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("shop")}},
	}
}

func TestPutMetricAlarmValidation(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*cloudwatch.PutMetricAlarmInput)
		want string
	}{
		{"valid", func(*cloudwatch.PutMetricAlarmInput) {}, ""},
		{"period 10", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(10) }, ""},
		{"period 20", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(20) }, ""},
		{"period 30", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(30) }, ""},
		{"period 120", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(120) }, ""},
		{"period 45", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(45) }, "InvalidParameterValue"},
		{"period 5", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(5) }, "InvalidParameterValue"},
		{"no period", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = nil }, "MissingParameter"},
		{"datapoints above periods", func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(4) }, "ValidationError"},
		{"datapoints zero", func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(0) }, "InvalidParameterValue"},
		{"more than a day", func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = aws.Int32(1441) }, "ValidationError"},
		{"a week of hours", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Period, in.EvaluationPeriods = aws.Int32(3600), aws.Int32(168)
		}, ""},
		{"both statistics", func(in *cloudwatch.PutMetricAlarmInput) { in.ExtendedStatistic = aws.String("p99") }, "InvalidParameterCombination"},
		{"no statistic", func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic = "" }, "MissingParameter"},
		{"percentile", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Statistic, in.ExtendedStatistic = "", aws.String("p99.9")
		}, ""},
		{"trimmed mean", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Statistic, in.ExtendedStatistic = "", aws.String("tm99")
		}, "InvalidParameterValue"},
		{"percentile as statistic", func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic = "p99" }, "InvalidParameterValue"},
		{"low sample count without percentile", func(in *cloudwatch.PutMetricAlarmInput) {
			in.EvaluateLowSampleCountPercentile = aws.String("ignore")
		}, "InvalidParameterCombination"},
		{"bad operator", func(in *cloudwatch.PutMetricAlarmInput) { in.ComparisonOperator = "Above" }, "InvalidParameterValue"},
		{"anomaly operator", func(in *cloudwatch.PutMetricAlarmInput) {
			in.ComparisonOperator = types.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold
		}, "ValidationError"},
		{"bad treat missing", func(in *cloudwatch.PutMetricAlarmInput) { in.TreatMissingData = aws.String("zero") }, "InvalidParameterValue"},
		{"no threshold", func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = nil }, "MissingParameter"},
		{"no metric name", func(in *cloudwatch.PutMetricAlarmInput) { in.MetricName = nil }, "MissingParameter"},
		{"non-ASCII name", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = aws.String("latência") }, "InvalidParameterValue"},
		{"six actions", func(in *cloudwatch.PutMetricAlarmInput) {
			in.AlarmActions = []string{"a", "b", "c", "d", "e", "f"}
		}, "InvalidParameterValue"},
		{"reserved tag", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Tags = []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}
		}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newTestService(t)
			in := alarmInput("a")
			tt.mod(in)
			_, err := c.PutMetricAlarm(ctx, in)
			if got := apiCode(t, err); got != tt.want {
				t.Errorf("error code = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

var ignoreSDK = cmpopts.IgnoreUnexported(types.MetricAlarm{}, types.Dimension{}, types.AlarmHistoryItem{}, types.Tag{})

func TestPutMetricAlarmAndDescribe(t *testing.T) {
	s, c := newTestService(t)
	if _, err := c.PutMetricAlarm(ctx, alarmInput("carts-latency")); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"carts-latency"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 1 {
		t.Fatalf("alarms = %d, want 1", len(out.MetricAlarms))
	}
	got := out.MetricAlarms[0]
	created := got.AlarmConfigurationUpdatedTimestamp
	if created == nil || created.Before(testOrigin) || created.After(s.clock.Now()) {
		t.Errorf("AlarmConfigurationUpdatedTimestamp = %v, want the simulated now", created)
	}
	want := types.MetricAlarm{
		AlarmName: aws.String("carts-latency"), AlarmArn: aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:carts-latency"),
		AlarmDescription: aws.String("carts latency"), AlarmConfigurationUpdatedTimestamp: created,
		ActionsEnabled: aws.Bool(true), OKActions: []string{}, AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:gameday"},
		InsufficientDataActions: []string{}, StateValue: types.StateValueInsufficientData,
		StateReason: aws.String("Unchecked: Initial alarm creation"), StateUpdatedTimestamp: created,
		MetricName: aws.String("Latency"), Namespace: aws.String("SockShop"), Statistic: types.StatisticAverage,
		Dimensions: cartsDims, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(2),
		Threshold: aws.Float64(250), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
		TreatMissingData: aws.String("notBreaching"), StateTransitionedTimestamp: created,
	}
	if diff := cmp.Diff(want, got, ignoreSDK, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("MetricAlarm (-want +got):\n%s", diff)
	}

	// An update keeps the state and ignores tags.
	if _, err := c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("carts-latency"),
		StateValue: types.StateValueAlarm, StateReason: aws.String("drill")}); err != nil {
		t.Fatal(err)
	}
	up := alarmInput("carts-latency")
	up.Threshold = aws.Float64(300)
	up.Tags = []types.Tag{{Key: aws.String("ignored"), Value: aws.String("on update")}}
	if _, err := c.PutMetricAlarm(ctx, up); err != nil {
		t.Fatal(err)
	}
	out, err = c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"carts-latency"}})
	if err != nil {
		t.Fatal(err)
	}
	a := out.MetricAlarms[0]
	if a.StateValue != types.StateValueAlarm || aws.ToString(a.StateReason) != "drill" || aws.ToFloat64(a.Threshold) != 300 {
		t.Errorf("after update: state %s %q threshold %v, want ALARM \"drill\" 300", a.StateValue, aws.ToString(a.StateReason), aws.ToFloat64(a.Threshold))
	}
	tags, err := c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]types.Tag{{Key: aws.String("team"), Value: aws.String("shop")}}, tags.Tags, ignoreSDK); diff != "" {
		t.Errorf("tags after update (-want +got):\n%s", diff)
	}
}

func TestDescribeAlarmsFilters(t *testing.T) {
	_, c := newTestService(t)
	for _, n := range []string{"carts-errors", "carts-latency", "orders-latency", "payment-latency", "shipping-latency"} {
		if _, err := c.PutMetricAlarm(ctx, alarmInput(n)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("orders-latency"),
		StateValue: types.StateValueOk, StateReason: aws.String("fine")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   cloudwatch.DescribeAlarmsInput
		want []string
	}{
		{"all", cloudwatch.DescribeAlarmsInput{}, []string{"carts-errors", "carts-latency", "orders-latency", "payment-latency", "shipping-latency"}},
		{"names", cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"payment-latency", "carts-errors", "nope"}}, []string{"carts-errors", "payment-latency"}},
		{"prefix", cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("carts-")}, []string{"carts-errors", "carts-latency"}},
		{"state", cloudwatch.DescribeAlarmsInput{StateValue: types.StateValueOk}, []string{"orders-latency"}},
		{"action prefix", cloudwatch.DescribeAlarmsInput{ActionPrefix: aws.String("arn:aws:sns:"), AlarmNamePrefix: aws.String("s")}, []string{"shipping-latency"}},
		{"composite only", cloudwatch.DescribeAlarmsInput{AlarmTypes: []types.AlarmType{types.AlarmTypeCompositeAlarm}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.DescribeAlarms(ctx, &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range out.MetricAlarms {
				got = append(got, aws.ToString(a.AlarmName))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("alarms (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("paginator", func(t *testing.T) {
		p := cloudwatch.NewDescribeAlarmsPaginator(c, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(2)})
		var pages [][]string
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range out.MetricAlarms {
				names = append(names, aws.ToString(a.AlarmName))
			}
			pages = append(pages, names)
		}
		want := [][]string{{"carts-errors", "carts-latency"}, {"orders-latency", "payment-latency"}, {"shipping-latency"}}
		if diff := cmp.Diff(want, pages); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
	})
	for _, tt := range []struct {
		name string
		in   cloudwatch.DescribeAlarmsInput
		want string
	}{
		{"names and prefix", cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a"}, AlarmNamePrefix: aws.String("a")}, "InvalidParameterCombination"},
		{"max records 101", cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(101)}, "InvalidParameterValue"},
		{"bad token", cloudwatch.DescribeAlarmsInput{NextToken: aws.String("x")}, "InvalidNextToken"},
		{"bad state", cloudwatch.DescribeAlarmsInput{StateValue: "PANIC"}, "InvalidParameterValue"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DescribeAlarms(ctx, &tt.in)
			if got := apiCode(t, err); got != tt.want {
				t.Errorf("error code = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestDeleteAlarms(t *testing.T) {
	_, c := newTestService(t)
	for _, n := range []string{"a", "b", "c"} {
		if _, err := c.PutMetricAlarm(ctx, alarmInput(n)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"a", "nope"}})
	var nf *types.ResourceNotFound
	if !errors.As(err, &nf) {
		t.Errorf("delete with an unknown name: %v, want *types.ResourceNotFound", err)
	}
	if _, err := c.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"a", "c"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range out.MetricAlarms {
		got = append(got, aws.ToString(a.AlarmName))
	}
	if diff := cmp.Diff([]string{"b"}, got); diff != "" {
		t.Errorf("remaining alarms (-want +got):\n%s", diff)
	}
	_, err = c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("tags of a deleted alarm: %v, want *types.ResourceNotFoundException", err)
	}
}

func TestSetAlarmState(t *testing.T) {
	s, c := newTestService(t)
	in := alarmInput("a")
	in.EvaluationPeriods, in.DatapointsToAlarm = aws.Int32(1), nil
	if _, err := c.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	var seen []Transition
	s.OnTransition(func(tr Transition) { seen = append(seen, tr) })
	if _, err := c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("a"), StateValue: types.StateValueAlarm,
		StateReason: aws.String("drill"), StateReasonData: aws.String(`{"by":"test"}`)}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.AlarmState(s.alarmARN("a")); st != StateAlarm {
		t.Fatalf("state after SetAlarmState = %s, want ALARM", st)
	}
	// Temporary, as in CloudWatch: the next evaluation (no data, treated as
	// not breaching) puts it back to OK.
	s.Evaluate(s.clock.Now())
	got := []string{}
	for _, tr := range seen {
		got = append(got, tr.From+"->"+tr.To+": "+tr.Reason)
	}
	want := []string{"INSUFFICIENT_DATA->ALARM: drill",
		"ALARM->OK: Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("transitions (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		name string
		in   cloudwatch.SetAlarmStateInput
		want string
	}{
		{"unknown alarm", cloudwatch.SetAlarmStateInput{AlarmName: aws.String("nope"), StateValue: types.StateValueOk, StateReason: aws.String("x")}, "ResourceNotFound"},
		{"bad reason data", cloudwatch.SetAlarmStateInput{AlarmName: aws.String("a"), StateValue: types.StateValueOk, StateReason: aws.String("x"),
			StateReasonData: aws.String("{")}, "InvalidFormat"},
		{"bad state", cloudwatch.SetAlarmStateInput{AlarmName: aws.String("a"), StateValue: "BROKEN", StateReason: aws.String("x")}, "ValidationError"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SetAlarmState(ctx, &tt.in)
			if got := apiCode(t, err); got != tt.want {
				t.Errorf("error code = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestTags(t *testing.T) {
	_, c := newTestService(t)
	if _, err := c.PutMetricAlarm(ctx, alarmInput("a")); err != nil {
		t.Fatal(err)
	}
	arn := aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a")
	if _, err := c.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: arn, Tags: []types.Tag{
		{Key: aws.String("team"), Value: aws.String("platform")}, {Key: aws.String("gameday"), Value: aws.String("carts")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"gameday", "absent"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}, out.Tags, ignoreSDK); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		name string
		call func() error
		want string
	}{
		{"tag unknown", func() error {
			_, err := c.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:nope"),
				Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "ResourceNotFoundException"},
		{"untag unknown", func() error {
			_, err := c.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:nope"), TagKeys: []string{"k"}})
			return err
		}, "ResourceNotFoundException"},
		{"list not an ARN", func() error {
			_, err := c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String("alarm-a")})
			return err
		}, "InvalidParameterValue"},
		{"51 tags", func() error {
			var tags []types.Tag
			for i := range 51 {
				tags = append(tags, types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
			}
			_, err := c.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: arn, Tags: tags})
			return err
		}, "InvalidParameterValue"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := apiCode(t, tt.call()); got != tt.want {
				t.Errorf("error code = %q, want %q", got, tt.want)
			}
		})
	}
}
