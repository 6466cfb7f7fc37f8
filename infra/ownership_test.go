package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
)

// TestTagConditions: every grant on FIS templates and experiments compares
// a tag's value with this stack's state machine (not merely its presence),
// the state machine those conditions name is the one the stack deploys,
// and a role may set gameday's tags only on a resource that has none yet.
func TestTagConditions(t *testing.T) {
	s := fullStack(t)
	smName := deploy.StateMachineName("GameDayTest")
	smARN := "arn:aws:states:us-east-1:123456789012:stateMachine:" + smName
	executions := "arn:aws:states:us-east-1:123456789012:execution:" + smName + ":*"

	sm := s.resources("AWS::StepFunctions::StateMachine")[logicalID(t, s, "AWS::StepFunctions::StateMachine", "WorkflowStateMachine")]
	if got := sm["Properties"].(map[string]any)["StateMachineName"]; got != smName {
		t.Fatalf("state machine name = %v, want %s (the name the conditions use)", got, smName)
	}

	onTemplates := map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/" + deploy.TagStateMachine: smARN}}
	newTemplates := map[string]any{
		"StringEquals": map[string]any{"aws:RequestTag/" + deploy.TagStateMachine: smARN},
		"Null":         map[string]any{"aws:ResourceTag/" + deploy.TagStateMachine: "true"},
	}
	onExperiments := map[string]any{"StringLike": map[string]any{"aws:ResourceTag/" + deploy.TagExecution: executions}}
	newExperiments := map[string]any{
		"StringLike": map[string]any{"aws:RequestTag/" + deploy.TagExecution: executions},
		"Null":       map[string]any{"aws:ResourceTag/" + deploy.TagExecution: "true"},
	}
	markStuck := map[string]any{
		"StringLike":                onExperiments["StringLike"],
		"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []any{deploy.TagStuckReported}},
	}
	// Actions that AWS scopes by resource: each must be conditioned.
	scoped := []string{"fis:CreateExperimentTemplate", "fis:UpdateExperimentTemplate", "fis:GetExperimentTemplate",
		"fis:DeleteExperimentTemplate", "fis:StartExperiment", "fis:GetExperiment", "fis:StopExperiment", "fis:TagResource"}

	seen := map[string]bool{}
	for _, fn := range deploy.Functions {
		for _, st := range policyOf(t, s, fn.ID()+"Role").statements {
			if !slices.ContainsFunc(st.Actions, func(a string) bool { return slices.Contains(scoped, a) }) {
				continue
			}
			cond := flatCondition(t, st.Condition)
			var want []map[string]any
			for _, r := range st.Resources {
				switch res := flat(r); {
				case strings.HasSuffix(res, ":experiment-template/*"):
					want = append(want, onTemplates, newTemplates)
				case strings.HasSuffix(res, ":experiment/*"):
					want = append(want, onExperiments, newExperiments)
				}
			}
			if onlyNamedActions(st) {
				want = append(want, map[string]any{})
			}
			if slices.Contains(st.Actions, "fis:TagResource") {
				// Tagging: only resources being created, the templates the
				// step already owns, or the sweeper's one marker.
				want = []map[string]any{newTemplates, newExperiments, onTemplates}
				if fn == deploy.Sweeper {
					want = []map[string]any{markStuck}
				}
			}
			if !slices.ContainsFunc(want, func(w map[string]any) bool { return cmp.Equal(w, cond) }) {
				t.Errorf("%s %s %v: condition %v, want one of %v", fn, st.Sid, st.Actions, cond, want)
			}
			for _, a := range st.Actions {
				seen[a] = true
			}
		}
	}
	for _, a := range scoped {
		if !seen[a] {
			t.Errorf("no role is granted %s: the test no longer looks at what it guards", a)
		}
	}
}

// flatCondition resolves the tokens in a condition to strings.
func flatCondition(t *testing.T, c map[string]any) map[string]any {
	t.Helper()
	out := map[string]any{}
	for op, kv := range c {
		m := map[string]any{}
		for k, v := range kv.(map[string]any) {
			if list, ok := v.([]any); ok {
				var vs []any
				for _, x := range list {
					vs = append(vs, flat(x))
				}
				m[k] = vs
				continue
			}
			m[k] = flat(v)
		}
		out[op] = m
	}
	// Round-trip so that []string and []any compare equal.
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}
