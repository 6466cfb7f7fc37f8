package workflow

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/golden"
	"github.com/gameday-dev/gameday/pkg/interpreter/interpretertest"
)

const testTimeout = 4 * 3600

func definition(t *testing.T) string {
	t.Helper()
	def, err := Definition(Options{TimeoutSeconds: testTimeout})
	if err != nil {
		t.Fatalf("Definition: %v", err)
	}
	return def
}

func TestDefinitionGolden(t *testing.T) {
	def := definition(t)
	golden.Check(t, filepath.Join("testdata", "definition.asl.json"), []byte(def))
	again := definition(t)
	if again != def {
		t.Error("Definition() is not deterministic")
	}
}

func TestDefinitionTimeout(t *testing.T) {
	tests := []struct {
		name    string
		timeout int
		wantErr bool
	}{
		{"zero", 0, true},
		{"below minimum", MinTimeoutSeconds - 1, true},
		{"minimum", MinTimeoutSeconds, false},
		{"a day", 86400, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, err := Definition(Options{TimeoutSeconds: tt.timeout})
			if (err != nil) != tt.wantErr {
				t.Fatalf("Definition(%d) error = %v, want error %v", tt.timeout, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			var sm struct{ TimeoutSeconds int }
			if err := json.Unmarshal([]byte(def), &sm); err != nil {
				t.Fatal(err)
			}
			if sm.TimeoutSeconds != tt.timeout {
				t.Errorf("TimeoutSeconds = %d, want %d", sm.TimeoutSeconds, tt.timeout)
			}
		})
	}
}

func TestTimeoutSeconds(t *testing.T) {
	tests := []struct {
		longest time.Duration
		want    int
	}{
		{0, MinTimeoutSeconds},
		{20 * time.Minute, MinTimeoutSeconds + 20*60},
		{12 * time.Hour, 13 * 3600},
		{2*time.Hour + 500*time.Millisecond, 3*3600 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.longest.String(), func(t *testing.T) {
			if got := TimeoutSeconds(tt.longest); got != tt.want {
				t.Errorf("TimeoutSeconds(%v) = %d, want %d", tt.longest, got, tt.want)
			}
			if _, err := Definition(Options{TimeoutSeconds: TimeoutSeconds(tt.longest)}); err != nil {
				t.Errorf("Definition refuses TimeoutSeconds(%v): %v", tt.longest, err)
			}
		})
	}
}

func TestPlaceholder(t *testing.T) {
	tests := []struct {
		fn   deploy.Function
		want string
	}{
		{"preflight", "PreflightFunctionArn"},
		{"start-experiment", "StartExperimentFunctionArn"},
		{"poll-experiment", "PollExperimentFunctionArn"},
		{"stop-experiment", "StopExperimentFunctionArn"},
		{"archive", "ArchiveFunctionArn"},
		{"notify", "NotifyFunctionArn"},
		{"guard", "GuardFunctionArn"},
	}
	for _, tt := range tests {
		t.Run(string(tt.fn), func(t *testing.T) {
			if got := Placeholder(tt.fn); got != tt.want {
				t.Errorf("Placeholder(%q) = %q, want %q", tt.fn, got, tt.want)
			}
		})
	}
}

func TestTaskStates(t *testing.T) {
	got, err := taskStates(definition(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]deploy.Function{
		StatePreflight:           deploy.Preflight,
		StateStartExperiment:     deploy.StartExperiment,
		StatePollExperiment:      deploy.PollExperiment,
		StateArchive:             deploy.Archive,
		StateNotify:              deploy.Notify,
		StateStopExperiment:      deploy.StopExperiment,
		StateArchiveAfterFailure: deploy.Archive,
		StateNotifyFailure:       deploy.Notify,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("taskStates() mismatch (-want +got):\n%s", diff)
	}
	// Every function the state machine invokes is used.
	used := map[deploy.Function]bool{}
	for _, fn := range got {
		used[fn] = true
	}
	for _, fn := range Functions {
		if !used[fn] {
			t.Errorf("function %s is in Functions but no Task invokes it", fn)
		}
	}
}

func TestTaskStatesErrors(t *testing.T) {
	tests := []struct{ name, def, want string }{
		{"not json", "{", "read definition"},
		{"unknown resource", `{"States":{"A":{"Type":"Task","Resource":"${OtherArn}"}}}`, `"${OtherArn}" is not a gameday function placeholder`},
		{"no tasks", `{"States":{"A":{"Type":"Succeed"}}}`, "no Task states"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := taskStates(tt.def)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("taskStates() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// states decodes the definition's states generically so tests can read and
// mutate them.
func states(t *testing.T, def string) (map[string]any, map[string]map[string]any) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(def), &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for name, s := range doc["States"].(map[string]any) {
		out[name] = s.(map[string]any)
	}
	return doc, out
}

// TestRouting pins where each Task's errors go: preflight refuses without
// cleanup, everything from the start on goes to the cleanup branch, the
// cleanup branch carries on past its own failures, and a failed
// notification does not fail a run.
func TestRouting(t *testing.T) {
	_, ss := states(t, definition(t))
	tests := []struct {
		state, catchNext, catchResult, next string
	}{
		{StatePreflight, StatePreflightRefused, "$.error", StateStartExperiment},
		{StateStartExperiment, StateStopExperiment, "$.error", StatePollExperiment},
		{StatePollExperiment, StateStopExperiment, "$.error", StateExperimentEnded},
		{StateArchive, StateStopExperiment, "$.error", StateArchiveWritten},
		{StateNotify, StateSucceeded, "$.notifyError", StateSucceeded},
		{StateStopExperiment, StateArchiveAfterFailure, "$.stopError", StateArchiveAfterFailure},
		{StateArchiveAfterFailure, StateNotifyFailure, "$.archiveError", StateArchivedAfterFailure},
		{StateNotifyFailure, StateRunFailed, "$.notifyError", StateRunFailed},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			s := ss[tt.state]
			catch := s["Catch"].([]any)[0].(map[string]any)
			got := []any{catch["Next"], catch["ResultPath"], s["Next"]}
			want := []any{tt.catchNext, tt.catchResult, tt.next}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("catch next, catch result path, next (-want +got):\n%s", diff)
			}
		})
	}
	for _, name := range []string{StatePreflightRefused, StateRunFailed} {
		if got := ss[name]["Type"]; got != "Fail" {
			t.Errorf("%s is a %v, want Fail", name, got)
		}
		if got := ss[name]["ErrorPath"]; got != "$.error.Error" {
			t.Errorf("%s ErrorPath = %v, want $.error.Error", name, got)
		}
	}
	wait := ss[StateWaitBeforePoll]
	if wait["SecondsPath"] != "$.poll.waitSeconds" || wait["Next"] != StatePollExperiment {
		t.Errorf("WaitBeforePoll = %v, want SecondsPath $.poll.waitSeconds then PollExperiment", wait)
	}
	choice := ss[StateExperimentEnded]["Choices"].([]any)[0].(map[string]any)
	if choice["Variable"] != "$.poll.terminal" || choice["BooleanEquals"] != true || choice["Next"] != StateArchive {
		t.Errorf("ExperimentEnded choice = %v, want $.poll.terminal true → Archive", choice)
	}
	// A pending archive answer waits as long as it says, then runs the
	// same archive state again (with the answer, and its cursor, in $.archive).
	for _, tt := range []struct{ archive, written, wait, next string }{
		{StateArchive, StateArchiveWritten, StateWaitForLogs, StateNotify},
		{StateArchiveAfterFailure, StateArchivedAfterFailure, StateWaitForLogsAfterFailure, StateNotifyFailure},
	} {
		w := ss[tt.written]
		choice := w["Choices"].([]any)[0].(map[string]any)
		got := []any{w["Type"], choice["Variable"], choice["IsPresent"], choice["Next"], w["Default"]}
		if diff := cmp.Diff([]any{"Choice", "$.archive.pending", true, tt.wait, tt.next}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.written, diff)
		}
		wait := ss[tt.wait]
		if got := []any{wait["Type"], wait["SecondsPath"], wait["Next"]}; !cmp.Equal(got, []any{"Wait", "$.archive.pending.waitSeconds", tt.archive}) {
			t.Errorf("%s = %v, want a Wait of $.archive.pending.waitSeconds then %s", tt.wait, got, tt.archive)
		}
		if r := fmt.Sprint(ss[tt.archive]["Retry"]); strings.Contains(r, gameday.ErrNameLogsNotReady) {
			t.Errorf("%s retries LogsNotReady (%s): the state machine must hand the step its pending answer instead", tt.archive, r)
		}
	}
}

// TestRetriesAnyError: the idempotent steps whose failure leaves a fault
// unwatched run again on any error (last, as States.ALL must be): the
// cleanup's stop, which nothing else stops the experiment while it fails,
// and the start, whose next try finds the experiment a try that died had
// started (no $.start otherwise, and the cleanup must find it by a
// listing). Never again for a lost invocation, or an invalid GameDay.
func TestRetriesAnyError(t *testing.T) {
	_, ss := states(t, definition(t))
	tests := []struct {
		state string
		never []any
	}{
		{StateStopExperiment, []any{errTimeout}},
		{StateStartExperiment, []any{errTimeout, gameday.ErrNameInvalidGameDay}},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			retry := ss[tt.state]["Retry"].([]any)
			var got [][]any
			for _, r := range retry[len(retry)-2:] {
				r := r.(map[string]any)
				got = append(got, []any{r["ErrorEquals"], r["MaxAttempts"]})
			}
			want := [][]any{{tt.never, 0.0}, {[]any{errAll}, 3.0}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("last retriers [ErrorEquals MaxAttempts] (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRetryBudgets checks that the waits the steps ask for are long enough:
// preflight's alarm wait ~2 min, a stopping experiment's ~12 min (the
// archive's log wait is the archive step's: archive.WaitSeconds).
func TestRetryBudgets(t *testing.T) {
	tests := []struct {
		name     string
		r        Retrier
		min, max float64 // seconds of waiting before the last attempt
	}{
		{"AlarmsPending", alarmsPendingRetry, 110, 130},
		{"ExperimentNotTerminal", notTerminalRetry, 5 * 60, 20 * 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := totalWait(tt.r); got < tt.min || got > tt.max {
				t.Errorf("total wait = %.0fs, want %.0f..%.0fs", got, tt.min, tt.max)
			}
		})
	}
}

// totalWait is the sum of the intervals before each retry, without jitter.
func totalWait(r Retrier) float64 {
	var total float64
	d := float64(r.IntervalSeconds)
	for range r.MaxAttempts {
		w := d
		if r.MaxDelaySeconds > 0 && w > float64(r.MaxDelaySeconds) {
			w = float64(r.MaxDelaySeconds)
		}
		total += w
		if r.BackoffRate > 0 {
			d *= r.BackoffRate
		}
	}
	return total
}

func TestCheckDefinition(t *testing.T) {
	if err := Check(definition(t)); err != nil {
		t.Errorf("Check(Definition()) = %v", err)
	}
}

// TestCheckFinds proves that Check fails on each defect it is for.
func TestCheckFinds(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(doc map[string]any, ss map[string]map[string]any)
		want   string
	}{
		{"no retry", func(_ map[string]any, ss map[string]map[string]any) { delete(ss[StatePollExperiment], "Retry") },
			"task PollExperiment: no retry of [Lambda."},
		{"lambda retry without jitter", func(_ map[string]any, ss map[string]map[string]any) {
			for _, r := range ss[StateArchive]["Retry"].([]any) {
				delete(r.(map[string]any), "JitterStrategy")
			}
		}, "task Archive: no retry of [Lambda."},
		{"lambda retry missing an error", func(_ map[string]any, ss map[string]map[string]any) {
			rs := ss[StateNotify]["Retry"].([]any)
			last := rs[len(rs)-1].(map[string]any)
			last["ErrorEquals"] = []any{"Lambda.ServiceException"}
		}, "task Notify: no retry of [Lambda."},
		{"no throttling retry", func(_ map[string]any, ss map[string]map[string]any) {
			ss[StateStartExperiment]["Retry"] = ss[StateStartExperiment]["Retry"].([]any)[1:]
		}, "task StartExperiment: no retry of Throttled"},
		{"no server-error retry", func(_ map[string]any, ss map[string]map[string]any) {
			rs := ss[StatePollExperiment]["Retry"].([]any)
			ss[StatePollExperiment]["Retry"] = append([]any{rs[0]}, rs[2:]...)
		}, "task PollExperiment: no retry of AWSUnavailable"},
		{"no catch", func(_ map[string]any, ss map[string]map[string]any) { delete(ss[StateStopExperiment], "Catch") },
			"task StopExperiment: no States.ALL Catch"},
		{"dangling next", func(_ map[string]any, ss map[string]map[string]any) { ss[StateNotify]["Next"] = "Nowhere" },
			`state Notify: goes to "Nowhere"`},
		{"unreachable", func(_ map[string]any, ss map[string]map[string]any) { ss["Orphan"] = map[string]any{"Type": "Succeed"} },
			"state Orphan: unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ss := states(t, definition(t))
			tt.mutate(doc, ss)
			all := map[string]any{}
			for k, v := range ss {
				all[k] = v
			}
			doc["States"] = all
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			err = Check(string(b))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestASLValidator runs npm asl-validator (package.json) on the definition.
func TestASLValidator(t *testing.T) {
	bin := filepath.Join("..", "..", "node_modules", ".bin", "asl-validator")
	if os.Getenv(interpretertest.SkipEnv) == "1" {
		t.Skipf("%s=1: skipping asl-validator, which needs Node", interpretertest.SkipEnv)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("asl-validator not installed: make test installs it (npm ci at the repository root), or set %s=1 to skip: %v", interpretertest.SkipEnv, err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node not on PATH: install Node.js 20 or newer, or set %s=1 to skip: %v", interpretertest.SkipEnv, err)
	}
	path := filepath.Join(t.TempDir(), "definition.asl.json")
	if err := os.WriteFile(path, []byte(definition(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--json-path", path).CombinedOutput()
	if err != nil {
		t.Errorf("asl-validator: %v\n%s", err, out)
	}
	// And it does reject a broken definition, so a pass means something.
	broken := strings.Replace(definition(t), `"Next": "Succeeded"`, `"Next": "Nowhere"`, 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "--json-path", path).CombinedOutput(); err == nil {
		t.Errorf("asl-validator accepted a definition with a dangling Next:\n%s", out)
	}
}

// taskStates maps each Task state of def to the function it invokes, by
// reading its Resource placeholder back: {"Preflight": "preflight",
// "ArchiveAfterFailure": "archive", ...}.
func taskStates(def string) (map[string]deploy.Function, error) {
	var sm struct {
		States map[string]struct {
			Type     string `json:"Type"`
			Resource string `json:"Resource"`
		} `json:"States"`
	}
	if err := json.Unmarshal([]byte(def), &sm); err != nil {
		return nil, fmt.Errorf("read definition: %w", err)
	}
	byResource := make(map[string]deploy.Function, len(Functions))
	for _, fn := range Functions {
		byResource[resource(fn)] = fn
	}
	out := make(map[string]deploy.Function)
	for name, s := range sm.States {
		if s.Type != "Task" {
			continue
		}
		fn, ok := byResource[s.Resource]
		if !ok {
			return nil, fmt.Errorf("read definition: task %s: resource %q is not a gameday function placeholder", name, s.Resource)
		}
		out[name] = fn
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read definition: no Task states")
	}
	return out, nil
}
