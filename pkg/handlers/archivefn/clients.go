package archivefn

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/archive"
)

// The archive Lambda renders report.html with html/template, whose
// executor looks methods up by name through reflection: the linker then
// keeps every exported method of every type the binary puts in an
// interface. Handed to the archive as *fis.Client and *cloudwatch.Client,
// the two clients would bring all of their operations (about 1.5 MB of the
// bootstrap); handed as these values, which hold only the methods the step
// calls (method values, not the clients), they bring those alone.
// (*s3.Client cannot be helped: s3.New itself puts the client in an
// interface.)

// archiveFIS is the FIS client as archive.FISAPI.
type archiveFIS struct {
	getExperiment func(context.Context, *fis.GetExperimentInput, ...func(*fis.Options)) (*fis.GetExperimentOutput, error)
}

func (c archiveFIS) GetExperiment(ctx context.Context, in *fis.GetExperimentInput, opts ...func(*fis.Options)) (*fis.GetExperimentOutput, error) {
	return c.getExperiment(ctx, in, opts...)
}

// archiveCloudWatch is the CloudWatch client as archive.CloudWatchAPI.
type archiveCloudWatch struct {
	getMetricData        func(context.Context, *cloudwatch.GetMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
	describeAlarmHistory func(context.Context, *cloudwatch.DescribeAlarmHistoryInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error)
	listMetrics          func(context.Context, *cloudwatch.ListMetricsInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error)
}

func newArchiveCloudWatch(c *cloudwatch.Client) archiveCloudWatch {
	return archiveCloudWatch{c.GetMetricData, c.DescribeAlarmHistory, c.ListMetrics}
}

func (c archiveCloudWatch) GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	return c.getMetricData(ctx, in, opts...)
}

func (c archiveCloudWatch) DescribeAlarmHistory(ctx context.Context, in *cloudwatch.DescribeAlarmHistoryInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error) {
	return c.describeAlarmHistory(ctx, in, opts...)
}

func (c archiveCloudWatch) ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	return c.listMetrics(ctx, in, opts...)
}

var (
	_ archive.FISAPI        = archiveFIS{}
	_ archive.CloudWatchAPI = archiveCloudWatch{}
)
