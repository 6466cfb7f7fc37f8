// Package workflow produces gameday's one state machine definition: Amazon
// States Language (JSONPath, Standard) with a ${...} placeholder where each
// Task's Lambda ARN goes. The CDK stack deploys it with
// DefinitionSubstitutions; the local runner feeds the same text, the
// simulator's functions' ARNs in the placeholders, to a States Language
// interpreter. It imports nothing from AWS or CDK.
package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Functions lists every Lambda the state machine invokes (guard is not
// among them: EventBridge invokes it).
var Functions = []deploy.Function{deploy.Preflight, deploy.StartExperiment, deploy.PollExperiment, deploy.StopExperiment, deploy.Archive, deploy.Notify}

// State names. They show in the console and in execution history, and the
// local runner reports progress by them.
const (
	StateAdmitInput              = "AdmitInput"
	StateMergeInput              = "MergeInput"
	StateCountInputKeys          = "CountInputKeys"
	StateInputAdmitted           = "InputAdmitted"
	StateInputRefused            = "InputRefused"
	StateNoGameDay               = "NoGameDay"
	StateInputFailed             = "InputFailed"
	StateInit                    = "AddExecution"
	StatePreflight               = "Preflight"
	StatePreflightRefused        = "PreflightRefused"
	StateStartExperiment         = "StartExperiment"
	StatePollExperiment          = "PollExperiment"
	StateExperimentEnded         = "ExperimentEnded"
	StateWaitBeforePoll          = "WaitBeforePoll"
	StateArchive                 = "Archive"
	StateArchiveWritten          = "ArchiveWritten"
	StateWaitForLogs             = "WaitForLogs"
	StateNotify                  = "Notify"
	StateSucceeded               = "Succeeded"
	StateStopExperiment          = "StopExperiment"
	StateArchiveAfterFailure     = "ArchiveAfterFailure"
	StateArchivedAfterFailure    = "ArchivedAfterFailure"
	StateWaitForLogsAfterFailure = "WaitForLogsAfterFailure"
	StateNotifyFailure           = "NotifyFailure"
	StateRunFailed               = "RunFailed"
)

// Error names the state machine matches: gameday's own (pkg/gameday's
// ErrName constants, the errorType of the Lambdas' error responses) and
// the States Language's.
const (
	errAlarmsPending = gameday.ErrNameAlarmsPending
	errThrottled     = gameday.ErrNameThrottled
	errUnavailable   = gameday.ErrNameUnavailable
	errNotTerminal   = gameday.ErrNameNotTerminal
	errAll           = "States.ALL"
	errTimeout       = "States.Timeout"
)

// LambdaErrors are the transient Lambda service errors AWS recommends every
// Lambda Task retries ("Handle Lambda service exceptions" in the Step
// Functions developer guide), plus Lambda's own throttling.
var LambdaErrors = []string{
	"Lambda.ClientExecutionTimeoutException",
	"Lambda.ServiceException",
	"Lambda.AWSLambdaException",
	"Lambda.SdkClientException",
	"Lambda.TooManyRequestsException",
}

// The keys a run's input may carry (gameday.RunInput's JSON names); the
// first states refuse any other.
const (
	InputGameDay  = "gameday"
	InputSpecYAML = "specYaml"
	InputSource   = "source"
)

// InputKeys are the keys a run's input may carry, in order.
var InputKeys = []string{InputGameDay, InputSpecYAML, InputSource}

// inputKeys is an object with every input key: the GameDay set to
// gameday (nil when absent, which InputAdmitted refuses), the others to
// other ("" when absent, as their omitempty JSON is).
func inputKeys(gd any) map[string]any {
	other := any("")
	if gd != nil {
		other = gd
	}
	return map[string]any{InputGameDay: gd, InputSpecYAML: other, InputSource: other}
}

// Options shape the definition.
type Options struct {
	// TimeoutSeconds is the execution timeout: above the longest GameDay's
	// experiment timeout plus the time preflight, archive and cleanup take.
	TimeoutSeconds int
}

// Margin is what the execution timeout adds to the longest experiment
// timeout it must cover: preflight's alarm wait (~2 min), the archive's log
// wait (~20 min), the cleanup branch's stop (~12 min) and archive (~20 min)
// and the Lambda retries.
const Margin = time.Hour

// TimeoutSeconds is the execution timeout for experiments of at most
// longest: longest + Margin, in whole seconds, at least MinTimeoutSeconds.
func TimeoutSeconds(longest time.Duration) int {
	return max(int((longest+Margin+time.Second-1)/time.Second), MinTimeoutSeconds)
}

// MinTimeoutSeconds is the shortest execution timeout Definition accepts:
// preflight's alarm wait, the archive's log wait and the cleanup branch
// alone can take this long.
const MinTimeoutSeconds = 3600

// Placeholder is the definition substitution for fn's ARN:
// "PreflightFunctionArn" for "preflight", "StartExperimentFunctionArn" for
// "start-experiment". The Task's Resource is "${" + Placeholder(fn) + "}".
func Placeholder(fn deploy.Function) string { return fn.ID() + "FunctionArn" }

func resource(fn deploy.Function) string { return "${" + Placeholder(fn) + "}" }

// Definition is the state machine's ASL JSON, indented, with a ${...}
// placeholder (see Placeholder) as each Task's Resource.
func Definition(o Options) (string, error) {
	if o.TimeoutSeconds < MinTimeoutSeconds {
		return "", fmt.Errorf("build definition: execution timeout %ds is below the minimum %ds", o.TimeoutSeconds, MinTimeoutSeconds)
	}
	sm := build(o)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sm); err != nil {
		return "", fmt.Errorf("encode definition: %w", err)
	}
	return buf.String(), nil
}

// stateMachine is the top level of an ASL document.
type stateMachine struct {
	Comment        string           `json:"Comment"`
	QueryLanguage  string           `json:"QueryLanguage"`
	StartAt        string           `json:"StartAt"`
	TimeoutSeconds int              `json:"TimeoutSeconds"`
	States         map[string]state `json:"States"`
}

// state is any ASL state; fields a type doesn't use stay empty.
type state struct {
	Type     string `json:"Type"`
	Comment  string `json:"Comment,omitempty"`
	Resource string `json:"Resource,omitempty"`
	// TimeoutSeconds bounds a Task; above every Lambda's own timeout.
	TimeoutSeconds int            `json:"TimeoutSeconds,omitempty"`
	Parameters     map[string]any `json:"Parameters,omitempty"`
	ResultPath     string         `json:"ResultPath,omitempty"`
	SecondsPath    string         `json:"SecondsPath,omitempty"`
	Choices        []choice       `json:"Choices,omitempty"`
	Default        string         `json:"Default,omitempty"`
	Retry          []Retrier      `json:"Retry,omitempty"`
	Catch          []Catcher      `json:"Catch,omitempty"`
	Error          string         `json:"Error,omitempty"`
	ErrorPath      string         `json:"ErrorPath,omitempty"`
	CausePath      string         `json:"CausePath,omitempty"`
	Next           string         `json:"Next,omitempty"`
	End            bool           `json:"End,omitempty"`
}

type choice struct {
	Variable      string `json:"Variable"`
	BooleanEquals *bool  `json:"BooleanEquals,omitempty"`
	IsPresent     *bool  `json:"IsPresent,omitempty"`
	IsNull        *bool  `json:"IsNull,omitempty"`
	Next          string `json:"Next"`
}

var yes = true

// Retrier is one entry of a Task's Retry.
type Retrier struct {
	ErrorEquals     []string `json:"ErrorEquals"`
	IntervalSeconds int      `json:"IntervalSeconds,omitempty"`
	MaxAttempts     int      `json:"MaxAttempts"`
	BackoffRate     float64  `json:"BackoffRate,omitempty"`
	MaxDelaySeconds int      `json:"MaxDelaySeconds,omitempty"`
	JitterStrategy  string   `json:"JitterStrategy,omitempty"`
}

// Catcher is one entry of a Task's Catch.
type Catcher struct {
	ErrorEquals []string `json:"ErrorEquals"`
	ResultPath  string   `json:"ResultPath,omitempty"`
	Next        string   `json:"Next"`
}

// The retriers. Order matters: Step Functions uses the first that matches.
var (
	// lambdaRetry is AWS's recommended retry of transient Lambda errors.
	lambdaRetry = Retrier{ErrorEquals: LambdaErrors, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: "FULL"}
	// throttledRetry covers AWS throttling that outlived the SDK's own retries.
	throttledRetry = Retrier{ErrorEquals: []string{errThrottled}, IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: "FULL"}
	// unavailableRetry covers an AWS server error (5xx) that outlived the
	// SDK's own retries: 5, 10 and 20 s, so that a brief outage of S3 or
	// FIS does not fail a run whose experiment went well (a poll that
	// keeps failing still hands the run to the cleanup within a minute).
	unavailableRetry = Retrier{ErrorEquals: []string{errUnavailable}, IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "FULL"}
	// alarmsPendingRetry waits for new alarms to leave INSUFFICIENT_DATA:
	// every 10 s, 12 times, about 2 minutes.
	alarmsPendingRetry = Retrier{ErrorEquals: []string{errAlarmsPending}, IntervalSeconds: 10, MaxAttempts: 12, BackoffRate: 1}
	// notTerminalRetry waits for a stopping experiment to end: 5, 7.5,
	// 11.25 ... capped at 60 s, 15 attempts, about 12 minutes.
	notTerminalRetry = Retrier{ErrorEquals: []string{errNotTerminal}, IntervalSeconds: 5, MaxAttempts: 15, BackoffRate: 1.5, MaxDelaySeconds: 60}
	// anyErrorRetry runs an idempotent step again on any other error (it
	// crashed or hit its own timeout, FIS answered 5xx past the SDK's
	// retries): 5, 10 and 20 s. States.ALL must be the last retrier.
	anyErrorRetry = Retrier{ErrorEquals: []string{errAll}, IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "FULL"}
)

// TaskTimeoutSeconds bounds every Task: Lambda's longest timeout (15
// minutes), so a Task never hangs on a lost invocation, whatever timeout a
// function is deployed with.
const TaskTimeoutSeconds = 900

// task is a Lambda Task invoking fn with the whole state, its result stored
// at resultPath, with the throttling, server-error and Lambda retries after
// extra.
func task(fn deploy.Function, resultPath, next string, extra []Retrier, catch Catcher) state {
	retry := append(append([]Retrier{}, extra...), throttledRetry, unavailableRetry, lambdaRetry)
	return state{
		Type:           "Task",
		Resource:       resource(fn),
		TimeoutSeconds: TaskTimeoutSeconds,
		ResultPath:     resultPath,
		Retry:          retry,
		Catch:          []Catcher{catch},
		Next:           next,
	}
}

// retryAnyError makes s run again on any error its retriers do not cover
// (anyErrorRetry, last), but for a lost invocation (States.Timeout: its
// Catch takes over at once, not after as long again) and the errors in
// never, which another try would only repeat.
func retryAnyError(s state, never ...string) state {
	s.Retry = append(s.Retry, Retrier{ErrorEquals: append([]string{errTimeout}, never...), MaxAttempts: 0}, anyErrorRetry)
	return s
}

func catchAll(resultPath, next string) Catcher {
	return Catcher{ErrorEquals: []string{errAll}, ResultPath: resultPath, Next: next}
}

// build assembles the state machine from its three groups of states: the
// input's admission, the run, and the cleanup after a failure.
func build(o Options) stateMachine {
	states := map[string]state{}
	for _, group := range []map[string]state{admissionStates(), runStates(), cleanupStates()} {
		maps.Copy(states, group)
	}
	return stateMachine{
		Comment:        "gameday: run one GameDay (preflight, start, poll, archive, notify; stop and archive on any failure after the start).",
		QueryLanguage:  "JSONPath",
		StartAt:        StateAdmitInput,
		TimeoutSeconds: o.TimeoutSeconds,
		States:         states,
	}
}

// admissionStates admit the input and nothing else. The input is only a
// GameDay: a caller who may start an execution must not pre-fill what a
// later step reads ($.start's experiment, which the cleanup branch would
// stop and archive). The first states count the input's keys with the
// allowed ones merged in, refuse any other key (naming it) before
// preflight, and keep only the allowed, adding the execution's identity.
// (Their ResultPath is the default, $: the output replaces the state;
// aws-local-stepfunctions mishandles an explicit "$".)
func admissionStates() map[string]state {
	return map[string]state{
		StateAdmitInput: {
			Type:    "Pass",
			Comment: "The input, and the only keys a run's input may carry (" + strings.Join(InputKeys, ", ") + ").",
			Parameters: map[string]any{
				"given.$":  "$",
				"defaults": inputKeys(nil),
				"elided":   inputKeys("…"),
			},
			Next: StateMergeInput,
		},
		StateMergeInput: {
			Type:    "Pass",
			Comment: "The allowed keys with the input laid over them, and the input with the allowed keys elided (what names a refused key).",
			Parameters: map[string]any{
				"admitted.$": "States.JsonMerge($.defaults, $.given, false)",
				"refused.$":  "States.JsonToString(States.JsonMerge($.given, $.elided, false))",
			},
			Next: StateCountInputKeys,
		},
		StateCountInputKeys: {
			Type: "Pass",
			Parameters: map[string]any{
				"admitted.$": "$.admitted",
				"refused.$":  "$.refused",
				"values.$":   "$.admitted.*",
			},
			Next: StateInputAdmitted,
		},
		StateInputAdmitted: {
			Type:    "Choice",
			Comment: "More values than allowed keys: the input carries another key.",
			Choices: []choice{
				{Variable: fmt.Sprintf("$.values[%d]", len(InputKeys)), IsPresent: &yes, Next: StateInputRefused},
				{Variable: "$.admitted." + InputGameDay, IsNull: &yes, Next: StateNoGameDay},
			},
			Default: StateInit,
		},
		StateInputRefused: {
			Type: "Pass",
			Parameters: map[string]any{
				"Error":   gameday.ErrNameInvalidInput,
				"Cause.$": "States.Format('the execution input may carry only " + strings.Join(InputKeys, ", ") + "; remove every other key (here with those elided): {}', $.refused)",
			},
			Next: StateInputFailed,
		},
		StateNoGameDay: {
			Type: "Pass",
			Parameters: map[string]any{
				"Error": gameday.ErrNameInvalidInput,
				"Cause": "the execution input carries no gameday: start a run with 'gameday start FILE', which sends the validated GameDay",
			},
			Next: StateInputFailed,
		},
		StateInputFailed: {
			Type:      "Fail",
			Comment:   "The input was refused before preflight; nothing was started.",
			ErrorPath: "$.Error",
			CausePath: "$.Cause",
		},
		StateInit: {
			Type:    "Pass",
			Comment: "Keep only the allowed keys, and add the execution's identity; the steps derive idempotency tokens and archive keys from it.",
			Parameters: map[string]any{
				InputGameDay + ".$":  "$.admitted." + InputGameDay,
				InputSpecYAML + ".$": "$.admitted." + InputSpecYAML,
				InputSource + ".$":   "$.admitted." + InputSource,
				"execution": map[string]any{
					"arn.$":       "$$.Execution.Id",
					"name.$":      "$$.Execution.Name",
					"startTime.$": "$$.Execution.StartTime",
				},
			},
			Next: StatePreflight,
		},
	}
}

// runStates are the run once admitted: preflight, start, poll until the
// experiment ends, archive (waiting for FIS's logs), notify.
func runStates() map[string]state {
	states := map[string]state{
		StatePreflight: withComment(
			task(deploy.Preflight, "$.preflight", StateStartExperiment,
				[]Retrier{alarmsPendingRetry},
				catchAll("$.error", StatePreflightRefused)),
			"Validate, stage the stop-condition alarms and check they are OK, the safety lever, the FIS quota and that no other run of this GameDay is active."),
		StatePreflightRefused: {
			Type:      "Fail",
			Comment:   "Preflight refused the run; nothing was started.",
			ErrorPath: "$.error.Error",
			CausePath: "$.error.Cause",
		},
		StateStartExperiment: withComment(
			retryAnyError(task(deploy.StartExperiment, "$.start", StatePollExperiment, nil,
				catchAll("$.error", StateStopExperiment)), gameday.ErrNameInvalidGameDay),
			"Create or update the FIS template and start the experiment (idempotent: the client token comes from the execution name, so a try after one that died once FIS had started it finds that experiment)."),
		StatePollExperiment: withComment(
			task(deploy.PollExperiment, "$.poll", StateExperimentEnded, nil,
				catchAll("$.error", StateStopExperiment)),
			"One GetExperiment; fails with ExperimentTimeout past start.deadline."),
		StateExperimentEnded: {
			Type: "Choice",
			Choices: []choice{
				{Variable: "$.poll.terminal", BooleanEquals: &yes, Next: StateArchive},
			},
			Default: StateWaitBeforePoll,
		},
		StateWaitBeforePoll: {
			Type:        "Wait",
			Comment:     "The poll step says how long to wait before the next look.",
			SecondsPath: "$.poll.waitSeconds",
			Next:        StatePollExperiment,
		},
		StateNotify:    notify(StateSucceeded, "Publish the outcome; a failure to notify does not fail the run."),
		StateSucceeded: {Type: "Succeed"},
	}
	maps.Copy(states, archiveStates(archiveNames{StateArchive, StateArchiveWritten, StateWaitForLogs}, StateNotify,
		catchAll("$.error", StateStopExperiment),
		"Copy the FIS logs, spec and template to the archive and write the summary and report; or answer pending while FIS has not delivered the whole log."))
	return states
}

// cleanupStates are the branch every failure after the start goes to: each
// step's Catch goes on to the next, so a failing stop still archives, and
// the branch always ends failed.
func cleanupStates() map[string]state {
	states := map[string]state{
		StateStopExperiment: withComment(
			retryAnyError(task(deploy.StopExperiment, "$.stop", StateArchiveAfterFailure,
				[]Retrier{notTerminalRetry},
				catchAll("$.stopError", StateArchiveAfterFailure))),
			"Stop the experiment if it runs and confirm it is terminal; on any error, try again."),
		StateNotifyFailure: notify(StateRunFailed, "Tell the team the run failed."),
		StateRunFailed: {
			Type:      "Fail",
			Comment:   "Fails with the error that sent the run to cleanup.",
			ErrorPath: "$.error.Error",
			CausePath: "$.error.Cause",
		},
	}
	maps.Copy(states, archiveStates(archiveNames{StateArchiveAfterFailure, StateArchivedAfterFailure, StateWaitForLogsAfterFailure}, StateNotifyFailure,
		catchAll("$.archiveError", StateNotifyFailure),
		"Archive what there is, so that a failed run leaves evidence."))
	return states
}

// archiveNames name the three states of an archive loop.
type archiveNames struct{ archive, written, wait string }

// archiveStates are the loop that archives the run, in the run and in the
// cleanup branch alike: archive runs the step (its failure caught by
// catch); written goes on to next unless the step answered pending; wait
// then waits as long as the answer says and runs the step again, with that
// answer and its cursor in the input. The step bounds the waits
// (archive.MaxWaits), then fails with LogsNotReady.
func archiveStates(n archiveNames, next string, catch Catcher, comment string) map[string]state {
	return map[string]state{
		n.archive: withComment(task(deploy.Archive, "$.archive", n.written, nil, catch), comment),
		n.written: {
			Type:    "Choice",
			Choices: []choice{{Variable: "$.archive.pending", IsPresent: &yes, Next: n.wait}},
			Default: next,
		},
		n.wait: {
			Type:        "Wait",
			Comment:     "FIS has not delivered the whole log yet: the archive step says how long to wait before it reads the objects it has not read.",
			SecondsPath: "$.archive.pending.waitSeconds",
			Next:        n.archive,
		},
	}
}

// notify publishes the run's outcome, then goes on to next whether or not
// it could: a failure to notify never changes how the run ends.
func notify(next, comment string) state {
	return withComment(task(deploy.Notify, "$.notify", next, nil, catchAll("$.notifyError", next)), comment)
}

func withComment(s state, c string) state {
	s.Comment = c
	return s
}
