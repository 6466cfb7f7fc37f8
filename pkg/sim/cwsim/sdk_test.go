package cwsim

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

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
	c := cloudwatch.New(cloudwatch.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		RetryMaxAttempts: 1,
	})
	return s, c
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

func TestSDKSmoke(t *testing.T) {
	s, c := newTestService(t)
	ctx := context.Background()
	now := s.clock.Now()
	_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("SockShop"),
		MetricData: []types.MetricDatum{{
			MetricName: aws.String("Latency"),
			Dimensions: []types.Dimension{{Name: aws.String("service"), Value: aws.String("carts")}},
			Timestamp:  aws.Time(now.Add(-30 * time.Second)),
			Values:     []float64{1, 2, 3},
			Unit:       types.StandardUnitMilliseconds,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("m1"), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("SockShop"), MetricName: aws.String("Latency"),
				Dimensions: []types.Dimension{{Name: aws.String("service"), Value: aws.String("carts")}}},
			Period: aws.Int32(60), Stat: aws.String("Average")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", out.MetricDataResults)
	_, err = c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("nope"), StateValue: types.StateValueAlarm, StateReason: aws.String("x")})
	t.Logf("%v %s", err, apiCode(t, err))
	var nf *types.ResourceNotFound
	t.Log(errors.As(err, &nf))
}
