package experiment

import (
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// State maps an FIS experiment status to a gameday.State. FIS uses the same
// words, so this is a checked conversion: a status FIS does not document
// for experiments, or gameday does not know, maps to "".
func State(s types.ExperimentStatus) gameday.State { return sameWord(s, s.Values()) }

// ActionStateOf maps an FIS action status to a gameday.State, as State.
func ActionStateOf(s types.ExperimentActionStatus) gameday.State { return sameWord(s, s.Values()) }

// sameWord is the gameday.State spelt as s, when s is one of the FIS
// statuses fis and the state is known; else "".
func sameWord[S ~string](s S, fis []S) gameday.State {
	if st := gameday.State(s); slices.Contains(fis, s) && st.Known() {
		return st
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
