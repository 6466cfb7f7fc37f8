package gameday

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Custom resource API versions FIS's aws:eks:inject-kubernetes-custom-resource accepts.
const (
	ChaosMeshAPIVersion = "chaos-mesh.org/v1alpha1"
	LitmusAPIVersion    = "litmuschaos.io/v1alpha1"
	LitmusKind          = "ChaosEngine"
)

// ChaosMeshKinds are the Chaos Mesh kinds that FIS accepts (the FIS actions
// reference, kubernetesKind), as far as the Chaos Mesh API module defines
// them.
var ChaosMeshKinds = []string{
	"AWSChaos", "DNSChaos", "GCPChaos", "HTTPChaos", "IOChaos", "JVMChaos",
	"KernelChaos", "NetworkChaos", "PhysicalMachineChaos", "PodChaos", "PodHttpChaos",
	"PodIOChaos", "PodNetworkChaos", "Schedule", "StressChaos", "TimeChaos",
}

// chaosMeshActions are the values of spec.action per kind, from the
// kubebuilder enums of the Chaos Mesh API types (the API server, not the Go
// types, enforces them, so they are listed here).
var chaosMeshActions = map[string][]string{
	"NetworkChaos":         {"netem", "delay", "loss", "duplicate", "corrupt", "partition", "bandwidth"},
	"PodChaos":             {"pod-kill", "pod-failure", "container-kill"},
	"IOChaos":              {"latency", "fault", "attrOverride", "mistake"},
	"DNSChaos":             {"error", "random"},
	"AWSChaos":             {"ec2-stop", "ec2-restart", "detach-volume"},
	"GCPChaos":             {"node-stop", "node-reset", "disk-loss"},
	"JVMChaos":             {"latency", "return", "exception", "stress", "gc", "ruleData", "mysql"},
	"PhysicalMachineChaos": {"stress-cpu", "stress-mem", "disk-read-payload", "disk-write-payload", "disk-fill", "network-corrupt", "network-duplicate", "network-loss", "network-delay", "network-partition", "network-dns", "network-bandwidth", "network-flood", "network-down", "process", "jvm-exception", "jvm-gc", "jvm-latency", "jvm-return", "jvm-stress", "jvm-rule-data", "jvm-mysql", "clock", "redis-expiration", "redis-penetration", "redis-cacheLimit", "redis-restart", "redis-stop", "kafka-fill", "kafka-flood", "kafka-io", "file-create", "file-modify", "file-delete", "file-rename", "file-append", "file-replace", "vm", "user_defined"},
}

// ChaosMeshActions are the actions of a kind (nil for kinds without spec.action).
func ChaosMeshActions(kind string) []string { return chaosMeshActions[kind] }

// podSelectorKinds select pods with spec.selector and spec.mode.
var podSelectorKinds = map[string]bool{
	"NetworkChaos": true, "PodChaos": true, "StressChaos": true, "HTTPChaos": true,
	"IOChaos": true, "DNSChaos": true, "TimeChaos": true, "JVMChaos": true,
	"KernelChaos": true,
}

// PodSelectors are where a spec of kind selects pods, each a Chaos Mesh
// PodSelector (selector, mode, value), as Chaos Mesh's own GetSelectorSpecs
// lists them (api/v1alpha1, <kind>_types.go): "" for the one inlined in the
// spec (key "."), "target" for NetworkChaos's spec.target (key ".Target").
// Chaos Mesh injects into a target's pods too when direction is from or
// both (controllers/chaosimpl/networkchaos/trafficcontrol/impl.go: records
// of ".Target" get the tc rules). Nil for the kinds that pick no pods.
func PodSelectors(kind string) []string {
	switch {
	case kind == "NetworkChaos":
		return []string{"", "target"}
	case podSelectorKinds[kind]:
		return []string{""}
	}
	return nil
}

// podSelectorAt is the PodSelector of spec at where (one of PodSelectors),
// nil when the spec has none there.
func podSelectorAt(spec map[string]any, where string) map[string]any {
	if where == "" {
		return spec
	}
	m, _ := spec[where].(map[string]any)
	return m
}

// EachChaosSpec calls fn with every chaos spec of a Chaos Mesh CR, its kind
// and its path under the CR's spec: the spec itself (path ""), or in a
// Schedule every embedded chaos ("networkChaos", ...), not only the one of
// its type (each is judged as if it ran).
func (cr *CustomResource) EachChaosSpec(fn func(kind, path string, spec map[string]any)) {
	if cr.Kind != "Schedule" {
		fn(cr.Kind, "", cr.Spec)
		return
	}
	for _, field := range slices.Sorted(maps.Keys(cr.Spec)) {
		if inner, ok := cr.Spec[field].(map[string]any); ok && scheduleKinds[field] != "" {
			fn(scheduleKinds[field], field, inner)
		}
	}
}

// EachPodSelector calls fn with every PodSelector of a Chaos Mesh CR's
// spec and its path under the spec ("" for the spec itself, "target",
// "networkChaos.target"): those PodSelectors lists for the kind of each of
// its chaos specs (EachChaosSpec).
func (cr *CustomResource) EachPodSelector(fn func(path string, ps map[string]any)) {
	cr.EachChaosSpec(func(kind, prefix string, spec map[string]any) {
		for _, where := range PodSelectors(kind) {
			if ps := podSelectorAt(spec, where); ps != nil {
				fn(strings.Trim(prefix+"."+where, "."), ps)
			}
		}
	})
}

// oneShotActions end by themselves; they need no duration.
var oneShotActions = map[string]bool{"PodChaos/pod-kill": true, "PodChaos/container-kill": true}

// SelectorModes are the values of a Chaos Mesh selector's mode.
var SelectorModes = []string{"one", "all", "fixed", "fixed-percent", "random-max-percent"}

// networkDirections are the values of a NetworkChaos direction (an enum of
// its CRD, which Chaos Mesh's webhook does not check).
var networkDirections = []string{"to", "from", "both"}

// modeValue says what the CR's value means for the modes that need one.
var modeValue = map[string]string{
	"fixed":              `how many pods, for example value: "1"`,
	"fixed-percent":      `what percentage of the pods, for example value: "50"`,
	"random-max-percent": `the highest percentage of the pods, for example value: "50"`,
}

// scheduleKinds maps a Schedule's embedded chaos field to its kind.
var scheduleKinds = map[string]string{
	"awsChaos": "AWSChaos", "dnsChaos": "DNSChaos", "gcpChaos": "GCPChaos",
	"httpChaos": "HTTPChaos", "ioChaos": "IOChaos", "jvmChaos": "JVMChaos",
	"networkChaos": "NetworkChaos", "physicalmachineChaos": "PhysicalMachineChaos",
	"podChaos": "PodChaos", "stressChaos": "StressChaos", "timeChaos": "TimeChaos",
	"blockChaos": "BlockChaos", "azureChaos": "AzureChaos", "kernelChaos": "KernelChaos",
}

func isChaosMeshKind(kind string) bool {
	for _, k := range ChaosMeshKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// checkChaosMesh checks a Chaos Mesh CR with no Chaos Mesh import: apiVersion,
// kind, action, mode, and the blast radius of its selector.
func checkChaosMesh(r *problems, f *Fault, path string) {
	cr := f.ChaosMesh
	checkCRMeta(r, cr, path, ChaosMeshAPIVersion)
	switch {
	case cr.Kind == "":
		r.add(child(path, "kind"), "required: one of %s", strings.Join(ChaosMeshKinds, ", "))
		return
	case !isChaosMeshKind(cr.Kind):
		r.add(child(path, "kind"), "unknown Chaos Mesh kind %q%s: FIS accepts %s", cr.Kind, suggest(cr.Kind, ChaosMeshKinds), strings.Join(ChaosMeshKinds, ", "))
		return
	}
	sp := child(path, "spec")
	if len(cr.Spec) == 0 {
		r.add(sp, "required: the CR's spec, as you would kubectl apply it")
		return
	}
	if cr.Kind == "Schedule" {
		checkChaosMeshSchedule(r, f, cr.Spec, sp)
		return
	}
	checkChaosSpec(r, f, cr.Kind, cr.Spec, sp)
}

func checkCRMeta(r *problems, cr *CustomResource, path, apiVersion string) {
	if cr.APIVersion != apiVersion {
		if cr.APIVersion == "" {
			r.add(child(path, "apiVersion"), "required: write apiVersion: %s", apiVersion)
		} else {
			r.add(child(path, "apiVersion"), "must be %s, not %q", apiVersion, cr.APIVersion)
		}
	}
	if ns := cr.Metadata.Namespace; ns != "" && !isDNSLabel(ns) {
		r.add(child(path, "metadata.namespace"), "%q is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63)", ns)
	}
	if n := cr.Metadata.Name; n != "" && !isDNSSubdomain(n) {
		r.add(child(path, "metadata.name"), "%q is not a Kubernetes object name (lower-case letters, digits, '-' and '.')", n)
	}
}

// checkChaosSpec checks the spec of one chaos kind (also inside a Schedule).
func checkChaosSpec(r *problems, f *Fault, kind string, spec map[string]any, sp string) {
	action, _ := spec["action"].(string)
	if actions := chaosMeshActions[kind]; actions != nil {
		switch {
		case spec["action"] == nil:
			r.add(child(sp, "action"), "required: one of %s", strings.Join(actions, ", "))
		case !contains(actions, action):
			r.add(child(sp, "action"), "unknown %s action %q%s: use one of %s", kind, fmt.Sprint(spec["action"]), suggest(action, actions), strings.Join(actions, ", "))
		}
	}
	if kind == "HTTPChaos" {
		switch t := spec["target"]; {
		case t == nil:
			r.add(child(sp, "target"), "required: Request or Response")
		case t != "Request" && t != "Response":
			r.add(child(sp, "target"), "unknown target %q: use Request or Response", fmt.Sprint(t))
		}
	}
	if d, present := spec["direction"]; kind == "NetworkChaos" && present && !contains(networkDirections, fmt.Sprint(d)) {
		r.add(child(sp, "direction"), "unknown direction %q: use one of %s", fmt.Sprint(d), strings.Join(networkDirections, ", "))
	}
	if d, ok := spec["duration"].(string); ok && strings.HasPrefix(strings.ToUpper(d), "P") {
		r.add(child(sp, "duration"), "Chaos Mesh reads Go durations: write 180s or 3m, not %s", d)
	}
	for _, where := range PodSelectors(kind) {
		ps := podSelectorAt(spec, where)
		switch {
		case where == "":
			checkPodSelector(r, f, ps, sp, true)
		case ps != nil:
			// A NetworkChaos target: its pods are injected too with
			// direction from or both; with to, they only filter traffic.
			d, _ := spec["direction"].(string)
			checkPodSelector(r, f, ps, child(sp, where), d == "from" || d == "both")
		}
	}
}

// checkPodSelector checks a PodSelector's mode and value, and its selector
// (its blast radius only when its pods are injected).
func checkPodSelector(r *problems, f *Fault, ps map[string]any, sp string, injected bool) {
	if m, present := ps["mode"]; !present || m == nil {
		r.add(child(sp, "mode"), "required: one of %s", strings.Join(SelectorModes, ", "))
	} else if ms, _ := m.(string); !contains(SelectorModes, ms) {
		r.add(child(sp, "mode"), "unknown mode %q: use one of %s", fmt.Sprint(m), strings.Join(SelectorModes, ", "))
	} else if what := modeValue[ms]; what != "" && ps["value"] == nil {
		r.add(child(sp, "value"), "required: mode %s needs value: %s", ms, what)
	}
	checkSelector(r, f, ps["selector"], child(sp, "selector"), injected)
}

// checkSelector refuses a selector that names no namespace, or (when wide
// matters) that picks every pod of its namespaces, unless the fault allows
// a wide blast radius.
func checkSelector(r *problems, f *Fault, v any, path string, wide bool) {
	sel, _ := v.(map[string]any)
	nonEmpty := func(k string) bool {
		switch x := sel[k].(type) {
		case map[string]any:
			return len(x) > 0
		case []any:
			return len(x) > 0
		}
		return false
	}
	if !nonEmpty("namespaces") && !nonEmpty("pods") {
		r.add(child(path, "namespaces"), "name the namespace(s) to select pods in, for example namespaces: [sock-shop] (without it Chaos Mesh selects in the CR's own namespace)")
		return
	}
	if f.AllowWideBlastRadius || !wide {
		return
	}
	narrow, inert := narrows(sel)
	if narrow {
		return
	}
	why := ""
	if inert {
		why = " (NotIn and DoesNotExist expressions, and fieldSelectors on " + strings.Join(wideFields, ", ") + ", pick no part of it)"
	}
	r.add(path, "selects every pod of namespace(s) %s%s: add labelSelectors, expressionSelectors, fieldSelectors, annotationSelectors or pods, or set allowWideBlastRadius: true on the fault", joinAny(sel["namespaces"]), why)
}

// wideFields are pod fields that every pod of a namespace may share: a
// fieldSelector on them picks no part of it (Chaos Mesh hands fieldSelectors
// to the Kubernetes list as equalities).
var wideFields = []string{"metadata.namespace", "spec.restartPolicy", "spec.schedulerName", "status.phase"}

// narrows says whether a selector picks only part of its namespaces' pods:
// by labels, annotations, pod names, an In or Exists expression, or a field
// other than wideFields. NotIn and DoesNotExist alone pick every pod that
// lacks a label (a made-up one: every pod). inert says the selector has
// criteria, all of which pick no part.
func narrows(sel map[string]any) (narrow, inert bool) {
	for _, k := range []string{"labelSelectors", "annotationSelectors", "pods"} {
		if m, _ := sel[k].(map[string]any); len(m) > 0 {
			return true, false
		}
	}
	exprs, _ := sel["expressionSelectors"].([]any)
	for _, e := range exprs {
		m, _ := e.(map[string]any)
		if op, _ := m["operator"].(string); op == "In" || op == "Exists" {
			return true, false
		}
		inert = true
	}
	fields, _ := sel["fieldSelectors"].(map[string]any)
	for k := range fields {
		if !contains(wideFields, k) {
			return true, false
		}
		inert = true
	}
	return false, inert
}

// checkChaosMeshSchedule checks a Chaos Mesh Schedule: its one embedded chaos.
func checkChaosMeshSchedule(r *problems, f *Fault, spec map[string]any, sp string) {
	typ, _ := spec["type"].(string)
	if typ == "" {
		r.add(child(sp, "type"), "required: the kind of chaos to schedule, for example NetworkChaos")
		return
	}
	for field, kind := range scheduleKinds {
		if kind != typ {
			continue
		}
		inner, ok := spec[field].(map[string]any)
		if !ok {
			r.add(child(sp, field), "required: the %s spec of a Schedule of type %s", kind, typ)
			return
		}
		checkChaosSpec(r, f, kind, inner, child(sp, field))
		return
	}
	r.add(child(sp, "type"), "unknown chaos type %q for a Schedule", typ)
}

func joinAny(v any) string {
	s, _ := v.([]any)
	parts := make([]string, 0, len(s))
	for _, e := range s {
		parts = append(parts, fmt.Sprint(e))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
