// Command guard is gameday's guard Lambda. It only wires configuration
// and clients; the handler is built by pkg/handlers, the same code the local
// runner invokes.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/gameday-dev/gameday/pkg/handlers"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	if err := run(context.Background()); err != nil {
		slog.Error("init", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.LoadDefaultConfig(ctx) // honours AWS_ENDPOINT_URL
	if err != nil {
		return fmt.Errorf("load aws config: %w", err)
	}
	h, err := handlers.NewGuard(ctx, cfg, os.LookupEnv, nil)
	if err != nil {
		return err
	}
	lambda.Start(h) // blocks
	return nil
}
