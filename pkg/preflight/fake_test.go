package preflight

import (
	"context"
	"sort"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

const (
	region  = "us-east-1"
	account = "123456789012"
)

func alarmARN(name string) string {
	return "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:" + name
}

// fakeCloudWatch is a stateful CloudWatch with metric alarms only.
type fakeCloudWatch struct {
	mu sync.Mutex
	// NewState is the state of an alarm PutMetricAlarm creates (default
	// INSUFFICIENT_DATA, as in CloudWatch); an update keeps the state.
	NewState types.StateValue
	Fail     map[string]error
	Alarms   map[string]*types.MetricAlarm
	Puts     []*cloudwatch.PutMetricAlarmInput
	Pages    int
}

var _ AlarmAPI = (*fakeCloudWatch)(nil)

func (f *fakeCloudWatch) add(name string, state types.StateValue) {
	if f.Alarms == nil {
		f.Alarms = map[string]*types.MetricAlarm{}
	}
	f.Alarms[name] = &types.MetricAlarm{AlarmName: aws.String(name), AlarmArn: aws.String(alarmARN(name)), StateValue: state,
		StateReason: aws.String("Threshold Crossed: 2 datapoints were greater than the threshold (5.0).")}
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
		if _, ok := f.Alarms[n]; ok {
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
		out.MetricAlarms = []types.MetricAlarm{*f.Alarms[names[start]]}
	}
	if start+1 < len(names) {
		out.NextToken = aws.String(strconv.Itoa(start + 1))
	}
	return out, nil
}
