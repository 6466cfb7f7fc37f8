package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/gameday-dev/gameday/pkg/deployed"
)

// statusCmd is `gameday status`.
type statusCmd struct {
	sf       stackFlags
	follow   bool
	interval time.Duration
	limit    int
}

func (c *statusCmd) define(fs *flag.FlagSet) {
	c.sf.register(fs)
	fs.BoolVar(&c.follow, "follow", false, "follow RUN until it ends, a line per change, and exit with its outcome (below); Ctrl-C stops following, not the run")
	intervalFlag(fs, &c.interval)
	fs.IntVar(&c.limit, "limit", deployed.DefaultLimit, "how many recent runs to list, at most")
}

func (c *statusCmd) run(ctx context.Context, e *env, args []string) error {
	switch {
	case len(args) == 0 && c.follow:
		return usagef("status --follow needs a RUN (an execution name or ARN from 'gameday status', or a GameDay name for its latest run)")
	case c.interval < deployed.MinInterval:
		return intervalTooShort("status")
	case c.limit < 1:
		return usagef("status: --limit must be at least 1")
	}
	client, err := e.stack(ctx, &c.sf)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		runs, err := client.List(ctx, c.limit)
		if err != nil {
			return err
		}
		return deployed.WriteExecutions(e.stdout, runs)
	}
	if c.follow {
		return followRun(ctx, e, client, args[0], c.interval, &c.sf)
	}
	r, err := client.Describe(ctx, args[0])
	if err != nil {
		return err
	}
	if err := deployed.WriteRun(e.stdout, r); err != nil {
		return err
	}
	if u := client.DashboardURL(ctx, r); u != "" {
		fmt.Fprintf(e.stdout, "dashboard: %s\n", u)
	}
	if !r.Ended() {
		fmt.Fprintf(e.stdout, "follow it: gameday status --follow %s%s\n", r.Name, c.sf.repeat())
	} else if r.Archive != nil && r.Archive.Prefix != "" {
		fmt.Fprintf(e.stdout, "report: gameday report %s%s\n", r.Name, c.sf.repeat())
	}
	return nil
}
