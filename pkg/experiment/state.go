package experiment

import (
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// State maps an FIS experiment status to a gameday.State. FIS uses the same
// words, so this is a checked conversion: an unknown status maps to "".
func State(s types.ExperimentStatus) gameday.State {
	switch s {
	case types.ExperimentStatusPending:
		return gameday.StatePending
	case types.ExperimentStatusInitiating:
		return gameday.StateInitiating
	case types.ExperimentStatusRunning:
		return gameday.StateRunning
	case types.ExperimentStatusCompleted:
		return gameday.StateCompleted
	case types.ExperimentStatusStopping:
		return gameday.StateStopping
	case types.ExperimentStatusStopped:
		return gameday.StateStopped
	case types.ExperimentStatusFailed:
		return gameday.StateFailed
	case types.ExperimentStatusCancelled:
		return gameday.StateCancelled
	}
	return ""
}

// ActionStateOf maps an FIS action status to a gameday.State.
func ActionStateOf(s types.ExperimentActionStatus) gameday.State {
	switch s {
	case types.ExperimentActionStatusSkipped:
		return gameday.StateSkipped
	case types.ExperimentActionStatusPending:
		return gameday.StatePending
	case types.ExperimentActionStatusInitiating:
		return gameday.StateInitiating
	case types.ExperimentActionStatusRunning:
		return gameday.StateRunning
	case types.ExperimentActionStatusCompleted:
		return gameday.StateCompleted
	case types.ExperimentActionStatusCancelled:
		return gameday.StateCancelled
	case types.ExperimentActionStatusStopping:
		return gameday.StateStopping
	case types.ExperimentActionStatusStopped:
		return gameday.StateStopped
	case types.ExperimentActionStatusFailed:
		return gameday.StateFailed
	}
	return ""
}

// Active reports whether an experiment in state st has not ended: it still
// runs (or will), and FIS counts it against the quota of active experiments.
func Active(st *types.ExperimentState) bool {
	if st == nil {
		return false
	}
	switch st.Status {
	case types.ExperimentStatusPending, types.ExperimentStatusInitiating,
		types.ExperimentStatusRunning, types.ExperimentStatusStopping:
		return true
	}
	return false
}

// stateOf is an experiment's state and reason.
func stateOf(st *types.ExperimentState) (gameday.State, string) {
	if st == nil {
		return "", ""
	}
	return State(st.Status), aws.ToString(st.Reason)
}

// Actions maps an experiment's actions to ActionStates, sorted by name.
func Actions(actions map[string]types.ExperimentAction) []gameday.ActionState {
	out := make([]gameday.ActionState, 0, len(actions))
	for name, a := range actions {
		as := gameday.ActionState{Name: name, StartTime: a.StartTime, EndTime: a.EndTime}
		if a.State != nil {
			as.State = ActionStateOf(a.State.Status)
			as.Reason = aws.ToString(a.State.Reason)
		}
		out = append(out, as)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
