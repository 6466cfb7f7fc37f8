package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/policy"
)

// TestDeployedPolicy: preflight gets the policy (defaults filled) in its
// environment, never from the input; CreateExperimentTemplate is limited
// to the policy's action ids; the FIS role may describe only its clusters.
func TestDeployedPolicy(t *testing.T) {
	s := fullStack(t)
	fn := s.resources("AWS::Lambda::Function")[logicalID(t, s, "AWS::Lambda::Function", "PreflightFunction")]
	env := fn["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any)
	// The cluster ARNs carry the partition token: the JSON is a Fn::Join.
	js := flat(env[deploy.KeyPolicy])
	if !strings.HasPrefix(js, "{") {
		t.Fatalf("preflight's %s = %v, want the policy as JSON", deploy.KeyPolicy, env[deploy.KeyPolicy])
	}
	got, err := policy.FromJSON(js)
	if err != nil {
		t.Fatalf("the deployed policy does not read back: %v", err)
	}
	if want := []string{"arn:aws:eks:us-east-1:123456789012:cluster/sandbox", "arn:aws:eks:us-east-1:123456789012:cluster/staging"}; !cmp.Equal(got.Spec.Clusters, want) {
		t.Errorf("deployed clusters = %v, want the deployment's eksClusters %v", got.Spec.Clusters, want)
	}
	if got.Spec.MaxExperimentDuration.Duration != 2*time.Hour || got.Metadata.Name != "infra-test" {
		t.Errorf("deployed policy = %+v, want infra-test with 2h", got)
	}

	start := policyOf(t, s, "StartExperimentRole")
	want := []any{
		"arn:aws:fis:us-east-1:123456789012:experiment-template/*",
		"arn:aws:fis:us-east-1:123456789012:action/aws:eks:inject-kubernetes-custom-resource",
		"arn:aws:fis:us-east-1:123456789012:action/aws:fis:wait",
	}
	if diff := cmp.Diff(want, flatAll(start.resourcesOf("fis:CreateExperimentTemplate"))); diff != "" {
		t.Errorf("CreateExperimentTemplate resources (-want +got):\n%s", diff)
	}
	// An update may name the same actions and no other, in case IAM
	// authorizes it on them as it does a create.
	if diff := cmp.Diff(want, flatAll(start.resourcesOf("fis:UpdateExperimentTemplate"))); diff != "" {
		t.Errorf("UpdateExperimentTemplate resources (-want +got):\n%s", diff)
	}
}

// TestFISRoleWithoutCustomResources: a policy that allows no custom
// resource gives the FIS role no EKS permission at all.
func TestFISRoleWithoutCustomResources(t *testing.T) {
	p, err := policy.Parse("p.yaml", []byte("apiVersion: gameday/v1alpha1\nkind: GameDayPolicy\nmetadata: {name: waits}\nspec:\n  fisActions: [aws:fis:wait]\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := synth(GameDayStackProps{Policy: p, EKSClusters: []string{"sandbox"}})
	if s.err != nil {
		t.Fatal(s.err)
	}
	if acts := policyOf(t, s, "FisExperimentRole").actions(); slices.Contains(acts, "eks:DescribeCluster") {
		t.Errorf("FIS role actions = %v, want no eks:DescribeCluster", acts)
	}
	if got := flatAll(policyOf(t, s, "StartExperimentRole").resourcesOf("fis:CreateExperimentTemplate")); len(got) != 2 || !strings.HasSuffix(flat(got[1]), ":action/aws:fis:wait") {
		t.Errorf("CreateExperimentTemplate resources = %v, want the templates and action/aws:fis:wait only", got)
	}
}

// TestFISRoleNodeGroups: a policy that allows
// aws:eks:terminate-nodegroup-instances gives the FIS role what FIS needs
// for it on the policy's clusters' node groups, and no more: terminations
// only of instances EKS tagged as one of those clusters'. Without the
// action the role gets none of it.
func TestFISRoleNodeGroups(t *testing.T) {
	const yaml = "apiVersion: gameday/v1alpha1\nkind: GameDayPolicy\nmetadata: {name: nodes}\nspec:\n  clusters: [arn:aws:eks:us-east-1:123456789012:cluster/sandbox]\n  fisActions: [%s]\n"
	for _, tt := range []struct {
		action string
		want   []statement
	}{
		{fisactions.TerminateNodegroupInstances, []statement{
			{Sid: "TargetNodeGroups", Actions: []string{"eks:DescribeNodegroup"}, Resources: []any{"arn:aws:eks:us-east-1:123456789012:nodegroup/sandbox/*"}},
			{Sid: "FindNodeGroupInstances", Actions: []string{"ec2:DescribeInstances"}, Resources: []any{"*"}},
			{Sid: "TerminateNodeGroupInstances", Actions: []string{"ec2:TerminateInstances"}, Resources: []any{"arn:aws:ec2:us-east-1:123456789012:instance/*"},
				Condition: map[string]any{"StringLike": map[string]any{"aws:ResourceTag/eks:cluster-name": []any{"sandbox"}}}},
		}},
		{"aws:fis:wait", nil},
	} {
		t.Run(tt.action, func(t *testing.T) {
			p, err := policy.Parse("p.yaml", []byte(fmt.Sprintf(yaml, tt.action)))
			if err != nil {
				t.Fatal(err)
			}
			s := synth(GameDayStackProps{Policy: p, EKSClusters: []string{"sandbox"}})
			if s.err != nil {
				t.Fatal(s.err)
			}
			var got []statement
			for _, st := range policyOf(t, s, "FisExperimentRole").statements {
				if slices.ContainsFunc(st.Actions, func(a string) bool {
					return a == "eks:DescribeNodegroup" || strings.HasPrefix(a, "ec2:")
				}) {
					st.Resources = flatAll(st.Resources)
					if st.Condition != nil {
						st.Condition = flatCondition(t, st.Condition)
					}
					got = append(got, st)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FIS role's node-group statements (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPolicyAtSynth: the synth refuses a policy whose longest experiment
// does not fit the execution timeout, names no policy, and refuses
// scheduled GameDays outside the policy with FILE:LINE:COL lines.
func TestPolicyAtSynth(t *testing.T) {
	p, err := LoadPolicy(testPolicy)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = deployedPolicy(p, nil, 2*time.Hour, 3*3600)
	if err != nil {
		t.Errorf("2h fits an execution timeout of 3h (2h + the margin): %v", err)
	}
	_, _, err = deployedPolicy(p, nil, 30*time.Minute, 3600+1800)
	if want := "testdata/policy.yaml:12:3: spec.maxExperimentDuration: 2h0m0s does not fit the state machine's execution timeout of 1h30m0s"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("deployedPolicy = %v, want %q...", err, want)
	} else if !strings.HasSuffix(err.Error(), "(policy infra-test: maxExperimentDuration)") {
		t.Errorf("the refusal does not name the rule: %v", err)
	}
	if _, err := LoadPolicy(""); err == nil || !strings.Contains(err.Error(), "no policy") {
		t.Errorf("LoadPolicy(\"\") = %v, want a refusal", err)
	}

	files, err := LoadGameDays(filepath.Join("testdata", "gamedays"))
	if err != nil {
		t.Fatal(err)
	}
	sandbox := []string{"arn:*:eks:*:*:cluster/sandbox"}
	if err := CheckScheduled(files, p.WithDefaults(sandbox, 0), policy.Where{}); err != nil {
		t.Errorf("the test GameDays are within the test policy: %v", err)
	}
	strict, err := policy.Parse("strict.yaml", []byte("apiVersion: gameday/v1alpha1\nkind: GameDayPolicy\nmetadata: {name: strict}\nspec:\n  namespaces: [other]\n  chaosMesh: {kinds: [NetworkChaos, PodChaos]}\n  schedules: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = CheckScheduled(files, strict.WithDefaults(sandbox, 0), policy.Where{})
	if err == nil {
		t.Fatal("CheckScheduled accepted scheduled GameDays outside the policy")
	}
	for _, want := range []string{
		"testdata/gamedays/carts-latency.yaml:38:3: spec.schedule: this deployment does not run GameDays on a schedule: remove schedule and start it by hand (policy strict: schedules)",
		"(policy strict: namespaces)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckScheduled error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "long-soak.yaml") {
		t.Errorf("an unscheduled GameDay was judged at synth:\n%v", err)
	}
	if strings.Contains(err.Error(), "prod-checkout.yaml") {
		t.Errorf("a paused schedule was judged at synth:\n%v", err)
	}
	// The same GameDay with its schedule enabled is judged.
	for i, f := range files {
		if strings.HasSuffix(f.Path, "prod-checkout.yaml") {
			on := *f.Spec
			sched := *on.Spec.Schedule
			sched.Enabled = nil
			on.Spec.Schedule = &sched
			files[i].Spec = &on
		}
	}
	if err := CheckScheduled(files, p.WithDefaults(sandbox, 0), policy.Where{}); err == nil || !strings.Contains(err.Error(), "prod-checkout.yaml:6:1: spec.stopConditions: required") {
		t.Errorf("CheckScheduled with prod-checkout enabled = %v, want its missing stop condition refused", err)
	}
}
