package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/policy"
)

func examplePolicy(t *testing.T) *policy.Policy {
	t.Helper()
	data, err := os.ReadFile("../../examples/policy/sandbox.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("sandbox.yaml", data)
	if err != nil {
		t.Fatalf("the example policy: %v", err)
	}
	return p
}

// TestCraftedGameDays: each crafted GameDay of testdata/crafted, with and
// without the example deployment's policy, gets exactly these refusals.
func TestCraftedGameDays(t *testing.T) {
	pol := examplePolicy(t)
	const dir = "testdata/crafted/"
	tests := []struct {
		file     string
		noPolicy []string // validate FILE
		policy   []string // validate --policy sandbox.yaml FILE
	}{
		{file: "ok.yaml"},
		{
			file:   "other-cluster.yaml",
			policy: []string{"other-cluster.yaml:7:5: spec.target.cluster: cluster arn:aws:eks:us-east-1:123456789012:cluster/production is not one this deployment may target (allowed: arn:aws:eks:us-east-1:123456789012:cluster/sandbox) (policy sandbox: clusters)"},
		},
		{
			file:   "kube-system.yaml",
			policy: []string{"kube-system.yaml:17:35: spec.faults[0].chaosMesh.spec.selector.namespaces[0]: namespace kube-system is not one this deployment may select pods in (allowed: sock-shop) (policy sandbox: namespaces)"},
		},
		{
			// The escape hatch is checked as a chaosMesh: fault is, policy or not.
			file:     "raw-podchaos-all.yaml",
			noPolicy: []string{"raw-podchaos-all.yaml:16:11: spec.faults[0].fis.parameters.kubernetesSpec.selector: selects every pod of namespace(s) sock-shop: add labelSelectors, expressionSelectors, fieldSelectors, annotationSelectors or pods, or set allowWideBlastRadius: true on the fault"},
			policy:   []string{"raw-podchaos-all.yaml:16:11: spec.faults[0].fis.parameters.kubernetesSpec.selector: selects every pod of namespace(s) sock-shop: add labelSelectors, expressionSelectors, fieldSelectors, annotationSelectors or pods, or set allowWideBlastRadius: true on the fault"},
		},
		{
			file:     "raw-kube-system-long.yaml",
			noPolicy: []string{"raw-kube-system-long.yaml:17:11: spec.faults[0].fis.parameters.maxDuration: 5m0s is not longer than the CR's duration 10m0s: FIS requires the CR's duration to be shorter than maxDuration; raise maxDuration or omit it (default: duration + 1m)"},
			policy:   []string{"raw-kube-system-long.yaml:17:11: spec.faults[0].fis.parameters.maxDuration: 5m0s is not longer than the CR's duration 10m0s: FIS requires the CR's duration to be shorter than maxDuration; raise maxDuration or omit it (default: duration + 1m)"},
		},
		{
			// A NetworkChaos's target selects pods too; with direction both
			// they are injected, so it may not pick every pod of a namespace.
			file:     "network-target.yaml",
			noPolicy: []string{"network-target.yaml:21:31: spec.faults[0].chaosMesh.spec.target.selector: selects every pod of namespace(s) kube-system: add labelSelectors, expressionSelectors, fieldSelectors, annotationSelectors or pods, or set allowWideBlastRadius: true on the fault"},
			policy:   []string{"network-target.yaml:21:31: spec.faults[0].chaosMesh.spec.target.selector: selects every pod of namespace(s) kube-system: add labelSelectors, expressionSelectors, fieldSelectors, annotationSelectors or pods, or set allowWideBlastRadius: true on the fault"},
		},
		{
			file: "scheduled-network-target.yaml",
			policy: []string{
				"scheduled-network-target.yaml:14:9: spec.faults[0].chaosMesh.kind: Chaos Mesh kind Schedule is not one this deployment allows (allowed: HTTPChaos, IOChaos, NetworkChaos, PodChaos, StressChaos) (policy sandbox: chaosMesh.kinds)",
				// The Schedule's embedded chaos is held to the limits too.
				"scheduled-network-target.yaml:23:21: spec.faults[0].chaosMesh.spec.networkChaos.delay.latency: 500ms is more than this deployment allows (250ms) (policy sandbox: chaosMesh.limits.maxLatency)",
				"scheduled-network-target.yaml:27:57: spec.faults[0].chaosMesh.spec.networkChaos.target.selector.namespaces[0]: namespace kube-system is not one this deployment may select pods in (allowed: sock-shop) (policy sandbox: namespaces)",
			},
		},
		{
			// An allowed raw action whose node groups are chosen by tag could
			// pick those of any cluster.
			file:   "nodegroups-by-tags.yaml",
			policy: []string{"nodegroups-by-tags.yaml:17:11: spec.faults[0].fis.targets.Nodegroups: selects aws:eks:nodegroup resources by tags or filters, which may pick those of any cluster: name them in resourceArns so the cluster can be judged (allowed: arn:aws:eks:us-east-1:123456789012:cluster/sandbox) (policy sandbox: clusters)"},
		},
		{
			// A key twice in the escape hatch's JSON: readers may keep either.
			file:     "raw-repeated-key.yaml",
			noPolicy: []string{`raw-repeated-key.yaml:28:11: spec.faults[0].fis.parameters.kubernetesSpec: repeats key "selector" in one object: keep one (JSON readers differ on which of the two they keep)`},
			policy:   []string{`raw-repeated-key.yaml:28:11: spec.faults[0].fis.parameters.kubernetesSpec: repeats key "selector" in one object: keep one (JSON readers differ on which of the two they keep)`},
		},
		{
			// An allowed experiment by name, whose engine swaps the code that
			// runs, points it at kube-system or runs commands through probes.
			file: "litmus-overrides.yaml",
			policy: []string{
				`litmus-overrides.yaml:22:22: spec.faults[0].litmus.spec.components.runner.image: the Litmus installation sets the chaos runner's image: remove it (policy sandbox: litmus.experiments)`,
				`litmus-overrides.yaml:22:49: spec.faults[0].litmus.spec.components.runner.command: the Litmus installation sets the chaos runner's command: remove it (policy sandbox: litmus.experiments)`,
				`litmus-overrides.yaml:22:64: spec.faults[0].litmus.spec.components.runner.args: the Litmus installation sets the chaos runner's args: remove it (policy sandbox: litmus.experiments)`,
				`litmus-overrides.yaml:27:19: spec.faults[0].litmus.spec.experiments[0].spec.components.experimentImage: replaces the image of the ChaosExperiment this deployment allows by name: remove it (set the image in the ChaosExperiment) (policy sandbox: litmus.experiments)`,
				`litmus-overrides.yaml:29:45: spec.faults[0].litmus.spec.experiments[0].spec.components.env[0].value: namespace kube-system is not one this deployment may select pods in (allowed: sock-shop) (policy sandbox: namespaces)`,
				`litmus-overrides.yaml:31:24: spec.faults[0].litmus.spec.experiments[0].spec.components.env[2].name: TARGETS names the experiment's targets where this deployment cannot judge them: name them in appinfo or selectors (policy sandbox: namespaces)`,
				`litmus-overrides.yaml:35:21: spec.faults[0].litmus.spec.experiments[0].spec.probe[0].type: a cmdProbe runs a command of the GameDay's choosing with the experiment's service account: use an httpProbe, promProbe or k8sProbe (policy sandbox: litmus.experiments)`,
				`litmus-overrides.yaml:42:92: spec.faults[0].litmus.spec.experiments[0].spec.probe[1].k8sProbe/inputs.operation: a k8sProbe that can delete resources changes the cluster beyond the experiment: use present or absent (policy sandbox: litmus.experiments)`,
			},
		},
		{
			// The fault's maxDuration does not shorten the action's own duration.
			file: "raw-masked-duration.yaml",
			policy: []string{
				"raw-masked-duration.yaml:8:3: spec.faults: the longest fault path takes up to 11h0m0s, above the longest experiment this deployment allows, 1h0m0s: shorten the faults' durations (policy sandbox: maxExperimentDuration)",
				"raw-masked-duration.yaml:14:9: spec.faults[0].fis.actionId: raw FIS action aws:eks:pod-network-latency is not one this deployment allows (allowed: aws:eks:terminate-nodegroup-instances) (policy sandbox: fisActions)",
			},
		},
		{
			// A selector "narrowed" by a label no pod has is every pod.
			file:     "wide-by-expression.yaml",
			noPolicy: []string{"wide-by-expression.yaml:20:11: spec.faults[0].chaosMesh.spec.selector: selects every pod of namespace(s) sock-shop (NotIn and DoesNotExist expressions, and fieldSelectors on metadata.namespace, spec.restartPolicy, spec.schedulerName, status.phase, pick no part of it): add labelSelectors, expressionSelectors, fieldSelectors, annotationSelectors or pods, or set allowWideBlastRadius: true on the fault"},
			policy:   []string{"wide-by-expression.yaml:20:11: spec.faults[0].chaosMesh.spec.selector: selects every pod of namespace(s) sock-shop (NotIn and DoesNotExist expressions, and fieldSelectors on metadata.namespace, spec.restartPolicy, spec.schedulerName, status.phase, pick no part of it): add labelSelectors, expressionSelectors, fieldSelectors, annotationSelectors or pods, or set allowWideBlastRadius: true on the fault"},
		},
		{
			// Each intensity just over the example policy's chaosMesh.limits.
			file: "too-hard.yaml",
			policy: []string{
				`too-hard.yaml:19:11: spec.faults[0].chaosMesh.spec.delay: 200ms latency with 51ms jitter (up to 251ms) is more than this deployment allows (250ms) (policy sandbox: chaosMesh.limits.maxLatency)`,
				`too-hard.yaml:20:18: spec.faults[0].chaosMesh.spec.loss.loss: 5.5% is more than this deployment allows (5%) (policy sandbox: chaosMesh.limits.maxLossPercent)`,
				`too-hard.yaml:21:23: spec.faults[0].chaosMesh.spec.duplicate.duplicate: 1% is more than this deployment allows (0%) (policy sandbox: chaosMesh.limits.maxDuplicatePercent)`,
				`too-hard.yaml:22:21: spec.faults[0].chaosMesh.spec.corrupt.corrupt: 0.1% is more than this deployment allows (0%) (policy sandbox: chaosMesh.limits.maxCorruptPercent)`,
				`too-hard.yaml:23:18: spec.faults[0].chaosMesh.spec.rate.rate: 9mbit is less bandwidth than this deployment allows (at least 10mbit) (policy sandbox: chaosMesh.limits.minBandwidth)`,
				`too-hard.yaml:34:19: spec.faults[1].chaosMesh.spec.stressors.cpu.workers: 3 CPU workers are more than this deployment allows (2) (policy sandbox: chaosMesh.limits.maxCPUWorkers)`,
				`too-hard.yaml:34:31: spec.faults[1].chaosMesh.spec.stressors.cpu.load: 81% load is more than this deployment allows (80%) (policy sandbox: chaosMesh.limits.maxCPULoad)`,
				`too-hard.yaml:35:34: spec.faults[1].chaosMesh.spec.stressors.memory.size: 257MB is more than this deployment allows (256MB) (policy sandbox: chaosMesh.limits.maxMemorySize)`,
				`too-hard.yaml:36:11: spec.faults[1].chaosMesh.spec.stressngStressors: a raw stress-ng command line, which cannot be judged against the bounds of this deployment (maxCPUWorkers, maxCPULoad, maxMemorySize): use stressors.cpu (workers, load) or stressors.memory (size) (policy sandbox: chaosMesh.limits.allowStressngStressors)`,
				`too-hard.yaml:48:11: spec.faults[2].chaosMesh.spec.delay: 251ms is more than this deployment allows (250ms) (policy sandbox: chaosMesh.limits.maxLatency)`,
				`too-hard.yaml:49:11: spec.faults[2].chaosMesh.spec.percent: 51% is more than this deployment allows (50%) (policy sandbox: chaosMesh.limits.maxIOPercent)`,
				`too-hard.yaml:61:11: spec.faults[3].chaosMesh.spec.delay: 1s is more than this deployment allows (250ms) (policy sandbox: chaosMesh.limits.maxLatency)`,
				`too-hard.yaml:71:11: spec.faults[4].chaosMesh.spec.value: fixed-percent 51% of the pods selected is more than this deployment allows (50%) (policy sandbox: chaosMesh.limits.maxPodsPercent)`,
			},
		},
		{
			// The escape hatch's custom resource is held to the same limits.
			file: "raw-loss.yaml",
			policy: []string{
				`raw-loss.yaml:12:9: spec.faults[0].fis.actionId: raw FIS action aws:eks:inject-kubernetes-custom-resource is not one this deployment allows (allowed: aws:eks:terminate-nodegroup-instances) (policy sandbox: fisActions)`,
				`raw-loss.yaml:17:11: spec.faults[0].fis.parameters.kubernetesSpec.loss.loss: 100% is more than this deployment allows (5%) (policy sandbox: chaosMesh.limits.maxLossPercent)`,
			},
		},
		{
			file:   "no-stop-condition.yaml",
			policy: []string{"no-stop-condition.yaml:5:1: spec.stopConditions: required: this deployment runs no GameDay without a stop-condition alarm; add one under stopConditions (policy sandbox: requireStopConditions)"},
		},
		{
			file:   "long-timeout.yaml",
			policy: []string{"long-timeout.yaml:28:5: spec.timeouts.experiment: 11h0m0s is above the longest experiment this deployment allows, 1h0m0s: shorten it (policy sandbox: maxExperimentDuration)"},
		},
		{
			file:   "wide-blast-radius.yaml",
			policy: []string{"wide-blast-radius.yaml:10:7: spec.faults[0].allowWideBlastRadius: this deployment allows no fault that selects every pod of a namespace: remove allowWideBlastRadius and select pods by label (policy sandbox: allowWideBlastRadius)"},
		},
		{
			file:   "aws-chaos.yaml",
			policy: []string{"aws-chaos.yaml:12:9: spec.faults[0].chaosMesh.kind: Chaos Mesh kind AWSChaos is not one this deployment allows (allowed: HTTPChaos, IOChaos, NetworkChaos, PodChaos, StressChaos); it acts outside the cluster's pods, so a policy must name it to allow it (policy sandbox: chaosMesh.kinds)"},
		},
		{
			file:   "raw-action.yaml",
			policy: []string{"raw-action.yaml:11:9: spec.faults[0].fis.actionId: raw FIS action aws:ec2:terminate-instances is not one this deployment allows (allowed: aws:eks:terminate-nodegroup-instances) (policy sandbox: fisActions)"},
		},
		{
			file:   "litmus-experiment.yaml",
			policy: []string{"litmus-experiment.yaml:18:15: spec.faults[0].litmus.spec.experiments[0].name: Litmus experiment node-drain is not one this deployment allows (allowed: pod-delete) (policy sandbox: litmus.experiments)"},
		},
		{
			// An allowed experiment on more of the application's pods than litmus.maxPodsPercent.
			file: "litmus-too-many.yaml",
			policy: []string{
				"litmus-too-many.yaml:23:50: spec.faults[0].litmus.spec.experiments[0].spec.components.env[1].value: 51% of the application's pods is more than this deployment allows (50%) (policy sandbox: litmus.maxPodsPercent)",
				"litmus-too-many.yaml:24:43: spec.faults[0].litmus.spec.experiments[0].spec.components.env[2].value: 2 pods named cannot be judged as a share of the application's pods (this deployment allows 50%): name one, or use PODS_AFFECTED_PERC (policy sandbox: litmus.maxPodsPercent)",
			},
		},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(dir + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name string
				pol  *policy.Policy
				want []string
			}{{"no policy", nil, tt.noPolicy}, {"policy", pol, tt.policy}} {
				_, err := FileUnder(tt.file, data, c.pol, policy.Where{})
				if diff := cmp.Diff(lines(err), c.want); diff != "" {
					t.Errorf("%s: refusals (-got +want):\n%s", c.name, diff)
				}
			}
		})
	}
	files, _ := filepath.Glob(dir + "*.yaml")
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no case in the table", f)
		}
	}
}

// TestExamplesUnderExamplePolicy: the example deployment's policy admits
// every GameDay of examples/.
func TestExamplesUnderExamplePolicy(t *testing.T) {
	pol := examplePolicy(t)
	files, err := filepath.Glob("../../examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := FileUnder(f, data, pol, policy.Where{}); err != nil {
			t.Errorf("%s refused:\n%v", f, err)
		}
	}
}

func lines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}
