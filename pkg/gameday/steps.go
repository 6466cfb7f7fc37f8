package gameday

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// This file holds the payloads that flow through the state machine. The
// execution input is a RunInput; a Pass state adds the execution's identity,
// and each Task writes its result under its own key (ResultPath), so every
// handler receives the whole RunState and returns one result.

// Step Functions' quotas on a run's state: a state's input and output, and
// an execution's input, hold at most MaxPayload bytes of JSON; a caught
// error's Cause at most MaxCause characters. A state over MaxPayload fails
// the execution with States.DataLimitExceeded, which no Catch takes.
const (
	MaxPayload = 256 * 1024
	MaxCause   = 32 * 1024
)

// RunReserve is the room a run's state needs once the experiment has
// started, until it is confirmed ended: a poll result and, in the cleanup
// branch, the caught error, the stop step's answer or its error. The start
// step starts nothing when its state and result would leave less.
const RunReserve = 2*MaxCause + 16*1024

// RunInput is the input of a Step Functions execution: from a schedule, from
// `gameday start`, or from `gameday run --local`.
type RunInput struct {
	// GameDay is the validated GameDay.
	GameDay *Spec `json:"gameday"`
	// SpecYAML is the file as written, archived as spec.yaml. Optional: the
	// archive writes GameDay as YAML when it is empty.
	SpecYAML string `json:"specYaml,omitempty"`
	// Source says what started the run: schedule, manual or local.
	Source string `json:"source,omitempty"`
}

// Execution identifies the Step Functions execution (from the context object).
type Execution struct {
	ARN       string `json:"arn"`
	Name      string `json:"name"`
	StartTime string `json:"startTime,omitempty"`
}

// RunState is the state document of one execution.
type RunState struct {
	RunInput
	Execution Execution        `json:"execution"`
	Preflight *PreflightResult `json:"preflight,omitempty"`
	Start     *StartResult     `json:"start,omitempty"`
	Poll      *PollResult      `json:"poll,omitempty"`
	Stop      *StopResult      `json:"stop,omitempty"`
	// Error is what a Catch caught (Step Functions writes Error and Cause).
	Error *CaughtError `json:"error,omitempty"`
	// StopError is what the cleanup branch's stop step failed with (its
	// Catch's ResultPath): the experiment was not confirmed terminal.
	StopError *CaughtError   `json:"stopError,omitempty"`
	Archive   *ArchiveResult `json:"archive,omitempty"`
}

// CaughtError is the error output of a Catch, as Step Functions writes it.
type CaughtError struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// PreflightResult is what the preflight step staged and checked.
type PreflightResult struct {
	// Alarms are the stop-condition alarms, staged or given by ARN, in the
	// order of spec.stopConditions.
	Alarms []AlarmRef `json:"alarms"`
	// CheckedAt is when the checks passed.
	CheckedAt time.Time `json:"checkedAt"`
}

// AlarmRef is one stop-condition alarm.
type AlarmRef struct {
	Name   string `json:"name"`
	ARN    string `json:"arn"`
	State  string `json:"state"`
	Staged bool   `json:"staged"`
	// Notes are what preflight found of the metrics the alarm watches and
	// only reports: a metric the policy lets be sparse that has no data,
	// what it could not judge.
	Notes []string `json:"notes,omitempty"`
}

// StartResult is the experiment that the start step started.
type StartResult struct {
	ExperimentID         string    `json:"experimentId"`
	ExperimentTemplateID string    `json:"experimentTemplateId"`
	TemplateAction       string    `json:"templateAction"` // created, updated or reused
	ClientToken          string    `json:"clientToken"`
	StartedAt            time.Time `json:"startedAt"`
	// Deadline is StartedAt + timeouts.experiment.
	Deadline time.Time `json:"deadline"`
	// Template is the CreateExperimentTemplate request the step rendered
	// and sent (fistemplate.JSON), which the archive writes as
	// template.json rather than rendering it again.
	Template json.RawMessage `json:"template,omitempty"`
}

// State is an FIS experiment (or action) state.
type State string

// FIS experiment states; actions add skipped.
const (
	StatePending    State = "pending"
	StateInitiating State = "initiating"
	StateRunning    State = "running"
	StateCompleted  State = "completed"
	StateStopping   State = "stopping"
	StateStopped    State = "stopped"
	StateFailed     State = "failed"
	StateCancelled  State = "cancelled"
	StateSkipped    State = "skipped"
)

// states are the states above.
var states = []State{StatePending, StateInitiating, StateRunning, StateCompleted, StateStopping, StateStopped, StateFailed, StateCancelled, StateSkipped}

// Known reports whether s is one of the states above.
func (s State) Known() bool { return slices.Contains(states, s) }

// Terminal reports whether an experiment in this state has ended.
func (s State) Terminal() bool {
	switch s {
	case StateCompleted, StateStopped, StateFailed, StateCancelled:
		return true
	}
	return false
}

// PollResult is one look at the experiment.
type PollResult struct {
	State    State         `json:"state"`
	Reason   string        `json:"reason,omitempty"`
	Terminal bool          `json:"terminal"`
	Actions  []ActionState `json:"actions"`
	// WaitSeconds is how long the Wait state sleeps before the next poll.
	WaitSeconds int       `json:"waitSeconds"`
	Elapsed     float64   `json:"elapsedSeconds"`
	PolledAt    time.Time `json:"polledAt"`
	Polls       int       `json:"polls"`
}

// ActionState is the state of one FIS action (one fault).
type ActionState struct {
	Name      string     `json:"name"`
	State     State      `json:"state"`
	Reason    string     `json:"reason,omitempty"`
	StartTime *time.Time `json:"startTime,omitempty"`
	EndTime   *time.Time `json:"endTime,omitempty"`
}

// StopResult is the outcome of stopping the experiment.
type StopResult struct {
	// ExperimentID is the experiment of this execution that the step
	// stopped or found ended: $.start's, or the one it found by the
	// execution's tag when every start attempt died after FIS had started
	// it (then the archive's only way to it). Empty when there was none.
	ExperimentID    string `json:"experimentId,omitempty"`
	State           State  `json:"state"`
	Reason          string `json:"reason,omitempty"`
	AlreadyTerminal bool   `json:"alreadyTerminal"`
}

// ArchiveResult says where the run's archive is and what it concluded.
type ArchiveResult struct {
	// URI is s3://bucket/gamedays/<name>/<start>_<id>/.
	URI     string `json:"uri"`
	Bucket  string `json:"bucket"`
	Prefix  string `json:"prefix"`
	State   State  `json:"state"`
	Verdict string `json:"verdict"`
	// LogsComplete is false when experiment-end never arrived in time.
	LogsComplete bool `json:"logsComplete"`
	// Skipped says why nothing was archived (the run started no experiment);
	// empty when the archive was written.
	Skipped string `json:"skipped,omitempty"`
	// The summary's key fields, for the notify step.
	ExperimentID   string `json:"experimentId,omitempty"`
	Hypothesis     string `json:"hypothesis,omitempty"`
	StoppedByAlarm string `json:"stoppedByAlarm,omitempty"`
	VerdictReason  string `json:"verdictReason,omitempty"`
	// Pending, when set, says nothing was written yet: FIS has not
	// delivered the whole log, or the after window is not over. The state
	// machine waits Pending.WaitSeconds and runs the archive step again
	// with this result in its input.
	Pending *ArchivePending `json:"pending,omitempty"`
}

// ArchivePending is an archive step that waits for the FIS logs.
type ArchivePending struct {
	// Reason is what the step waits for.
	Reason string `json:"reason"`
	// Attempt counts the step's pending answers so far (1 for the first).
	Attempt int `json:"attempt"`
	// WaitSeconds is how long the state machine waits before the next try.
	WaitSeconds int `json:"waitSeconds"`
	// Cursor is the archive step's own record of the log objects it has
	// read and what they told, so that the next try reads only the others;
	// only the archive step reads it.
	Cursor json.RawMessage `json:"cursor,omitempty"`
}

// CheckSpecYAML says whether the run's SpecYAML says what its GameDay says.
// The archive keeps SpecYAML as spec.yaml, the evidence of what ran, while
// the GameDay is what preflight judges and the start step runs: a caller
// who types the input by hand must not pair a harmless file with another
// GameDay. Both come from one file when `gameday start`, a schedule or
// `run --local` sends them; an empty SpecYAML passes (the archive then
// writes the GameDay itself).
func (in RunInput) CheckSpecYAML() error {
	if in.SpecYAML == "" || in.GameDay == nil {
		return nil
	}
	const hint = "send both from one file, as gameday start FILE does"
	doc, ps := ParseDocument("specYaml", []byte(in.SpecYAML))
	if doc == nil || len(ps) > 0 {
		return fmt.Errorf("specYaml is not a GameDay file (%s): %s", firstLine(errorText(ps)), hint)
	}
	fromYAML, err := json.Marshal(doc.Spec)
	if err != nil {
		return fmt.Errorf("encode specYaml's gameday: %w", err)
	}
	given, err := json.Marshal(in.GameDay)
	if err != nil {
		return fmt.Errorf("encode gameday: %w", err)
	}
	if !bytes.Equal(fromYAML, given) {
		return fmt.Errorf("specYaml says another GameDay than gameday (the archive would keep as spec.yaml a file that did not run): %s", hint)
	}
	return nil
}

func errorText(ps Problems) string {
	if len(ps) == 0 {
		return "no GameDay in it"
	}
	return ps.Error()
}
