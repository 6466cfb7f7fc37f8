// Package deployed drives gameday against a deployed stack: it starts a
// Step Functions execution of the gameday state machine for a GameDay file
// (`gameday start`), lists and follows executions (`gameday status`),
// finds and fetches a run's archive (`gameday report`) and reads the
// archived runs' summaries (`gameday list`, `gameday history`). The state
// machine and the archive bucket come from flags or from the CloudFormation
// stack's outputs.
package deployed

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// DescribeStacksAPI is what StackResolver calls; *cloudformation.Client
// satisfies it.
type DescribeStacksAPI interface {
	DescribeStacks(ctx context.Context, params *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

// StartExecutionAPI is what Start calls; *sfn.Client satisfies it.
type StartExecutionAPI interface {
	StartExecution(ctx context.Context, params *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// DescribeExecutionAPI is what Describe, Follow and Report call, with the
// history of the execution (through the SDK's paginator); *sfn.Client
// satisfies it.
type DescribeExecutionAPI interface {
	sfn.GetExecutionHistoryAPIClient
	DescribeExecution(ctx context.Context, params *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// GetObjectAPI is what Report reads archive objects with; *s3.Client
// satisfies it.
type GetObjectAPI interface {
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var (
	_ DescribeStacksAPI           = (*cloudformation.Client)(nil)
	_ StartExecutionAPI           = (*sfn.Client)(nil)
	_ DescribeExecutionAPI        = (*sfn.Client)(nil)
	_ sfn.ListExecutionsAPIClient = (*sfn.Client)(nil)
	_ GetObjectAPI                = (*s3.Client)(nil)
	_ s3.ListObjectsV2APIClient   = (*s3.Client)(nil)
)
