package guard

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/awsfake"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment/experimenttest"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

const execARN = "arn:aws:states:us-east-1:123456789012:execution:gameday:run-1"

func event(t *testing.T, status string) events.CloudWatchEvent {
	t.Helper()
	raw, err := os.ReadFile("testdata/execution-aborted.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		t.Fatal(err)
	}
	d["status"] = status
	ev.Detail, _ = json.Marshal(d)
	return ev
}

func TestEventRoundTrip(t *testing.T) {
	raw, err := os.ReadFile("testdata/execution-aborted.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var want, got any
	_ = json.Unmarshal(raw, &want)
	_ = json.Unmarshal(out, &got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
	if ev.DetailType != DetailType {
		t.Errorf("DetailType = %q, want %q", ev.DetailType, DetailType)
	}
}

func TestGuard(t *testing.T) {
	mine := map[string]string{deploy.TagExecution: execARN, deploy.TagName: "carts-latency"}
	setup := func(f *experimenttest.FIS) {
		f.AddExperiment("EXP1", fistypes.ExperimentStatusRunning, mine)
		f.AddExperiment("EXP2", fistypes.ExperimentStatusInitiating, mine)
		f.AddExperiment("EXP3", fistypes.ExperimentStatusCompleted, mine)
		f.AddExperiment("EXP4", fistypes.ExperimentStatusStopping, mine)
		f.AddExperiment("EXP5", fistypes.ExperimentStatusRunning, map[string]string{deploy.TagExecution: "arn:aws:states:us-east-1:123456789012:execution:gameday:run-2"})
		f.AddExperiment("EXP6", fistypes.ExperimentStatusRunning, nil)
	}
	tests := []struct {
		status      string
		wantStopped []string
		wantIgnored bool
	}{
		{status: "ABORTED", wantStopped: []string{"EXP1", "EXP2"}},
		{status: "TIMED_OUT", wantStopped: []string{"EXP1", "EXP2"}},
		{status: "FAILED", wantStopped: []string{"EXP1", "EXP2"}},
		{status: "SUCCEEDED", wantIgnored: true, wantStopped: []string{}},
		{status: "RUNNING", wantIgnored: true, wantStopped: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			f := &experimenttest.FIS{}
			setup(f)
			g := &Guard{API: f}
			got, err := g.Handle(context.Background(), event(t, tt.status))
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			want := Result{ExecutionARN: execARN, Status: tt.status, Ignored: tt.wantIgnored, Stopped: tt.wantStopped, Released: []string{}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Handle() mismatch (-want +got):\n%s", diff)
			}
			for _, id := range []string{"EXP5", "EXP6"} {
				if s := f.Experiments[id].State.Status; s != fistypes.ExperimentStatusRunning {
					t.Errorf("%s of another execution is %s, want running", id, s)
				}
			}
			if tt.wantIgnored && len(f.Calls) != 0 {
				t.Errorf("ignored status made calls %v", f.Calls)
			}
			// Idempotent: a second delivery of the event stops nothing more.
			again, err := g.Handle(context.Background(), event(t, tt.status))
			if err != nil {
				t.Fatalf("second Handle() error = %v", err)
			}
			if len(again.Stopped) != 0 {
				t.Errorf("second Handle() stopped %v, want nothing", again.Stopped)
			}
		})
	}
}

func TestGuardErrors(t *testing.T) {
	tests := []struct {
		name     string
		fail     map[string]error
		wantErr  bool
		sentinel error
	}{
		{name: "stop conflict is fine", fail: map[string]error{"StopExperiment": experimenttest.APIError("ConflictException")}},
		{name: "stop not found is fine", fail: map[string]error{"StopExperiment": experimenttest.APIError("ResourceNotFoundException")}},
		{name: "stop throttled", fail: map[string]error{"StopExperiment": experimenttest.APIError("ThrottlingException")}, wantErr: true, sentinel: gameday.ErrThrottled},
		{name: "list throttled", fail: map[string]error{"ListExperiments": experimenttest.APIError("ThrottlingException")}, wantErr: true, sentinel: gameday.ErrThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &experimenttest.FIS{Recorder: awsfake.Recorder{Fail: tt.fail}}
			f.AddExperiment("EXP1", fistypes.ExperimentStatusRunning, map[string]string{deploy.TagExecution: execARN})
			_, err := (&Guard{API: f}).Handle(context.Background(), event(t, "ABORTED"))
			if (err != nil) != tt.wantErr {
				t.Fatalf("Handle() error = %v, want error %v", err, tt.wantErr)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("Handle() error = %v, want errors.Is %v", err, tt.sentinel)
			}
		})
	}
	t.Run("bad detail", func(t *testing.T) {
		_, err := (&Guard{API: &experimenttest.FIS{}}).Handle(context.Background(), events.CloudWatchEvent{Detail: json.RawMessage(`[1]`)})
		if err == nil {
			t.Fatal("Handle() of a bad detail: no error")
		}
	})
	t.Run("no execution ARN", func(t *testing.T) {
		_, err := (&Guard{API: &experimenttest.FIS{}}).Handle(context.Background(), events.CloudWatchEvent{Detail: json.RawMessage(`{"status":"FAILED"}`)})
		if err == nil {
			t.Fatal("Handle() without executionArn: no error")
		}
	})
}

// TestSharedSampleEvent runs the repository's sample event (events/) through
// the guard: the guard reads what EventBridge really sends.
func TestSharedSampleEvent(t *testing.T) {
	raw, err := os.ReadFile("../../events/sfn-execution-status-change.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:states:us-east-1:123456789012:execution:gameday-run:sock-shop-carts-pod-kill-7f3c9a1e"
	f := &experimenttest.FIS{}
	f.AddExperiment("EXP1", fistypes.ExperimentStatusRunning, map[string]string{deploy.TagExecution: arn})
	got, err := (&Guard{API: f}).Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	if diff := cmp.Diff(Result{ExecutionARN: arn, Status: "ABORTED", Stopped: []string{"EXP1"}, Released: []string{}}, got); diff != "" {
		t.Errorf("Handle() mismatch (-want +got):\n%s", diff)
	}
}
