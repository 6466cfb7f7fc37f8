package experiment

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/deploy"
)

// ListExperiments lists every experiment of the account and region that
// keep returns true for, through the real ListExperiments paginator.
func ListExperiments(ctx context.Context, api fis.ListExperimentsAPIClient, keep func(types.ExperimentSummary) bool) ([]types.ExperimentSummary, error) {
	var out []types.ExperimentSummary
	p := fis.NewListExperimentsPaginator(api, &fis.ListExperimentsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list experiments: %w", awserr.Classify(err))
		}
		for _, e := range page.Experiments {
			if keep == nil || keep(e) {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// TemplatesOf lists the experiment templates tagged with the GameDay's
// name, through the real ListExperimentTemplates paginator.
func TemplatesOf(ctx context.Context, api fis.ListExperimentTemplatesAPIClient, name string) ([]types.ExperimentTemplateSummary, error) {
	var out []types.ExperimentTemplateSummary
	p := fis.NewListExperimentTemplatesPaginator(api, &fis.ListExperimentTemplatesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list experiment templates: %w", awserr.Classify(err))
		}
		for _, t := range page.ExperimentTemplates {
			if t.Tags[deploy.TagName] == name {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// ByExecution lists the experiments tagged with the execution ARN, in any
// state.
func ByExecution(ctx context.Context, api fis.ListExperimentsAPIClient, executionARN string) ([]types.ExperimentSummary, error) {
	return ListExperiments(ctx, api, func(e types.ExperimentSummary) bool {
		return executionARN != "" && e.Tags[deploy.TagExecution] == executionARN
	})
}
