package cwsim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
)

// awsCLI runs the AWS CLI v1 against endpoint and decodes its JSON output
// into out (when not nil). botocore speaks awsJson1_0 to CloudWatch (it
// skips rpcv2Cbor); awsQuery is tested through moto (moto_test.go).
func awsCLI(t *testing.T, endpoint string, out any, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", endpoint, "--output", "json", "cloudwatch"}, args...)...)
	home := t.TempDir()
	cmd.Env = []string{
		"PATH=" + pathEnv(),
		"HOME=" + home,
		"AWS_ACCESS_KEY_ID=AKIDTEST",
		"AWS_SECRET_ACCESS_KEY=secret",
		"AWS_DEFAULT_REGION=" + testRegion,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_PAGER=",
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return &cliError{err: err, stderr: stderr.String()}
	}
	if out != nil && stdout.Len() > 0 {
		if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
			t.Fatalf("aws %v: decode output %q: %v", args, stdout.String(), err)
		}
	}
	return nil
}

type cliError struct {
	err    error
	stderr string
}

func (e *cliError) Error() string { return e.err.Error() + ": " + e.stderr }

func needAWSCLI(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH; skipping the AWS CLI test")
	}
}

func TestAWSCLI(t *testing.T) {
	needAWSCLI(t)
	// The clock all but stands still (a thousandth of real time): each
	// AWS CLI call takes seconds on a loaded machine, and at real time the
	// alarm's creation would be stamped after the evaluation at +10s below.
	s := New(simclock.New(testOrigin, 0.001), testAccount, testRegion)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	ts := testOrigin.Add(-90 * time.Second).Format(time.RFC3339)

	if err := awsCLI(t, srv.URL, nil, "put-metric-data", "--namespace", "SockShop",
		"--metric-data", `[{"MetricName":"Latency","Dimensions":[{"Name":"service","Value":"carts"}],"Timestamp":"`+ts+`","Values":[10,20,30],"Counts":[1,1,2],"Unit":"Milliseconds"}]`); err != nil {
		t.Fatal(err)
	}
	var md struct {
		MetricDataResults []struct {
			ID         string    `json:"Id"`
			Label      string    `json:"Label"`
			Timestamps []float64 `json:"Timestamps"` // epoch seconds: the CLI v1 prints awsJson timestamps raw
			Values     []float64 `json:"Values"`
			StatusCode string    `json:"StatusCode"`
		}
	}
	q := `[{"Id":"avg","MetricStat":{"Metric":{"Namespace":"SockShop","MetricName":"Latency","Dimensions":[{"Name":"service","Value":"carts"}]},"Period":60,"Stat":"Average"}},` +
		`{"Id":"p50","MetricStat":{"Metric":{"Namespace":"SockShop","MetricName":"Latency","Dimensions":[{"Name":"service","Value":"carts"}]},"Period":60,"Stat":"p50"},"Label":"median"}]`
	if err := awsCLI(t, srv.URL, &md, "get-metric-data", "--metric-data-queries", q,
		"--start-time", testOrigin.Add(-time.Hour).Format(time.RFC3339), "--end-time", testOrigin.Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	if len(md.MetricDataResults) != 2 {
		t.Fatalf("GetMetricData results = %+v, want 2", md.MetricDataResults)
	}
	got := []any{md.MetricDataResults[0].Timestamps, md.MetricDataResults[0].Label, md.MetricDataResults[0].Values, md.MetricDataResults[0].StatusCode,
		md.MetricDataResults[1].Label, md.MetricDataResults[1].Values}
	want := []any{[]float64{float64(testOrigin.Add(-2 * time.Minute).Unix())}, "Latency", []float64{22.5}, "Complete", "median", []float64{20}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetMetricData (-want +got):\n%s", diff)
	}

	// get-metric-statistics, with the percentile map: the put was 10, 20,
	// 30 and 30 (count 2) in the minute 11:58.
	type gmsOut struct {
		Label      string
		Datapoints []struct {
			Timestamp          float64
			Average            *float64
			Unit               string
			ExtendedStatistics map[string]float64
		}
	}
	var gmsGot []any
	for _, stats := range [][]string{{"--statistics", "Average"}, {"--extended-statistics", "p50", "p100"}} {
		var gms gmsOut
		if err := awsCLI(t, srv.URL, &gms, append([]string{"get-metric-statistics", "--namespace", "SockShop", "--metric-name", "Latency",
			"--dimensions", "Name=service,Value=carts", "--period", "60",
			"--start-time", testOrigin.Add(-time.Hour).Format(time.RFC3339), "--end-time", testOrigin.Format(time.RFC3339)}, stats...)...); err != nil {
			t.Fatal(err)
		}
		if len(gms.Datapoints) != 1 {
			t.Fatalf("get-metric-statistics %v = %+v, want one datapoint", stats, gms)
		}
		d := gms.Datapoints[0]
		gmsGot = append(gmsGot, gms.Label, d.Timestamp, d.Average, d.Unit, d.ExtendedStatistics)
	}
	minute := float64(testOrigin.Add(-2 * time.Minute).Unix())
	avg := 22.5
	if diff := cmp.Diff([]any{"Latency", minute, &avg, "Milliseconds", map[string]float64(nil),
		"Latency", minute, (*float64)(nil), "Milliseconds", map[string]float64{"p50": 20, "p100": 30}}, gmsGot); diff != "" {
		t.Errorf("get-metric-statistics (-want +got):\n%s", diff)
	}

	if err := awsCLI(t, srv.URL, nil, "put-metric-alarm", "--alarm-name", "carts-latency",
		"--namespace", "SockShop", "--metric-name", "Latency", "--dimensions", "Name=service,Value=carts",
		"--statistic", "Average", "--period", "60", "--evaluation-periods", "1", "--threshold", "5",
		"--comparison-operator", "GreaterThanThreshold", "--tags", "Key=team,Value=shop"); err != nil {
		t.Fatal(err)
	}
	s.Evaluate(testOrigin.Add(10 * time.Second))

	var da struct {
		MetricAlarms []struct {
			AlarmName, AlarmArn, StateValue, StateReason string
			Threshold                                    float64
		}
	}
	if err := awsCLI(t, srv.URL, &da, "describe-alarms", "--alarm-names", "carts-latency"); err != nil {
		t.Fatal(err)
	}
	if len(da.MetricAlarms) != 1 {
		t.Fatalf("DescribeAlarms = %+v, want one alarm", da)
	}
	a := da.MetricAlarms[0]
	if diff := cmp.Diff([]any{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:carts-latency", "ALARM",
		"Threshold Crossed: 1 datapoint [22.5 (26/11/26 11:58:00)] was greater than the threshold (5.0)."},
		[]any{a.AlarmArn, a.StateValue, a.StateReason}); diff != "" {
		t.Errorf("alarm (-want +got):\n%s", diff)
	}

	var hist struct {
		AlarmHistoryItems []struct{ HistoryItemType, HistorySummary string }
	}
	if err := awsCLI(t, srv.URL, &hist, "describe-alarm-history", "--alarm-name", "carts-latency"); err != nil {
		t.Fatal(err)
	}
	wantHist := []struct{ HistoryItemType, HistorySummary string }{
		{"StateUpdate", "Alarm updated from INSUFFICIENT_DATA to ALARM"},
		{"ConfigurationUpdate", `Alarm "carts-latency" created`},
	}
	if diff := cmp.Diff(wantHist, hist.AlarmHistoryItems); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}

	var tags struct{ Tags []struct{ Key, Value string } }
	if err := awsCLI(t, srv.URL, &tags, "list-tags-for-resource", "--resource-arn", a.AlarmArn); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]struct{ Key, Value string }{{"team", "shop"}}, tags.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}

	err := awsCLI(t, srv.URL, nil, "set-alarm-state", "--alarm-name", "missing", "--state-value", "OK", "--state-reason", "test")
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("(ResourceNotFound)")) {
		t.Errorf("set-alarm-state on a missing alarm: err = %v, want ResourceNotFound", err)
	}
}

func pathEnv() string {
	p, _ := exec.LookPath("aws")
	return filepath.Dir(p) + ":/usr/local/bin:/usr/bin:/bin"
}
