package preflightfn

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/preflight"
)

// Preflight links packages that call reflect.Value's Methods: the linker
// then keeps every exported method of every type the binary puts in an
// interface. Handed to preflight as *fis.Client and *cloudwatch.Client, the
// two clients would bring all of their operations (about 1.5 MB of the
// bootstrap); handed as these values, which hold only the methods the step
// calls (method values, not the clients), they bring those alone.

// preflightFIS is the FIS client as preflight.FISAPI.
type preflightFIS struct {
	listExperiments         func(context.Context, *fis.ListExperimentsInput, ...func(*fis.Options)) (*fis.ListExperimentsOutput, error)
	listExperimentTemplates func(context.Context, *fis.ListExperimentTemplatesInput, ...func(*fis.Options)) (*fis.ListExperimentTemplatesOutput, error)
	getSafetyLever          func(context.Context, *fis.GetSafetyLeverInput, ...func(*fis.Options)) (*fis.GetSafetyLeverOutput, error)
}

func newPreflightFIS(c *fis.Client) preflightFIS {
	return preflightFIS{c.ListExperiments, c.ListExperimentTemplates, c.GetSafetyLever}
}

func (c preflightFIS) ListExperiments(ctx context.Context, in *fis.ListExperimentsInput, opts ...func(*fis.Options)) (*fis.ListExperimentsOutput, error) {
	return c.listExperiments(ctx, in, opts...)
}

func (c preflightFIS) ListExperimentTemplates(ctx context.Context, in *fis.ListExperimentTemplatesInput, opts ...func(*fis.Options)) (*fis.ListExperimentTemplatesOutput, error) {
	return c.listExperimentTemplates(ctx, in, opts...)
}

func (c preflightFIS) GetSafetyLever(ctx context.Context, in *fis.GetSafetyLeverInput, opts ...func(*fis.Options)) (*fis.GetSafetyLeverOutput, error) {
	return c.getSafetyLever(ctx, in, opts...)
}

// preflightCloudWatch is the CloudWatch client as preflight.AlarmAPI.
type preflightCloudWatch struct {
	describeAlarms func(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	putMetricAlarm func(context.Context, *cloudwatch.PutMetricAlarmInput, ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error)
	listMetrics    func(context.Context, *cloudwatch.ListMetricsInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error)
}

func newPreflightCloudWatch(c *cloudwatch.Client) preflightCloudWatch {
	return preflightCloudWatch{c.DescribeAlarms, c.PutMetricAlarm, c.ListMetrics}
}

func (c preflightCloudWatch) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	return c.describeAlarms(ctx, in, opts...)
}

func (c preflightCloudWatch) PutMetricAlarm(ctx context.Context, in *cloudwatch.PutMetricAlarmInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error) {
	return c.putMetricAlarm(ctx, in, opts...)
}

func (c preflightCloudWatch) ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	return c.listMetrics(ctx, in, opts...)
}

var (
	_ preflight.FISAPI   = preflightFIS{}
	_ preflight.AlarmAPI = preflightCloudWatch{}
)
