package localrun

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

func TestExpectedRuntime(t *testing.T) {
	cr := func(d string) *gameday.CustomResource {
		return &gameday.CustomResource{TypeMeta: gameday.TypeMeta{Kind: "NetworkChaos"}, Spec: map[string]any{"duration": d}}
	}
	spec := &gameday.Spec{Spec: gameday.Body{Faults: []gameday.Fault{
		{Name: "a", ChaosMesh: cr("180s")},
		{Name: "b", ChaosMesh: cr("60s"), StartAfter: []string{"a"}},
		{Name: "c", ChaosMesh: &gameday.CustomResource{TypeMeta: gameday.TypeMeta{Kind: "PodChaos"}, Spec: map[string]any{}}, MaxDuration: gameday.Duration{Duration: 2 * time.Minute}},
	}}}
	if got, want := ExpectedRuntime(spec), 4*time.Minute; got != want {
		t.Errorf("ExpectedRuntime = %v, want %v (a then b; c in parallel)", got, want)
	}
}

// TestDisplayPlain: a line per step that says something, each message
// whole with what it says to do; the input's admission is not one.
func TestDisplayPlain(t *testing.T) {
	const pending = "stop-condition alarm gameday-sock-shop-carts-latency-front-end-errors is still INSUFFICIENT_DATA: waiting for CloudWatch to evaluate it (if this lasts, check that its metric receives data)"
	var buf bytes.Buffer
	d := &Display{W: &buf, Expected: 3 * time.Minute, Alarms: func() map[string]string { return map[string]string{"errors": "OK"} }}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	run := &gameday.RunState{Start: &gameday.StartResult{ExperimentID: "EXP1", ExperimentTemplateID: "EXT1", TemplateAction: "created"}}
	polled := *run
	polled.Poll = &gameday.PollResult{State: gameday.StateRunning, Elapsed: 90, Actions: []gameday.ActionState{{Name: "carts-delay", State: gameday.StateRunning}}}
	waiting := polled
	waiting.Archive = &gameday.ArchiveResult{Pending: &gameday.ArchivePending{Reason: "no experiment-end record yet", Attempt: 1, WaitSeconds: 30}}
	archived := polled
	archived.Archive = &gameday.ArchiveResult{URI: "s3://b/gamedays/x/", Verdict: "passed"}
	for _, e := range []Event{
		{Time: at, Type: "ExecutionStarted"},
		{Time: at, Type: "StateEntered", State: workflow.StateAdmitInput},
		{Time: at, Type: "StateEntered", State: workflow.StateMergeInput},
		{Time: at, Type: "StateEntered", State: workflow.StateCountInputKeys},
		{Time: at, Type: "StateEntered", State: workflow.StateInputAdmitted},
		{Time: at, Type: "StateEntered", State: workflow.StateInit},
		{Time: at, Type: "StateEntered", State: "Preflight"},
		{Time: at, Type: "StateFailed", State: "Preflight", Cause: `{"errorMessage":"` + pending + `","errorType":"AlarmsPending"}`},
		{Time: at, Type: "StateRetried", State: "Preflight", Error: "AlarmsPending"},
		{Time: at, Type: "StateExited", State: "StartExperiment", Run: run},
		{Time: at, Type: "StateEntered", State: "PollExperiment"},
		{Time: at, Type: "StateExited", State: "PollExperiment", Run: &polled},
		{Time: at, Type: "StateExited", State: "PollExperiment", Run: &polled}, // nothing new: not repeated
		{Time: at, Type: "StateEntered", State: "Archive"},
		{Time: at, Type: "StateExited", State: "Archive", Run: &waiting},
		{Time: at, Type: "StateEntered", State: "ArchiveWritten"},
		{Time: at, Type: "StateEntered", State: "WaitForLogs"},
		{Time: at, Type: "StateEntered", State: "Archive"},
		{Time: at, Type: "StateExited", State: "Archive", Run: &archived},
		{Time: at, Type: "StateEntered", State: "ArchiveWritten"},
		{Time: at, Type: "StateFailed", State: "Notify", Cause: "no bus"},
		{Time: at, Type: "StateCaught", State: "Notify", Error: "States.ALL", Next: "Succeeded"},
		{Time: at, Type: "End", State: "SUCCEEDED"},
	} {
		d.Handle(e)
	}
	want := strings.Join([]string{
		"10:00:00 execution started",
		"10:00:00 → Preflight",
		"10:00:00 Preflight: AlarmsPending, retrying: " + pending,
		"10:00:00 experiment EXP1 started (template EXT1, created)",
		"10:00:00 experiment running, 1m30s of ~3m0s; carts-delay running; alarms errors OK",
		"10:00:00 → Archive",
		"10:00:00 archive waits 30 s (try 1): no experiment-end record yet",
		"10:00:00 → WaitForLogs",
		"10:00:00 → Archive",
		"10:00:00 archived in the simulator's s3://b/gamedays/x/ (verdict passed)",
		"10:00:00 Notify failed (no bus), going on to Succeeded",
		"10:00:00 execution succeeded",
		"",
	}, "\n")
	if got := buf.String(); got != want {
		t.Errorf("plain progress:\n%s\nwant:\n%s", got, want)
	}
}

func TestBar(t *testing.T) {
	if got, want := bar(90*time.Second, 3*time.Minute, 10, ""), "[█████░░░░░] 1m30s / ~3m0s (1m30s left)"; got != want {
		t.Errorf("bar = %q, want %q", got, want)
	}
	if got, want := bar(5*time.Minute, 3*time.Minute, 4, ""), "[████] 5m0s / ~3m0s (0s left)"; got != want {
		t.Errorf("bar past the end = %q, want %q", got, want)
	}
	if got, want := bar(30*time.Second, 3*time.Minute, 6, "stopped"), "[█░░░░░] 30s / ~3m0s (stopped)"; got != want {
		t.Errorf("bar of a stopped experiment = %q, want %q", got, want)
	}
}

// TestDisplaySettled: after an abort, the last lines shown say the
// experiment and its faults stopped, not that they still run.
func TestDisplaySettled(t *testing.T) {
	run := &gameday.RunState{
		Start: &gameday.StartResult{ExperimentID: "EXP1"},
		Poll: &gameday.PollResult{State: gameday.StateRunning, Reason: "Experiment is running.", Elapsed: 30,
			Actions: []gameday.ActionState{{Name: "carts-delay", State: gameday.StateRunning, Reason: "Action is running."}}},
	}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	// Plain, the last line shows the stop as a poll's line does; that the
	// guard stopped it is the command's to say, once (it printed "after
	// the guard" here too, so a log holding stdout and stderr said it
	// twice).
	plain := []struct {
		name     string
		run      *gameday.RunState
		wantLast string
	}{
		{"polled", run, "10:01:00 experiment stopped, 30s of ~3m0s; carts-delay stopped"},
		{"never polled", &gameday.RunState{Start: run.Start}, "10:01:00 experiment EXP1 stopped; carts-delay stopped"},
	}
	for _, tt := range plain {
		t.Run("plain/"+tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			d := &Display{W: &buf, Expected: 3 * time.Minute}
			d.Handle(Event{Time: at, Type: "StateExited", State: "PollExperiment", Run: tt.run})
			d.Handle(Event{Time: at, Type: "End", State: "ABORTED"})
			d.Settled(at.Add(time.Minute), "EXP1", "stopped", map[string]string{"carts-delay": "stopped"})
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if last := lines[len(lines)-1]; last != tt.wantLast {
				t.Errorf("last line %q, want %q", last, tt.wantLast)
			}
			if strings.Contains(buf.String(), "guard") {
				t.Errorf("the progress says what the command says after it:\n%s", buf.String())
			}
		})
	}
	t.Run("terminal", func(t *testing.T) {
		var buf bytes.Buffer
		d := &Display{W: &buf, Terminal: true, Width: 100, Expected: 3 * time.Minute}
		d.Handle(Event{Time: at, Type: "StateExited", State: "PollExperiment", Run: run})
		d.Handle(Event{Time: at, Type: "End", State: "ABORTED"})
		buf.WriteString("^C") // the terminal's echo of Ctrl-C, where the cursor is
		d.Settled(at, "EXP1", "stopped", map[string]string{"carts-delay": "stopped"})
		got := strings.Join(screen(buf.String()), "\n")
		want := strings.Join([]string{
			"state     done: aborted",
			"experiment EXP1 stopped",
			"elapsed   [█████░░░░░░░░░░░░░░░░░░░░░░░░░] 30s / ~3m0s (stopped)",
			"  fault   carts-delay              stopped",
		}, "\n")
		if got != want {
			t.Errorf("the screen after Settled:\n%s\nwant (the block redrawn in place over the ^C, nothing said running):\n%s", got, want)
		}
		if run.Poll.State != gameday.StateRunning {
			t.Error("Settled changed the run state it was given")
		}
	})
}

// screen is what a terminal shows after out: the lines, with the cursor
// movements Display uses (\r, ESC[nA up, ESC[2K erase the line, ESC[0J
// erase to the end of the screen) applied,
// and text overwriting what is under it.
func screen(out string) []string {
	var rows [][]rune
	row, col := 0, 0
	for len(out) > 0 {
		for len(rows) <= row {
			rows = append(rows, nil)
		}
		switch {
		case strings.HasPrefix(out, "\x1b["):
			var n int
			var op rune
			if _, err := fmt.Sscanf(out[2:], "%d%c", &n, &op); err != nil {
				panic("unknown escape in " + strconv.Quote(out))
			}
			switch op {
			case 'A':
				row = max(0, row-n)
			case 'K':
				rows[row] = nil
			case 'J': // from the cursor to the end of the screen
				rows[row] = rows[row][:min(col, len(rows[row]))]
				rows = rows[:row+1]
			}
			out = out[strings.IndexRune(out, op)+1:]
			continue
		case out[0] == '\r':
			col = 0
		case out[0] == '\n':
			row, col = row+1, 0
		default:
			r, size := utf8.DecodeRuneInString(out)
			for len(rows[row]) <= col {
				rows[row] = append(rows[row], ' ')
			}
			rows[row][col] = r
			col++
			out = out[size:]
			continue
		}
		out = out[1:]
	}
	lines := make([]string, 0, len(rows))
	for _, r := range rows {
		lines = append(lines, strings.TrimRight(string(r), " "))
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		s    string
		n    int
		want string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"ascii", "abcdef", 3, "abc…"},
		{"inside a rune", "ab€cd", 3, "ab…"},     // € is bytes 2 to 4
		{"at a rune's end", "ab€cd", 5, "ab€…"},  // the cut falls right after €
		{"first rune cut", "€€", 2, "…"},         // nothing whole fits
		{"in the last of two", "aé€x", 5, "aé…"}, // é is 2 bytes, € starts at 3
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := truncate(tt.s, tt.n)
			if got != tt.want || !utf8.ValidString(got) {
				t.Errorf("truncate(%q, %d) = %q (valid UTF-8: %v), want %q", tt.s, tt.n, got, utf8.ValidString(got), tt.want)
			}
		})
	}
}

// TestSaysMore: the progress block gives FIS's reason only when it says
// more than the state it explains.
func TestSaysMore(t *testing.T) {
	tests := []struct {
		reason string
		state  gameday.State
		want   bool
	}{
		{"Experiment is running.", gameday.StateRunning, false},
		{"Experiment completed.", gameday.StateCompleted, false},
		{"Action was completed.", gameday.StateCompleted, false},
		{"Action is running.", gameday.StateRunning, false},
		{"", gameday.StateStopped, false},
		{"Experiment is running.", gameday.StateStopped, true}, // stale: it says something else
		{"Stop condition activated.", gameday.StateStopped, true},
		{"Target resolution failed: no pods matched.", gameday.StateFailed, true},
	}
	for _, tt := range tests {
		if got := saysMore(tt.reason, tt.state); got != tt.want {
			t.Errorf("saysMore(%q, %s) = %v, want %v", tt.reason, tt.state, got, tt.want)
		}
	}
}

// TestDisplayTerminalInPlace: on a terminal the block is redrawn in place:
// a long message wraps into rows that fit (not cut before what it says to
// do), and a shorter block leaves no row of the taller one below it.
func TestDisplayTerminalInPlace(t *testing.T) {
	var buf bytes.Buffer
	d := &Display{W: &buf, Terminal: true, Width: 60}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	d.Handle(Event{Time: at, Type: "StateEntered", State: "Preflight"})
	d.Handle(Event{Time: at, Type: "StateFailed", State: "Preflight", Cause: `{"errorMessage":"stop-condition alarm gameday-x-errors is still INSUFFICIENT_DATA: waiting for CloudWatch to evaluate it (if this lasts, check that its metric receives data)","errorType":"AlarmsPending"}`})
	d.Handle(Event{Time: at, Type: "StateRetried", State: "Preflight", Error: "AlarmsPending"})
	want := []string{
		"state     Preflight",
		"waiting   Preflight: stop-condition alarm gameday-x-errors",
		"          is still INSUFFICIENT_DATA: waiting for",
		"          CloudWatch to evaluate it (if this lasts, check…",
	}
	if got := screen(buf.String()); !slices.Equal(got, want) {
		t.Errorf("screen while preflight waits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	d.Handle(Event{Time: at, Type: "StateEntered", State: "StartExperiment"})
	if got, want := screen(buf.String()), []string{"state     StartExperiment"}; !slices.Equal(got, want) {
		t.Errorf("screen once the wait is over:\n%s\nwant only:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The archive waiting for the logs says so, not an empty place and verdict.
	waiting := &gameday.RunState{Archive: &gameday.ArchiveResult{Pending: &gameday.ArchivePending{Reason: "no experiment-end record yet", Attempt: 2, WaitSeconds: 45}}}
	d.Handle(Event{Time: at, Type: "StateExited", State: "Archive", Run: waiting})
	want = []string{"state     StartExperiment", "archive   waits 45 s (try 2): no experiment-end record yet"}
	if got := screen(buf.String()); !slices.Equal(got, want) {
		t.Errorf("screen while the archive waits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		width int
		want  []string
	}{
		{"fits", "state     Preflight", 40, []string{"state     Preflight"}},
		{"at a space", "waiting   one two three four five six", 30, []string{"waiting   one two three four", "          five six"}},
		{"no space", "archive   s3://bucket/gamedays/name/2026-12-06T09-55-09Z_EXP/", 30, []string{"archive   s3://bucket/gamedays", "          /name/2026-12-06T09-", "          55-09Z_EXP/"}},
		{"cut in the last row", strings.Repeat("word ", 30), 30, []string{
			"word word word word word word",
			"          word word word word",
			"          word word word word…",
		}},
		{"too narrow to wrap", "state     a long state name", 12, []string{"state     a…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrap(tt.line, tt.width)
			if !slices.Equal(got, tt.want) {
				t.Errorf("wrap(%q, %d) = %q, want %q", tt.line, tt.width, got, tt.want)
			}
			for _, r := range got {
				if n := utf8.RuneCountInString(r); n > tt.width {
					t.Errorf("row %q is %d runes, wider than %d", r, n, tt.width)
				}
			}
		})
	}
}
