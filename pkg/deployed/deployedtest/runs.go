package deployedtest

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// Point is how far a made-up run of the gameday state machine got.
type Point string

// Points of a run, in the order of the workflow.
const (
	AtPreflight        Point = "preflight"         // running, in preflight
	RefusedByPreflight Point = "refused"           // failed in preflight: no experiment
	ExperimentRunning  Point = "running"           // running, the experiment runs
	Archiving          Point = "archiving"         // running, the archive step runs
	Succeeded          Point = "succeeded"         // succeeded, archived
	FailedArchived     Point = "failed-archived"   // failed after the start; cleanup archived
	FailedUnarchived   Point = "failed-unarchived" // failed after the start; the archive step failed too
	SkippedArchive     Point = "skipped"           // failed; the archive step archived nothing
	// Succeeded runs whose archive gave another verdict than passed.
	Refuted          Point = "hypothesis-refuted"
	StoppedByAlarm   Point = "stopped-by-alarm"
	ExperimentFailed Point = "failed"
	Untested         Point = "untested"
	Inconclusive     Point = "inconclusive"
)

// succeeded are the verdicts of the points of a succeeded execution.
var succeeded = map[Point]string{
	Succeeded: "passed", Refuted: "hypothesis-refuted", StoppedByAlarm: "stopped-by-alarm",
	ExperimentFailed: "failed", Untested: "untested", Inconclusive: "inconclusive",
}

// RunStart is when made-up runs start; the experiment starts 2 minutes
// later and ends 5 minutes after that.
var RunStart = time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)

// ExperimentID is the experiment of made-up runs.
const ExperimentID = "EXP7bX2Hc4mXqZp9Nk"

// ArchivePrefix is the archive folder of a made-up run of a GameDay.
func ArchivePrefix(name string) string {
	return deploy.RunFolder(name, RunStart.Add(2*time.Minute), ExperimentID)
}

// NewExecution makes an execution of state machine sm named name, running
// GameDay gd, with the history of a run that got to p. Its archive, if it
// has one, is in bucket.
func NewExecution(sm, name, gd, bucket string, p Point) *Execution {
	arn := strings.Replace(sm, ":stateMachine:", ":execution:", 1) + ":" + name
	input := mustJSON(map[string]any{
		"gameday": map[string]any{"apiVersion": gameday.APIVersion, "kind": gameday.Kind, "metadata": map[string]any{"name": gd}},
		"source":  "manual",
	})
	e := &Execution{ARN: arn, Name: name, StateMachineARN: sm, Status: types.ExecutionStatusRunning, Input: input, StartDate: RunStart}
	state := map[string]any{"execution": map[string]any{"arn": arn, "name": name}}
	out := func() string { return mustJSON(state) }
	ev := func(evs ...types.HistoryEvent) { e.History = append(e.History, evs...) }
	end := func(status types.ExecutionStatus) {
		e.Status = status
		e.StopDate = RunStart.Add(10 * time.Minute)
	}
	fail := func(name, cause string) {
		ev(Entered(workflow.StateRunFailed), Failed(name, cause))
		end(types.ExecutionStatusFailed)
		e.Error, e.Cause = name, cause
	}
	expStart := RunStart.Add(2 * time.Minute)
	archive := func(after string, st gameday.State, verdict string) {
		state["archive"] = gameday.ArchiveResult{
			URI: "s3://" + bucket + "/" + ArchivePrefix(gd), Bucket: bucket, Prefix: ArchivePrefix(gd),
			State: st, Verdict: verdict, LogsComplete: true, ExperimentID: ExperimentID, Hypothesis: "held",
		}
		ev(Entered(after), Exited(after, out()))
	}

	ev(Entered(workflow.StateInit), Exited(workflow.StateInit, out()), Entered(workflow.StatePreflight))
	switch p {
	case AtPreflight:
		return e
	case RefusedByPreflight:
		ev(Entered(workflow.StatePreflightRefused), Failed(gameday.ErrNamePreflightFailed, "stop-condition alarm gameday-x-errors is in ALARM"))
		end(types.ExecutionStatusFailed)
		e.Error, e.Cause = gameday.ErrNamePreflightFailed, "stop-condition alarm gameday-x-errors is in ALARM"
		return e
	}
	state["preflight"] = gameday.PreflightResult{CheckedAt: RunStart.Add(time.Minute)}
	ev(Exited(workflow.StatePreflight, out()), Entered(workflow.StateStartExperiment))
	state["start"] = gameday.StartResult{ExperimentID: ExperimentID, ExperimentTemplateID: "EXT1", TemplateAction: "created", ClientToken: name + "-start", StartedAt: expStart, Deadline: expStart.Add(30 * time.Minute)}
	ev(Exited(workflow.StateStartExperiment, out()), Entered(workflow.StatePollExperiment))
	state["poll"] = gameday.PollResult{State: gameday.StateRunning, WaitSeconds: 15, PolledAt: expStart.Add(time.Minute), Polls: 1}
	ev(Exited(workflow.StatePollExperiment, out()), Entered(workflow.StateExperimentEnded), Entered(workflow.StateWaitBeforePoll), Entered(workflow.StatePollExperiment))
	if p == ExperimentRunning {
		return e
	}
	if _, ok := succeeded[p]; ok || p == Archiving {
		state["poll"] = gameday.PollResult{State: gameday.StateCompleted, Terminal: true, PolledAt: expStart.Add(5 * time.Minute), Polls: 2}
		ev(Exited(workflow.StatePollExperiment, out()), Entered(workflow.StateExperimentEnded), Entered(workflow.StateArchive))
		if p == Archiving {
			return e
		}
		e.History = e.History[:len(e.History)-1]
		archive(workflow.StateArchive, gameday.StateCompleted, succeeded[p])
		ev(Entered(workflow.StateNotify), Exited(workflow.StateNotify, out()), Entered(workflow.StateSucceeded))
		end(types.ExecutionStatusSucceeded)
		e.Output = out()
		return e
	}
	// The poll step fails (past the deadline): cleanup.
	state["error"] = gameday.CaughtError{Error: gameday.ErrNameExperimentTimeout, Cause: "experiment ran past its 30m timeout"}
	ev(Entered(workflow.StateStopExperiment))
	state["stop"] = gameday.StopResult{State: gameday.StateStopped}
	ev(Exited(workflow.StateStopExperiment, out()))
	switch p {
	case FailedArchived:
		archive(workflow.StateArchiveAfterFailure, gameday.StateStopped, "failed")
	case SkippedArchive:
		state["archive"] = gameday.ArchiveResult{Skipped: "the run started no experiment"}
		ev(Entered(workflow.StateArchiveAfterFailure), Exited(workflow.StateArchiveAfterFailure, out()))
	case FailedUnarchived:
		state["archiveError"] = gameday.CaughtError{Error: "States.TaskFailed", Cause: "access denied"}
		ev(Entered(workflow.StateArchiveAfterFailure), Exited(workflow.StateArchiveAfterFailure, out()))
	}
	ev(Entered(workflow.StateNotifyFailure), Exited(workflow.StateNotifyFailure, out()))
	fail(gameday.ErrNameExperimentTimeout, "experiment ran past its 30m timeout")
	return e
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
