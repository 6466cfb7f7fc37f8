package localrun

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// crafted is an execution input with the GameDay and extra keys.
func crafted(t *testing.T, spec *gameday.Spec, extra map[string]any) json.RawMessage {
	t.Helper()
	in := map[string]any{"gameday": spec, "source": "manual"}
	for k, v := range extra {
		if v == nil {
			delete(in, k)
		} else {
			in[k] = v
		}
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertNothingCreated: no alarm, template or experiment in the simulator.
func assertNothingCreated(t *testing.T, srv *sim.Server) {
	t.Helper()
	if got := experiments(t, srv); len(got) != 0 {
		t.Errorf("experiments = %v, want none", got)
	}
	tmpl, err := fis.NewFromConfig(AWSConfig(srv)).ListExperimentTemplates(context.Background(), &fis.ListExperimentTemplatesInput{})
	if err != nil || len(tmpl.ExperimentTemplates) != 0 {
		t.Errorf("templates = %v (%v), want none", tmpl, err)
	}
	alarms, err := cloudwatch.NewFromConfig(AWSConfig(srv)).DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{})
	if err != nil || len(alarms.MetricAlarms) != 0 {
		t.Errorf("alarms = %v (%v), want none", alarms, err)
	}
}

// TestCraftedInputs: an execution input that carries anything but the
// GameDay, its YAML text and the source fails in the first states, before
// preflight, with InvalidInput naming the key; nothing is created.
func TestCraftedInputs(t *testing.T) {
	needNode(t)
	spec, _ := load(t, walkthrough)
	tests := []struct {
		name      string
		extra     map[string]any
		wantCause string
	}{
		{"a foreign experiment in start", map[string]any{"start": map[string]any{"experimentId": "EXP0123456789abcdef"}}, `"start":{"experimentId":"EXP0123456789abcdef"}`},
		{"a pre-filled preflight", map[string]any{"preflight": map[string]any{"alarms": []any{}}}, `"preflight":{"alarms":[]}`},
		{"a forged execution", map[string]any{"execution": map[string]any{"arn": "arn:aws:states:us-east-1:123456789012:execution:gameday:other"}}, `"execution":{"arn":`},
		{"a loosening flag", map[string]any{"allowWideBlastRadius": true}, `"allowWideBlastRadius":true`},
		{"no gameday", map[string]any{"gameday": nil}, "the execution input carries no gameday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSim(t, sim.Options{})
			res := run(t, srv, spec, "", func(o *Options) { o.rawInput = crafted(t, spec, tt.extra) })
			if res.Status != "FAILED" || res.Error != gameday.ErrNameInvalidInput {
				t.Fatalf("execution %s %s: %s; want FAILED with %s", res.Status, res.Error, res.Cause, gameday.ErrNameInvalidInput)
			}
			if !strings.Contains(res.Cause, tt.wantCause) {
				t.Errorf("cause %q does not name the key (%s)", res.Cause, tt.wantCause)
			}
			if n := res.Invocations[FunctionPrefix+deploy.Preflight.String()]; n != 0 {
				t.Errorf("preflight invoked %d times, want none", n)
			}
			assertNothingCreated(t, srv)
		})
	}
}

// TestCraftedSpecYAML: an input whose specYaml is a harmless file and whose
// gameday is another GameDay fails in preflight with InvalidGameDay: the
// archive would otherwise keep, as the evidence of what ran, a file that
// did not run. Nothing is created.
func TestCraftedSpecYAML(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, _ := load(t, walkthrough)
	_, harmless := load(t, longDelay)
	res := run(t, srv, spec, harmless, nil)
	if res.Status != "FAILED" || res.Error != gameday.ErrNameInvalidGameDay || !strings.Contains(res.Cause, "specYaml says another GameDay than gameday") {
		t.Fatalf("execution %s %s: %s; want FAILED with %s naming specYaml", res.Status, res.Error, res.Cause, gameday.ErrNameInvalidGameDay)
	}
	assertNothingCreated(t, srv)
}

// TestScenarioCraftedInput: an execution whose input carries the
// experiment id of another GameDay's running experiment in start ends
// failed at once, and that experiment is left running, untouched: the run
// it belongs to completes it.
func TestScenarioCraftedInput(t *testing.T) {
	needNode(t)
	// 15 simulated minutes of fault take 45 s: the crafted run ends well
	// within them.
	srv := startSim(t, sim.Options{Speed: 20})
	other, otherYAML := load(t, longDelay)
	running := make(chan string, 1)
	var once sync.Once
	var first *Result
	var firstErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		first, firstErr = Run(context.Background(), Options{Spec: other, SpecYAML: otherYAML, Sim: srv, ExecutionName: "other", Progress: func(e Event) {
			if e.Type == "StateExited" && e.State == workflow.StatePollExperiment && e.Run != nil && e.Run.Poll != nil && e.Run.Poll.State == gameday.StateRunning {
				once.Do(func() { running <- e.Run.Start.ExperimentID })
			}
		}})
	}()
	var id string
	select {
	case id = <-running:
	case <-done:
		t.Fatalf("the other run ended before its experiment ran: %v %+v", firstErr, first)
	}

	spec, _ := load(t, walkthrough)
	res := run(t, srv, spec, "", func(o *Options) {
		o.ExecutionName = "crafted"
		o.rawInput = crafted(t, spec, map[string]any{"start": map[string]any{"experimentId": id}})
	})
	if res.Status != "FAILED" || res.Error != gameday.ErrNameInvalidInput || !strings.Contains(res.Cause, id) {
		t.Fatalf("crafted execution %s %s: %s; want FAILED with %s naming start", res.Status, res.Error, res.Cause, gameday.ErrNameInvalidInput)
	}
	got, err := fis.NewFromConfig(AWSConfig(srv)).GetExperiment(context.Background(), &fis.GetExperimentInput{Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Experiment.State.Status; s != "running" {
		t.Errorf("the other GameDay's experiment is %s after the crafted run, want still running", s)
	}
	if want := "arn:aws:states:" + srv.Region() + ":" + srv.Account() + ":execution:" + stateMachineName + ":other"; got.Experiment.Tags[deploy.TagExecution] != want {
		t.Errorf("the experiment's execution tag changed: %v", got.Experiment.Tags)
	}
	<-done
	if firstErr != nil || first.Status != "SUCCEEDED" || first.Final.Poll.State != gameday.StateCompleted {
		t.Fatalf("the other run: %v %+v; want it to complete its experiment", firstErr, first)
	}
	assertClean(t, srv, other)
}

// TestCraftedGameDaysRefusedByPolicy: preflight judges each crafted
// GameDay against the deployment's policy given as the stack gives it, and
// refuses it with PolicyViolation naming the rule before anything is
// created.
func TestCraftedGameDaysRefusedByPolicy(t *testing.T) {
	needNode(t)
	pol := sandboxPolicy(t)
	for _, tt := range []struct{ file, rule string }{
		{"kube-system.yaml", "(policy sandbox: namespaces)"},
		{"scheduled-network-target.yaml", "spec.faults[0].chaosMesh.spec.networkChaos.target.selector.namespaces[0]: namespace kube-system is not one this deployment may select pods in (allowed: sock-shop) (policy sandbox: namespaces)"},
		{"other-cluster.yaml", "(policy sandbox: clusters)"},
		{"nodegroups-by-tags.yaml", "spec.faults[0].fis.targets.Nodegroups: selects aws:eks:nodegroup resources by tags or filters"},
		{"no-stop-condition.yaml", "(policy sandbox: requireStopConditions)"},
		{"litmus-overrides.yaml", "spec.faults[0].litmus.spec.experiments[0].spec.components.experimentImage: replaces the image of the ChaosExperiment this deployment allows by name"},
		{"too-hard.yaml", "spec.faults[1].chaosMesh.spec.stressors.memory.size: 257MB is more than this deployment allows (256MB) (policy sandbox: chaosMesh.limits.maxMemorySize)"},
		{"long-timeout.yaml", "spec.timeouts.experiment: 11h0m0s is above the longest experiment this deployment allows, 1h0m0s: shorten it (policy sandbox: maxExperimentDuration)"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			srv := startSim(t, sim.Options{})
			spec, yaml := load(t, "../validate/testdata/crafted/"+tt.file)
			res := run(t, srv, spec, yaml, func(o *Options) { o.Policy = pol })
			if res.Status != "FAILED" || res.Error != gameday.ErrNamePolicyViolation || !strings.Contains(res.Cause, tt.rule) {
				t.Fatalf("execution %s %s: %s; want FAILED with %s naming %s", res.Status, res.Error, res.Cause, gameday.ErrNamePolicyViolation, tt.rule)
			}
			assertNothingCreated(t, srv)
		})
	}
}

// sandboxPolicy is the example deployment's policy, examples/policy/sandbox.yaml.
func sandboxPolicy(t *testing.T) *policy.Policy {
	t.Helper()
	data, err := os.ReadFile("../../examples/policy/sandbox.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse("sandbox.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}
