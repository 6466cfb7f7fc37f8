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
	p := fis.NewListExperimentsPaginator(api, &fis.ListExperimentsInput{})
	out, err := collect(ctx, p, func(o *fis.ListExperimentsOutput) []types.ExperimentSummary { return o.Experiments }, keep)
	if err != nil {
		return nil, fmt.Errorf("list experiments: %w", err)
	}
	return out, nil
}

// TemplatesOf lists the experiment templates tagged with the GameDay's
// name, through the real ListExperimentTemplates paginator.
func TemplatesOf(ctx context.Context, api fis.ListExperimentTemplatesAPIClient, name string) ([]types.ExperimentTemplateSummary, error) {
	p := fis.NewListExperimentTemplatesPaginator(api, &fis.ListExperimentTemplatesInput{})
	templates := func(o *fis.ListExperimentTemplatesOutput) []types.ExperimentTemplateSummary {
		return o.ExperimentTemplates
	}
	out, err := collect(ctx, p, templates, func(t types.ExperimentTemplateSummary) bool { return t.Tags[deploy.TagName] == name })
	if err != nil {
		return nil, fmt.Errorf("list experiment templates: %w", err)
	}
	return out, nil
}

// paginator is an FIS paginator of pages of type P.
type paginator[P any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*fis.Options)) (P, error)
}

// collect is the items of every page of p that keep (nil: all) returns true
// for; an error is classified (awserr).
func collect[P, T any](ctx context.Context, p paginator[P], items func(P) []T, keep func(T) bool) ([]T, error) {
	var out []T
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Classify(err)
		}
		for _, e := range items(page) {
			if keep == nil || keep(e) {
				out = append(out, e)
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
