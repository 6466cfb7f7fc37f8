package deployed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// StatusRunning is a running execution's status (types.ExecutionStatus).
const StatusRunning = string(types.ExecutionStatusRunning)

// Execution is one execution of the state machine.
type Execution struct {
	Name      string
	ARN       string
	Status    string // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE
	StartedAt time.Time
	StoppedAt time.Time // zero while it runs
}

// Ended reports whether the execution has stopped.
func (e Execution) Ended() bool {
	return e.Status != StatusRunning && e.Status != string(types.ExecutionStatusPendingRedrive)
}

// DefaultLimit is how many executions List returns by default.
const DefaultLimit = 20

// List returns the state machine's most recent executions, newest first,
// at most limit of them (DefaultLimit when limit <= 0).
func (c *Client) List(ctx context.Context, limit int) ([]Execution, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	sm, err := c.Stack.StateMachine(ctx)
	if err != nil {
		return nil, err
	}
	var out []Execution
	p := sfn.NewListExecutionsPaginator(c.Lister, &sfn.ListExecutionsInput{
		StateMachineArn: aws.String(sm),
		MaxResults:      int32(min(limit, 1000)),
	})
	for p.HasMorePages() && len(out) < limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list executions of %s: %w", sm, classify(err))
		}
		for _, e := range page.Executions {
			if len(out) == limit {
				break
			}
			out = append(out, Execution{
				Name:      aws.ToString(e.Name),
				ARN:       aws.ToString(e.ExecutionArn),
				Status:    string(e.Status),
				StartedAt: aws.ToTime(e.StartDate).UTC(),
				StoppedAt: utc(e.StopDate),
			})
		}
	}
	return out, nil
}

func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// Run is what an execution and its history say about one GameDay run.
type Run struct {
	Execution
	// GameDay is the GameDay's name, from the execution input.
	GameDay string
	// Step is the state the execution is in, or last entered.
	Step string
	// ExperimentID is the FIS experiment the run started, if any.
	ExperimentID string
	// ExperimentState is the experiment's last known state (poll, stop or
	// archive step).
	ExperimentState gameday.State
	// Archive is the archive step's result, once it has run.
	Archive *gameday.ArchiveResult
	// Error and Cause are why the execution failed.
	Error string
	Cause string
	// At is when Step Functions described the run, by its clock (its
	// answer's Date); zero when the answer carried no date.
	At time.Time
}

// Phase is what the run is doing, in words, from its step: the steps of
// the polling loop are one phase.
func (r *Run) Phase() string {
	switch r.Step {
	case "":
		return "starting"
	case workflow.StateAdmitInput, workflow.StateMergeInput, workflow.StateCountInputKeys, workflow.StateInputAdmitted, workflow.StateInit, workflow.StatePreflight:
		return "preflight"
	case workflow.StateInputRefused, workflow.StateNoGameDay, workflow.StateInputFailed:
		return "input refused"
	case workflow.StatePreflightRefused:
		return "refused by preflight"
	case workflow.StateStartExperiment:
		return "starting the experiment"
	case workflow.StatePollExperiment, workflow.StateExperimentEnded, workflow.StateWaitBeforePoll:
		return "experiment " + string(orUnknown(r.ExperimentState))
	case workflow.StateArchive, workflow.StateArchiveAfterFailure, workflow.StateArchiveWritten, workflow.StateArchivedAfterFailure:
		return "archiving"
	case workflow.StateWaitForLogs, workflow.StateWaitForLogsAfterFailure:
		return "waiting for the FIS logs"
	case workflow.StateNotify, workflow.StateNotifyFailure:
		return "notifying"
	case workflow.StateStopExperiment:
		return "stopping the experiment"
	case workflow.StateSucceeded, workflow.StateRunFailed:
		return "ended"
	}
	return r.Step
}

func orUnknown(s gameday.State) gameday.State {
	if s == "" {
		return "pending"
	}
	return s
}

// stepOutput is the part of a state's output (a gameday.RunState) that Run
// reads; the rest, the GameDay above all, is not decoded.
type stepOutput struct {
	Start   *gameday.StartResult   `json:"start"`
	Poll    *gameday.PollResult    `json:"poll"`
	Stop    *gameday.StopResult    `json:"stop"`
	Archive *gameday.ArchiveResult `json:"archive"`
}

// runInput is the part of the execution input that Run reads.
type runInput struct {
	GameDay *struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	} `json:"gameday"`
}

// Describe describes a run, given as an execution ARN, an execution name,
// or a GameDay name (for the latest run `gameday start` started of it):
// the execution, and from its history the step it is in, the experiment and
// the archive.
func (c *Client) Describe(ctx context.Context, run string) (*Run, error) {
	arn, err := c.ExecutionARN(ctx, run)
	if err != nil {
		return nil, err
	}
	r, err := c.describe(ctx, arn)
	what := "no such execution of the gameday state machine"
	if errors.Is(err, gameday.ErrNotFound) && !strings.HasPrefix(run, "arn:") && !startedName.MatchString(run) && c.Lister != nil {
		what += ", nor a run of a GameDay of that name (list the runs with gameday status)"
		latest, lerr := c.latest(ctx, run)
		if lerr != nil {
			return nil, fmt.Errorf("describe run %s: %w", run, lerr)
		}
		if latest != "" {
			r, err = c.describe(ctx, latest)
		}
	}
	if errors.Is(err, gameday.ErrNotFound) {
		return nil, fmt.Errorf("describe run %s: %s: %w", run, what, err)
	}
	if err != nil {
		return nil, fmt.Errorf("describe run %s: %w", run, err)
	}
	return r, nil
}

// startedName matches the names ExecutionName gives.
var startedName = regexp.MustCompile(`-[0-9]{8}T[0-9]{6}Z$`)

// maxLatest bounds how many recent executions latest looks through.
const maxLatest = 1000

// latest returns the ARN of the newest execution that `gameday start`
// started for GameDay gd (named gd-<yyyymmddThhmmssZ>), or "".
func (c *Client) latest(ctx context.Context, gd string) (string, error) {
	sm, err := c.Stack.StateMachine(ctx)
	if err != nil {
		return "", err
	}
	p := sfn.NewListExecutionsPaginator(c.Lister, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), MaxResults: 100})
	for n := 0; p.HasMorePages() && n < maxLatest; {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list executions of %s: %w", sm, classify(err))
		}
		for _, e := range page.Executions {
			n++
			name := aws.ToString(e.Name)
			if strings.HasPrefix(name, gd+"-") && len(name) == len(gd)+len("-")+len(nameTime) && startedName.MatchString(name) {
				return aws.ToString(e.ExecutionArn), nil
			}
		}
	}
	return "", nil
}

// describe describes the execution arn; its errors are classified, not
// wrapped.
func (c *Client) describe(ctx context.Context, arn string) (*Run, error) {
	d, err := c.Executions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return nil, classify(err)
	}
	r := &Run{
		Execution: Execution{
			Name:      aws.ToString(d.Name),
			ARN:       aws.ToString(d.ExecutionArn),
			Status:    string(d.Status),
			StartedAt: aws.ToTime(d.StartDate).UTC(),
			StoppedAt: utc(d.StopDate),
		},
		Error: aws.ToString(d.Error),
		Cause: aws.ToString(d.Cause),
	}
	if at, ok := awsmiddleware.GetServerTime(d.ResultMetadata); ok {
		r.At = at.UTC()
	}
	var in runInput
	if json.Unmarshal([]byte(aws.ToString(d.Input)), &in) == nil && in.GameDay != nil {
		r.GameDay = in.GameDay.Metadata.Name
	}
	if err := c.readHistory(ctx, r); err != nil {
		return nil, err
	}
	// A succeeded execution's output is its final RunState.
	if d.Output != nil {
		r.apply(aws.ToString(d.Output))
	}
	return r, nil
}

// historyPage is how many events readHistory asks for at a time: it
// usually needs only the newest few, and each can carry a whole RunState.
const historyPage = 20

// readHistory reads the execution's history newest first, until it has the
// state last entered and the newest step output it can read: each state's
// output is the whole RunState so far (every step writes its result under
// its own key), so the newest one says all there is about the experiment
// and the archive. This keeps Follow's look at a long run to a page or two.
func (c *Client) readHistory(ctx context.Context, r *Run) error {
	p := sfn.NewGetExecutionHistoryPaginator(c.Executions, &sfn.GetExecutionHistoryInput{
		ExecutionArn:         aws.String(r.ARN),
		IncludeExecutionData: aws.Bool(true),
		ReverseOrder:         true,
		MaxResults:           historyPage,
	})
	var stepSeen, outputSeen bool
	for p.HasMorePages() && !(stepSeen && outputSeen) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("read execution history: %w", classify(err))
		}
		for _, ev := range page.Events {
			switch {
			case ev.StateEnteredEventDetails != nil && !stepSeen:
				r.Step, stepSeen = aws.ToString(ev.StateEnteredEventDetails.Name), true
			case ev.StateExitedEventDetails != nil && !outputSeen:
				outputSeen = r.apply(aws.ToString(ev.StateExitedEventDetails.Output))
			case ev.ExecutionFailedEventDetails != nil && r.Error == "":
				r.Error = aws.ToString(ev.ExecutionFailedEventDetails.Error)
				r.Cause = aws.ToString(ev.ExecutionFailedEventDetails.Cause)
			}
			if stepSeen && outputSeen {
				break
			}
		}
	}
	return nil
}

// apply reads a RunState (a state's output, or the execution's): the
// experiment, its latest known state (the archive's, else the stop's, else
// the last poll's) and the archive. It reports whether output was a
// RunState; one that is not JSON (history data that Step Functions
// truncated) is skipped.
func (r *Run) apply(output string) bool {
	var o stepOutput
	if output == "" || json.Unmarshal([]byte(output), &o) != nil {
		return false
	}
	if o.Start != nil && o.Start.ExperimentID != "" {
		r.ExperimentID = o.Start.ExperimentID
	}
	if o.Poll != nil && o.Poll.State != "" {
		r.ExperimentState = o.Poll.State
	}
	if o.Stop != nil && o.Stop.State != "" {
		r.ExperimentState = o.Stop.State
	}
	if a := o.Archive; a != nil {
		r.Archive = a
		if a.State != "" {
			r.ExperimentState = a.State
		}
		if r.ExperimentID == "" {
			r.ExperimentID = a.ExperimentID
		}
	}
	return true
}

// DefaultInterval is how often Follow looks at the execution, and
// MinInterval the least the CLI allows (each look is a DescribeExecution and
// a GetExecutionHistory, both throttled per account).
const (
	DefaultInterval = 5 * time.Second
	MinInterval     = time.Second
)

// Follow describes the run every interval until its execution ends or ctx
// is done, calling changed with the first description and with each that
// differs from the one before in status, phase or experiment. It returns
// the last description; when ctx ends first, it returns it with ctx's
// error (the execution goes on). Throttling does not stop it.
func (c *Client) Follow(ctx context.Context, run string, interval time.Duration, changed func(*Run)) (*Run, error) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	var last *Run
	var lastKey string
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-t.C:
		}
		r, err := c.Describe(ctx, run)
		if err == nil {
			run = r.ARN // resolved once: the next looks skip the lookup
		}
		switch {
		case ctx.Err() != nil:
			return last, ctx.Err()
		case errors.Is(err, gameday.ErrThrottled), errors.Is(err, gameday.ErrUnavailable):
			t.Reset(interval) // look again at the next tick
			continue
		case err != nil:
			return last, err
		}
		if k := r.key(); k != lastKey {
			lastKey = k
			if changed != nil {
				changed(r)
			}
		}
		last = r
		if r.Ended() {
			return r, nil
		}
		t.Reset(interval)
	}
}

// key is what Follow compares descriptions by.
func (r *Run) key() string {
	return fmt.Sprintf("%s|%s|%s|%t", r.Status, r.Phase(), r.ExperimentID, r.Archive != nil)
}
