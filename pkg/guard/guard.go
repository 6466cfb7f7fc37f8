// Package guard stops the experiments of a Step Functions execution that
// ended badly and gives back its run lease: when an execution is ABORTED (an
// operator pressed Stop), TIMED_OUT or FAILED, its state machine can no
// longer stop the fault it started, so an EventBridge rule sends the status
// change here.
package guard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/lease"
)

// Leases lists and gives back run leases; *lease.Table satisfies it.
type Leases interface {
	List(ctx context.Context) ([]lease.Lease, error)
	Release(ctx context.Context, gameday, owner string) (bool, error)
}

var _ Leases = (*lease.Table)(nil)

// DetailType is the detail-type of the events the guard handles.
const DetailType = "Step Functions Execution Status Change"

// StatusDetail is the part of the event's detail the guard reads.
type StatusDetail struct {
	ExecutionARN    string `json:"executionArn"`
	StateMachineARN string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Status          string `json:"status"`
}

// Result says what the guard did.
type Result struct {
	ExecutionARN string `json:"executionArn"`
	Status       string `json:"status"`
	// Ignored is true for a status that needs nothing (RUNNING, SUCCEEDED...).
	Ignored bool `json:"ignored"`
	// Stopped are the experiments the guard asked FIS to stop.
	Stopped []string `json:"stopped"`
	// Released are the GameDays whose lease the execution held and the
	// guard gave back.
	Released []string `json:"released"`
}

// Guard is the guard step.
type Guard struct {
	// API lists, stops and reads back experiments, as experiment.Stopper
	// does, and is handed to experiment.ByExecution.
	API experiment.StopAPI
	// Leases is the run lease table; nil releases nothing (the sweeper
	// does it within one sweep).
	Leases Leases
}

// Handle stops every active experiment tagged with the execution's ARN when
// the execution was ABORTED, TIMED_OUT or FAILED. It is idempotent: an
// experiment that has ended, or ends meanwhile, is left alone.
func (g *Guard) Handle(ctx context.Context, ev events.CloudWatchEvent) (Result, error) {
	var d StatusDetail
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return Result{}, fmt.Errorf("decode %s detail: %w", DetailType, err)
	}
	res := Result{ExecutionARN: d.ExecutionARN, Status: d.Status, Stopped: []string{}, Released: []string{}}
	switch d.Status {
	case "ABORTED", "TIMED_OUT", "FAILED":
	default:
		res.Ignored = true
		return res, nil
	}
	if d.ExecutionARN == "" {
		return Result{}, errors.New("guard: the event names no execution")
	}
	found, err := experiment.ByExecution(ctx, g.API, d.ExecutionARN)
	if err != nil {
		return Result{}, fmt.Errorf("find experiments of %s: %w", d.ExecutionARN, err)
	}
	for _, e := range found {
		if !experiment.Active(e.State) || e.State.Status == fistypes.ExperimentStatusStopping {
			continue
		}
		stopped, err := experiment.StopIfActive(ctx, g.API, e.Id)
		if err != nil {
			return Result{}, err
		}
		if stopped {
			id := aws.ToString(e.Id)
			res.Stopped = append(res.Stopped, id)
			slog.WarnContext(ctx, "guard stopped an orphaned experiment", "executionArn", d.ExecutionARN,
				"experimentId", id, "status", d.Status, "gameday", e.Tags[deploy.TagName])
		}
	}
	if err := g.release(ctx, d.ExecutionARN, &res); err != nil {
		return Result{}, err
	}
	return res, nil
}

// release gives back the leases the execution holds (it ended without
// the notify step, which would have).
func (g *Guard) release(ctx context.Context, executionARN string, res *Result) error {
	if g.Leases == nil {
		return nil
	}
	leases, err := g.Leases.List(ctx)
	if err != nil {
		return fmt.Errorf("release leases of %s: %w", executionARN, err)
	}
	for _, l := range leases {
		if l.Owner != executionARN {
			continue
		}
		ok, err := g.Leases.Release(ctx, l.GameDay, l.Owner)
		if err != nil {
			return err
		}
		if ok {
			res.Released = append(res.Released, l.GameDay)
		}
	}
	return nil
}
