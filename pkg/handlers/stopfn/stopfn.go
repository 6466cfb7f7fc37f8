// Package stopfn builds the stop-experiment Lambda's handler; it links the
// FIS client only.
package stopfn

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

var _ step.Constructor = New

// New builds the stop-experiment handler; it reads no variable.
func New(_ context.Context, c step.Config) (lambda.Handler, error) {
	s := &experiment.Stopper{API: fis.NewFromConfig(c.AWS)}
	return step.New(deploy.StopExperiment, s.Handle), nil
}
