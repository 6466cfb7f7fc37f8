package archive

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/gameday-dev/gameday/pkg/gameday"
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

// FISAPI reads the experiment's final state. *fis.Client satisfies it.
type FISAPI interface {
	GetExperiment(ctx context.Context, params *fis.GetExperimentInput, optFns ...func(*fis.Options)) (*fis.GetExperimentOutput, error)
}

// CloudWatchAPI reads the steady-state metrics and the stop-condition alarm
// history, both through the SDK's paginators. *cloudwatch.Client satisfies it.
type CloudWatchAPI interface {
	cloudwatch.GetMetricDataAPIClient
	cloudwatch.DescribeAlarmHistoryAPIClient
}

var (
	_ S3API         = (*s3.Client)(nil)
	_ FISAPI        = (*fis.Client)(nil)
	_ CloudWatchAPI = (*cloudwatch.Client)(nil)
)

// classify maps an AWS API error to gameday's sentinels, keeping the original
// in the chain; throttling becomes a Throttled step error so that the state
// machine's retrier sees it by name. It is the one place in this package that
// reads AWS error codes.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.ErrorCode() {
	case "NoSuchKey", "NoSuchBucket", "NotFound", "ResourceNotFoundException", "ResourceNotFound":
		return fmt.Errorf("%w: %w", gameday.ErrNotFound, err)
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "RequestThrottled":
		return &gameday.StepError{Name: gameday.ErrNameThrottled, Err: fmt.Errorf("%w: %w", gameday.ErrThrottled, err)}
	}
	return err
}
