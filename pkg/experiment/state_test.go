package experiment

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

func TestStateCoversEveryFISStatus(t *testing.T) {
	for _, s := range types.ExperimentStatus("").Values() {
		got := State(s)
		if string(got) != string(s) {
			t.Errorf("State(%q) = %q", s, got)
		}
		if got.Terminal() == Active(&types.ExperimentState{Status: s}) {
			t.Errorf("%s: Terminal() = %v and Active() = %v", s, got.Terminal(), !got.Terminal())
		}
	}
	for _, s := range types.ExperimentActionStatus("").Values() {
		if got := ActionStateOf(s); string(got) != string(s) {
			t.Errorf("ActionStateOf(%q) = %q", s, got)
		}
	}
	if got := State("rebooting"); got != "" {
		t.Errorf("State(unknown) = %q, want empty", got)
	}
}

func TestActionsSortedByName(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	got := Actions(map[string]types.ExperimentAction{
		"pod-kill":    {State: &types.ExperimentActionState{Status: types.ExperimentActionStatusPending}},
		"carts-delay": {State: &types.ExperimentActionState{Status: types.ExperimentActionStatusRunning, Reason: aws.String("Running.")}, StartTime: &t0},
		"no-state":    {},
	})
	want := []gameday.ActionState{
		{Name: "carts-delay", State: gameday.StateRunning, Reason: "Running.", StartTime: &t0},
		{Name: "no-state"},
		{Name: "pod-kill", State: gameday.StatePending},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Actions() mismatch (-want +got):\n%s", diff)
	}
}
