// Package startfn builds the start-experiment Lambda's handler; it links the
// FIS and Step Functions clients.
package startfn

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

var _ step.Constructor = New

// New builds the start-experiment handler. It needs ACCOUNT_ID, a region,
// FIS_ROLE_ARN and LOG_BUCKET.
func New(_ context.Context, c step.Config) (lambda.Handler, error) {
	o, err := fistemplate.FromEnv(deploy.StartExperiment, c.Env, c.AWS.Region)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", deploy.StartExperiment, err)
	}
	s := &experiment.Starter{
		API:        fis.NewFromConfig(c.AWS),
		Render:     func(s *gameday.Spec) (*fis.CreateExperimentTemplateInput, error) { return fistemplate.Render(s, o) },
		Update:     fistemplate.UpdateInput,
		Encode:     fistemplate.JSON,
		Now:        c.Clock(),
		Executions: sfn.NewFromConfig(c.AWS),
	}
	return step.New(deploy.StartExperiment, s.Handle), nil
}
