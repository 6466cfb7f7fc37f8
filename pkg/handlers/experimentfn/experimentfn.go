// Package experimentfn builds the handlers of the Lambdas that drive the
// experiment (start-experiment, poll-experiment, stop-experiment): they link
// the FIS client and, through pkg/experiment, Step Functions'.
package experimentfn

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

// NewStart builds the start-experiment handler. It needs ACCOUNT_ID, a
// region, FIS_ROLE_ARN and LOG_BUCKET.
func NewStart(_ context.Context, c step.Config) (lambda.Handler, error) {
	o := fistemplate.FromEnv(deploy.StartExperiment, c.Env, c.AWS.Region)
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

// NewPoll builds the poll-experiment handler; it reads no variable.
func NewPoll(_ context.Context, c step.Config) (lambda.Handler, error) {
	p := &experiment.Poller{API: fis.NewFromConfig(c.AWS), Now: c.Clock()}
	return step.New(deploy.PollExperiment, p.Handle), nil
}

// NewStop builds the stop-experiment handler; it reads no variable.
func NewStop(_ context.Context, c step.Config) (lambda.Handler, error) {
	s := &experiment.Stopper{API: fis.NewFromConfig(c.AWS)}
	return step.New(deploy.StopExperiment, s.Handle), nil
}
