package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// JSON is summary.json: indented, with a final newline.
func JSON(s Summary) ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode summary: %w", err)
	}
	return append(b, '\n'), nil
}

// Markdown is summary.md: the verdict first, then the checks, faults, stop
// conditions, timeline and where the logs are.
func Markdown(s Summary) []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	mdHead(p, s)
	mdChecks(p, s)
	mdFaults(p, s)
	mdTimeline(p, s)
	return b.Bytes()
}

// mdPrinter prints a formatted piece of summary.md.
type mdPrinter func(format string, args ...any)

// mdHead is the verdict, the hypothesis and the run's table.
func mdHead(p mdPrinter, s Summary) {
	p("# GameDay %s: %s\n\n", s.GameDay, strings.ToUpper(s.Verdict))
	p("**Verdict: %s.** %s\n\n", s.Verdict, sentence(s.VerdictReason))
	hyp := "**" + s.Hypothesis.Verdict + "**"
	if s.Hypothesis.Reason != "" {
		hyp += ": " + mdEscape(strings.TrimSuffix(s.Hypothesis.Reason, "."))
	}
	if s.Hypothesis.Description != "" {
		p("Hypothesis: %s %s.\n\n", mdEscape(s.Hypothesis.Description), hyp)
	} else {
		p("Hypothesis: %s.\n\n", hyp)
	}
	if !s.Logs.Complete && s.ExperimentID != "" {
		p("> Warning: FIS did not deliver the experiment-end log record in time; the logs and timeline may be incomplete.\n\n")
	}

	p("| Run | |\n|---|---|\n")
	p("| Experiment | `%s` (template `%s`) |\n", s.ExperimentID, s.ExperimentTemplateID)
	state := string(s.State)
	if s.StopReason != nil {
		state += ": " + mdEscape(*s.StopReason)
	}
	p("| State | %s |\n", state)
	if s.StoppedByAlarm != nil {
		p("| Stopped by alarm | %s |\n", *s.StoppedByAlarm)
	}
	p("| Started | %s |\n", fmtTimePtr(s.StartedAt))
	p("| Ended | %s |\n", fmtTimePtr(s.EndedAt))
	p("| Execution | `%s` |\n", s.ExecutionARN)
	if s.Error != nil {
		p("| Caught error | %s: %s |\n", s.Error.Error, mdEscape(firstLine(s.Error.Cause)))
	}
	p("\n")
}

// mdChecks is the steady-state checks' table.
func mdChecks(p mdPrinter, s Summary) {
	p("## Steady-state checks\n\n")
	if len(s.Hypothesis.Checks) == 0 {
		p("No steady-state checks.\n\n")
		return
	}
	p("| Check | Phase | Value | Expect | Datapoints | Result |\n|---|---|---|---|---|---|\n")
	for _, c := range s.Hypothesis.Checks {
		p("| %s | %s | %s | %s | %d | %s |\n", c.Name, c.Phase, valueText(c), expectText(c.Expect, c.Metric), c.Datapoints, c.Result)
	}
	p("\nWindows: before %s, during %s, after %s. %s\n\n", spanText(s.Windows.Before), spanText(s.Windows.During), spanText(s.Windows.After), judgedRule)
}

// judgedRule says how a check's value is judged in a phase, under the
// checks' tables.
const judgedRule = "Each phase is judged on one value: the mean of its datapoints for an Average, its worst datapoint for any other statistic " +
	"(the highest for below, the lowest for above, the farthest out for between); a period that overlaps the faults counts as during."

// mdFaults is the faults' and the stop conditions' tables.
func mdFaults(p mdPrinter, s Summary) {
	p("## Faults\n\n| Fault | State | Started | Ended |\n|---|---|---|---|\n")
	for _, f := range s.Faults {
		st := string(f.State)
		if f.Reason != "" {
			st += ": " + mdEscape(f.Reason)
		}
		p("| %s | %s | %s | %s |\n", f.Name, st, fmtTimePtr(f.StartedAt), fmtTimePtr(f.EndedAt))
	}
	p("\n")

	p("## Stop conditions\n\n")
	if len(s.StopConditions) == 0 {
		p("No stop conditions.\n\n")
		return
	}
	p("| Alarm | Went into ALARM |\n|---|---|\n")
	for _, sc := range s.StopConditions {
		went := "no"
		if sc.WentIntoAlarm {
			went = "yes, at " + fmtTimePtr(sc.AlarmAt)
		}
		p("| %s | %s |\n", sc.Alarm, went)
	}
	p("\n")
	for _, sc := range s.StopConditions {
		for _, n := range sc.Notes {
			p("- %s: %s\n", sc.Alarm, mdEscape(n))
		}
	}
	if slices.ContainsFunc(s.StopConditions, func(sc StopCondition) bool { return len(sc.Notes) > 0 }) {
		p("\n")
	}
}

// mdTimeline is the timeline and where the logs are.
func mdTimeline(p mdPrinter, s Summary) {
	p("## Timeline\n\n")
	if len(s.Timeline) == 0 {
		p("No FIS log records.\n")
	}
	for _, e := range s.Timeline {
		p("- %s %s\n", e.At.UTC().Format(time.RFC3339), mdEscape(EventText(e)))
	}
	if s.Logs.TimelineDropped > 0 {
		p("- … %d more events left out\n", s.Logs.TimelineDropped)
	}
	p("\n## Logs\n\n")
	p("%d FIS log objects (%d bytes, %d records), archived to `%s`.", s.Logs.Objects, s.Logs.Bytes, s.Logs.Records, s.Logs.ArchivedTo)
	if s.Logs.Complete {
		p(" The experiment-end record was delivered.\n")
	} else {
		p(" Incomplete: no experiment-end record.\n")
	}
}

// EventText is one line describing a timeline event.
func EventText(e Event) string {
	var parts []string
	parts = append(parts, e.Type)
	if e.Name != "" {
		parts = append(parts, e.Name)
	}
	if e.State != "" {
		parts = append(parts, "("+e.State+")")
	}
	s := strings.Join(parts, " ")
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// ExpectText is an expectation in words: "below 300", "between 1 and 2".
func ExpectText(e gameday.Expect) string { return expectText(e, nil) }

// valueText is a check's value in its metric's unit and what it is
// ("0.354% (phase mean)", "412 ms (worst datapoint)"), or "no data".
func valueText(c Check) string {
	if c.Value == nil {
		return "no data"
	}
	v := withUnit(num(*c.Value), c.Metric)
	if how, ok := valueKind[c.Judged]; ok {
		return v + " (" + how + ")"
	}
	return v
}

// expectText is a check's expectation in its metric's unit: "below 300 ms".
func expectText(e gameday.Expect, m *gameday.Metric) string {
	switch {
	case e.Below != nil:
		return "below " + withUnit(num(*e.Below), m)
	case e.Above != nil:
		return "above " + withUnit(num(*e.Above), m)
	case len(e.Between) == 2:
		return "between " + num(e.Between[0]) + " and " + withUnit(num(e.Between[1]), m)
	}
	return "anything"
}

// withUnit is a number followed by its metric's unit ("412 ms", "0.3%"),
// or alone when the GameDay gives no unit, or the unit is a count.
func withUnit(n string, m *gameday.Metric) string {
	if m == nil {
		return n
	}
	switch u := unitAbbrev[m.Unit]; u {
	case "", unitAbbrev["Count"]:
		return n
	case unitAbbrev["Percent"]:
		return n + u
	default:
		return n + " " + u
	}
}

// valueKind is what a check's value is, after it in the checks' tables.
var valueKind = map[string]string{JudgedMean: "phase mean", JudgedWorst: "worst datapoint"}

func num(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func spanText(s Span) string {
	if s.Start.IsZero() {
		return "-"
	}
	return s.Start.UTC().Format("15:04:05") + "–" + s.End.UTC().Format("15:04:05Z")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// mdEscape keeps free text from breaking a table row or a list item.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// sentence makes a reason, which may or may not end with a period, a
// sentence that does.
func sentence(s string) string { return capitalize(strings.TrimSuffix(s, ".")) + "." }
