package experiment

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/experiment/experimenttest"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestNextWait(t *testing.T) {
	tests := []struct {
		elapsed time.Duration
		want    time.Duration
	}{
		{0, 15 * time.Second},
		{100 * time.Second, 15 * time.Second},
		{150 * time.Second, 15 * time.Second},
		{10 * time.Minute, 60 * time.Second},
		{1234 * time.Second, 123 * time.Second},
		{50 * time.Minute, 300 * time.Second},
		{12 * time.Hour, 300 * time.Second},
	}
	for _, tt := range tests {
		if got := NextWait(tt.elapsed); got != tt.want {
			t.Errorf("NextWait(%v) = %v, want %v", tt.elapsed, got, tt.want)
		}
	}
}

func runState(id string, deadline time.Time) gameday.RunState {
	return gameday.RunState{
		Execution: gameday.Execution{ARN: "arn:aws:states:us-east-1:123456789012:execution:gameday:run-1", Name: "run-1"},
		Start:     &gameday.StartResult{ExperimentID: id, StartedAt: t0, Deadline: deadline},
	}
}

func TestPollerHandle(t *testing.T) {
	deadline := t0.Add(30 * time.Minute)
	tests := []struct {
		name     string
		status   types.ExperimentStatus
		at       time.Duration // since t0
		prev     *gameday.PollResult
		fail     error
		want     gameday.PollResult
		wantErr  string // error name
		sentinel error
	}{
		{name: "running early", status: types.ExperimentStatusRunning, at: 30 * time.Second,
			want: gameday.PollResult{State: gameday.StateRunning, Reason: "fake running", WaitSeconds: 15, Elapsed: 30, Polls: 1}},
		{name: "running later counts polls and waits longer", status: types.ExperimentStatusRunning, at: 20 * time.Minute,
			prev: &gameday.PollResult{Polls: 7},
			want: gameday.PollResult{State: gameday.StateRunning, Reason: "fake running", WaitSeconds: 120, Elapsed: 1200, Polls: 8}},
		{name: "wakes right after the deadline", status: types.ExperimentStatusRunning, at: 29*time.Minute + 30*time.Second,
			want: gameday.PollResult{State: gameday.StateRunning, Reason: "fake running", WaitSeconds: 31, Elapsed: 1770, Polls: 1}},
		{name: "completed is terminal", status: types.ExperimentStatusCompleted, at: 5 * time.Minute,
			want: gameday.PollResult{State: gameday.StateCompleted, Reason: "fake completed", Terminal: true, Elapsed: 300, Polls: 1}},
		{name: "terminal past the deadline is still a result", status: types.ExperimentStatusStopped, at: 31 * time.Minute,
			want: gameday.PollResult{State: gameday.StateStopped, Reason: "fake stopped", Terminal: true, Elapsed: 1860, Polls: 1}},
		{name: "running past the deadline times out", status: types.ExperimentStatusRunning, at: 30 * time.Minute,
			wantErr: gameday.ErrNameExperimentTimeout},
		{name: "throttled", status: types.ExperimentStatusRunning, at: time.Minute,
			fail: experimenttest.APIError("ThrottlingException"), wantErr: gameday.ErrNameThrottled, sentinel: gameday.ErrThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &experimenttest.FIS{}
			f.AddExperiment("EXP1", tt.status, nil)
			f.Experiments["EXP1"].Actions = map[string]types.ExperimentAction{
				"b": {State: &types.ExperimentActionState{Status: types.ExperimentActionStatusRunning}},
				"a": {State: &types.ExperimentActionState{Status: types.ExperimentActionStatusCompleted}},
			}
			if tt.fail != nil {
				f.Fail = map[string]error{"GetExperiment": tt.fail}
			}
			now := t0.Add(tt.at)
			p := &Poller{API: f, Now: func() time.Time { return now }}
			st := runState("EXP1", deadline)
			st.Poll = tt.prev
			got, err := p.Handle(context.Background(), st)
			if f.Count("GetExperiment") != 1 {
				t.Errorf("GetExperiment called %d times, want 1", f.Count("GetExperiment"))
			}
			if tt.wantErr != "" {
				if err == nil || gameday.ErrorName(err) != tt.wantErr {
					t.Fatalf("Handle() error = %v (%s), want %s", err, gameday.ErrorName(err), tt.wantErr)
				}
				if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
					t.Errorf("Handle() error = %v, want errors.Is %v", err, tt.sentinel)
				}
				return
			}
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			tt.want.PolledAt = now
			tt.want.Actions = []gameday.ActionState{{Name: "a", State: gameday.StateCompleted}, {Name: "b", State: gameday.StateRunning}}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Handle() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPollerWithoutStart(t *testing.T) {
	p := &Poller{API: &experimenttest.FIS{}}
	if _, err := p.Handle(context.Background(), gameday.RunState{}); err == nil {
		t.Fatal("Handle() without $.start: no error")
	}
}

// Step Functions history events per poll loop: the Lambda Task (scheduled,
// started, submitted, succeeded, state exited ≈ 5), the Wait (entered,
// exited) and the Choice (entered, exited).
const (
	eventsPerPoll = 5 + 2 + 2
	// eventsOutsideLoop is a generous bound on everything else: execution
	// start and end, the Pass state, preflight with retries, start, stop,
	// archive with retries, notify.
	eventsOutsideLoop = 150
	maxEvents         = 2500 // 10 % of Standard's 25,000
)

// schedule polls a never-ending experiment through Poller for length and
// returns the poll times since the start.
func schedule(t *testing.T, length time.Duration) []time.Duration {
	t.Helper()
	f := &experimenttest.FIS{}
	f.AddExperiment("EXP1", types.ExperimentStatusRunning, nil)
	var at time.Duration
	p := &Poller{API: f, Now: func() time.Time { return t0.Add(at) }}
	st := runState("EXP1", t0.Add(length+time.Hour))
	var times []time.Duration
	for at <= length {
		res, err := p.Handle(context.Background(), st)
		if err != nil {
			t.Fatalf("poll at %v: %v", at, err)
		}
		times = append(times, at)
		if res.WaitSeconds < 1 {
			t.Fatalf("poll at %v: WaitSeconds = %d", at, res.WaitSeconds)
		}
		st.Poll = &res
		at += time.Duration(res.WaitSeconds) * time.Second
	}
	return append(times, at) // the poll that follows the end
}

func TestTwelveHourExperimentStaysUnderHistoryBudget(t *testing.T) {
	times := schedule(t, 12*time.Hour)
	events := len(times)*eventsPerPoll + eventsOutsideLoop
	t.Logf("12 h experiment: %d polls, about %d history events (budget %d)", len(times), events, maxEvents)
	if events >= maxEvents {
		t.Errorf("12 h experiment: %d polls make %d history events, want < %d", len(times), events, maxEvents)
	}
}

func TestTerminalStateNoticedInTime(t *testing.T) {
	times := schedule(t, 12*time.Hour)
	// An experiment that ends at any moment is noticed by the next poll
	// within max(15 s, 10 % of the time elapsed), and never later than 5 min.
	for end := time.Duration(0); end <= 12*time.Hour; end += 7 * time.Second {
		i := 0
		for times[i] < end {
			i++
		}
		late := times[i] - end
		bound := min(max(15*time.Second, end/10), 5*time.Minute)
		if late > bound {
			t.Fatalf("ended at %v, noticed at %v: %v late, bound %v", end, times[i], late, bound)
		}
	}
}
