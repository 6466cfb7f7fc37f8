package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/gameday-dev/gameday/pkg/localrun"
	"github.com/gameday-dev/gameday/pkg/sim"
)

func init() {
	register(&command{
		name:    "sim",
		args:    "[--addr HOST:PORT] [--data DIR] [--speed N] [--seed N]",
		summary: "serve the simulator (FIS, CloudWatch, S3, STS, Lambda, EventBridge, SNS and a Sock Shop) for the SDK, the AWS CLI or any tool",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			addr := fs.String("addr", "127.0.0.1:4566", "address to listen on (port 0 picks a free one)")
			data := fs.String("data", "", "keep S3 objects as files under this directory (DIR/buckets/BUCKET/KEY) instead of in memory")
			speed := fs.Float64("speed", 1, "simulated seconds per wall-clock second (60: a 180 s fault takes 3 s)")
			seed := fs.Int64("seed", 1, "seed for ids, pod selection and metric noise")
			account := fs.String("account", sim.DefaultAccount, "simulated AWS account id")
			region := fs.String("region", sim.DefaultRegion, "simulated AWS Region")
			cluster := fs.String("cluster", sim.DefaultCluster, "name of the simulated EKS cluster")
			logDelay := fs.Duration("log-delay", sim.DefaultLogDelay, "simulated delay before FIS log objects land in S3")
			verbose := fs.Bool("verbose", false, "log the simulator's events (JSON on stderr)")
			return func(ctx context.Context, e *env, args []string) int {
				if len(args) != 0 {
					e.errorf("sim takes no arguments; run 'gameday sim --help'")
					return exitUsage
				}
				if *speed <= 0 {
					e.errorf("--speed must be above 0, not %v", *speed)
					return exitUsage
				}
				if *logDelay <= 0 {
					e.errorf("--log-delay must be above 0, not %v (use 1s for logs that land almost at once)", *logDelay)
					return exitUsage
				}
				level := slog.LevelWarn
				if *verbose {
					level = slog.LevelInfo
				}
				s, err := sim.New(sim.Options{
					Account: *account, Region: *region, Cluster: *cluster, DataDir: *data,
					Speed: *speed, Seed: *seed, LogDelay: *logDelay,
					Logger: slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level})),
				})
				if err != nil {
					e.errorf("%v", err)
					return exitInvalid
				}
				if err := s.Start(*addr); err != nil {
					_ = s.Close()
					e.errorf("%v (is another simulator running there? pick another --addr, or port 0 for a free one)", err)
					return exitInvalid
				}
				fmt.Fprintf(e.stdout, "gameday sim: serving FIS, CloudWatch, S3, STS, Lambda, EventBridge, SNS, Step Functions and CloudFormation at %s (account %s, region %s, speed %gx)\n", s.URL(), *account, *region, *speed)
				fmt.Fprintf(e.stdout, "EKS cluster: %s (Sock Shop in namespace sock-shop)\n", s.ClusterARN())
				// The deployed stack's part: gameday's state machine, run by
				// the same interpreter and handlers as `gameday run --local`,
				// found through stack GameDay's outputs by start/status/report.
				// Its Lambdas log JSON to stderr, as to a Lambda log stream.
				slog.SetDefault(slog.New(slog.NewJSONHandler(e.stderr, nil)))
				if sm, err := localrun.Serve(ctx, s, "", ""); err != nil {
					fmt.Fprintf(e.stdout, "Step Functions: no state machine (%v); start/status/report need it\n", err)
				} else {
					fmt.Fprintf(e.stdout, "Stack %s: state machine %s; try 'gameday start FILE' and 'gameday status --follow'\n", localrun.StackName, sm)
				}
				fmt.Fprintf(e.stdout, "export AWS_ENDPOINT_URL=%s AWS_REGION=%s AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test\n", s.URL(), *region)
				fmt.Fprintln(e.stdout, "S3 clients need path-style addressing; press Ctrl-C to stop.")
				<-ctx.Done()
				start := time.Now()
				if err := s.Close(); err != nil {
					e.errorf("%v", err)
					return exitInvalid
				}
				fmt.Fprintf(e.stdout, "gameday sim: stopped in %v\n", time.Since(start).Round(time.Millisecond))
				return exitOK
			}
		},
	})
}
