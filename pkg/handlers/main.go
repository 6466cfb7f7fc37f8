package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

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
