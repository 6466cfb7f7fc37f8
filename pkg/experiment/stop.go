package experiment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Stopper stops the run's experiment and confirms that it has ended.
type Stopper struct {
	API StopAPI
}

// Handle is the stop-experiment step. It stops $.start's experiment or, when
// the start failed mid-way and left no $.start, every experiment tagged with
// the execution ARN. It acts only on an experiment whose execution tag is
// this execution's ARN: one of another run, named in $.start, is left
// alone. An experiment that already ended, or never existed, counts as
// stopped. While FIS is still stopping it, Handle returns
// ExperimentNotTerminal for the state machine to retry.
func (s *Stopper) Handle(ctx context.Context, st gameday.RunState) (gameday.StopResult, error) {
	var ids []string
	if st.Start != nil && st.Start.ExperimentID != "" {
		ids = []string{st.Start.ExperimentID}
	} else {
		found, err := ByExecution(ctx, s.API, st.Execution.ARN)
		if err != nil {
			return gameday.StopResult{}, fmt.Errorf("find experiments of %s: %w", st.Execution.ARN, err)
		}
		for _, e := range found {
			ids = append(ids, aws.ToString(e.Id))
		}
		if len(ids) == 0 {
			return gameday.StopResult{AlreadyTerminal: true, Reason: "no experiment was started by this execution"}, nil
		}
	}
	var first gameday.StopResult
	var pending []string
	for i, id := range ids {
		res, err := s.stop(ctx, id, st.Execution.ARN)
		if err != nil {
			return gameday.StopResult{}, err
		}
		if !res.State.Terminal() && !res.AlreadyTerminal {
			pending = append(pending, id)
		}
		if i == 0 {
			first = res
		}
	}
	if len(pending) > 0 {
		return gameday.StopResult{}, gameday.NewStepError(gameday.ErrNameNotTerminal,
			"experiment %s is still stopping", pending[0])
	}
	return first, nil
}

// stop stops one experiment of the execution (unless it has ended) and
// reads its state back; an experiment of another execution is not touched.
func (s *Stopper) stop(ctx context.Context, id, executionARN string) (gameday.StopResult, error) {
	before, err := Get(ctx, s.API, id)
	if errors.Is(err, gameday.ErrNotFound) {
		return gameday.StopResult{AlreadyTerminal: true, Reason: "experiment " + id + " does not exist"}, nil
	}
	if err != nil {
		return gameday.StopResult{}, err
	}
	if owner := before.Tags[deploy.TagExecution]; owner == "" || owner != executionARN {
		slog.WarnContext(ctx, "experiment of another execution left alone", "experimentId", id, "experimentExecution", owner, "executionArn", executionARN)
		return gameday.StopResult{AlreadyTerminal: true, Reason: "experiment " + id + " was not started by this execution: left alone"}, nil
	}
	state, reason := stateOf(before.State)
	if state.Terminal() {
		return gameday.StopResult{ExperimentID: id, State: state, Reason: reason, AlreadyTerminal: true}, nil
	}
	var refused error // a ValidationException, which only an ended experiment excuses
	if before.State == nil || before.State.Status != types.ExperimentStatusStopping {
		answer, err := RequestStop(ctx, s.API, aws.String(id))
		switch answer {
		case StopAccepted:
			slog.InfoContext(ctx, "experiment stop requested", "experimentId", id, "state", state)
		case StopGone:
			return gameday.StopResult{AlreadyTerminal: true, Reason: "experiment " + id + " does not exist"}, nil
		case StopEnded:
			// It ended (or began stopping) between our two calls: read it back.
		case StopRefused:
			refused = err
		default:
			return gameday.StopResult{}, fmt.Errorf("stop experiment %s: %w", id, err)
		}
	}
	after, err := Get(ctx, s.API, id)
	if err != nil {
		return gameday.StopResult{}, err
	}
	state, reason = stateOf(after.State)
	if refused != nil && !state.Terminal() {
		return gameday.StopResult{}, fmt.Errorf("stop experiment %s: %w", id, refused)
	}
	return gameday.StopResult{ExperimentID: id, State: state, Reason: reason}, nil
}

// StopAnswer is what FIS's answer to StopExperiment says of the
// experiment: the one reading of that answer for every caller (the stop
// step, the start step, the guard, the sweeper).
type StopAnswer int

// The answers.
const (
	// StopAccepted: FIS is stopping the experiment.
	StopAccepted StopAnswer = iota
	// StopGone: there is no such experiment (ResourceNotFoundException).
	StopGone
	// StopEnded: it ended, or began stopping, meanwhile (ConflictException).
	StopEnded
	// StopRefused: a ValidationException, which FIS may give for an
	// experiment that ended meanwhile; read it back: only for an active one
	// is the refusal an error.
	StopRefused
	// StopFailed: any other error.
	StopFailed
)

// RequestStop asks FIS to stop experiment id and reads the answer; the
// error (classified, see awserr) comes with StopRefused and StopFailed.
func RequestStop(ctx context.Context, api StopExperimentAPI, id *string) (StopAnswer, error) {
	_, err := api.StopExperiment(ctx, &fis.StopExperimentInput{Id: id})
	switch err = awserr.Classify(err); {
	case err == nil:
		return StopAccepted, nil
	case errors.Is(err, gameday.ErrNotFound):
		return StopGone, nil
	case errors.Is(err, gameday.ErrConflict):
		return StopEnded, nil
	case awserr.IsInvalid(err):
		return StopRefused, err
	}
	return StopFailed, err
}

// StopReadAPI is what StopIfActive calls; *fis.Client satisfies it.
type StopReadAPI interface {
	GetExperimentAPI
	StopExperimentAPI
}

// StopIfActive asks FIS to stop experiment id for a caller that acts on a
// listing, which may be stale (the guard, the sweeper), and says whether
// FIS accepted. An experiment gone, ended or stopping meanwhile is not an
// error, nor is a ValidationException for one that reads back no longer
// active (docs/fidelity.md, question 10).
func StopIfActive(ctx context.Context, api StopReadAPI, id *string) (bool, error) {
	answer, err := RequestStop(ctx, api, id)
	switch answer {
	case StopAccepted:
		return true, nil
	case StopGone, StopEnded:
		return false, nil
	case StopRefused:
		if exp, gerr := Get(ctx, api, aws.ToString(id)); gerr == nil && !Active(exp.State) {
			return false, nil
		}
	}
	return false, fmt.Errorf("stop experiment %s: %w", aws.ToString(id), err)
}

// Get reads experiment id with one GetExperiment: FIS's error classified,
// an answer that holds no experiment an error.
func Get(ctx context.Context, api GetExperimentAPI, id string) (*types.Experiment, error) {
	out, err := api.GetExperiment(ctx, &fis.GetExperimentInput{Id: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("get experiment %s: %w", id, awserr.Classify(err))
	}
	if out.Experiment == nil {
		return nil, fmt.Errorf("get experiment %s: FIS returned no experiment", id)
	}
	return out.Experiment, nil
}
