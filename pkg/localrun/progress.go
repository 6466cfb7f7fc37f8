package localrun

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// Display shows a run's progress: on a terminal, a block of lines redrawn in
// place (state, experiment, a progress bar of elapsed and remaining time,
// each fault, each alarm); elsewhere, one plain line per change.
type Display struct {
	W        io.Writer
	Terminal bool
	// Width is the terminal's width; redrawn lines are cut to fit, so that
	// none wraps and the block redraws in place. 0 means 80.
	Width int
	// Expected is how long the experiment should run (its longest fault path).
	Expected time.Duration
	// Alarms, when set, reads the stop-condition alarms' current states.
	Alarms func() map[string]string

	mu     sync.Mutex
	failed string // the last failure's message
	drawn  int    // lines of the block last drawn
	last   string
	state  string
	run    *gameday.RunState
	alarms map[string]string
}

// Handle takes one event of the run.
func (d *Display) Handle(e Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e.Run != nil {
		d.run = e.Run
	}
	if e.State != "" && e.Type == "StateEntered" {
		d.state = e.State
	}
	if d.Alarms != nil && e.Type == "StateExited" {
		d.alarms = d.Alarms()
	}
	if d.Terminal {
		d.redraw(e)
		return
	}
	if line := d.plain(e); line != "" && line != d.last {
		d.last = line
		fmt.Fprintf(d.W, "%s %s\n", e.Time.UTC().Format("15:04:05"), line)
	}
}

// plain is the one-line form of an event, or "" when it says nothing new.
func (d *Display) plain(e Event) string {
	switch e.Type {
	case "ExecutionStarted":
		return "execution started"
	case "StateEntered":
		switch e.State {
		case workflow.StateWaitBeforePoll, workflow.StateExperimentEnded, workflow.StatePollExperiment, workflow.StateArchiveWritten, workflow.StateArchivedAfterFailure,
			// The input's admission: said only when it refuses the input.
			workflow.StateAdmitInput, workflow.StateMergeInput, workflow.StateCountInputKeys, workflow.StateInputAdmitted, workflow.StateInit:
			return ""
		}
		return "→ " + e.State
	case "StateExited":
		if e.State == workflow.StatePollExperiment && d.run != nil && d.run.Poll != nil {
			return d.pollLine()
		}
		if e.State == workflow.StateStartExperiment && d.run != nil && d.run.Start != nil {
			return fmt.Sprintf("experiment %s started (template %s, %s)", d.run.Start.ExperimentID, d.run.Start.ExperimentTemplateID, d.run.Start.TemplateAction)
		}
		if e.State == workflow.StateArchive || e.State == workflow.StateArchiveAfterFailure {
			if d.run != nil && d.run.Archive != nil {
				if d.run.Archive.Pending != nil {
					return "archive " + archiveText(d.run.Archive)
				}
				// The command says where it downloads it to.
				return fmt.Sprintf("archived in the simulator's %s (verdict %s)", d.run.Archive.URI, d.run.Archive.Verdict)
			}
		}
		return ""
	case "StateFailed":
		// Said with the retry or catch that follows, or by the end.
		d.failed = lambdaMessage(e.Cause)
		return ""
	case "StateRetried":
		return fmt.Sprintf("%s: %s, retrying: %s", e.State, e.Error, d.failed)
	case "StateCaught":
		return fmt.Sprintf("%s failed (%s), going on to %s", e.State, d.failed, e.Next)
	case "End":
		return "execution " + strings.ToLower(e.State)
	}
	return ""
}

func (d *Display) pollLine() string {
	p := d.run.Poll
	var faults []string
	for _, a := range p.Actions {
		faults = append(faults, a.Name+" "+string(a.State))
	}
	line := fmt.Sprintf("experiment %s, %s", p.State, fmtDur(time.Duration(p.Elapsed)*time.Second))
	if d.Expected > 0 {
		line += " of ~" + fmtDur(d.Expected)
	}
	if len(faults) > 0 {
		line += "; " + strings.Join(faults, ", ")
	}
	if a := d.alarmLine(); a != "" {
		line += "; alarms " + a
	}
	return line
}

func (d *Display) alarmLine() string {
	if len(d.alarms) == 0 {
		return ""
	}
	names := make([]string, 0, len(d.alarms))
	for n := range d.alarms {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, n+" "+d.alarms[n])
	}
	return strings.Join(parts, ", ")
}

func (d *Display) redraw(e Event) {
	var b strings.Builder
	if d.drawn > 0 {
		// From the first column: a terminal echoes ^C where the cursor
		// is, and moving up keeps the column.
		fmt.Fprintf(&b, "\r\x1b[%dA", d.drawn)
	}
	width := d.Width
	if width <= 0 {
		width = 80
	}
	var rows []string
	for _, l := range d.block(e) {
		rows = append(rows, wrap(l, width-1)...)
	}
	for _, r := range rows {
		b.WriteString("\x1b[2K")
		b.WriteString(r)
		b.WriteByte('\n')
	}
	// Clear what a taller block drew below this one.
	b.WriteString("\x1b[0J")
	d.drawn = len(rows)
	fmt.Fprint(d.W, b.String())
}

// wrapRows is how many rows one line of the block may take: a step's
// message and what it says to do fit in three rows of an 80-column
// terminal.
const wrapRows = 3

// wrap splits l into rows of at most width runes, so that none wraps on
// the terminal and the block redraws in place: the first row as it is,
// the next ones indented under the line's value, broken at a space where
// one is, the last cut with "…" when l does not fit in wrapRows.
func wrap(l string, width int) []string {
	const indent = "          " // under the value of "state     ...", "waiting   ..."
	r := []rune(l)
	if len(r) <= width {
		return []string{l}
	}
	if width <= 2*len(indent) {
		return []string{string(r[:width-1]) + "…"}
	}
	var rows []string
	room := width
	prefix := ""
	for len(r) > room {
		if len(rows) == wrapRows-1 {
			return append(rows, prefix+strings.TrimRight(string(r[:room-1]), " ")+"…")
		}
		cut := room
		if i := lastSpace(r[:room+1]); i > room/2 {
			cut = i
		}
		rows = append(rows, prefix+strings.TrimRight(string(r[:cut]), " "))
		r = []rune(strings.TrimLeft(string(r[cut:]), " "))
		prefix, room = indent, width-len(indent)
	}
	return append(rows, prefix+string(r))
}

func lastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == ' ' {
			return i
		}
	}
	return -1
}

func (d *Display) block(e Event) []string {
	state := d.state
	if e.Type == "End" {
		state = "done: " + e.State
	}
	lines := []string{fmt.Sprintf("state     %s", state)}
	r := d.run
	if r != nil && r.Start != nil {
		exp := fmt.Sprintf("experiment %s", r.Start.ExperimentID)
		if r.Poll != nil {
			exp += " " + string(r.Poll.State)
			if saysMore(r.Poll.Reason, r.Poll.State) {
				exp += " (" + firstLine(r.Poll.Reason) + ")"
			}
		}
		lines = append(lines, exp)
	}
	if r != nil && r.Poll != nil {
		elapsed := time.Duration(r.Poll.Elapsed) * time.Second
		expected, ended := d.Expected, ""
		switch {
		case r.Poll.State == gameday.StateCompleted:
			expected = elapsed // it ran its course, however long that was
		case r.Poll.Terminal:
			ended = string(r.Poll.State) // cut short: of the run it was to be
		}
		lines = append(lines, "elapsed   "+bar(elapsed, expected, 30, ended))
		for _, a := range r.Poll.Actions {
			l := fmt.Sprintf("  fault   %-24s %s", a.Name, a.State)
			if a.State != gameday.StateCompleted && saysMore(a.Reason, a.State) {
				l += " (" + firstLine(a.Reason) + ")"
			}
			lines = append(lines, l)
		}
	}
	names := make([]string, 0, len(d.alarms))
	for n := range d.alarms {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		lines = append(lines, fmt.Sprintf("  alarm   %-24s %s", n, d.alarms[n]))
	}
	if e.Type == "StateFailed" {
		d.failed = lambdaMessage(e.Cause)
	}
	if e.Type == "StateRetried" || e.Type == "StateCaught" {
		lines = append(lines, fmt.Sprintf("waiting   %s: %s", e.State, d.failed))
	}
	if r != nil && r.Archive != nil {
		lines = append(lines, "archive   "+archiveText(r.Archive))
	}
	return lines
}

// Settled shows the experiment's state at `at` once the guard has stopped
// it (after an abort), so that the last lines shown never say a fault or
// the experiment still runs: the block is redrawn, or a plain line printed
// as the polls' are. The command says, once, that the guard stopped it.
// On a terminal, call it before anything else is printed below the block,
// which the redraw would overwrite.
func (d *Display) Settled(at time.Time, id, state string, actions map[string]string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	polled := d.run != nil && d.run.Poll != nil
	if polled {
		p := *d.run.Poll
		// A reason said for the state the poll saw ("Experiment is
		// running.") is not said for the state the guard left.
		if gameday.State(state) != p.State {
			p.Reason = ""
		}
		p.State, p.Terminal = gameday.State(state), gameday.State(state).Terminal()
		p.Actions = append([]gameday.ActionState(nil), p.Actions...)
		for i := range p.Actions {
			if s, ok := actions[p.Actions[i].Name]; ok && gameday.State(s) != p.Actions[i].State {
				p.Actions[i].State, p.Actions[i].Reason = gameday.State(s), ""
			}
		}
		run := *d.run
		run.Poll = &p
		d.run = &run
	}
	if d.Terminal {
		d.redraw(Event{Type: "End", State: "aborted"})
		return
	}
	// As a poll's line; never polled, the experiment and its faults.
	line := "experiment " + id + " " + state
	if polled {
		line = d.pollLine()
	} else if len(actions) > 0 {
		var faults []string
		for _, n := range slices.Sorted(maps.Keys(actions)) {
			faults = append(faults, n+" "+actions[n])
		}
		line += "; " + strings.Join(faults, ", ")
	}
	if line != d.last {
		d.last = line
		fmt.Fprintf(d.W, "%s %s\n", at.UTC().Format("15:04:05"), line)
	}
}

// archiveText is what the archive step said: where it wrote the run and
// its verdict, or, while it waits for the FIS logs and the metrics, for how
// long and why.
func archiveText(a *gameday.ArchiveResult) string {
	if p := a.Pending; p != nil {
		return fmt.Sprintf("waits %d s (try %d): %s", p.WaitSeconds, p.Attempt, p.Reason)
	}
	return "in the simulator's " + a.URI + ", verdict " + a.Verdict
}

// saysMore is whether FIS's reason for a state says more than the state:
// "Experiment is running." and "Action was completed." do not.
func saysMore(reason string, state gameday.State) bool {
	r := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(reason), "."))
	for _, prefix := range []string{"experiment ", "action ", "is ", "was "} {
		r = strings.TrimPrefix(r, prefix)
	}
	return r != "" && r != strings.ToLower(string(state))
}

// ExpectedRuntime is how long the faults should run: the longest chain
// through startAfter, each fault counted for its custom resource's duration
// when it has one, else its maxDuration.
func ExpectedRuntime(spec *gameday.Spec) time.Duration {
	faults := spec.Spec.Faults
	ends := make(map[string]time.Duration, len(faults))
	var longest time.Duration
	// Validation guarantees startAfter names earlier faults only.
	for i := range faults {
		f := &faults[i]
		d, ok, err := f.CRDuration()
		if !ok || err != nil {
			d = f.EffectiveMaxDuration()
		}
		var start time.Duration
		for _, dep := range f.StartAfter {
			start = max(start, ends[dep])
		}
		ends[f.Name] = start + d
		longest = max(longest, ends[f.Name])
	}
	return longest
}

// bar draws [█████░░░░░] 1m30s / ~3m0s (2m left), or, for an experiment
// that ended (stopped, failed) before its time, (ended) in place of the
// time left.
func bar(elapsed, expected time.Duration, width int, ended string) string {
	if expected <= 0 {
		return fmtDur(elapsed)
	}
	frac := float64(elapsed) / float64(expected)
	if frac > 1 {
		frac = 1
	}
	n := int(frac * float64(width))
	left := expected - elapsed
	if left < 0 {
		left = 0
	}
	note := fmtDur(left) + " left"
	if ended != "" {
		note = ended
	}
	return fmt.Sprintf("[%s%s] %s / ~%s (%s)", strings.Repeat("█", n), strings.Repeat("░", width-n), fmtDur(elapsed), fmtDur(expected), note)
}

// lambdaMessage is the errorMessage of a Lambda error cause
// ({"errorMessage": ..., "errorType": ...}), or the cause itself.
func lambdaMessage(cause string) string {
	var le struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(cause), &le) == nil && le.ErrorMessage != "" {
		cause = le.ErrorMessage
	}
	return firstLine(cause)
}

func fmtDur(d time.Duration) string { return d.Round(time.Second).String() }

// firstLine is s's first line, cut at 400 bytes: long enough for a
// step's message and what it says to do (a terminal's block cuts each line
// to its width).
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return truncate(s, 400)
}
