package archive

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3API is what the archive needs from S3: list the FIS log objects (with
// the SDK's paginator), read them, copy them server-side and write the
// archive's documents. *s3.Client satisfies it.
type S3API interface {
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	CopyObject(ctx context.Context, params *s3.CopyObjectInput, optFns ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	PutObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// CloudWatchAPI reads the steady-state metrics and the stop-condition alarm
// history, both through the SDK's paginators, and lists a metric that had
// no data to say whether it exists at all. *cloudwatch.Client satisfies it.
type CloudWatchAPI interface {
	cloudwatch.GetMetricDataAPIClient
	cloudwatch.DescribeAlarmHistoryAPIClient
	cloudwatch.ListMetricsAPIClient
}

var (
	_ S3API         = (*s3.Client)(nil)
	_ CloudWatchAPI = (*cloudwatch.Client)(nil)
)
