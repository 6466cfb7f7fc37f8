package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/gameday-dev/gameday/pkg/deployed"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
)

// now is the clock of --since (tests fix it).
var now = time.Now

func init() {
	register(&command{
		name:    "list",
		args:    "[--gameday NAME] [--since WHEN] [--json] [--stack S] [--region R] [--profile P]",
		summary: "list the runs archived in the deployed stack's archive bucket, newest first (they outlive FIS's 120 days)",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			var sf stackFlags
			sf.register(fs)
			name := fs.String("gameday", "", "list only the runs of the GameDay `NAME`")
			since := fs.String("since", "", "list only the runs started since `WHEN`: a duration back from now (30d, 12h) or a date (2026-01-31)")
			asJSON := fs.Bool("json", false, "print a JSON array, one object per run")
			return func(ctx context.Context, e *env, args []string) int {
				if len(args) != 0 {
					e.errorf("list takes no arguments (use --gameday NAME); run 'gameday list --help'")
					return exitUsage
				}
				runs, code := readRuns(ctx, e, &sf, *name, *since)
				if code != exitOK {
					return code
				}
				if *asJSON {
					return printJSON(e, listRows(runs))
				}
				if len(runs) == 0 {
					fmt.Fprintln(e.stdout, "No archived runs.")
					return exitOK
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "GAMEDAY\tSTART (UTC)\tVERDICT\tEXPERIMENT\tDURATION")
				for _, r := range listRows(runs) {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.GameDay, r.Start, r.Verdict, r.ExperimentID, r.Duration)
				}
				if err := tw.Flush(); err != nil {
					e.fail(err)
					return exitInvalid
				}
				return exitOK
			}
		},
	})
	register(&command{
		name:    "history",
		args:    "NAME [--since WHEN] [--json] [--html FILE] [--stack S] [--region R] [--profile P]",
		summary: "a GameDay's runs from the archive bucket: one row per run, pass rate, median duration and time to a stop condition, each check's trend",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			var sf stackFlags
			sf.register(fs)
			since := fs.String("since", "", "only the runs started since `WHEN`: a duration back from now (30d, 12h) or a date (2026-01-31)")
			asJSON := fs.Bool("json", false, "print the runs, the summary and the trends as JSON")
			htmlFile := fs.String("html", "", "also write a self-contained page with the trend charts to `FILE`")
			return func(ctx context.Context, e *env, args []string) int {
				if len(args) != 1 {
					e.errorf("history takes one GameDay NAME; run 'gameday history --help'")
					return exitUsage
				}
				runs, code := readRuns(ctx, e, &sf, args[0], *since)
				if code != exitOK {
					return code
				}
				if len(runs) == 0 {
					e.errorf("history: no archived run of GameDay %s%s", args[0], sinceText(*since))
					return exitInvalid
				}
				h := report.NewHistory(args[0], runs)
				if *htmlFile != "" {
					page, err := report.HistoryHTML(h)
					if err == nil {
						err = os.WriteFile(*htmlFile, page, 0o644)
					}
					if err != nil {
						e.fail(fmt.Errorf("write %s: %w", *htmlFile, err))
						return exitInvalid
					}
				}
				if *asJSON {
					return printJSON(e, historyJSON{Runs: listRows(h.Runs), Summary: h.SummaryLine(), PassRate: h.PassRate(),
						MedianDurationSeconds: h.MedianDuration.Seconds(), MedianTimeToStopSeconds: h.MedianTimeToStop.Seconds(), StopsFired: h.StopsFired, Trends: h.Trends})
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "START (UTC)\tVERDICT\tEXPERIMENT\tDURATION\tWHY")
				for _, r := range h.Runs {
					row := listRow(r)
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.Start, row.Verdict, row.ExperimentID, row.Duration, r.Summary.VerdictReason)
				}
				if err := tw.Flush(); err != nil {
					e.fail(err)
					return exitInvalid
				}
				fmt.Fprintln(e.stdout, h.SummaryLine()+".")
				if len(h.Trends) > 0 {
					fmt.Fprintln(e.stdout, "Trends, oldest run first:")
					for _, t := range h.Trends {
						fmt.Fprintln(e.stdout, "  "+t.Text())
					}
				}
				if *htmlFile != "" {
					fmt.Fprintln(e.stdout, "Wrote "+*htmlFile)
				}
				return exitOK
			}
		},
	})
}

// readRuns reads the archived runs through the stack's archive bucket.
func readRuns(ctx context.Context, e *env, sf *stackFlags, name, since string) ([]report.Past, int) {
	if name != "" {
		if p := gameday.Check(&gameday.Spec{Metadata: gameday.Metadata{Name: name}}); hasProblemAt(p, "metadata.name") {
			e.errorf("%q is not a GameDay name: lower-case letters, digits and '-'", name)
			return nil, exitUsage
		}
	}
	from, err := deployed.ParseSince(since, now())
	if err != nil {
		e.errorf("%v", err)
		return nil, exitUsage
	}
	c, err := newDeployed(ctx, sf)
	if err != nil {
		e.fail(err)
		return nil, exitInvalid
	}
	runs, err := c.Runs(ctx, deployed.ListFilter{GameDay: name, Since: from})
	if err != nil {
		e.fail(err)
		return nil, exitInvalid
	}
	return runs, exitOK
}

func hasProblemAt(ps gameday.Problems, path string) bool {
	for _, p := range ps {
		if p.Path == path {
			return true
		}
	}
	return false
}

func sinceText(since string) string {
	if since == "" {
		return ""
	}
	return " since " + since
}

// runRow is one run as list and history print it.
type runRow struct {
	GameDay         string  `json:"gameday"`
	Start           string  `json:"start"`
	Verdict         string  `json:"verdict"`
	VerdictReason   string  `json:"verdictReason"`
	ExperimentID    string  `json:"experimentId"`
	Duration        string  `json:"duration"`
	DurationSeconds float64 `json:"durationSeconds"`
	Archive         string  `json:"archive"`
}

func listRow(p report.Past) runRow {
	r := runRow{GameDay: p.Summary.GameDay, Verdict: p.Summary.Verdict, VerdictReason: p.Summary.VerdictReason,
		ExperimentID: p.Summary.ExperimentID, Duration: report.DurationText(p.Duration()), DurationSeconds: p.Duration().Seconds(), Archive: p.Prefix}
	if t := p.Start(); !t.IsZero() {
		r.Start = t.UTC().Format("2006-01-02 15:04:05")
	}
	return r
}

func listRows(ps []report.Past) []runRow {
	out := make([]runRow, 0, len(ps))
	for _, p := range ps {
		out = append(out, listRow(p))
	}
	return out
}

type historyJSON struct {
	Runs                    []runRow       `json:"runs"`
	Summary                 string         `json:"summary"`
	PassRate                float64        `json:"passRatePercent"`
	MedianDurationSeconds   float64        `json:"medianDurationSeconds"`
	MedianTimeToStopSeconds float64        `json:"medianTimeToStopSeconds,omitempty"`
	StopsFired              int            `json:"stopsFired"`
	Trends                  []report.Trend `json:"trends"`
}

func printJSON(e *env, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		e.fail(err)
		return exitInvalid
	}
	return exitOK
}
