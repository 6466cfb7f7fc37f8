// Package handlers builds every Lambda handler of gameday by name, for the
// local runner. Each function's constructor lives in a package that links
// only the AWS clients that function calls (pkg/handlers/<name>fn;
// experimentfn for start, poll and stop, which call the same ones), and
// each functions/<name>/main.go is one call of step.Main with it, so
// the code that runs in Lambda is the code that runs locally: only the
// aws.Config (its endpoint), the environment and the clock differ.
package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/archivefn"
	"github.com/gameday-dev/gameday/pkg/handlers/experimentfn"
	"github.com/gameday-dev/gameday/pkg/handlers/guardfn"
	"github.com/gameday-dev/gameday/pkg/handlers/notifyfn"
	"github.com/gameday-dev/gameday/pkg/handlers/preflightfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/handlers/sweeperfn"
)

// ErrUnknown is returned by New for a name not in deploy.Functions.
var ErrUnknown = errors.New("unknown handler")

// New builds the named handler (the local runner builds them all) with the
// constructor its functions/<name>/main.go passes to step.Main. A missing
// required variable is an error naming it.
func New(ctx context.Context, name deploy.Function, c step.Config) (lambda.Handler, error) {
	build, ok := map[deploy.Function]step.Constructor{
		deploy.Preflight:       preflightfn.New,
		deploy.StartExperiment: experimentfn.NewStart,
		deploy.PollExperiment:  experimentfn.NewPoll,
		deploy.StopExperiment:  experimentfn.NewStop,
		deploy.Archive:         archivefn.New,
		deploy.Notify:          notifyfn.New,
		deploy.Guard:           guardfn.New,
		deploy.Sweeper:         sweeperfn.New,
	}[name]
	if !ok {
		return nil, fmt.Errorf("build %q: %w (known: %v)", name, ErrUnknown, deploy.Functions)
	}
	return step.Build(ctx, name, build, c)
}
