package policy

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

func TestParseExample(t *testing.T) {
	data, err := os.ReadFile("../../examples/policy/sandbox.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("sandbox.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.ActionIDs(), []string{"aws:eks:inject-kubernetes-custom-resource", "aws:eks:terminate-nodegroup-instances"}; !cmp.Equal(got, want) {
		t.Errorf("ActionIDs = %v, want %v", got, want)
	}
	if !p.RequiresStopConditions() || !p.AllowsSchedules() || p.Spec.MaxExperimentDuration.Duration != time.Hour {
		t.Errorf("defaults or values wrong: %+v", p.Spec)
	}
	js, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromJSON(js)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Sparse("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", map[string]string{"LoadBalancer": "app/shop/1"}); got == nil {
		t.Errorf("Sparse = nil, want the sandbox's HTTPCode_Target_5XX_Count: %+v", p.Spec.SparseMetrics)
	} else if want := "sandbox.yaml:51:7"; p.At("spec.sparseMetrics[0]") != want {
		t.Errorf("At(sparseMetrics[0]) = %s, want %s", p.At("spec.sparseMetrics[0]"), want)
	}
	if got, want := p.At("spec.maxExperimentDuration"), "sandbox.yaml:41:3"; got != want {
		t.Errorf("At = %s, want %s", got, want)
	}
	if diff := cmp.Diff(back, p, cmp.AllowUnexported(Policy{}), cmpopts.IgnoreFields(Policy{}, "doc")); diff != "" {
		t.Errorf("JSON round trip (-got +want):\n%s", diff)
	}
}

// TestSparse: the policy's entry for a metric, exact dimensions first.
func TestSparse(t *testing.T) {
	svc := map[string]string{"service": "payment"}
	p := &Policy{Spec: Rules{SparseMetrics: []SparseMetric{
		{Namespace: "AWS/ApplicationELB", Name: "HTTPCode_Target_5XX_Count"},
		{Namespace: "SockShop", Name: "Failures"},
		{Namespace: "SockShop", Name: "Failures", Dimensions: svc},
		{Namespace: "SockShop", Name: "Refunds", Dimensions: svc},
	}}}
	tests := []struct {
		name, ns, metric string
		dims             map[string]string
		want             int // index in SparseMetrics, -1: none
	}{
		{"any dimensions", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", map[string]string{"LoadBalancer": "app/shop/1"}, 0},
		{"name typo", "AWS/ApplicationELB", "HTTPCode_Target_5xx_Count", nil, -1},
		{"namespace typo", "AWS/ELB", "HTTPCode_Target_5XX_Count", nil, -1},
		{"exact entry first", "SockShop", "Failures", map[string]string{"service": "payment"}, 2},
		{"other dimensions: the any entry", "SockShop", "Failures", map[string]string{"service": "orders"}, 1},
		{"exact entry only, other dimensions", "SockShop", "Refunds", map[string]string{"service": "orders"}, -1},
		{"exact entry only, more dimensions", "SockShop", "Refunds", map[string]string{"service": "payment", "pod": "p-1"}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Sparse(tt.ns, tt.metric, tt.dims)
			var want *SparseMetric
			if tt.want >= 0 {
				want = &p.Spec.SparseMetrics[tt.want]
			}
			if got != want {
				t.Errorf("Sparse() = %+v, want %+v", got, want)
			}
		})
	}
	if (*Policy)(nil).Sparse("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", nil) != nil {
		t.Error("a nil policy acknowledges a sparse metric")
	}
}

// TestParseBad: a bad policy file gets FILE:LINE:COL problems like a
// GameDay file.
func TestParseBad(t *testing.T) {
	const head = "apiVersion: gameday/v1alpha1\nkind: GameDayPolicy\nmetadata: {name: p}\n"
	tests := []struct {
		name, text string
		want       []string
	}{
		{"typo", head + "spec:\n  namespace: [a]\n", []string{`p.yaml:5:3: spec.namespace: unknown field "namespace" (did you mean "namespaces"?)`}},
		{"bad duration", head + "spec:\n  maxExperimentDuration: 90\n", []string{"p.yaml:5:3: spec.maxExperimentDuration: 90 is not a duration: write 90s, 5m or PT5M"}},
		{"above FIS", head + "spec:\n  maxExperimentDuration: 13h\n", []string{"p.yaml:5:3: spec.maxExperimentDuration: 13h0m0s is outside FIS's limit of 12h per experiment"}},
		{"sparse metric without a name", head + "spec:\n  sparseMetrics:\n    - {namespace: AWS/ApplicationELB}\n", []string{
			"p.yaml:6:7: spec.sparseMetrics[0].name: required: the metric's name, as CloudWatch spells it (for example HTTPCode_Target_5XX_Count)"}},
		{"sparse metric pattern", head + "spec:\n  sparseMetrics:\n    - {namespace: AWS/ApplicationELB, name: HTTPCode_*}\n", []string{
			`p.yaml:6:39: spec.sparseMetrics[0].name: "HTTPCode_*" is a pattern: name one metric exactly, so that no typo of another passes`}},
		{"sparse metric empty dimension", head + "spec:\n  sparseMetrics:\n    - {namespace: SockShop, name: Failures, dimensions: {service: \"\"}}\n", []string{
			`p.yaml:6:45: spec.sparseMetrics[0].dimensions: dimension "service"="": a dimension needs a name and a value; leave dimensions out to mean any`}},
		{"sparse metric typo", head + "spec:\n  sparseMetrics:\n    - {namespace: SockShop, metric: Failures}\n", []string{
			"p.yaml:6:7: spec.sparseMetrics[0].name: required: the metric's name, as CloudWatch spells it (for example HTTPCode_Target_5XX_Count)",
			`p.yaml:6:29: spec.sparseMetrics[0].metric: unknown field "metric" (known fields: dimensions, name, namespace)`}},
		{"litmus pods over 100", head + "spec:\n  litmus:\n    experiments: [pod-delete]\n    maxPodsPercent: 150\n", []string{
			"p.yaml:7:5: spec.litmus.maxPodsPercent: 150 is not a percentage from 0 to 100"}},
		{"kind", "apiVersion: gameday/v1alpha1\nkind: GameDay\nmetadata: {name: p}\nspec: {}\n", []string{`p.yaml:2:1: kind: must be GameDayPolicy, not "GameDay"`}},
		{"a GameDay file", "apiVersion: gameday/v1alpha1\nkind: GameDay\nmetadata: {name: g, owner: o}\nspec:\n  target: {cluster: c}\n  faults: []\n", []string{`p.yaml:2:1: kind: must be GameDayPolicy, not "GameDay"`}},
		{"another kind", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata: {a: b}\n", []string{
			`p.yaml:1:1: apiVersion: must be gameday/v1alpha1, not "v1"`,
			`p.yaml:2:1: kind: must be GameDayPolicy, not "ConfigMap"`,
		}},
		{"apiVersion", "apiVersion: gameday/v1\nkind: GameDayPolicy\nmetadata: {name: p}\nspec: {}\n", []string{`p.yaml:1:1: apiVersion: must be gameday/v1alpha1, not "gameday/v1"`}},
		{"no apiVersion or kind", "metadata: {name: p}\nspec: {}\n", []string{
			"p.yaml:1:1: apiVersion: required: write apiVersion: gameday/v1alpha1",
			"p.yaml:1:1: kind: required: write kind: GameDayPolicy",
		}},
		{"no name", "apiVersion: gameday/v1alpha1\nkind: GameDayPolicy\nspec: {}\n", []string{"p.yaml:1:1: metadata.name: required: a name for the policy, quoted in every refusal (for example staging)"}},
		{"cluster", head + "spec:\n  clusters: [sandbox]\n", []string{`p.yaml:5:14: spec.clusters[0]: "sandbox" is not an EKS cluster ARN: write arn:aws:eks:REGION:ACCOUNT:cluster/NAME (* allowed in NAME)`}},
		{"kind name", head + "spec:\n  chaosMesh: {kinds: [Pod]}\n", []string{`p.yaml:5:23: spec.chaosMesh.kinds[0]: unknown Chaos Mesh kind "Pod": FIS accepts ` + strings.Join(gameday.ChaosMeshKinds, ", ")}},
		{"action", head + "spec:\n  fisActions: [stop-instances]\n", []string{`p.yaml:5:16: spec.fisActions[0]: "stop-instances" is not an FIS action id: write aws:<service>:<action>`}},
		{"unknown action", head + "spec:\n  fisActions: [aws:ec2:stop-instance]\n", []string{`p.yaml:5:16: spec.fisActions[0]: "aws:ec2:stop-instance" is not an action of the FIS actions reference (` + fisactions.Source + `)`}},
		{"actions of a kind not allowed", head + "spec:\n  chaosMesh: {kinds: [PodChaos], actions: {JVMChaos: [latency]}}\n", []string{
			"p.yaml:5:44: spec.chaosMesh.actions.JVMChaos: JVMChaos is not in chaosMesh.kinds, so none of its actions is allowed: list the kind there, or remove this entry"}},
		{"actions of a kind without any", head + "spec:\n  chaosMesh: {kinds: [HTTPChaos], actions: {HTTPChaos: [abort]}}\n", []string{
			"p.yaml:5:45: spec.chaosMesh.actions.HTTPChaos: HTTPChaos has no spec.action to narrow: remove this entry"}},
		{"no action", head + "spec:\n  chaosMesh: {kinds: [PodChaos], actions: {PodChaos: []}}\n", []string{
			"p.yaml:5:44: spec.chaosMesh.actions.PodChaos: empty: list the PodChaos actions allowed (pod-kill, pod-failure, container-kill), or remove PodChaos from chaosMesh.kinds"}},
		{"unknown action", head + "spec:\n  chaosMesh: {kinds: [PodChaos], actions: {PodChaos: [pod-kill, kill]}}\n", []string{
			`p.yaml:5:65: spec.chaosMesh.actions.PodChaos[1]: unknown PodChaos action "kill": Chaos Mesh has pod-kill, pod-failure, container-kill`}},
		{"not yaml", "spec: [\n", []string{"p.yaml:1:7: not valid YAML"}},
		{"empty", "", []string{"p.yaml: empty file: a GameDayPolicy starts with apiVersion: gameday/v1alpha1 and kind: GameDayPolicy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tt.text))
			if err == nil {
				t.Fatal("Parse accepted it")
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("got %q, want it to start with %q", got[i], tt.want[i])
				}
			}
		})
	}
}

func spec(mutate func(*gameday.Spec)) *gameday.Spec {
	s := &gameday.Spec{Metadata: gameday.Metadata{Name: "g"}}
	s.Spec.Target.Cluster = "arn:aws:eks:us-east-1:111111111111:cluster/sandbox"
	s.Spec.StopConditions = []gameday.StopCondition{{AlarmARN: "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a"}}
	s.Spec.Faults = []gameday.Fault{{Name: "f", FIS: &gameday.FISAction{ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT5M"}}}}
	if mutate != nil {
		mutate(s)
	}
	return s
}

func TestCheck(t *testing.T) {
	no := false
	p := &Policy{Metadata: Metadata{Name: "p"}, Spec: Rules{
		Clusters:              []string{"arn:aws:eks:us-east-1:111111111111:cluster/sand*"},
		Namespaces:            []string{"shop"},
		FISActions:            []string{"aws:fis:wait", "aws:eks:terminate-nodegroup-instances", "aws:eks:pod-delete"},
		MaxExperimentDuration: gameday.Duration{Duration: time.Hour},
		Schedules:             &no,
	}}
	tests := []struct {
		name  string
		spec  *gameday.Spec
		where Where
		want  []string
	}{
		{"allowed", spec(nil), Where{}, nil},
		{"cluster name offline", spec(func(s *gameday.Spec) { s.Spec.Target = gameday.Target{ClusterName: "sandbox-2"} }), Where{}, nil},
		{"cluster name elsewhere", spec(func(s *gameday.Spec) { s.Spec.Target = gameday.Target{ClusterName: "sandbox"} }), Where{Region: "eu-west-1", Account: "111111111111"},
			[]string{"spec.target.clusterName: cluster sandbox is not one this deployment may target (allowed: arn:aws:eks:us-east-1:111111111111:cluster/sand*) (policy p: clusters)"}},
		{"no stop condition", spec(func(s *gameday.Spec) { s.Spec.StopConditions = nil }), Where{},
			[]string{"spec.stopConditions: required: this deployment runs no GameDay without a stop-condition alarm; add one under stopConditions (policy p: requireStopConditions)"}},
		{"schedule", spec(func(s *gameday.Spec) { s.Spec.Schedule = &gameday.Schedule{Expression: "rate(1 day)"} }), Where{},
			[]string{"spec.schedule: this deployment does not run GameDays on a schedule: remove schedule and start it by hand (policy p: schedules)"}},
		{"fault path too long", spec(func(s *gameday.Spec) { s.Spec.Faults[0].FIS.Parameters["duration"] = "PT2H" }), Where{},
			[]string{"spec.faults: the longest fault path takes up to 2h0m0s, above the longest experiment this deployment allows, 1h0m0s: shorten the faults' durations (policy p: maxExperimentDuration)"}},
		{"fault's maxDuration shorter than the action's", spec(func(s *gameday.Spec) {
			s.Spec.Faults[0].FIS.Parameters["duration"] = "PT2H"
			s.Spec.Faults[0].MaxDuration = gameday.Duration{Duration: 5 * time.Minute}
		}), Where{},
			[]string{"spec.faults: the longest fault path takes up to 2h0m0s, above the longest experiment this deployment allows, 1h0m0s: shorten the faults' durations (policy p: maxExperimentDuration)"}},
		{"default timeout too long", spec(func(s *gameday.Spec) { s.Spec.Faults[0].FIS.Parameters["duration"] = "PT50M" }), Where{},
			[]string{"spec.timeouts: the default experiment timeout (longest fault path + 15m) is 1h5m0s, above the longest experiment this deployment allows, 1h0m0s: set timeouts.experiment to at most 1h0m0s (policy p: maxExperimentDuration)"}},
		{"node group of another cluster", spec(func(s *gameday.Spec) {
			s.Spec.Faults[0].FIS = &gameday.FISAction{ActionID: "aws:eks:terminate-nodegroup-instances", Targets: map[string]gameday.FISTarget{
				"Nodegroups": {ResourceType: "aws:eks:nodegroup", ResourceArns: []string{"arn:aws:eks:us-east-1:111111111111:nodegroup/prod/workers/abc"}, SelectionMode: "ALL"}}}
		}), Where{}, []string{"spec.faults[0].fis.targets.Nodegroups.resourceArns[0]: arn:aws:eks:us-east-1:111111111111:nodegroup/prod/workers/abc is in cluster arn:aws:eks:us-east-1:111111111111:cluster/prod, not one this deployment may target (allowed: arn:aws:eks:us-east-1:111111111111:cluster/sand*) (policy p: clusters)"}},
		{"node groups by tags", spec(func(s *gameday.Spec) {
			s.Spec.Faults[0].FIS = &gameday.FISAction{ActionID: "aws:eks:terminate-nodegroup-instances", Targets: map[string]gameday.FISTarget{
				"Nodegroups": {ResourceType: "aws:eks:nodegroup", ResourceTags: map[string]string{"env": "production"}, SelectionMode: "ALL"}}}
		}), Where{}, []string{"spec.faults[0].fis.targets.Nodegroups: selects aws:eks:nodegroup resources by tags or filters, which may pick those of any cluster: name them in resourceArns so the cluster can be judged (allowed: arn:aws:eks:us-east-1:111111111111:cluster/sand*) (policy p: clusters)"}},
		{"node group by filters", spec(func(s *gameday.Spec) {
			s.Spec.Faults[0].FIS = &gameday.FISAction{ActionID: "aws:eks:terminate-nodegroup-instances", Targets: map[string]gameday.FISTarget{
				"Nodegroups": {ResourceType: "aws:eks:nodegroup", Filters: []gameday.FISFilter{{Path: "ClusterName", Values: []string{"prod"}}}, SelectionMode: "COUNT(1)"}}}
		}), Where{}, []string{"spec.faults[0].fis.targets.Nodegroups: selects aws:eks:nodegroup resources by tags or filters, which may pick those of any cluster: name them in resourceArns so the cluster can be judged (allowed: arn:aws:eks:us-east-1:111111111111:cluster/sand*) (policy p: clusters)"}},
		{"node group ARN that names no cluster", spec(func(s *gameday.Spec) {
			s.Spec.Faults[0].FIS = &gameday.FISAction{ActionID: "aws:eks:terminate-nodegroup-instances", Targets: map[string]gameday.FISTarget{
				"Nodegroups": {ResourceType: "aws:eks:nodegroup", ResourceArns: []string{"*"}, SelectionMode: "ALL"}}}
		}), Where{}, []string{"spec.faults[0].fis.targets.Nodegroups.resourceArns[0]: * is not the ARN of an EKS cluster or node group, so its cluster cannot be judged (allowed: arn:aws:eks:us-east-1:111111111111:cluster/sand*) (policy p: clusters)"}},
		{"node group of an allowed cluster", spec(func(s *gameday.Spec) {
			s.Spec.Faults[0].FIS = &gameday.FISAction{ActionID: "aws:eks:terminate-nodegroup-instances", Targets: map[string]gameday.FISTarget{
				"Nodegroups": {ResourceType: "aws:eks:nodegroup", ResourceArns: []string{"arn:aws:eks:us-east-1:111111111111:nodegroup/sandbox/workers/abc"}, SelectionMode: "ALL"}}}
		}), Where{}, nil},
		{"pods of another namespace", spec(func(s *gameday.Spec) {
			s.Spec.Faults[0].FIS = &gameday.FISAction{ActionID: "aws:eks:pod-delete", Targets: map[string]gameday.FISTarget{
				"Pods": {ResourceType: "aws:eks:pod", SelectionMode: "ALL", Parameters: map[string]string{"clusterIdentifier": "sandbox", "namespace": "kube-system"}}}}
		}), Where{}, []string{"spec.faults[0].fis.targets.Pods.parameters.namespace: namespace kube-system is not one this deployment may select pods in (allowed: shop) (policy p: namespaces)"}},
		{"schedule of a kind not allowed", spec(func(s *gameday.Spec) {
			s.Spec.Faults[0] = gameday.Fault{Name: "f", ChaosMesh: &gameday.CustomResource{TypeMeta: gameday.TypeMeta{Kind: "Schedule"}, Metadata: gameday.ObjectMeta{Namespace: "shop"},
				Spec: map[string]any{"type": "PodChaos", "podChaos": map[string]any{"selector": map[string]any{"namespaces": []any{"other"}}}}}}
		}), Where{}, []string{
			"spec.faults[0].chaosMesh.kind: Chaos Mesh kind Schedule is not one this deployment allows (the policy allows none) (policy p: chaosMesh.kinds)",
			"spec.faults[0].chaosMesh.spec.podChaos.selector.namespaces[0]: namespace other is not one this deployment may select pods in (allowed: shop) (policy p: namespaces)",
			"spec.faults[0].chaosMesh.spec.type: Chaos Mesh kind PodChaos is not one this deployment allows (the policy allows none) (policy p: chaosMesh.kinds)",
		}},
		{"CR in its own namespace", spec(func(s *gameday.Spec) {
			s.Spec.Faults[0] = gameday.Fault{Name: "f", ChaosMesh: &gameday.CustomResource{TypeMeta: gameday.TypeMeta{Kind: "PodChaos"},
				Spec: map[string]any{"selector": map[string]any{"labelSelectors": map[string]any{"a": "b"}}}}}
		}), Where{}, []string{
			"spec.faults[0].chaosMesh.kind: Chaos Mesh kind PodChaos is not one this deployment allows (the policy allows none) (policy p: chaosMesh.kinds)",
			"spec.faults[0].chaosMesh.metadata.namespace: namespace default is not one this deployment may create the custom resource in (allowed: shop) (policy p: namespaces)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(refusals(p, tt.spec, tt.where), tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

// TestCheckSelectors: every place a Chaos Mesh CR selects pods is judged
// against the policy's namespaces, not only spec.selector.
func TestCheckSelectors(t *testing.T) {
	p := &Policy{Metadata: Metadata{Name: "p"}, Spec: Rules{
		Clusters:   []string{"arn:aws:eks:us-east-1:111111111111:cluster/sandbox"},
		Namespaces: []string{"shop"},
		ChaosMesh:  ChaosMeshRules{Kinds: []string{"HTTPChaos", "NetworkChaos", "Schedule"}},
	}}
	chaos := func(kind string, crSpec map[string]any) *gameday.Spec {
		return spec(func(s *gameday.Spec) {
			s.Spec.Faults[0] = gameday.Fault{Name: "f", ChaosMesh: &gameday.CustomResource{TypeMeta: gameday.TypeMeta{Kind: kind}, Metadata: gameday.ObjectMeta{Namespace: "shop"}, Spec: crSpec}}
		})
	}
	type m = map[string]any
	type l = []any
	tests := []struct {
		name string
		spec *gameday.Spec
		want []string
	}{
		// A NetworkChaos's target is a PodSelector too (Chaos Mesh's
		// GetSelectorSpecs: ".Target"); with direction from or both its
		// pods are injected.
		{"network target in other namespaces", chaos("NetworkChaos", m{"direction": "both", "selector": m{"namespaces": l{"shop"}},
			"target": m{"mode": "all", "selector": m{"namespaces": l{"kube-system"}, "pods": m{"other": l{"p"}}}}}), []string{
			"spec.faults[0].chaosMesh.spec.target.selector.namespaces[0]: namespace kube-system is not one this deployment may select pods in (allowed: shop) (policy p: namespaces)",
			"spec.faults[0].chaosMesh.spec.target.selector.pods.other: namespace other is not one this deployment may select pods in (allowed: shop) (policy p: namespaces)",
		}},
		{"network target in a schedule", chaos("Schedule", m{"type": "NetworkChaos", "networkChaos": m{"direction": "from", "selector": m{"namespaces": l{"shop"}},
			"target": m{"mode": "one", "selector": m{"namespaces": l{"kube-system"}}}}}), []string{
			"spec.faults[0].chaosMesh.spec.networkChaos.target.selector.namespaces[0]: namespace kube-system is not one this deployment may select pods in (allowed: shop) (policy p: namespaces)",
		}},
		{"network target within the policy", chaos("NetworkChaos", m{"direction": "both", "selector": m{"namespaces": l{"shop"}},
			"target": m{"mode": "one", "selector": m{"namespaces": l{"shop"}}}}), nil},
		// HTTPChaos's target is a string (Request or Response), no selector.
		{"http target", chaos("HTTPChaos", m{"target": "Request", "selector": m{"namespaces": l{"shop"}}}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(refusals(p, tt.spec, Where{}), tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

// TestCheckActions: chaosMesh.actions narrows a kind to some of its
// actions, in a CR and in every chaos a Schedule embeds; a kind without an
// entry keeps every action.
func TestCheckActions(t *testing.T) {
	p := &Policy{Metadata: Metadata{Name: "p"}, Spec: Rules{
		Clusters:   []string{"arn:aws:eks:us-east-1:111111111111:cluster/sandbox"},
		Namespaces: []string{"shop"},
		ChaosMesh: ChaosMeshRules{
			Kinds:   []string{"JVMChaos", "NetworkChaos", "PodChaos", "Schedule"},
			Actions: map[string][]string{"JVMChaos": {"latency", "exception"}, "PodChaos": {"pod-kill"}},
		},
	}}
	type m = map[string]any
	sel := func() m { return m{"namespaces": []any{"shop"}} }
	chaos := func(kind string, crSpec m) *gameday.Spec {
		return spec(func(s *gameday.Spec) {
			s.Spec.Faults[0] = gameday.Fault{Name: "f", ChaosMesh: &gameday.CustomResource{TypeMeta: gameday.TypeMeta{Kind: kind}, Metadata: gameday.ObjectMeta{Namespace: "shop"}, Spec: crSpec}}
		})
	}
	const at = "spec.faults[0].chaosMesh.spec."
	tests := []struct {
		name string
		spec *gameday.Spec
		want []string
	}{
		{"allowed action", chaos("JVMChaos", m{"action": "latency", "selector": sel()}), nil},
		{"JVM rule data", chaos("JVMChaos", m{"action": "ruleData", "ruleData": "RULE x", "selector": sel()}), []string{
			at + `action: JVMChaos action "ruleData" is not one this deployment allows (latency, exception) (policy p: chaosMesh.actions)`}},
		{"no action", chaos("PodChaos", m{"selector": sel()}), []string{
			at + `action: PodChaos action "" is not one this deployment allows (pod-kill) (policy p: chaosMesh.actions)`}},
		{"kind without an entry", chaos("NetworkChaos", m{"action": "partition", "selector": sel()}), nil},
		// Every chaos a Schedule embeds is judged, not only its type's.
		{"in a schedule", chaos("Schedule", m{"type": "NetworkChaos", "networkChaos": m{"action": "delay", "selector": sel()},
			"podChaos": m{"action": "pod-failure", "selector": sel()}}), []string{
			at + `podChaos.action: PodChaos action "pod-failure" is not one this deployment allows (pod-kill) (policy p: chaosMesh.actions)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(refusals(p, tt.spec, Where{}), tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

// TestCheckLitmusOverrides: a ChaosEngine of an allowed experiment may not
// swap the code that runs, add containers, run commands through probes or
// point the experiment elsewhere through its env.
func TestCheckLitmusOverrides(t *testing.T) {
	p := &Policy{Metadata: Metadata{Name: "p"}, Spec: Rules{
		Clusters:   []string{"arn:aws:eks:us-east-1:111111111111:cluster/sandbox"},
		Namespaces: []string{"shop"},
		Litmus:     LitmusRules{Experiments: []string{"pod-delete"}},
	}}
	type m = map[string]any
	type l = []any
	engine := func(engineSpec m, experimentSpec m) *gameday.Spec {
		engineSpec["experiments"] = l{m{"name": "pod-delete", "spec": experimentSpec}}
		return spec(func(s *gameday.Spec) {
			s.Spec.Faults[0] = gameday.Fault{Name: "f", Litmus: &gameday.CustomResource{TypeMeta: gameday.TypeMeta{Kind: gameday.LitmusKind}, Metadata: gameday.ObjectMeta{Namespace: "shop"}, Spec: engineSpec}}
		})
	}
	const at = "spec.faults[0].litmus.spec."
	tests := []struct {
		name string
		spec *gameday.Spec
		want []string
	}{
		{"as installed", engine(m{"appinfo": m{"appns": "shop", "applabel": "app=a"}}, m{"components": m{"env": l{m{"name": "TOTAL_CHAOS_DURATION", "value": "30"}, m{"name": "APP_NAMESPACE", "value": "shop"}}},
			"probe": l{m{"type": "httpProbe"}, m{"type": "promProbe"}, m{"type": "k8sProbe", "k8sProbe/inputs": m{"operation": "present"}}}}), nil},
		{"sidecar", engine(m{"components": m{"sidecar": l{m{"image": "x"}}}}, m{}), []string{
			at + "components.sidecar: a sidecar runs code of the GameDay's choosing beside the experiment: remove it (policy p: litmus.experiments)"}},
		{"namespace from elsewhere", engine(m{}, m{"components": m{"env": l{m{"name": "APP_NAMESPACE", "valueFrom": m{"configMapKeyRef": m{"name": "c", "key": "k"}}}}}}), []string{
			at + "experiments[0].spec.components.env[0].valueFrom: APP_NAMESPACE from valueFrom cannot be judged: name the application's namespace in appinfo.appns (policy p: namespaces)"}},
		{"probe that creates", engine(m{}, m{"probe": l{m{"type": "k8sProbe", "k8sProbe/inputs": m{"operation": "create"}}}}), []string{
			at + "experiments[0].spec.probe[0].k8sProbe/inputs.operation: a k8sProbe that can create resources changes the cluster beyond the experiment: use present or absent (policy p: litmus.experiments)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(refusals(p, tt.spec, Where{}), tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

// TestCheckLitmusPods: litmus.maxPodsPercent bounds the share of the
// application's pods an experiment acts on, as the engine's env says it;
// an env left out is the installed ChaosExperiment's, and counts beyond
// one pod cannot be judged as a share.
func TestCheckLitmusPods(t *testing.T) {
	type m = map[string]any
	type l = []any
	policyOf := func(max Percent) *Policy {
		return &Policy{Metadata: Metadata{Name: "p"}, Spec: Rules{
			Clusters:   []string{"arn:aws:eks:us-east-1:111111111111:cluster/sandbox"},
			Namespaces: []string{"shop"},
			Litmus:     LitmusRules{Experiments: []string{"pod-delete"}, MaxPodsPercent: &max},
		}}
	}
	engine := func(env ...any) *gameday.Spec {
		return spec(func(s *gameday.Spec) {
			s.Spec.Faults[0] = gameday.Fault{Name: "f", Litmus: &gameday.CustomResource{TypeMeta: gameday.TypeMeta{Kind: gameday.LitmusKind}, Metadata: gameday.ObjectMeta{Namespace: "shop"},
				Spec: m{"appinfo": m{"appns": "shop", "applabel": "app=a"}, "experiments": l{m{"name": "pod-delete", "spec": m{"components": m{"env": l(env)}}}}}}}
		})
	}
	env := func(name, value string) m { return m{"name": name, "value": value} }
	const at = "spec.faults[0].litmus.spec.experiments[0].spec.components.env[0]."
	tests := []struct {
		name string
		max  Percent
		spec *gameday.Spec
		want []string
	}{
		{"left to the ChaosExperiment", 50, engine(env("TOTAL_CHAOS_DURATION", "30")), nil},
		{"at the bound", 50, engine(env("PODS_AFFECTED_PERC", "50")), nil},
		{"zero is one pod", 10, engine(env("PODS_AFFECTED_PERC", "0")), nil},
		{"empty is one pod", 10, engine(env("PODS_AFFECTED_PERC", "")), nil},
		{"over", 50, engine(env("PODS_AFFECTED_PERC", "51")), []string{
			at + "value: 51% of the application's pods is more than this deployment allows (50%) (policy p: litmus.maxPodsPercent)"}},
		{"not a number", 50, engine(env("PODS_AFFECTED_PERC", "half")), []string{
			at + `value: "half" cannot be judged against the share of pods this deployment allows (50%): write a whole number (policy p: litmus.maxPodsPercent)`}},
		{"from elsewhere", 50, engine(m{"name": "PODS_AFFECTED_PERC", "valueFrom": m{"configMapKeyRef": m{"name": "c", "key": "k"}}}), []string{
			at + "valueFrom: PODS_AFFECTED_PERC from valueFrom cannot be judged against the share of pods this deployment allows (50%): write its value (policy p: litmus.maxPodsPercent)"}},
		{"one pod named", 50, engine(env("TARGET_PODS", "a-1")), nil},
		{"pods named", 50, engine(env("TARGET_PODS", "a-1,a-2")), []string{
			at + "value: 2 pods named cannot be judged as a share of the application's pods (this deployment allows 50%): name one, or use PODS_AFFECTED_PERC (policy p: litmus.maxPodsPercent)"}},
		{"a kill count", 50, engine(env("KILL_COUNT", "3")), []string{
			at + "value: 3 pods cannot be judged as a share of the application's pods (this deployment allows 50%): use PODS_AFFECTED_PERC (policy p: litmus.maxPodsPercent)"}},
		{"any count at 100", 100, engine(env("KILL_COUNT", "3")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(refusals(policyOf(tt.max), tt.spec, Where{}), tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

// refusals are Check's problems as lines.
func refusals(p *Policy, s *gameday.Spec, w Where) []string {
	var got []string
	for _, pr := range Check(p, s, w) {
		got = append(got, pr.String())
	}
	return got
}

func TestWithDefaults(t *testing.T) {
	p := (&Policy{}).WithDefaults([]string{"arn:aws:eks:us-east-1:111111111111:cluster/a"}, 2*time.Hour)
	if len(p.Spec.Clusters) != 1 || p.Spec.MaxExperimentDuration.Duration != 2*time.Hour {
		t.Errorf("WithDefaults = %+v", p.Spec)
	}
	set := (&Policy{Spec: Rules{Clusters: []string{"x"}, MaxExperimentDuration: gameday.Duration{Duration: time.Hour}}}).WithDefaults([]string{"y"}, 2*time.Hour)
	if set.Spec.Clusters[0] != "x" || set.Spec.MaxExperimentDuration.Duration != time.Hour {
		t.Errorf("WithDefaults overrode what the policy sets: %+v", set.Spec)
	}
}
