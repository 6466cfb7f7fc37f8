package sockshop

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

func TestPods(t *testing.T) {
	m := New(Options{Seed: 1})
	pods := m.Pods()
	count := map[string]int{}
	for i, p := range pods {
		count[p.Service]++
		if i > 0 && pods[i-1].Name >= p.Name {
			t.Errorf("pods not sorted by name: %s before %s", pods[i-1].Name, p.Name)
		}
		if p.Namespace != "sock-shop" || p.Labels["name"] != p.Service || !p.Ready || p.Phase != "Running" || p.Node == "" {
			t.Errorf("pod %+v: want namespace sock-shop, label name=%s, Ready, Running, a node", p, p.Service)
		}
		if !strings.HasPrefix(p.Name, p.Service+"-"+p.Labels["pod-template-hash"]+"-") {
			t.Errorf("pod %s: not named <deployment>-<template hash>-<suffix>", p.Name)
		}
	}
	want := map[string]int{
		"front-end": 2, "catalogue": 2, "catalogue-db": 1, "carts": 3, "carts-db": 1,
		"orders": 2, "orders-db": 1, "payment": 1, "shipping": 1, "user": 2, "user-db": 1,
		"queue-master": 1, "rabbitmq": 1, "session-db": 1,
	}
	if diff := cmp.Diff(want, count); diff != "" {
		t.Errorf("pods per service (-want +got):\n%s", diff)
	}
	// The caller gets copies: changing them does not change the model.
	pods[0].Labels["name"] = "changed"
	if got := m.Pods()[0].Labels["name"]; got == "changed" {
		t.Errorf("Pods returned the model's own label map")
	}
	other := New(Options{Seed: 2, Namespace: "shop"}).Pods()
	for i := range other {
		if other[i].Namespace != "shop" || other[i].Name != pods[i].Name {
			t.Fatalf("pod %d = %s/%s, want shop/%s (names do not depend on the seed)", i, other[i].Namespace, other[i].Name, pods[i].Name)
		}
	}
}

// targetsOf returns "service" for each target, sorted.
func targetsOf(inj Injection) []string {
	out := make([]string, 0, len(inj.Targets))
	for _, p := range inj.Targets {
		out = append(out, p.Service)
	}
	sort.Strings(out)
	return out
}

func netDelay(selector map[string]any, mode, value string) map[string]any {
	s := map[string]any{"action": "delay", "mode": mode, "selector": selector, "delay": map[string]any{"latency": "90ms"}}
	if value != "" {
		s["value"] = value
	}
	return s
}

func TestInjectSelects(t *testing.T) {
	m := New(Options{Seed: 7})
	pods := m.Pods()
	var cartsPod, cartsNode string
	for _, p := range pods {
		if p.Service == "carts" {
			cartsPod, cartsNode = p.Name, p.Node
			break
		}
	}
	ss := []any{"sock-shop"}
	carts := map[string]any{"namespaces": ss, "labelSelectors": map[string]any{"name": "carts"}}
	tests := []struct {
		name    string
		ns      string // the CR's namespace
		spec    map[string]any
		want    []string
		wantErr error
		wantMsg string // substring of the error
	}{
		{name: "label, all", spec: netDelay(carts, "all", ""), want: []string{"carts", "carts", "carts"}},
		{name: "label, one", spec: netDelay(carts, "one", ""), want: []string{"carts"}},
		{name: "no namespaces: only the CR's namespace (default)", spec: netDelay(map[string]any{"labelSelectors": map[string]any{"name": "carts"}}, "all", ""),
			wantErr: ErrNoTargets, wantMsg: "no pod is selected"},
		{name: "no namespaces: CR in sock-shop", ns: "sock-shop", spec: netDelay(map[string]any{"labelSelectors": map[string]any{"name": "carts"}}, "all", ""),
			want: []string{"carts", "carts", "carts"}},
		{name: "label matches nothing", spec: netDelay(map[string]any{"namespaces": ss, "labelSelectors": map[string]any{"name": "cart"}}, "all", ""),
			wantErr: ErrNoTargets, wantMsg: "no pod is selected"},
		{name: "several labels all must match", spec: netDelay(map[string]any{"namespaces": ss, "labelSelectors": map[string]any{"name": "carts", "tier": "database"}}, "all", ""),
			wantErr: ErrNoTargets},
		{name: "expression In", spec: netDelay(map[string]any{"namespaces": ss, "expressionSelectors": []any{
			map[string]any{"key": "name", "operator": "In", "values": []any{"carts", "orders"}}}}, "all", ""),
			want: []string{"carts", "carts", "carts", "orders", "orders"}},
		{name: "expression NotIn and Exists", spec: netDelay(map[string]any{"namespaces": ss, "expressionSelectors": []any{
			map[string]any{"key": "tier", "operator": "NotIn", "values": []any{"backend", "frontend", "queue"}},
			map[string]any{"key": "name", "operator": "Exists"}}}, "all", ""),
			want: []string{"carts-db", "catalogue-db", "orders-db", "session-db", "user-db"}},
		{name: "expression NotIn matches pods without the label", spec: netDelay(map[string]any{"namespaces": ss, "labelSelectors": map[string]any{"name": "payment"}, "expressionSelectors": []any{
			map[string]any{"key": "canary", "operator": "NotIn", "values": []any{"true"}}}}, "all", ""),
			want: []string{"payment"}},
		{name: "expression DoesNotExist", spec: netDelay(map[string]any{"namespaces": ss, "expressionSelectors": []any{
			map[string]any{"key": "name", "operator": "DoesNotExist"}}}, "all", ""),
			wantErr: ErrNoTargets},
		{name: "expression bad operator", spec: netDelay(map[string]any{"namespaces": ss, "expressionSelectors": []any{
			map[string]any{"key": "name", "operator": "Equals", "values": []any{"carts"}}}}, "all", ""),
			wantErr: ErrInvalid, wantMsg: "Unsupported value"},
		{name: "field metadata.name", spec: netDelay(map[string]any{"namespaces": ss, "fieldSelectors": map[string]any{"metadata.name": cartsPod}}, "all", ""),
			want: []string{"carts"}},
		{name: "field metadata.namespace with label", spec: netDelay(map[string]any{"namespaces": ss, "labelSelectors": map[string]any{"name": "user"}, "fieldSelectors": map[string]any{"metadata.namespace": "sock-shop"}}, "all", ""),
			want: []string{"user", "user"}},
		{name: "field unsupported", spec: netDelay(map[string]any{"namespaces": ss, "fieldSelectors": map[string]any{"metadata.uid": "x"}}, "all", ""),
			wantErr: ErrInvalid, wantMsg: "field label not supported"},
		{name: "annotation", spec: netDelay(map[string]any{"namespaces": ss, "annotationSelectors": map[string]any{"prometheus.io/scrape": "true"}, "labelSelectors": map[string]any{"tier": "backend"}}, "all", ""),
			want: []string{"carts", "carts", "carts", "catalogue", "catalogue", "orders", "orders", "payment", "queue-master", "shipping", "user", "user"}},
		{name: "pods map wins over other fields", spec: netDelay(map[string]any{"pods": map[string]any{"sock-shop": []any{cartsPod, "no-such-pod"}}, "labelSelectors": map[string]any{"name": "orders"}}, "all", ""),
			want: []string{"carts"}},
		{name: "pods map in another namespace", spec: netDelay(map[string]any{"pods": map[string]any{"default": []any{cartsPod}}}, "all", ""),
			wantErr: ErrNoTargets},
		{name: "phase Running", spec: netDelay(map[string]any{"namespaces": ss, "labelSelectors": map[string]any{"name": "orders"}, "podPhaseSelectors": []any{"Running"}}, "all", ""),
			want: []string{"orders", "orders"}},
		{name: "phase Pending", spec: netDelay(map[string]any{"namespaces": ss, "labelSelectors": map[string]any{"name": "orders"}, "podPhaseSelectors": []any{"Pending"}}, "all", ""),
			wantErr: ErrNoTargets},
		{name: "phase unknown", spec: netDelay(map[string]any{"namespaces": ss, "podPhaseSelectors": []any{"Sleeping"}}, "all", ""),
			wantErr: ErrInvalid},
		{name: "nodes", spec: netDelay(map[string]any{"namespaces": ss, "labelSelectors": map[string]any{"name": "carts"}, "nodes": []any{cartsNode}}, "all", ""),
			want: []string{"carts"}},
		{name: "node selectors", spec: netDelay(map[string]any{"namespaces": ss, "labelSelectors": map[string]any{"name": "carts"}, "nodeSelectors": map[string]any{"kubernetes.io/hostname": cartsNode}}, "all", ""),
			want: []string{"carts"}},
		{name: "fixed", spec: netDelay(carts, "fixed", "2"), want: []string{"carts", "carts"}},
		{name: "fixed above the count", spec: netDelay(carts, "fixed", "5"), want: []string{"carts", "carts", "carts"}},
		{name: "fixed 0", spec: netDelay(carts, "fixed", "0"), wantErr: ErrInvalid, wantMsg: "cannot select any object as value below or equal 0"},
		{name: "fixed not a number", spec: netDelay(carts, "fixed", "two"), wantErr: ErrInvalid},
		{name: "fixed-percent", spec: netDelay(carts, "fixed-percent", "67"), want: []string{"carts", "carts"}},
		{name: "fixed-percent floors to none", spec: netDelay(carts, "fixed-percent", "20"), want: []string{}},
		{name: "fixed-percent above 100", spec: netDelay(carts, "fixed-percent", "150"), wantErr: ErrInvalid, wantMsg: "Must be (0,100]"},
		{name: "random-max-percent 0", spec: netDelay(carts, "random-max-percent", "0"), wantErr: ErrInvalid},
		{name: "unknown mode", spec: netDelay(carts, "some", ""), wantErr: ErrInvalid, wantMsg: "mode some not supported"},
		{name: "no mode", spec: netDelay(carts, "", ""), wantErr: ErrInvalid},
		{name: "network target that matches nothing", spec: map[string]any{"action": "partition", "mode": "all", "selector": carts, "direction": "to",
			"target": map[string]any{"mode": "all", "selector": map[string]any{"labelSelectors": map[string]any{"name": "carts-db"}}}},
			wantErr: ErrNoTargets, wantMsg: "select target: no pod is selected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inj, err := m.Inject(Fault{ID: "f-" + tc.name, APIVersion: "chaos-mesh.org/v1alpha1", Kind: "NetworkChaos", Namespace: tc.ns, Spec: tc.spec, Start: t0})
			defer m.Remove("f-" + tc.name)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Fatalf("Inject error = %v, want %v containing %q", err, tc.wantErr, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Inject: %v", err)
			}
			if diff := cmp.Diff(tc.want, targetsOf(inj)); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRandomMaxPercent(t *testing.T) {
	m := New(Options{Seed: 3})
	sel := map[string]any{"namespaces": []any{"sock-shop"}, "labelSelectors": map[string]any{"name": "carts"}}
	seen := map[int]bool{}
	for i := 0; i < 200; i++ {
		inj, err := m.Inject(Fault{ID: "r", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Spec: netDelay(sel, "random-max-percent", "100"), Start: t0.Add(time.Duration(i) * time.Second)})
		if err != nil {
			t.Fatalf("Inject: %v", err)
		}
		m.Remove("r")
		seen[len(inj.Targets)] = true
	}
	if diff := cmp.Diff(map[int]bool{0: true, 1: true, 2: true, 3: true}, seen); diff != "" {
		t.Errorf("target counts seen (-want +got):\n%s", diff)
	}
}

func TestSelectionSeeded(t *testing.T) {
	sel := map[string]any{"namespaces": []any{"sock-shop"}, "labelSelectors": map[string]any{"name": "carts"}}
	f := Fault{ID: "one-carts", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Spec: netDelay(sel, "one", ""), Start: t0}
	first := map[string]bool{}
	for seed := int64(0); seed < 20; seed++ {
		a, errA := New(Options{Seed: seed}).Inject(f)
		b, errB := New(Options{Seed: seed}).Inject(f)
		if errA != nil || errB != nil {
			t.Fatalf("Inject: %v, %v", errA, errB)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("seed %d: same fault picked different pods (-a +b):\n%s", seed, diff)
		}
		first[a.Targets[0].Name] = true
	}
	if len(first) < 2 {
		t.Errorf("mode one picked %v over 20 seeds; want the choice to vary with the seed", first)
	}
}

func TestInjectIdempotentAndActive(t *testing.T) {
	m := New(Options{Seed: 1})
	sel := map[string]any{"namespaces": []any{"sock-shop"}, "labelSelectors": map[string]any{"name": "carts"}}
	a, err := m.Inject(Fault{ID: "b", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Spec: netDelay(sel, "one", ""), Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	again, err := m.Inject(Fault{ID: "b", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Spec: netDelay(sel, "all", ""), Start: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, again); diff != "" {
		t.Errorf("re-injecting an active ID changed it (-first +again):\n%s", diff)
	}
	if _, err := m.Inject(Fault{ID: "a", APIVersion: chaosMeshAPI, Kind: "PodChaos", Spec: map[string]any{"action": "pod-failure", "mode": "all", "selector": sel}, Start: t0}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, m.Active()); diff != "" {
		t.Errorf("Active (-want +got):\n%s", diff)
	}
	notReady := 0
	for _, p := range m.Pods() {
		if !p.Ready {
			notReady++
			if p.Service != "carts" {
				t.Errorf("pod %s not Ready, but only carts has a pod-failure", p.Name)
			}
		}
	}
	if notReady != 3 {
		t.Errorf("%d pods not Ready during pod-failure on all carts pods, want 3", notReady)
	}
	m.Remove("a")
	m.Remove("a")
	m.Remove("unknown")
	if diff := cmp.Diff([]string{"b"}, m.Active()); diff != "" {
		t.Errorf("Active after Remove (-want +got):\n%s", diff)
	}
	for _, p := range m.Pods() {
		if !p.Ready {
			t.Errorf("pod %s still not Ready after the pod-failure was removed", p.Name)
		}
	}
	if _, err := m.Inject(Fault{APIVersion: chaosMeshAPI, Kind: "PodChaos"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Inject without ID: error %v, want ErrInvalid", err)
	}
}

func TestInjectRejects(t *testing.T) {
	m := New(Options{Seed: 1})
	sel := map[string]any{"namespaces": []any{"sock-shop"}, "labelSelectors": map[string]any{"name": "carts"}}
	tests := []struct {
		name             string
		apiVersion, kind string
		spec             map[string]any
		wantErr          error
	}{
		{"unknown kind", chaosMeshAPI, "KernelChaos", map[string]any{"mode": "all", "selector": sel}, ErrUnsupported},
		{"unknown apiVersion", "chaos-mesh.org/v2", "PodChaos", map[string]any{"action": "pod-kill", "mode": "all", "selector": sel}, ErrUnsupported},
		{"unknown network action", chaosMeshAPI, "NetworkChaos", map[string]any{"action": "teleport", "mode": "all", "selector": sel}, ErrUnsupported},
		{"unknown pod action", chaosMeshAPI, "PodChaos", map[string]any{"action": "pod-pause", "mode": "all", "selector": sel}, ErrUnsupported},
		{"delay without latency", chaosMeshAPI, "NetworkChaos", map[string]any{"action": "delay", "mode": "all", "selector": sel}, ErrInvalid},
		{"bad latency", chaosMeshAPI, "NetworkChaos", map[string]any{"action": "delay", "mode": "all", "selector": sel, "delay": map[string]any{"latency": "90 ms"}}, ErrInvalid},
		{"bad direction", chaosMeshAPI, "NetworkChaos", map[string]any{"action": "partition", "mode": "all", "selector": sel, "direction": "sideways"}, ErrInvalid},
		{"loss above 100", chaosMeshAPI, "NetworkChaos", map[string]any{"action": "loss", "mode": "all", "selector": sel, "loss": map[string]any{"loss": "150"}}, ErrInvalid},
		{"bad rate", chaosMeshAPI, "NetworkChaos", map[string]any{"action": "bandwidth", "mode": "all", "selector": sel, "bandwidth": map[string]any{"rate": "fast"}}, ErrInvalid},
		{"container-kill without names", chaosMeshAPI, "PodChaos", map[string]any{"action": "container-kill", "mode": "all", "selector": sel}, ErrInvalid},
		{"stress without stressors", chaosMeshAPI, "StressChaos", map[string]any{"mode": "all", "selector": sel}, ErrInvalid},
		{"http without target", chaosMeshAPI, "HTTPChaos", map[string]any{"mode": "all", "selector": sel, "abort": true}, ErrInvalid},
		{"http without action", chaosMeshAPI, "HTTPChaos", map[string]any{"mode": "all", "selector": sel, "target": "Request"}, ErrInvalid},
		{"io fault without errno", chaosMeshAPI, "IOChaos", map[string]any{"action": "fault", "mode": "all", "selector": sel}, ErrInvalid},
		{"dns unknown action", chaosMeshAPI, "DNSChaos", map[string]any{"action": "lie", "mode": "all", "selector": sel}, ErrUnsupported},
		{"time without offset", chaosMeshAPI, "TimeChaos", map[string]any{"mode": "all", "selector": sel}, ErrInvalid},
		{"bad duration", chaosMeshAPI, "PodChaos", map[string]any{"action": "pod-failure", "mode": "all", "selector": sel, "duration": "forever"}, ErrInvalid},
		{"litmus other kind", litmusAPI, "ChaosExperiment", map[string]any{}, ErrUnsupported},
		{"litmus unknown experiment", litmusAPI, "ChaosEngine", litmusEngine("sock-shop", "name=carts", "node-drain", nil), ErrUnsupported},
		{"litmus without experiments", litmusAPI, "ChaosEngine", map[string]any{"appinfo": map[string]any{"appns": "sock-shop", "applabel": "name=carts"}}, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Inject(Fault{ID: tc.name, APIVersion: tc.apiVersion, Kind: tc.kind, Spec: tc.spec, Start: t0})
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("Inject error = %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff([]string{}, m.Active()); diff != "" {
				t.Errorf("a rejected fault stayed active:\n%s", diff)
			}
		})
	}
}

func litmusEngine(appns, applabel, experiment string, env map[string]string) map[string]any {
	var envList []any
	for _, k := range slices.Sorted(maps.Keys(env)) {
		envList = append(envList, map[string]any{"name": k, "value": env[k]})
	}
	return map[string]any{
		"engineState":         "active",
		"appinfo":             map[string]any{"appns": appns, "applabel": applabel, "appkind": "deployment"},
		"chaosServiceAccount": "pod-delete-sa",
		"experiments": []any{map[string]any{
			"name": experiment,
			"spec": map[string]any{"components": map[string]any{"env": envList}},
		}},
	}
}

func TestLitmusSelects(t *testing.T) {
	m := New(Options{Seed: 5})
	var cartsPods []string
	for _, p := range m.Pods() {
		if p.Service == "carts" {
			cartsPods = append(cartsPods, p.Name)
		}
	}
	tests := []struct {
		name    string
		ns      string
		spec    map[string]any
		want    []string
		wantErr error
		wantMsg string
	}{
		{name: "applabel: one pod by default", spec: litmusEngine("sock-shop", "name=carts", "pod-delete", nil), want: []string{"carts"}},
		{name: "PODS_AFFECTED_PERC 100", spec: litmusEngine("sock-shop", "name=carts", "pod-delete", map[string]string{"PODS_AFFECTED_PERC": "100"}), want: []string{"carts", "carts", "carts"}},
		{name: "PODS_AFFECTED_PERC 50 of 3", spec: litmusEngine("sock-shop", "name=carts", "pod-delete", map[string]string{"PODS_AFFECTED_PERC": "50"}), want: []string{"carts"}},
		{name: "TARGET_PODS", spec: litmusEngine("sock-shop", "name=orders", "pod-delete", map[string]string{"TARGET_PODS": cartsPods[0] + "," + cartsPods[2]}), want: []string{"carts", "carts"}},
		{name: "appns defaults to the engine's namespace", ns: "sock-shop", spec: litmusEngine("", "name=user", "pod-delete", map[string]string{"PODS_AFFECTED_PERC": "100"}), want: []string{"user", "user"}},
		{name: "label with two terms", spec: litmusEngine("sock-shop", "name=carts-db,tier=database", "pod-delete", nil), want: []string{"carts-db"}},
		{name: "no match", spec: litmusEngine("default", "name=carts", "pod-delete", nil), wantErr: ErrNoTargets, wantMsg: "No target pod found"},
		{name: "set-based label", spec: litmusEngine("sock-shop", "name in (carts)", "pod-delete", nil), wantErr: ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inj, err := m.Inject(Fault{ID: tc.name, APIVersion: litmusAPI, Kind: "ChaosEngine", Namespace: tc.ns, Spec: tc.spec, Start: t0})
			defer m.Remove(tc.name)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Fatalf("Inject error = %v, want %v containing %q", err, tc.wantErr, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Inject: %v", err)
			}
			if diff := cmp.Diff(tc.want, targetsOf(inj)); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
		})
	}
}

// fissim hands over specs decoded from the FIS kubernetesSpec JSON; Go code
// may build them with typed maps and slices. Both mean the same fault.
func TestSpecDecodings(t *testing.T) {
	const js = `{"action":"delay","mode":"fixed","value":"2","duration":"180s",
		"selector":{"namespaces":["sock-shop"],"labelSelectors":{"name":"carts"},
		  "expressionSelectors":[{"key":"tier","operator":"In","values":["backend"]}]},
		"delay":{"latency":"90ms","jitter":"0ms","correlation":"25"}}`
	var fromJSON map[string]any
	if err := json.Unmarshal([]byte(js), &fromJSON); err != nil {
		t.Fatal(err)
	}
	typed := map[string]any{
		"action": "delay", "mode": "fixed", "value": "2", "duration": "180s",
		"selector": map[string]any{
			"namespaces":          []string{"sock-shop"},
			"labelSelectors":      map[string]string{"name": "carts"},
			"expressionSelectors": []map[string]any{{"key": "tier", "operator": "In", "values": []string{"backend"}}},
		},
		"delay": map[string]any{"latency": "90ms", "jitter": "0ms", "correlation": 25},
	}
	run := func(spec map[string]any) (Injection, []Datum) {
		m := New(Options{Seed: 4})
		inj, err := m.Inject(Fault{ID: "x", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Spec: spec, Start: t0})
		if err != nil {
			t.Fatalf("Inject: %v", err)
		}
		return inj, m.Metrics(t0.Add(time.Minute), time.Minute)
	}
	injA, dataA := run(fromJSON)
	injB, dataB := run(typed)
	if diff := cmp.Diff(injA, injB); diff != "" {
		t.Errorf("targets differ (-json +typed):\n%s", diff)
	}
	if len(injA.Targets) != 2 {
		t.Errorf("%d targets, want 2", len(injA.Targets))
	}
	if !reflect.DeepEqual(dataA, dataB) {
		t.Errorf("metrics differ between the JSON and the typed spec")
	}
}

// TestSelectionWhateverTheStart: the same fault picks the same pods
// whenever it starts (a seeded run's faults start a few simulated seconds
// apart from run to run, as its steps take real time); injected again in
// one model, it picks afresh.
func TestSelectionWhateverTheStart(t *testing.T) {
	sel := map[string]any{"namespaces": []any{"sock-shop"}}
	f := Fault{ID: "fis-exp-carts", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Spec: netDelay(sel, "fixed-percent", "50"), Start: t0}
	want, err := New(Options{Seed: 5}).Inject(f)
	if err != nil {
		t.Fatalf("Inject: %v", err)
	}
	for _, d := range []time.Duration{time.Nanosecond, 3 * time.Second, 41 * time.Second, 26 * time.Hour} {
		g := f
		g.Start = t0.Add(d)
		got, err := New(Options{Seed: 5}).Inject(g)
		if err != nil {
			t.Fatalf("Inject: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("started %s later, the fault picked other pods (-first +later):\n%s", d, diff)
		}
	}
	m := New(Options{Seed: 5})
	seen := map[string]bool{}
	for range 10 {
		inj, err := m.Inject(f)
		if err != nil {
			t.Fatalf("Inject: %v", err)
		}
		m.Remove(f.ID)
		seen[fmt.Sprint(inj.Targets)] = true
	}
	if len(seen) < 2 {
		t.Error("one fault injected ten times in one model picked the same pods each time")
	}
}
