package report

import (
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// TestVerdictCRWithoutDuration: a custom resource without a duration runs
// until FIS deletes it at maxDuration, and FIS may call that action failed
// or completed; the verdict is the same either way. A CR that failed
// earlier, or one that sets its own duration, still fails the run. The
// spec has no checks, so a run whose faults ran their course is
// inconclusive (neither failed nor untested).
func TestVerdictCRWithoutDuration(t *testing.T) {
	t0 := time.Date(2026, 3, 4, 5, 0, 0, 0, time.UTC)
	maxDur := 5 * time.Minute
	spec := func(duration any) *gameday.Spec {
		cr := map[string]any{"action": "delay"}
		if duration != nil {
			cr["duration"] = duration
		}
		return &gameday.Spec{Spec: gameday.Body{Faults: []gameday.Fault{{
			Name: "carts-delay", MaxDuration: gameday.Duration{Duration: maxDur},
			ChaosMesh: &gameday.CustomResource{TypeMeta: gameday.TypeMeta{APIVersion: "chaos-mesh.org/v1alpha1", Kind: "NetworkChaos"}, Spec: cr},
		}}}}
	}
	action := func(state gameday.State, ran time.Duration) []gameday.ActionState {
		end := t0.Add(ran)
		return []gameday.ActionState{{Name: "carts-delay", State: state, StartTime: &t0, EndTime: &end}}
	}
	tests := []struct {
		name        string
		spec        *gameday.Spec
		state       gameday.State
		actions     []gameday.ActionState
		wantVerdict string
	}{
		{"FIS completes it at maxDuration", spec(nil), gameday.StateCompleted, action(gameday.StateCompleted, maxDur), VerdictInconclusive},
		{"FIS fails it at maxDuration", spec(nil), gameday.StateFailed, action(gameday.StateFailed, maxDur), VerdictInconclusive},
		{"it failed before maxDuration", spec(nil), gameday.StateFailed, action(gameday.StateFailed, time.Minute), VerdictFailed},
		{"a CR with a duration outlived maxDuration", spec("10m"), gameday.StateFailed, action(gameday.StateFailed, maxDur), VerdictFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(Run{Spec: tt.spec, State: tt.state, Actions: tt.actions, StartedAt: t0, EndedAt: t0.Add(maxDur)})
			if s.Verdict != tt.wantVerdict {
				t.Errorf("verdict %s (%s), want %s", s.Verdict, s.VerdictReason, tt.wantVerdict)
			}
		})
	}
}
