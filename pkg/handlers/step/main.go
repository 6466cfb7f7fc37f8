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
	"github.com/aws/aws-sdk-go-v2/config"

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

// Constructor builds one Lambda's handler.
type Constructor func(context.Context, Config) (lambda.Handler, error)

// Clock is c.Now, or time.Now when it is nil.
func (c Config) Clock() func() time.Time {
	if c.Now == nil {
		return time.Now
	}
	return c.Now
}

// Main is the whole of a functions/<name>/main.go: it sets the Lambda JSON
// logger, loads the AWS configuration (honouring AWS_ENDPOINT_URL) and the
// environment (deploy.LoadEnv), builds the handler with build and serves it.
// validate is preflight's validation (validate.Spec); the others pass nil.
// An init error is logged once and exits 1.
func Main(build Constructor, validate func(*gameday.Spec) error) {
	slog.SetDefault(lambdacontext.NewLogger())
	h, err := initialize(context.Background(), build, validate, os.LookupEnv)
	if err != nil {
		slog.Error("init", "err", err)
		os.Exit(1)
	}
	lambda.Start(h) // blocks
}

// initialize is Main's part before serving.
func initialize(ctx context.Context, build Constructor, validate func(*gameday.Spec) error, lookup func(string) (string, bool)) (lambda.Handler, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	env, err := deploy.LoadEnv(lookup)
	if err != nil {
		return nil, err
	}
	return build(ctx, Config{AWS: cfg, Env: env, Validate: validate})
}
