package preflight

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/fis"
)

// AlarmAPI is the CloudWatch part of preflight; *cloudwatch.Client satisfies it.
// ListMetrics says whether what a stop-condition alarm watches exists.
type AlarmAPI interface {
	cloudwatch.DescribeAlarmsAPIClient
	cloudwatch.ListMetricsAPIClient
	PutMetricAlarm(ctx context.Context, params *cloudwatch.PutMetricAlarmInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error)
}

// FISAPI is the FIS part of preflight; *fis.Client satisfies it.
type FISAPI interface {
	fis.ListExperimentsAPIClient
	fis.ListExperimentTemplatesAPIClient
	GetSafetyLever(ctx context.Context, params *fis.GetSafetyLeverInput, optFns ...func(*fis.Options)) (*fis.GetSafetyLeverOutput, error)
}

var (
	_ AlarmAPI = (*cloudwatch.Client)(nil)
	_ FISAPI   = (*fis.Client)(nil)
)
