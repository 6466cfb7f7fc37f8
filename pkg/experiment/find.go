package experiment

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
)

// ListExperiments lists every experiment of the account and region that
// keep returns true for, through the real ListExperiments paginator.
func ListExperiments(ctx context.Context, api fis.ListExperimentsAPIClient, keep func(types.ExperimentSummary) bool) ([]types.ExperimentSummary, error) {
	var out []types.ExperimentSummary
	p := fis.NewListExperimentsPaginator(api, &fis.ListExperimentsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list experiments: %w", Classify(err))
		}
		for _, e := range page.Experiments {
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
		return executionARN != "" && e.Tags[TagExecution] == executionARN
	})
}
