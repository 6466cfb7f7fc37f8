package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/gameday-dev/gameday/pkg/deployed"
)

// reportCmd is `gameday report`.
type reportCmd struct {
	sf     stackFlags
	asJSON bool
	out    string
}

func (c *reportCmd) define(fs *flag.FlagSet) {
	c.sf.register(fs)
	fs.BoolVar(&c.asJSON, "json", false, "print summary.json instead of summary.md")
	fs.StringVar(&c.out, "out", "", "download the run's folder (spec, template, logs, summaries, report.html) under `DIR`, keys kept as paths")
}

// printReportFiles says where a run's folder on this machine has its
// summary.md and its report.html (the page with the charts).
func printReportFiles(e *env, folder string) {
	fmt.Fprintf(e.stdout, "report:  %s\npage:    %s\n", filepath.Join(folder, deployed.SummaryMD), filepath.Join(folder, deployed.ReportHTML))
}

func (c *reportCmd) run(ctx context.Context, e *env, args []string) error {
	if c.asJSON && c.out != "" {
		return usagef("report: --json and --out do not go together: --out writes summary.json among the files")
	}
	client, err := e.stack(ctx, &c.sf)
	if err != nil {
		return err
	}
	a, err := client.FindArchive(ctx, args[0])
	if err != nil {
		return err
	}
	if c.out != "" {
		files, err := client.Download(ctx, a, c.out)
		if err != nil {
			return err
		}
		folder := filepath.Join(c.out, filepath.FromSlash(a.Prefix))
		fmt.Fprintf(e.stdout, "downloaded %d files of %s to %s\n", len(files), a.URI(), folder)
		printReportFiles(e, folder)
		return nil
	}
	name := deployed.SummaryMD
	if c.asJSON {
		name = deployed.SummaryJSON
	}
	b, err := client.ReadObject(ctx, a, name)
	if err != nil {
		return err
	}
	if _, err := e.stdout.Write(b); err != nil {
		return err
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		fmt.Fprintln(e.stdout)
	}
	return nil
}
