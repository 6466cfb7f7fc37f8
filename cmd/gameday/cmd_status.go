package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/gameday-dev/gameday/pkg/deployed"
)

func init() {
	register(&command{
		name:    "status",
		args:    "[RUN] [--follow] [--limit N] [--stack S] [--region R] [--profile P]",
		summary: "list the recent runs on the deployed stack, or show one (RUN: an execution name or ARN, or a GameDay name for its latest run) or --follow it",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			var sf stackFlags
			sf.register(fs)
			follow := fs.Bool("follow", false, "follow RUN until it ends, a line per change: exit 0 if it succeeded, 1 if not; Ctrl-C stops following, not the run")
			interval := fs.Duration("interval", deployed.DefaultInterval, "how often --follow looks at the run")
			limit := fs.Int("limit", deployed.DefaultLimit, "how many recent runs to list, at most")
			return func(ctx context.Context, e *env, args []string) int {
				switch {
				case len(args) > 1:
					e.errorf("status takes at most one RUN; run 'gameday status --help'")
					return exitUsage
				case len(args) == 0 && *follow:
					e.errorf("status --follow needs a RUN (an execution name or ARN from 'gameday status', or a GameDay name for its latest run)")
					return exitUsage
				case *interval < deployed.MinInterval:
					e.errorf("status: --interval must be at least %v", deployed.MinInterval)
					return exitUsage
				case *limit < 1:
					e.errorf("status: --limit must be at least 1")
					return exitUsage
				}
				c, err := newDeployed(ctx, &sf)
				if err != nil {
					e.fail(err)
					return exitInvalid
				}
				if len(args) == 0 {
					runs, err := c.List(ctx, *limit)
					if err != nil {
						e.fail(err)
						return exitInvalid
					}
					if err := deployed.WriteExecutions(e.stdout, runs); err != nil {
						e.fail(err)
						return exitInvalid
					}
					return exitOK
				}
				if *follow {
					return followRun(ctx, e, c, args[0], *interval, &sf)
				}
				r, err := c.Describe(ctx, args[0])
				if err != nil {
					e.fail(err)
					return exitInvalid
				}
				if err := deployed.WriteRun(e.stdout, r); err != nil {
					e.fail(err)
					return exitInvalid
				}
				if !r.Ended() {
					fmt.Fprintf(e.stdout, "follow it: gameday status --follow %s%s\n", r.Name, sf.repeat())
				} else if r.Archive != nil && r.Archive.Prefix != "" {
					fmt.Fprintf(e.stdout, "report: gameday report %s%s\n", r.Name, sf.repeat())
				}
				return exitOK
			}
		},
	})
}
