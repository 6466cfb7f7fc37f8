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

// now is the clock of --since.
var now = time.Now

// listCmd is `gameday list`.
type listCmd struct {
	rf      runsFlags
	gameDay string
	asJSON  bool
}

func (c *listCmd) define(fs *flag.FlagSet) {
	c.rf.register(fs)
	fs.StringVar(&c.gameDay, "gameday", "", "list only the runs of the GameDay `NAME`")
	fs.BoolVar(&c.asJSON, "json", false, "print a JSON array, one object per run")
}

func (c *listCmd) run(ctx context.Context, e *env, _ []string) error {
	runs, err := c.rf.read(ctx, e, c.gameDay)
	if err != nil {
		return err
	}
	if c.asJSON {
		return printJSON(e, listRows(runs))
	}
	if len(runs) == 0 {
		fmt.Fprintln(e.stdout, "No archived runs.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GAMEDAY\tSTART (UTC)\tVERDICT\tEXPERIMENT\tDURATION")
	for _, r := range listRows(runs) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.GameDay, r.Start, r.Verdict, r.ExperimentID, r.Duration)
	}
	return tw.Flush()
}

// historyCmd is `gameday history`.
type historyCmd struct {
	rf       runsFlags
	asJSON   bool
	htmlFile string
}

func (c *historyCmd) define(fs *flag.FlagSet) {
	c.rf.register(fs)
	fs.BoolVar(&c.asJSON, "json", false, "print the runs, the summary and the trends as JSON")
	fs.StringVar(&c.htmlFile, "html", "", "also write a self-contained page with the trend charts to `FILE`")
}

func (c *historyCmd) run(ctx context.Context, e *env, args []string) error {
	runs, err := c.rf.read(ctx, e, args[0])
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		return fmt.Errorf("history: no archived run of GameDay %s%s", args[0], sinceText(c.rf.since))
	}
	h := report.NewHistory(args[0], runs)
	if c.htmlFile != "" {
		if err := os.WriteFile(c.htmlFile, report.HistoryHTML(h), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", c.htmlFile, err)
		}
	}
	if c.asJSON {
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
		return err
	}
	fmt.Fprintln(e.stdout, h.SummaryLine()+".")
	if len(h.Trends) > 0 {
		fmt.Fprintln(e.stdout, "Trends, oldest run first:")
		for _, t := range h.Trends {
			fmt.Fprintln(e.stdout, "  "+t.Text())
		}
	}
	if c.htmlFile != "" {
		fmt.Fprintln(e.stdout, "Wrote "+c.htmlFile)
	}
	return nil
}

// runsFlags choose the archived runs list and history read: the stack's
// flags and --since.
type runsFlags struct {
	sf    stackFlags
	since string
}

func (f *runsFlags) register(fs *flag.FlagSet) {
	f.sf.registerArchive(fs)
	fs.StringVar(&f.since, "since", "", "only the runs started since `WHEN`: a duration back from now (30d, 12h) or a date (2026-01-31)")
}

// read reads the archived runs of GameDay name ("": of every GameDay)
// through the stack's archive bucket.
func (f *runsFlags) read(ctx context.Context, e *env, name string) ([]report.Past, error) {
	if name != "" {
		if p := gameday.Check(&gameday.Spec{Metadata: gameday.Metadata{Name: name}}); hasProblemAt(p, "metadata.name") {
			return nil, usagef("%q is not a GameDay name: lower-case letters, digits and '-'", name)
		}
	}
	from, err := deployed.ParseSince(f.since, now())
	if err != nil {
		return nil, usagef("%v", err)
	}
	client, err := e.stack(ctx, &f.sf)
	if err != nil {
		return nil, err
	}
	return client.Runs(ctx, deployed.ListFilter{GameDay: name, Since: from})
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

func printJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
