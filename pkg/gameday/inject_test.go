package gameday

import (
	"strings"
	"testing"
	"time"
)

func rawInject(kind, ns, spec, maxDuration string) Fault {
	return Fault{Name: "raw", FIS: &FISAction{ActionID: ActionInjectCustomResource,
		Parameters: InjectParams{APIVersion: ChaosMeshAPIVersion, Kind: kind, Namespace: ns, Spec: spec, MaxDuration: maxDuration}.Map(),
		Targets:    map[string]FISTarget{"Cluster": {ResourceType: "aws:eks:cluster", ResourceArns: []string{"arn:aws:eks:us-east-1:111111111111:cluster/c"}, SelectionMode: "ALL"}}}}
}

// TestInjectedChecked: a raw inject action's custom resource gets the
// checks a chaosMesh: fault gets, at the raw action's fields.
func TestInjectedChecked(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		want  string // a problem, "path: message" prefix; "" for none
	}{
		{"labelled", rawInject("PodChaos", "shop", `{"action":"pod-kill","mode":"one","selector":{"namespaces":["shop"],"labelSelectors":{"app":"a"}}}`, "PT5M"), ""},
		{"every pod", rawInject("PodChaos", "shop", `{"action":"pod-kill","mode":"all","selector":{"namespaces":["shop"]}}`, "PT5M"),
			"spec.faults[0].fis.parameters.kubernetesSpec.selector: selects every pod of namespace(s) shop"},
		{"every pod lacks a made-up label", rawInject("PodChaos", "shop", `{"action":"pod-kill","mode":"all","selector":{"namespaces":["shop"],"expressionSelectors":[{"key":"x","operator":"DoesNotExist"}]}}`, "PT5M"),
			"spec.faults[0].fis.parameters.kubernetesSpec.selector: selects every pod of namespace(s) shop (NotIn and DoesNotExist"},
		{"no namespace", rawInject("PodChaos", "shop", `{"action":"pod-kill","mode":"all"}`, "PT5M"),
			"spec.faults[0].fis.parameters.kubernetesSpec.selector.namespaces: name the namespace(s)"},
		{"unknown kind", rawInject("PodChaoss", "shop", `{}`, "PT5M"),
			`spec.faults[0].fis.parameters.kubernetesKind: unknown Chaos Mesh kind "PodChaoss"`},
		{"unknown action", rawInject("PodChaos", "shop", `{"action":"kill","mode":"one","selector":{"namespaces":["shop"],"labelSelectors":{"app":"a"}}}`, "PT5M"),
			`spec.faults[0].fis.parameters.kubernetesSpec.action: unknown PodChaos action "kill"`},
		{"duration past maxDuration", rawInject("NetworkChaos", "shop", `{"action":"delay","mode":"one","selector":{"namespaces":["shop"],"labelSelectors":{"app":"a"}},"delay":{"latency":"1s"},"duration":"10m"}`, "PT5M"),
			"spec.faults[0].fis.parameters.maxDuration: 5m0s is not longer than the CR's duration 10m0s"},
		// Go keeps the last of two equal keys; a reader that keeps the
		// first would pick every pod of kube-system.
		{"repeated key", rawInject("PodChaos", "shop", `{"action":"pod-kill","mode":"all","selector":{"namespaces":["kube-system"]},"selector":{"namespaces":["shop"],"labelSelectors":{"app":"a"}}}`, "PT5M"),
			`spec.faults[0].fis.parameters.kubernetesSpec: repeats key "selector" in one object: keep one`},
		{"repeated nested key", rawInject("PodChaos", "shop", `{"action":"pod-kill","mode":"one","selector":{"namespaces":["kube-system"],"labelSelectors":{"app":"a"},"namespaces":["shop"]}}`, "PT5M"),
			`spec.faults[0].fis.parameters.kubernetesSpec: repeats key "namespaces" in one object: keep one`},
		{"equal keys in sibling objects", rawInject("PodChaos", "shop", `{"action":"pod-kill","mode":"one","selector":{"namespaces":["shop"],"labelSelectors":{"app":"a"},"annotationSelectors":{"app":"b"}}}`, "PT5M"), ""},
		{"not JSON", rawInject("PodChaos", "shop", `mode: all`, "PT5M"),
			"spec.faults[0].fis.parameters.kubernetesSpec: is not the CR's spec as a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Spec{TypeMeta: TypeMeta{APIVersion: APIVersion, Kind: Kind}, Metadata: Metadata{Name: "g"}}
			s.Spec.Target.Cluster = "arn:aws:eks:us-east-1:111111111111:cluster/c"
			s.Spec.Faults = []Fault{tt.fault}
			ps := Check(s)
			if tt.want == "" {
				if len(ps) > 0 {
					t.Fatalf("got %v, want none", ps)
				}
				return
			}
			for _, p := range ps {
				if strings.HasPrefix(p.Path+": "+p.Message, tt.want) {
					return
				}
			}
			t.Errorf("got %v, want one starting %q", ps, tt.want)
		})
	}
}

// TestInjectedLongestPath: a raw inject action lasts its maxDuration.
func TestInjectedLongestPath(t *testing.T) {
	s := &Spec{}
	s.Spec.Faults = []Fault{rawInject("PodChaos", "shop", `{}`, "PT2H")}
	if got := s.LongestPath(); got != 2*time.Hour {
		t.Errorf("LongestPath = %s, want 2h", got)
	}
}

// TestRawLongestPath: a raw action lasts as long as its longest ISO 8601
// duration parameter, whatever maxDuration the fault sets (its template
// does not carry it).
func TestRawLongestPath(t *testing.T) {
	raw := func(id string, params map[string]string, maxDuration time.Duration) Fault {
		return Fault{Name: "raw", MaxDuration: Duration{Duration: maxDuration}, FIS: &FISAction{ActionID: id, Parameters: params}}
	}
	tests := []struct {
		name  string
		fault Fault
		want  time.Duration
	}{
		{"duration", raw("aws:eks:pod-network-latency", map[string]string{"duration": "PT11H"}, 0), 11 * time.Hour},
		{"maxDuration shorter than duration", raw("aws:eks:pod-network-latency", map[string]string{"duration": "PT11H"}, 5*time.Minute), 11 * time.Hour},
		{"maxDuration longer than duration", raw("aws:fis:wait", map[string]string{"duration": "PT5M"}, time.Hour), time.Hour},
		{"instances stopped until", raw("aws:ec2:stop-instances", map[string]string{"startInstancesAfterDuration": "PT6H"}, 5*time.Minute), 6 * time.Hour},
		{"custom resource", rawInject("PodChaos", "shop", `{}`, "PT3H"), 3 * time.Hour},
		{"custom resource, fault's maxDuration shorter", func() Fault {
			f := rawInject("PodChaos", "shop", `{}`, "PT3H")
			f.MaxDuration = Duration{Duration: 5 * time.Minute}
			return f
		}(), 3 * time.Hour},
		{"instantaneous", raw("aws:ec2:terminate-instances", nil, 0), MinMaxDuration},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Spec{}
			s.Spec.Faults = []Fault{tt.fault}
			if got := s.LongestPath(); got != tt.want {
				t.Errorf("LongestPath = %s, want %s", got, tt.want)
			}
		})
	}
}
