package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/gameday-dev/gameday/pkg/deployed"
)

func init() {
	register(&command{
		name:    "report",
		args:    "RUN [--json] [--out DIR] [--stack S] [--region R] [--profile P]",
		summary: "print a run's summary from the deployed stack's archive (RUN: an execution name or ARN, or a GameDay name for its latest run), or download its folder",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			var sf stackFlags
			sf.register(fs)
			asJSON := fs.Bool("json", false, "print summary.json instead of summary.md")
			out := fs.String("out", "", "download the run's folder (spec, template, logs, summaries, report.html) under `DIR`, keys kept as paths")
			return func(ctx context.Context, e *env, args []string) int {
				if len(args) != 1 {
					e.errorf("report takes one RUN (an execution name or ARN from 'gameday status', or a GameDay name for its latest run); run 'gameday report --help'")
					return exitUsage
				}
				if *asJSON && *out != "" {
					e.errorf("report: --json and --out do not go together: --out writes summary.json among the files")
					return exitUsage
				}
				c, err := newDeployed(ctx, &sf)
				if err != nil {
					e.fail(err)
					return exitInvalid
				}
				a, err := c.FindArchive(ctx, args[0])
				if err != nil {
					e.fail(err)
					return exitInvalid
				}
				if *out != "" {
					files, err := c.Download(ctx, a, *out)
					if err != nil {
						e.fail(err)
						return exitInvalid
					}
					fmt.Fprintf(e.stdout, "downloaded %d files of %s to %s\n", len(files), a.URI(), filepath.Join(*out, filepath.FromSlash(a.Prefix)))
					fmt.Fprintln(e.stdout, filepath.Join(*out, filepath.FromSlash(a.Prefix), deployed.SummaryMD))
					return exitOK
				}
				name := deployed.SummaryMD
				if *asJSON {
					name = deployed.SummaryJSON
				}
				b, err := c.ReadObject(ctx, a, name)
				if err != nil {
					e.fail(err)
					return exitInvalid
				}
				if _, err := e.stdout.Write(b); err != nil {
					e.fail(err)
					return exitInvalid
				}
				if len(b) > 0 && b[len(b)-1] != '\n' {
					fmt.Fprintln(e.stdout)
				}
				return exitOK
			}
		},
	})
}
