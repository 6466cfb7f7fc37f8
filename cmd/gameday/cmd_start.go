package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/deployed"
)

// startCmd is `gameday start`.
type startCmd struct {
	sf       stackFlags
	follow   bool
	interval time.Duration
	dirs     string
}

func (c *startCmd) define(fs *flag.FlagSet) {
	c.sf.register(fs)
	fs.BoolVar(&c.follow, "follow", false, "follow the run until it ends, as 'gameday status --follow', and exit with its outcome (below)")
	intervalFlag(fs, &c.interval)
	fs.StringVar(&c.dirs, "dirs", strings.Join(deployed.DefaultDirs, ","), "comma-separated `directories` where a NAME is looked up (by metadata.name)")
}

func (c *startCmd) run(ctx context.Context, e *env, args []string) error {
	if c.interval < deployed.MinInterval {
		return intervalTooShort("start")
	}
	file, err := gameDayFile(args[0], strings.Split(c.dirs, ","))
	if err != nil {
		return err
	}
	// The file first: its problems need no AWS account.
	spec, data, err := loadGameDayFile(e, file, nil)
	if err != nil {
		return err
	}
	client, err := e.stack(ctx, &c.sf)
	if err != nil {
		return err
	}
	s, err := client.StartValid(ctx, spec, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "started %s (GameDay %s, file %s)\n", s.Name, s.GameDay, file)
	fmt.Fprintf(e.stdout, "execution: %s\n", s.ARN)
	if !c.follow {
		fmt.Fprintf(e.stdout, "follow it: gameday status --follow %s%s\n", s.Name, c.sf.repeat())
		return nil
	}
	return followRun(ctx, e, client, s.Name, c.interval, &c.sf)
}

// intervalFlag is --interval of the commands that follow a run.
func intervalFlag(fs *flag.FlagSet, interval *time.Duration) {
	fs.DurationVar(interval, "interval", deployed.DefaultInterval, "how often --follow looks at the run (against a faster gameday sim, less: 1s at --speed 60)")
}

func intervalTooShort(cmd string) error {
	return usagef("%s: --interval must be at least %v", cmd, deployed.MinInterval)
}

// gameDayFile is the file `gameday start` runs: the argument when it is a
// file (or looks like a path), else the file under dirs whose
// metadata.name it is.
func gameDayFile(arg string, dirs []string) (string, error) {
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		return arg, nil
	}
	if ext := filepath.Ext(arg); strings.ContainsRune(arg, filepath.Separator) || strings.ContainsRune(arg, '/') || ext == ".yaml" || ext == ".yml" {
		return "", fmt.Errorf("%s: no such file", arg)
	}
	return deployed.FindGameDay(os.DirFS("."), dirs, arg)
}

// followRun follows a run, a line per change, until it ends (exit with the
// run's outcome, report.ExitCode) or ctx ends (Ctrl-C: the run goes on;
// exit 130).
func followRun(ctx context.Context, e *env, c *deployed.Client, run string, every time.Duration, sf *stackFlags) error {
	last, err := c.Follow(ctx, run, every, func(r *deployed.Run) {
		at := r.At // Step Functions' clock, which the run's own times are on
		if at.IsZero() {
			at = time.Now()
			if c.Now != nil {
				at = c.Now()
			}
		}
		_ = deployed.WriteChange(e.stdout, at, r)
	})
	name := run
	if last != nil {
		name = last.Name
	}
	if err != nil && ctx.Err() != nil {
		again := sf.repeat()
		if every != deployed.DefaultInterval {
			again = fmt.Sprintf(" --interval %v", every) + again
		}
		e.errorf("stopped following %s; the run goes on: gameday status --follow %s%s", name, name, again)
		return &exitError{code: exitInterrupted}
	}
	if err != nil {
		return err
	}
	if last.Archive != nil && last.Archive.Prefix != "" {
		fmt.Fprintf(e.stdout, "report: gameday report %s%s\n", name, sf.repeat())
	}
	return runOutcome(last.Status, verdictOf(last.Archive))
}
