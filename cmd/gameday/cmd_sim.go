package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/deployed"
	"github.com/gameday-dev/gameday/pkg/interpreter"
	"github.com/gameday-dev/gameday/pkg/localrun"
	"github.com/gameday-dev/gameday/pkg/sim"
)

// simCmd is `gameday sim`.
type simCmd struct {
	addr, data, account, region, cluster string
	speed                                float64
	seed                                 seedFlag
	logDelay                             time.Duration
	verbose                              bool
}

func (c *simCmd) define(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", "127.0.0.1:4566", "`HOST:PORT` to listen on (port 0 picks a free one)")
	fs.StringVar(&c.data, "data", "", "keep S3 objects as files under `DIR` (DIR/buckets/BUCKET/KEY) instead of in memory")
	fs.Float64Var(&c.speed, "speed", 1, fmt.Sprintf("`N` simulated seconds per wall-clock second, %g to %g (60: a 180 s fault takes 3 s)", sim.MinSpeed, sim.MaxSpeed))
	fs.Var(&c.seed, "seed", "seed pod selection and metric noise with `N`; given, it also makes experiment and template ids reproducible (not given: seed 1 and random ids)")
	fs.StringVar(&c.account, "account", sim.DefaultAccount, "simulated AWS account id")
	fs.StringVar(&c.region, "region", sim.DefaultRegion, "simulated AWS Region")
	fs.StringVar(&c.cluster, "cluster", sim.DefaultCluster, "name of the simulated EKS cluster")
	fs.DurationVar(&c.logDelay, "log-delay", sim.DefaultLogDelay, "simulated delay before FIS log objects land in S3")
	fs.BoolVar(&c.verbose, "verbose", false, "also log the simulator's own events (JSON on stderr, where the handlers always log, as to a Lambda log stream)")
}

// followHint is the command that starts and follows a run on the
// simulator: faster than real time, with the shortest --interval, since
// the default looks once per 5 s of wall time, minutes of simulated time.
func followHint(speed float64) string {
	if speed <= 1 {
		return "'gameday start FILE --follow'"
	}
	return fmt.Sprintf("'gameday start FILE --follow --interval %v' (at %gx, --follow's default %v is %v of simulated time)",
		deployed.MinInterval, speed, deployed.DefaultInterval, time.Duration(speed*float64(deployed.DefaultInterval)).Round(time.Second))
}

func (c *simCmd) run(ctx context.Context, e *env, _ []string) error {
	if err := checkSpeed(c.speed); err != nil {
		return err
	}
	if c.logDelay <= 0 {
		return usagef("--log-delay must be above 0, not %v (use 1s for logs that land almost at once)", c.logDelay)
	}
	level := slog.LevelWarn
	if c.verbose {
		level = slog.LevelInfo
	}
	s, err := sim.New(sim.Options{
		Account: c.account, Region: c.region, Cluster: c.cluster, DataDir: c.data,
		Speed: c.speed, Seed: c.seed.value(), ReproducibleIDs: c.seed.set, LogDelay: c.logDelay,
		Logger: slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level})),
	})
	if err != nil {
		return err
	}
	if err := s.Start(c.addr); err != nil {
		_ = s.Close()
		return fmt.Errorf("%w (is another simulator running there? pick another --addr, or port 0 for a free one)", err)
	}
	fmt.Fprintf(e.stdout, "gameday sim: serving FIS, CloudWatch, S3, STS, Lambda, EventBridge, SNS, DynamoDB, Step Functions and CloudFormation at %s (account %s, region %s, speed %gx)\n", s.URL(), c.account, c.region, c.speed)
	fmt.Fprintf(e.stdout, "EKS cluster: %s (Sock Shop in namespace sock-shop)\n", s.ClusterARN())
	// The deployed stack's part: gameday's state machine, run by
	// the same interpreter and handlers as `gameday run --local`,
	// found through stack GameDay's outputs by start/status/report.
	// Its Lambdas log JSON to stderr, as to a Lambda log stream.
	slog.SetDefault(slog.New(slog.NewJSONHandler(e.stderr, nil)))
	var sm string
	found, err := interpreter.Ensure(ctx, interpreter.Options{Progress: e.stderr})
	if err == nil {
		sm, err = localrun.Serve(ctx, s, found.NodeModules, found.Node)
	}
	if err != nil {
		fmt.Fprintf(e.stdout, "Step Functions: no state machine (%v); start/status/report need it\n", err)
	} else {
		fmt.Fprintf(e.stdout, "Stack %s: state machine %s; try %s\n", deploy.DefaultStackName, sm, followHint(c.speed))
	}
	fmt.Fprintf(e.stdout, "export AWS_ENDPOINT_URL=%s AWS_REGION=%s AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test\n", s.URL(), c.region)
	fmt.Fprintln(e.stdout, "S3 clients need path-style addressing. The handlers log JSON lines to stderr, as to CloudWatch Logs (2>FILE keeps them apart); press Ctrl-C to stop.")
	<-ctx.Done()
	start := time.Now()
	if err := s.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "gameday sim: stopped in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}
