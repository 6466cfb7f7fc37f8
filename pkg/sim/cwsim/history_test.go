package cwsim

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/golden"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
)

// newFrozenService is newTestService with a clock that (nearly) stands
// still at testOrigin, so that API timestamps are reproducible.
func newFrozenService(t *testing.T) (*Service, *cloudwatch.Client) {
	t.Helper()
	s := New(simclock.New(testOrigin, 1e-9), testAccount, testRegion)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, testClient(srv.URL)
}

type goldenItem struct {
	AlarmName, AlarmType, Timestamp, HistoryItemType, HistorySummary string
	HistoryData                                                      json.RawMessage
}

func goldenItems(t *testing.T, items []types.AlarmHistoryItem) []goldenItem {
	t.Helper()
	var out []goldenItem
	for _, it := range items {
		data := aws.ToString(it.HistoryData)
		if !json.Valid([]byte(data)) {
			t.Fatalf("HistoryData is not JSON: %s", data)
		}
		out = append(out, goldenItem{aws.ToString(it.AlarmName), string(it.AlarmType), it.Timestamp.UTC().Format(time.RFC3339Nano),
			string(it.HistoryItemType), aws.ToString(it.HistorySummary), json.RawMessage(data)})
	}
	return out
}

func checkGolden(t *testing.T, name string, got any) {
	t.Helper()
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(got); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", name), buf.Bytes())
}

// TestDescribeAlarmHistory drives an alarm through its life (created,
// evaluated into ALARM, updated, set to OK, evaluated back, deleted) and
// checks the history CloudWatch would show, newest first, against a golden
// file, then the filters and pagination.
func TestDescribeAlarmHistory(t *testing.T) {
	s, c := newFrozenService(t)
	in := alarmInput("carts-latency")
	in.EvaluationPeriods, in.DatapointsToAlarm = aws.Int32(1), nil
	if _, err := c.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	// The clock stands at 12:00:00; the data is from the minute before.
	s.PutMetrics("SockShop", []Datum{{MetricName: "Latency", Dimensions: map[string]string{"service": "carts"},
		Timestamp: testOrigin.Add(-40 * time.Second), Values: []float64{300, 400}, Unit: "Milliseconds"}})
	s.Evaluate(s.clock.Now()) // 350 > 250: ALARM
	in.Threshold = aws.Float64(500)
	if _, err := c.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("carts-latency"),
		StateValue: types.StateValueOk, StateReason: aws.String("operator acknowledged")}); err != nil {
		t.Fatal(err)
	}
	s.PutMetrics("SockShop", []Datum{{MetricName: "Latency", Dimensions: map[string]string{"service": "carts"},
		Timestamp: testOrigin.Add(-20 * time.Second), Values: []float64{900}, Unit: "Milliseconds"}})
	s.Evaluate(s.clock.Now()) // average 533.3 > 500: ALARM again
	if _, err := c.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"carts-latency"}}); err != nil {
		t.Fatal(err)
	}

	out, err := c.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("carts-latency")})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "history.golden.json", goldenItems(t, out.AlarmHistoryItems))

	tests := []struct {
		name string
		in   cloudwatch.DescribeAlarmHistoryInput
		want []string // summaries
	}{
		{"state updates", cloudwatch.DescribeAlarmHistoryInput{HistoryItemType: types.HistoryItemTypeStateUpdate},
			[]string{"Alarm updated from OK to ALARM", "Alarm updated from ALARM to OK", "Alarm updated from INSUFFICIENT_DATA to ALARM"}},
		{"ascending configuration", cloudwatch.DescribeAlarmHistoryInput{HistoryItemType: types.HistoryItemTypeConfigurationUpdate, ScanBy: types.ScanByTimestampAscending},
			[]string{`Alarm "carts-latency" created`, `Alarm "carts-latency" updated`, `Alarm "carts-latency" deleted`}},
		{"after", cloudwatch.DescribeAlarmHistoryInput{StartDate: aws.Time(testOrigin.Add(time.Second))}, nil},
		{"before", cloudwatch.DescribeAlarmHistoryInput{EndDate: aws.Time(testOrigin.Add(-time.Second))}, nil},
		{"other alarm", cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("orders")}, nil},
		{"composite", cloudwatch.DescribeAlarmHistoryInput{AlarmTypes: []types.AlarmType{types.AlarmTypeCompositeAlarm}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.DescribeAlarmHistory(ctx, &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range out.AlarmHistoryItems {
				got = append(got, aws.ToString(it.HistorySummary))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("summaries (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("paginator", func(t *testing.T) {
		p := cloudwatch.NewDescribeAlarmHistoryPaginator(c, &cloudwatch.DescribeAlarmHistoryInput{MaxRecords: aws.Int32(4)})
		var sizes []int
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(out.AlarmHistoryItems))
		}
		if diff := cmp.Diff([]int{4, 2}, sizes); diff != "" {
			t.Errorf("page sizes (-want +got):\n%s", diff)
		}
	})

	for _, tt := range []struct {
		name string
		in   cloudwatch.DescribeAlarmHistoryInput
		want string
	}{
		{"bad type", cloudwatch.DescribeAlarmHistoryInput{HistoryItemType: "Everything"}, "InvalidParameterValue"},
		{"bad token", cloudwatch.DescribeAlarmHistoryInput{NextToken: aws.String("zz")}, "InvalidNextToken"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DescribeAlarmHistory(ctx, &tt.in)
			if got := apiCode(t, err); got != tt.want {
				t.Errorf("error code = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

// TestStateReasonData checks the JSON CloudWatch writes for an evaluation.
func TestStateReasonData(t *testing.T) {
	s, c := newFrozenService(t)
	in := alarmInput("a")
	if _, err := c.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	for i, v := range []float64{300, 100, 260} {
		s.PutMetrics("SockShop", []Datum{{MetricName: "Latency", Dimensions: map[string]string{"service": "carts"},
			Timestamp: testOrigin.Add(time.Duration(i) * time.Minute), Values: []float64{v, v}}})
	}
	s.Evaluate(testOrigin.Add(3*time.Minute + 10*time.Second))
	out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil {
		t.Fatal(err)
	}
	a := out.MetricAlarms[0]
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(aws.ToString(a.StateReasonData)), "", "  "); err != nil {
		t.Fatalf("StateReasonData %q: %v", aws.ToString(a.StateReasonData), err)
	}
	checkGolden(t, "statereasondata.golden.json", map[string]any{
		"StateValue": a.StateValue, "StateReason": aws.ToString(a.StateReason), "StateReasonData": json.RawMessage(pretty.Bytes()),
	})
}
