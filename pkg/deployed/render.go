package deployed

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// timeLayout is how times are printed: UTC, to the second.
const timeLayout = "2006-01-02T15:04:05Z"

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(timeLayout)
}

// WriteExecutions prints executions as a table: name, status, start, stop.
func WriteExecutions(w io.Writer, es []Execution) error {
	if len(es) == 0 {
		_, err := fmt.Fprintln(w, "no runs yet: start one with gameday start FILE|NAME")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tSTARTED\tSTOPPED")
	for _, e := range es {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Name, e.Status, stamp(e.StartedAt), stamp(e.StoppedAt))
	}
	return tw.Flush()
}

// WriteRun prints one run, a field a line.
func WriteRun(w io.Writer, r *Run) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("run", r.Name)
	row("execution", r.ARN)
	row("gameday", r.GameDay)
	row("status", r.Status)
	row("started", stamp(r.StartedAt))
	if !r.StoppedAt.IsZero() {
		row("stopped", stamp(r.StoppedAt))
	}
	row("step", stepLine(r))
	row("experiment", experimentLine(r))
	if a := r.Archive; a != nil {
		row("verdict", a.Verdict)
		row("archive", a.URI)
		row("not archived", a.Skipped)
	}
	row("error", oneLine(r.Error))
	row("cause", oneLine(r.Cause))
	return tw.Flush()
}

func stepLine(r *Run) string {
	if r.Step == "" {
		return ""
	}
	if p := r.Phase(); p != r.Step {
		return r.Step + " (" + p + ")"
	}
	return r.Step
}

func experimentLine(r *Run) string {
	if r.ExperimentID == "" {
		return ""
	}
	if r.ExperimentState != "" {
		return r.ExperimentID + " (" + string(r.ExperimentState) + ")"
	}
	return r.ExperimentID
}

// WriteChange prints one line of `gameday status --follow`: when it was
// seen, the status, and what the run does (and its experiment) or how it
// ended.
func WriteChange(w io.Writer, at time.Time, r *Run) error {
	parts := []string{stamp(at), r.Status}
	if !r.Ended() {
		parts = append(parts, r.Phase())
		if r.ExperimentID != "" {
			parts = append(parts, "["+r.ExperimentID+"]")
		}
	} else {
		if e := experimentLine(r); e != "" {
			parts = append(parts, "experiment "+e)
		}
		if a := r.Archive; a != nil && a.Verdict != "" {
			parts = append(parts, "verdict "+a.Verdict)
		}
		if r.Error != "" {
			parts = append(parts, oneLine(strings.TrimSuffix(r.Error+": "+r.Cause, ": ")))
		}
	}
	_, err := fmt.Fprintln(w, strings.Join(parts, "  "))
	return err
}

// oneLine keeps text on one line, and short: a cause can be a whole
// Lambda error document.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "..."
	}
	return s
}
