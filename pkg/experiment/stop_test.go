package experiment

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment/experimenttest"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

func TestStopperHandle(t *testing.T) {
	tagged := map[string]string{deploy.TagExecution: execARN, deploy.TagName: "carts-latency"}
	tests := []struct {
		name     string
		setup    func(f *experimenttest.FIS)
		noStart  bool // $.start absent: the start failed mid-way
		want     gameday.StopResult
		wantErr  string
		wantStop int
	}{
		{name: "running experiment stops at once", setup: func(f *experimenttest.FIS) {
			f.AddExperiment("EXP1", types.ExperimentStatusRunning, tagged)
			f.StopTo = types.ExperimentStatusStopped
		}, want: gameday.StopResult{ExperimentID: "EXP1", State: gameday.StateStopped, Reason: "Experiment stopped by user."}, wantStop: 1},
		{name: "running experiment still stopping", setup: func(f *experimenttest.FIS) {
			f.AddExperiment("EXP1", types.ExperimentStatusRunning, tagged)
		}, wantErr: gameday.ErrNameNotTerminal, wantStop: 1},
		{name: "stopping experiment is not stopped again", setup: func(f *experimenttest.FIS) {
			f.AddExperiment("EXP1", types.ExperimentStatusStopping, tagged)
		}, wantErr: gameday.ErrNameNotTerminal, wantStop: 0},
		{name: "already completed counts as done", setup: func(f *experimenttest.FIS) {
			f.AddExperiment("EXP1", types.ExperimentStatusCompleted, tagged)
		}, want: gameday.StopResult{ExperimentID: "EXP1", State: gameday.StateCompleted, Reason: "fake completed", AlreadyTerminal: true}},
		{name: "experiment that does not exist counts as done", setup: func(f *experimenttest.FIS) {},
			want: gameday.StopResult{AlreadyTerminal: true, Reason: "experiment EXP1 does not exist"}},
		{name: "ends between get and stop", setup: func(f *experimenttest.FIS) {
			f.AddExperiment("EXP1", types.ExperimentStatusRunning, tagged)
			f.Fail = map[string]error{"StopExperiment": experimenttest.APIError("ConflictException")}
		}, wantErr: gameday.ErrNameNotTerminal, wantStop: 1},
		{name: "no $.start: found by the execution tag", noStart: true, setup: func(f *experimenttest.FIS) {
			f.AddExperiment("EXP0", types.ExperimentStatusRunning, map[string]string{deploy.TagExecution: "another"})
			f.AddExperiment("EXP1", types.ExperimentStatusRunning, map[string]string{deploy.TagName: "x"})
			f.AddExperiment("EXP2", types.ExperimentStatusRunning, tagged)
			f.StopTo = types.ExperimentStatusStopped
		}, want: gameday.StopResult{ExperimentID: "EXP2", State: gameday.StateStopped, Reason: "Experiment stopped by user."}, wantStop: 1},
		{name: "no $.start and nothing started", noStart: true, setup: func(f *experimenttest.FIS) {
			f.AddExperiment("EXP0", types.ExperimentStatusRunning, map[string]string{deploy.TagExecution: "another"})
		}, want: gameday.StopResult{AlreadyTerminal: true, Reason: "no experiment was started by this execution"}},
		{name: "$.start names another execution's experiment: left alone", setup: func(f *experimenttest.FIS) {
			f.AddExperiment("EXP1", types.ExperimentStatusRunning, map[string]string{deploy.TagExecution: "arn:aws:states:us-east-1:111111111111:execution:gameday:other", deploy.TagName: "other"})
			f.StopTo = types.ExperimentStatusStopped
		}, want: gameday.StopResult{AlreadyTerminal: true, Reason: "experiment EXP1 was not started by this execution: left alone"}, wantStop: 0},
		{name: "$.start names an untagged experiment: left alone", setup: func(f *experimenttest.FIS) {
			f.AddExperiment("EXP1", types.ExperimentStatusRunning, nil)
		}, want: gameday.StopResult{AlreadyTerminal: true, Reason: "experiment EXP1 was not started by this execution: left alone"}, wantStop: 0},
		{name: "throttled stop", setup: func(f *experimenttest.FIS) {
			f.AddExperiment("EXP1", types.ExperimentStatusRunning, tagged)
			f.Fail = map[string]error{"StopExperiment": experimenttest.APIError("ThrottlingException")}
		}, wantErr: gameday.ErrNameThrottled, wantStop: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &experimenttest.FIS{}
			tt.setup(f)
			st := runState("EXP1", t0.Add(time.Hour))
			if tt.noStart {
				st.Start = nil
			}
			got, err := (&Stopper{API: f}).Handle(context.Background(), st)
			if n := f.Count("StopExperiment"); n != tt.wantStop {
				t.Errorf("StopExperiment called %d times, want %d", n, tt.wantStop)
			}
			if tt.wantErr != "" {
				if err == nil || gameday.ErrorName(err) != tt.wantErr {
					t.Fatalf("Handle() = %+v, %v; want error %s", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Handle() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStopperRetriedUntilTerminal(t *testing.T) {
	f := &experimenttest.FIS{}
	f.AddExperiment("EXP1", types.ExperimentStatusRunning, map[string]string{deploy.TagExecution: execARN})
	s := &Stopper{API: f}
	st := runState("EXP1", t0.Add(time.Hour))
	if _, err := s.Handle(context.Background(), st); gameday.ErrorName(err) != gameday.ErrNameNotTerminal {
		t.Fatalf("first Handle() error = %v, want %s", err, gameday.ErrNameNotTerminal)
	}
	f.SetState("EXP1", types.ExperimentStatusStopped)
	got, err := s.Handle(context.Background(), st)
	if err != nil {
		t.Fatalf("retried Handle() error = %v", err)
	}
	// The experiment was stopped by the first attempt; the retry finds it ended.
	want := gameday.StopResult{ExperimentID: "EXP1", State: gameday.StateStopped, Reason: "fake stopped", AlreadyTerminal: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("retried Handle() mismatch (-want +got):\n%s", diff)
	}
	if n := f.Count("StopExperiment"); n != 1 {
		t.Errorf("StopExperiment called %d times, want 1", n)
	}
}

// TestRequestStop: each answer FIS may give to StopExperiment, read once
// for every caller.
func TestRequestStop(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *experimenttest.FIS)
		id      string
		want    StopAnswer
		wantErr bool
	}{
		{name: "running: accepted", setup: func(f *experimenttest.FIS) { f.AddExperiment("EXP1", types.ExperimentStatusRunning, nil) }, id: "EXP1", want: StopAccepted},
		{name: "no such experiment", id: "EXP9", want: StopGone},
		{name: "ended: conflict", setup: func(f *experimenttest.FIS) { f.AddExperiment("EXP1", types.ExperimentStatusCompleted, nil) }, id: "EXP1", want: StopEnded},
		{name: "validation: refused", setup: func(f *experimenttest.FIS) {
			f.Fail = map[string]error{"StopExperiment": experimenttest.APIError("ValidationException")}
		}, id: "EXP1", want: StopRefused, wantErr: true},
		{name: "throttled: failed", setup: func(f *experimenttest.FIS) {
			f.Fail = map[string]error{"StopExperiment": experimenttest.APIError("ThrottlingException")}
		}, id: "EXP1", want: StopFailed, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &experimenttest.FIS{}
			if tt.setup != nil {
				tt.setup(f)
			}
			got, err := RequestStop(context.Background(), f, &tt.id)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("RequestStop(%s) = %v, %v; want %v, error %v", tt.id, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
