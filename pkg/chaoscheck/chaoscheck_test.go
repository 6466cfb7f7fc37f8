package chaoscheck

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	upstream "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/third_party/chaos-mesh/api/v1alpha1"
)

// TestKinds keeps this package's kinds and gameday's list (which needs no
// Chaos Mesh import) the same.
func TestKinds(t *testing.T) {
	if diff := cmp.Diff(gameday.ChaosMeshKinds, Kinds()); diff != "" {
		t.Errorf("gameday.ChaosMeshKinds and chaoscheck.Kinds differ (-gameday +chaoscheck):\n%s", diff)
	}
	for _, k := range Kinds() {
		if SpecType(k) == nil {
			t.Errorf("SpecType(%s) = nil", k)
		}
	}
	if SpecType("Workflow") != nil {
		t.Error("SpecType(Workflow) is not nil")
	}
}

// TestActions keeps gameday's action tables in step with Chaos Mesh's
// constants (upstream's).
func TestActions(t *testing.T) {
	tests := []struct {
		kind string
		want []string
	}{
		{"NetworkChaos", []string{string(upstream.NetemAction), string(upstream.DelayAction), string(upstream.LossAction), string(upstream.DuplicateAction), string(upstream.CorruptAction), string(upstream.PartitionAction), string(upstream.BandwidthAction)}},
		{"PodChaos", []string{string(upstream.PodKillAction), string(upstream.PodFailureAction), string(upstream.ContainerKillAction)}},
		{"IOChaos", []string{string(upstream.IoLatency), string(upstream.IoFaults), string(upstream.IoAttrOverride), string(upstream.IoMistake)}},
		{"DNSChaos", []string{string(upstream.ErrorAction), string(upstream.RandomAction)}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, gameday.ChaosMeshActions(tt.kind)); diff != "" {
				t.Errorf("actions differ (-chaos-mesh +gameday):\n%s", diff)
			}
		})
	}
}

// TestEveryKindStrict decodes a spec with an unknown field into every kind:
// each refuses it, and none panics on an empty spec.
func TestEveryKindStrict(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			cr := &gameday.CustomResource{TypeMeta: gameday.TypeMeta{APIVersion: gameday.ChaosMeshAPIVersion, Kind: kind}, Spec: map[string]any{"bogusField": "x"}}
			ps := ChaosMesh(cr, "f")
			found := false
			for _, p := range ps {
				if p.Path == "f.spec.bogusField" && strings.HasPrefix(p.Message, `unknown field "bogusField"`) {
					found = true
				}
			}
			if !found {
				t.Errorf("ChaosMesh(%s with bogusField) = %v; want an unknown-field problem", kind, ps)
			}
			cr.Spec = map[string]any{}
			_ = ChaosMesh(cr, "f") // must not panic
		})
	}
}

func TestJSONPath(t *testing.T) {
	root := reflect.TypeFor[v1alpha1.NetworkChaos]()
	tests := []struct{ in, want string }{
		{"Spec.PodSelector.value", "spec.value"},
		{"Spec.TcParameter.Loss.Correlation", "spec.loss.correlation"},
		{"Spec.Duration", "spec.duration"},
		{"Spec.PodSelector.Selector.Pods[sock-shop]", "spec.selector.pods.sock-shop"},
		{"Spec.Target.value", "spec.target.value"},
		{"spec.schedule", "spec.schedule"},
		{"Spec.ExternalTargets[1]", "spec.externalTargets[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := jsonPath(root, tt.in); got != tt.want {
				t.Errorf("jsonPath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLitmusGood(t *testing.T) {
	cr := &gameday.CustomResource{TypeMeta: gameday.TypeMeta{APIVersion: gameday.LitmusAPIVersion, Kind: gameday.LitmusKind}, Spec: map[string]any{
		"engineState":         "active",
		"appinfo":             map[string]any{"appns": "sock-shop", "applabel": "name=carts", "appkind": "deployment"},
		"chaosServiceAccount": "pod-delete-sa",
		"experiments": []any{map[string]any{"name": "pod-delete", "spec": map[string]any{
			"components": map[string]any{"env": []any{map[string]any{"name": "TOTAL_CHAOS_DURATION", "value": "60"}}},
			"probe":      []any{map[string]any{"name": "check", "type": "httpProbe"}},
		}}},
	}}
	if ps := Litmus(cr, "f"); len(ps) > 0 {
		t.Errorf("Litmus(good) = %v", ps)
	}
}

// TestPodSelectorsFollowChaosMesh keeps gameday.PodSelectors (where the
// validation and the policy judge a kind's pod selection) equal to what
// Chaos Mesh's own GetSelectorSpecs says each kind selects pods with: a
// selector Chaos Mesh adds upstream fails this test until both judge it.
func TestPodSelectorsFollowChaosMesh(t *testing.T) {
	podSelector := reflect.TypeFor[*v1alpha1.PodSelector]()
	containerSelector := reflect.TypeFor[*v1alpha1.ContainerSelector]()
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			obj := kinds[kind]()
			switch o := obj.(type) {
			case *v1alpha1.NetworkChaos:
				o.Spec.Target = &v1alpha1.PodSelector{} // listed only when set
			case *v1alpha1.PodChaos:
				o.Spec.Action = v1alpha1.PodKillAction // listed per action
			}
			var want []string
			if s, ok := obj.(interface{ GetSelectorSpecs() map[string]any }); ok {
				specType, _ := reflect.TypeOf(obj).Elem().FieldByName("Spec")
				for key, sel := range s.GetSelectorSpecs() {
					if typ := reflect.TypeOf(sel); typ != podSelector && typ != containerSelector {
						continue // machines or cloud resources, not pods
					}
					if key == "." {
						want = append(want, "")
						continue
					}
					f, ok := specType.Type.FieldByName(strings.TrimPrefix(key, "."))
					if !ok {
						t.Fatalf("selector %s is not a field of %s's spec", key, kind)
					}
					name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
					want = append(want, name)
				}
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, gameday.PodSelectors(kind)); diff != "" {
				t.Errorf("pod selectors of %s (-chaos-mesh +gameday):\n%s", kind, diff)
			}
		})
	}
}
