package step

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gameday-dev/gameday/pkg/awsenv"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Config is what a handler is built from.
type Config struct {
	// AWS is the SDK configuration (its endpoint is the simulator's in a
	// local run).
	AWS aws.Config
	// Env is the Lambda's environment (deploy.LoadEnv in Lambda).
	Env deploy.Env
	// Now is the clock; nil means time.Now (the local runner passes the
	// simulator's).
	Now func() time.Time
	// Validate is preflight's GameDay validation; nil means every rule of
	// gameday.Check, that is all but the strict typed decode of the Chaos
	// Mesh and Litmus custom resources, which validate.Spec adds. It is
	// passed in, not imported, so that only the binaries that pass
	// validate.Spec (functions/preflight, the local runner) link the Chaos
	// Mesh API types.
	Validate func(*gameday.Spec) error
}

// Constructor builds one Lambda's handler from a Config whose Env has every
// variable the Lambda needs (Build checks) and the optional ones' defaults
// where they are unset (Build fills them).
type Constructor func(context.Context, Config) (lambda.Handler, error)

// Clock is c.Now, or time.Now when it is nil.
func (c Config) Clock() func() time.Time {
	if c.Now == nil {
		return time.Now
	}
	return c.Now
}

// Build builds the handler of the Lambda fn with build, after checking that
// c.Env has every variable fn needs and that there is a region (c.AWS's,
// else AWS_REGION's: the clients need one), and filling the optional
// variables' defaults; an error names fn and the variable.
func Build(ctx context.Context, fn deploy.Function, build Constructor, c Config) (lambda.Handler, error) {
	if err := c.Env.Check(fn); err != nil {
		return nil, fmt.Errorf("build %s: %w", fn, err)
	}
	c.Env = c.Env.WithDefaults()
	if c.AWS.Region == "" {
		if c.AWS.Region = c.Env.Region; c.AWS.Region == "" {
			return nil, fmt.Errorf("build %s: environment variable %s is not set", fn, deploy.KeyRegion)
		}
	}
	h, err := build(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", fn, err)
	}
	return h, nil
}

// Main is the whole of a functions/<name>/main.go: it sets the Lambda JSON
// logger, loads the SDK configuration from the environment Lambda sets
// (awsenv.Load, honouring AWS_ENDPOINT_URL) and gameday's environment
// (deploy.LoadEnv), builds the handler of fn with build and serves it.
// validate is preflight's validation (validate.Spec); the others pass nil.
// An init error is logged once and exits 1.
func Main(fn deploy.Function, build Constructor, validate func(*gameday.Spec) error) {
	slog.SetDefault(lambdacontext.NewLogger())
	h, err := initialize(context.Background(), fn, build, validate, os.LookupEnv)
	if err != nil {
		slog.Error("init", "err", err)
		os.Exit(1)
	}
	lambda.Start(h) // blocks
}

// initialize is Main's part before serving.
func initialize(ctx context.Context, fn deploy.Function, build Constructor, validate func(*gameday.Spec) error, lookup func(string) (string, bool)) (lambda.Handler, error) {
	cfg, err := awsenv.Load(lookup)
	if err != nil {
		return nil, err
	}
	env, err := deploy.LoadEnv(lookup)
	if err != nil {
		return nil, err
	}
	return Build(ctx, fn, build, Config{AWS: cfg, Env: env, Validate: validate})
}
