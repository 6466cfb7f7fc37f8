package experiment

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// StartAPI is what Starter calls; *fis.Client satisfies it.
type StartAPI interface {
	fis.ListExperimentTemplatesAPIClient
	GetExperimentTemplate(ctx context.Context, params *fis.GetExperimentTemplateInput, optFns ...func(*fis.Options)) (*fis.GetExperimentTemplateOutput, error)
	CreateExperimentTemplate(ctx context.Context, params *fis.CreateExperimentTemplateInput, optFns ...func(*fis.Options)) (*fis.CreateExperimentTemplateOutput, error)
	UpdateExperimentTemplate(ctx context.Context, params *fis.UpdateExperimentTemplateInput, optFns ...func(*fis.Options)) (*fis.UpdateExperimentTemplateOutput, error)
	DeleteExperimentTemplate(ctx context.Context, params *fis.DeleteExperimentTemplateInput, optFns ...func(*fis.Options)) (*fis.DeleteExperimentTemplateOutput, error)
	TagResource(ctx context.Context, params *fis.TagResourceInput, optFns ...func(*fis.Options)) (*fis.TagResourceOutput, error)
	StartExperiment(ctx context.Context, params *fis.StartExperimentInput, optFns ...func(*fis.Options)) (*fis.StartExperimentOutput, error)
	StopExperiment(ctx context.Context, params *fis.StopExperimentInput, optFns ...func(*fis.Options)) (*fis.StopExperimentOutput, error)
}

// ExecutionAPI is what Starter asks Step Functions; *sfn.Client satisfies it.
type ExecutionAPI interface {
	DescribeExecution(ctx context.Context, params *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// GetExperimentAPI is what Get calls (for Poller, Stopper and the
// archive); *fis.Client satisfies it.
type GetExperimentAPI interface {
	GetExperiment(ctx context.Context, params *fis.GetExperimentInput, optFns ...func(*fis.Options)) (*fis.GetExperimentOutput, error)
}

// StopExperimentAPI is what RequestStop calls; *fis.Client satisfies it.
type StopExperimentAPI interface {
	StopExperiment(ctx context.Context, params *fis.StopExperimentInput, optFns ...func(*fis.Options)) (*fis.StopExperimentOutput, error)
}

// StopAPI is what Stopper calls; *fis.Client satisfies it.
type StopAPI interface {
	fis.ListExperimentsAPIClient
	GetExperimentAPI
	StopExperimentAPI
}

var (
	_ StartAPI          = (*fis.Client)(nil)
	_ GetExperimentAPI  = (*fis.Client)(nil)
	_ StopAPI           = (*fis.Client)(nil)
	_ StopExperimentAPI = (*fis.Client)(nil)
	_ StopReadAPI       = (*fis.Client)(nil)
	_ ExecutionAPI      = (*sfn.Client)(nil)
)
