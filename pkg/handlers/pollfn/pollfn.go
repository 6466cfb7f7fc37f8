// Package pollfn builds the poll-experiment Lambda's handler; it links the
// FIS client only.
package pollfn

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

var _ step.Constructor = New

// New builds the poll-experiment handler; it reads no variable.
func New(_ context.Context, c step.Config) (lambda.Handler, error) {
	p := &experiment.Poller{API: fis.NewFromConfig(c.AWS), Now: c.Clock()}
	return step.New(deploy.PollExperiment, p.Handle), nil
}
