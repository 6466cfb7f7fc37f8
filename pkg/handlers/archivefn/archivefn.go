// Package archivefn builds the archive Lambda's handler; it links the S3,
// FIS and CloudWatch clients.
package archivefn

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gameday-dev/gameday/pkg/archive"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

// New builds the archive handler. It needs ACCOUNT_ID, a region and
// ARCHIVE_BUCKET; LOG_BUCKET, LOG_PREFIX, LOG_WAIT_LIMIT and ARCHIVE_LOCATION
// are optional.
func New(_ context.Context, c step.Config) (lambda.Handler, error) {
	cfg := archive.Config{
		LogBucket:     c.Env.LogBucket,
		LogPrefix:     c.Env.LogPrefix,
		ArchiveBucket: c.Env.ArchiveBucket,
		Location:      c.Env.ArchiveLocation,
		AccountID:     c.Env.AccountID,
		Region:        c.AWS.Region, // step.Build saw to it that there is one
		LogWaitLimit:  c.Env.LogWaitLimit,
		// The report judges the "after" phase too: answer pending (the
		// state machine's WaitForLogs states wait, within LOG_WAIT_LIMIT)
		// until the after window has data.
		AwaitAfterWindow: true,
		Dashboards:       c.Env.DashboardList(),
	}
	a := archive.New(cfg, s3.NewFromConfig(c.AWS, pathStyle),
		fis.NewFromConfig(c.AWS), cloudwatch.NewFromConfig(c.AWS), c.Clock())
	return step.New(deploy.Archive, a.Handle), nil
}

// pathStyle makes the S3 client address buckets by path when it points at
// a custom endpoint (the simulator, by AWS_ENDPOINT_URL or
// AWS_ENDPOINT_URL_S3: o.BaseEndpoint is the client's resolved one), where
// virtual-hosted bucket names do not resolve.
func pathStyle(o *s3.Options) { o.UsePathStyle = o.BaseEndpoint != nil }
