package preflight

import (
	"context"
	"strings"
	"testing"

	"github.com/gameday-dev/gameday/pkg/experiment/experimenttest"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
)

// TestPreflightPolicy: a GameDay outside the deployed policy is refused
// with PolicyViolation before any AWS call: no alarm staged, nothing
// listed.
func TestPreflightPolicy(t *testing.T) {
	pol := &policy.Policy{Metadata: policy.Metadata{Name: "staging"}, Spec: policy.Rules{
		MaxExperimentDuration: gameday.Duration{Duration: 30 * 60e9},
	}}
	spec := testSpec()
	spec.Spec.Timeouts.Experiment = gameday.Duration{Duration: 2 * 3600e9}
	cw, f := &fakeCloudWatch{}, &experimenttest.FIS{}
	p := newPreflight(cw, f)
	p.Policy = pol
	_, err := p.Handle(context.Background(), gameday.RunState{RunInput: gameday.RunInput{GameDay: spec}})
	if gameday.ErrorName(err) != gameday.ErrNamePolicyViolation {
		t.Fatalf("Handle() error = %v (%s), want %s", err, gameday.ErrorName(err), gameday.ErrNamePolicyViolation)
	}
	want := "gameday carts-latency is outside the deployment's policy staging: spec.timeouts.experiment: 2h0m0s is above the longest experiment this deployment allows, 30m0s: shorten it (policy staging: maxExperimentDuration)"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	if len(cw.Puts) != 0 || f.Count("ListExperiments") != 0 || f.Count("GetSafetyLever") != 0 {
		t.Errorf("AWS was called before the refusal: %d alarm puts, %d ListExperiments", len(cw.Puts), f.Count("ListExperiments"))
	}

	// Within the policy, preflight goes on as without one.
	spec.Spec.Timeouts.Experiment = gameday.Duration{Duration: 20 * 60e9}
	_, err = p.Handle(context.Background(), gameday.RunState{RunInput: gameday.RunInput{GameDay: spec}})
	if name := gameday.ErrorName(err); err != nil && (name == gameday.ErrNamePolicyViolation || strings.Contains(err.Error(), "policy")) {
		t.Errorf("a GameDay within the policy was refused by it: %v", err)
	}
	if len(cw.Puts) == 0 {
		t.Error("preflight did not go on to stage the alarms")
	}
}

// TestPreflightSpecYAML: a run whose specYaml says another GameDay than the
// one it carries is refused with InvalidGameDay before any AWS call, so the
// archive never keeps a spec.yaml that did not run.
func TestPreflightSpecYAML(t *testing.T) {
	spec := testSpec()
	cw, f := &fakeCloudWatch{}, &experimenttest.FIS{}
	p := newPreflight(cw, f)
	other := "apiVersion: gameday/v1alpha1\nkind: GameDay\nmetadata: {name: carts-latency}\nspec:\n  target: {clusterName: sandbox}\n  faults: []\n"
	_, err := p.Handle(context.Background(), gameday.RunState{RunInput: gameday.RunInput{GameDay: spec, SpecYAML: other}})
	if gameday.ErrorName(err) != gameday.ErrNameInvalidGameDay || !strings.Contains(err.Error(), "specYaml says another GameDay than gameday") {
		t.Fatalf("Handle() error = %v (%s), want %s naming specYaml", err, gameday.ErrorName(err), gameday.ErrNameInvalidGameDay)
	}
	if len(cw.Puts) != 0 || f.Count("ListExperiments") != 0 || f.Count("GetSafetyLever") != 0 {
		t.Errorf("AWS was called before the refusal: %d alarm puts, %d ListExperiments", len(cw.Puts), f.Count("ListExperiments"))
	}
}
