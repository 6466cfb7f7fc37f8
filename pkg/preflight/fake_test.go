package preflight

import (
	"context"
	"sort"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/gameday-dev/gameday/pkg/cwmetrics/cwmetricstest"
)

const (
	region  = "us-east-1"
	account = "123456789012"
)

func alarmARN(name string) string {
	return "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:" + name
}

// fakeCloudWatch is a stateful CloudWatch: metric and composite alarms,
// and the metrics ListMetrics lists.
type fakeCloudWatch struct {
	mu sync.Mutex
	// NewState is the state of an alarm PutMetricAlarm creates (default
	// INSUFFICIENT_DATA, as in CloudWatch); an update keeps the state.
	NewState   types.StateValue
	Fail       map[string]error
	Alarms     map[string]*types.MetricAlarm
	Composites map[string]*types.CompositeAlarm
	Puts       []*cloudwatch.PutMetricAlarmInput
	Pages      int
	// Listed answers ListMetrics; nil lists the metrics of testSpec's
	// staged alarm and of existing-slo-alarm (as add makes it).
	Listed *cwmetricstest.Metrics
}

// sloMetric is the metric add gives an alarm: existing-slo-alarm's.
var sloMetric = []string{"SockShop", "Availability", "service=front-end"}

var _ AlarmAPI = (*fakeCloudWatch)(nil)

func (f *fakeCloudWatch) add(name string, state types.StateValue) {
	if f.Alarms == nil {
		f.Alarms = map[string]*types.MetricAlarm{}
	}
	f.Alarms[name] = &types.MetricAlarm{AlarmName: aws.String(name), AlarmArn: aws.String(alarmARN(name)), StateValue: state,
		StateReason: aws.String("Threshold Crossed: 2 datapoints were greater than the threshold (5.0)."),
		Namespace:   aws.String(sloMetric[0]), MetricName: aws.String(sloMetric[1]), TreatMissingData: aws.String("notBreaching"),
		Dimensions: []types.Dimension{{Name: aws.String("service"), Value: aws.String("front-end")}}}
}

// addComposite adds a composite alarm with rule.
func (f *fakeCloudWatch) addComposite(name, rule string, state types.StateValue) {
	if f.Composites == nil {
		f.Composites = map[string]*types.CompositeAlarm{}
	}
	f.Composites[name] = &types.CompositeAlarm{AlarmName: aws.String(name), AlarmArn: aws.String(alarmARN(name)), AlarmRule: aws.String(rule), StateValue: state}
}

func (f *fakeCloudWatch) ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	f.mu.Lock()
	if f.Listed == nil {
		f.Listed = &cwmetricstest.Metrics{}
		f.Listed.Add("SockShop", "ErrorRate", "service=front-end")
		f.Listed.Add(sloMetric[0], sloMetric[1], sloMetric[2])
	}
	l := f.Listed
	f.mu.Unlock()
	return l.ListMetrics(ctx, in, opts...)
}

func (f *fakeCloudWatch) PutMetricAlarm(_ context.Context, in *cloudwatch.PutMetricAlarmInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.Fail["PutMetricAlarm"]; err != nil {
		return nil, err
	}
	f.Puts = append(f.Puts, in)
	name := aws.ToString(in.AlarmName)
	if _, ok := f.Alarms[name]; !ok {
		st := f.NewState
		if st == "" {
			st = types.StateValueInsufficientData
		}
		f.add(name, st)
	}
	return &cloudwatch.PutMetricAlarmOutput{}, nil
}

// DescribeAlarms answers one alarm per page, to exercise the paginator.
func (f *fakeCloudWatch) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.Fail["DescribeAlarms"]; err != nil {
		return nil, err
	}
	f.Pages++
	var names []string
	for _, n := range in.AlarmNames {
		_, metric := f.Alarms[n]
		_, composite := f.Composites[n]
		if metric || composite {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(*in.NextToken)
	}
	out := &cloudwatch.DescribeAlarmsOutput{}
	if start < len(names) {
		if a, ok := f.Alarms[names[start]]; ok {
			out.MetricAlarms = []types.MetricAlarm{*a}
		} else {
			out.CompositeAlarms = []types.CompositeAlarm{*f.Composites[names[start]]}
		}
	}
	if start+1 < len(names) {
		out.NextToken = aws.String(strconv.Itoa(start + 1))
	}
	return out, nil
}
