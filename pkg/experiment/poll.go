package experiment

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Bounds of the wait between two polls.
const (
	// MinWait is the shortest wait: a terminal state is noticed within 15 s
	// early in the run.
	MinWait = 15 * time.Second
	// MaxWait is the longest wait: never later than 5 minutes.
	MaxWait = 5 * time.Minute
	// WaitFraction of the time elapsed since the start is the wait in
	// between, so that a long experiment costs few history events.
	WaitFraction = 0.10
)

// NextWait is how long to wait before the next poll when the experiment has
// been running for elapsed: max(MinWait, 10 % of elapsed), at most MaxWait,
// in whole seconds. A state change right after a poll is thus noticed
// within max(15 s, 10 % of the time elapsed) and never later than 5 minutes.
func NextWait(elapsed time.Duration) time.Duration {
	w := time.Duration(float64(elapsed) * WaitFraction).Truncate(time.Second)
	return min(max(w, MinWait), MaxWait)
}

// Poller looks at the experiment once per call.
type Poller struct {
	API GetExperimentAPI
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Handle is the poll-experiment step: one GetExperiment, the experiment's
// and actions' states, and the next wait. Past start.deadline with the
// experiment still going it returns ExperimentTimeout.
func (p *Poller) Handle(ctx context.Context, st gameday.RunState) (gameday.PollResult, error) {
	if st.Start == nil || st.Start.ExperimentID == "" {
		return gameday.PollResult{}, errors.New("poll experiment: the run carries no started experiment")
	}
	id := st.Start.ExperimentID
	exp, err := Get(ctx, p.API, id)
	if err != nil {
		return gameday.PollResult{}, err
	}
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	now = now.UTC()
	state, reason := stateOf(exp.State)
	elapsed := max(now.Sub(st.Start.StartedAt), 0)
	polls := 1
	if st.Poll != nil {
		polls = st.Poll.Polls + 1
	}
	res := gameday.PollResult{
		State:    state,
		Reason:   reason,
		Terminal: state.Terminal(),
		Actions:  Actions(exp.Actions),
		Elapsed:  math.Round(elapsed.Seconds()*1000) / 1000,
		PolledAt: now,
		Polls:    polls,
	}
	if res.Terminal {
		return res, nil
	}
	deadline := st.Start.Deadline
	if !deadline.IsZero() && !now.Before(deadline) {
		return res, gameday.NewStepError(gameday.ErrNameExperimentTimeout,
			"experiment %s is still %s at its deadline %s (timeouts.experiment): stopping it",
			id, state, deadline.Format(time.RFC3339))
	}
	wait := NextWait(elapsed)
	if !deadline.IsZero() {
		// Wake up right after the deadline rather than up to MaxWait past it.
		wait = min(wait, deadline.Sub(now).Truncate(time.Second)+time.Second)
	}
	res.WaitSeconds = int(wait / time.Second)
	return res, nil
}
