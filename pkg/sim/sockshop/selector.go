package sockshop

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// noTargets is ErrNoTargets with the selecting tool's own wording.
type noTargets struct{ msg string }

func (e noTargets) Error() string        { return e.msg }
func (e noTargets) Is(target error) bool { return target == ErrNoTargets }

// selectChaosMesh resolves a Chaos Mesh PodSelector (the `selector`, `mode`
// and `value` of a chaos spec, or of a NetworkChaos `target`) for a CR
// created in namespace crNS, as Chaos Mesh's controller does: list the pods
// the selector matches, fail with "no pod is selected" when there is none,
// then pick among them by mode.
func (m *Model) selectChaosMesh(ps map[string]any, crNS string, rng *rand.Rand) ([]int, error) {
	sel := getMap(ps, "selector")
	matched, err := m.matchSelector(sel, crNS)
	if err != nil {
		return nil, err
	}
	if len(matched) == 0 {
		return nil, ErrNoTargets
	}
	idx, err := filterByMode(getString(ps, "mode"), getString(ps, "value"), len(matched), rng)
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, len(idx))
	for _, i := range idx {
		out = append(out, matched[i])
	}
	sort.Ints(out)
	return out, nil
}

// matchSelector lists the pods (indices, in name order) a PodSelectorSpec
// matches. With `pods` set, those pods are the selection and every other
// field is ignored, as in Chaos Mesh; otherwise every given field must match,
// and with no `namespaces` only the CR's own namespace is searched (the
// webhook defaults selector.namespaces to it).
func (m *Model) matchSelector(sel map[string]any, crNS string) ([]int, error) {
	if crNS == "" {
		crNS = "default"
	}
	if pods := getMap(sel, "pods"); len(pods) > 0 {
		var out []int
		for _, ns := range slices.Sorted(maps.Keys(pods)) {
			for _, name := range getStrings(pods, ns) {
				if i, ok := m.byKey[ns+"/"+name]; ok {
					out = append(out, i)
				}
			}
		}
		sort.Ints(out)
		return dedupe(out), nil
	}

	namespaces := getStrings(sel, "namespaces")
	if len(namespaces) == 0 {
		namespaces = []string{crNS}
	}
	labels := getStringMap(sel, "labelSelectors")
	annotations := getStringMap(sel, "annotationSelectors")
	fields := getStringMap(sel, "fieldSelectors")
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		switch k {
		case "metadata.name", "metadata.namespace", "spec.nodeName", "status.phase":
		default:
			return nil, fmt.Errorf("%w: fieldSelectors: field label not supported: %s", ErrInvalid, k)
		}
	}
	exprs, err := parseExpressions(sel)
	if err != nil {
		return nil, err
	}
	nodeNames := getStrings(sel, "nodes")
	nodeSelectors := getStringMap(sel, "nodeSelectors")
	phases := getStrings(sel, "podPhaseSelectors")
	for _, p := range phases {
		switch p {
		case "Pending", "Running", "Succeeded", "Failed", "Unknown":
		default:
			return nil, fmt.Errorf("%w: podPhaseSelectors: unknown phase %q (Pending, Running, Succeeded, Failed, Unknown)", ErrInvalid, p)
		}
	}

	var out []int
	for i, p := range m.pods {
		if !contains(namespaces, p.Namespace) ||
			!matchesAll(p.Labels, labels) ||
			!matchesAll(p.Annotations, annotations) ||
			!matchesExpressions(p.Labels, exprs) {
			continue
		}
		if !matchesFields(p.Pod, fields) {
			continue
		}
		if len(nodeNames) > 0 && !contains(nodeNames, p.Node) {
			continue
		}
		if len(nodeSelectors) > 0 && !matchesAll(nodeLabels(p.Node), nodeSelectors) {
			continue
		}
		if len(phases) > 0 && !contains(phases, p.Phase) {
			continue
		}
		out = append(out, i)
	}
	return out, nil
}

type expression struct {
	key, op string
	values  []string
}

func parseExpressions(sel map[string]any) ([]expression, error) {
	v, ok := field(sel, "expressionSelectors")
	if !ok {
		return nil, nil
	}
	list, ok := asList(v)
	if !ok {
		return nil, fmt.Errorf("%w: expressionSelectors: not a list", ErrInvalid)
	}
	out := make([]expression, 0, len(list))
	for i, e := range list {
		em, ok := asMap(e)
		if !ok {
			return nil, fmt.Errorf("%w: expressionSelectors[%d]: not an object", ErrInvalid, i)
		}
		x := expression{key: getString(em, "key"), op: getString(em, "operator"), values: getStrings(em, "values")}
		if x.key == "" {
			return nil, fmt.Errorf("%w: expressionSelectors[%d].key: Required value", ErrInvalid, i)
		}
		switch x.op {
		case "In", "NotIn":
			if len(x.values) == 0 {
				return nil, fmt.Errorf("%w: expressionSelectors[%d].values: Required value: must be specified when `operator` is 'In' or 'NotIn'", ErrInvalid, i)
			}
		case "Exists", "DoesNotExist":
			if len(x.values) > 0 {
				return nil, fmt.Errorf("%w: expressionSelectors[%d].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'", ErrInvalid, i)
			}
		default:
			return nil, fmt.Errorf("%w: expressionSelectors[%d].operator: Unsupported value: %q: supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\"", ErrInvalid, i, x.op)
		}
		out = append(out, x)
	}
	return out, nil
}

func matchesExpressions(labels map[string]string, exprs []expression) bool {
	for _, x := range exprs {
		v, has := labels[x.key]
		switch x.op {
		case "In":
			if !has || !contains(x.values, v) {
				return false
			}
		case "NotIn": // as in Kubernetes, a pod without the label matches NotIn
			if has && contains(x.values, v) {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		}
	}
	return true
}

func matchesFields(p Pod, fields map[string]string) bool {
	for k, want := range fields {
		var got string
		switch k {
		case "metadata.name":
			got = p.Name
		case "metadata.namespace":
			got = p.Namespace
		case "spec.nodeName":
			got = p.Node
		case "status.phase":
			got = p.Phase
		}
		if got != want {
			return false
		}
	}
	return true
}

func matchesAll(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// filterByMode picks indices in [0, n) as Chaos Mesh's mode does, with the
// same errors for bad values, drawing from rng instead of crypto/rand.
func filterByMode(mode, value string, n int, rng *rand.Rand) ([]int, error) {
	switch mode {
	case "one":
		return []int{rng.IntN(n)}, nil
	case "all":
		return rangeN(n), nil
	case "fixed":
		num, err := strconv.Atoi(value)
		if err != nil {
			return nil, fmt.Errorf("%w: mode fixed: value %q: %v", ErrInvalid, value, err)
		}
		num = min(num, n)
		if num <= 0 {
			return nil, fmt.Errorf("%w: cannot select any object as value below or equal 0", ErrInvalid)
		}
		return pick(n, num, rng), nil
	case "fixed-percent", "random-max-percent":
		p, err := strconv.Atoi(value)
		if err != nil {
			return nil, fmt.Errorf("%w: mode %s: value %q: %v", ErrInvalid, mode, value, err)
		}
		if p == 0 {
			return nil, fmt.Errorf("%w: cannot select any object as value below or equal 0", ErrInvalid)
		}
		if p < 0 || p > 100 {
			// Chaos Mesh writes the range of each mode its own way.
			bounds := map[string]string{"fixed-percent": "(0,100]", "random-max-percent": "[0-100]"}[mode]
			return nil, fmt.Errorf("%w: fixed percentage value of %d is invalid, Must be %s", ErrInvalid, p, bounds)
		}
		if mode == "random-max-percent" {
			p = rng.IntN(p + 1)
		}
		return pick(n, int(math.Floor(float64(n)*float64(p)/100)), rng), nil
	default:
		return nil, fmt.Errorf("%w: mode %s not supported", ErrInvalid, mode)
	}
}

// pick returns k distinct indices in [0, n), sorted.
func pick(n, k int, rng *rand.Rand) []int {
	if k >= n {
		return rangeN(n)
	}
	perm := rng.Perm(n)[:k]
	sort.Ints(perm)
	return perm
}

func rangeN(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// selectLitmus resolves a ChaosEngine's targets as Litmus's pod experiments
// do: the pods TARGET_PODS names, or pods of spec.appinfo.appns (default: the
// engine's namespace) matching spec.appinfo.applabel; then
// PODS_AFFECTED_PERC percent of them, at least one, taken from a random
// start in a circle.
func (m *Model) selectLitmus(spec map[string]any, env map[string]string, crNS string, rng *rand.Rand) ([]int, error) {
	ns := getString(spec, "appinfo", "appns")
	if ns == "" {
		ns = crNS
	}
	if ns == "" {
		ns = "default"
	}
	var matched []int
	if names := strings.TrimSpace(env["TARGET_PODS"]); names != "" {
		for _, name := range strings.Split(names, ",") {
			if i, ok := m.byKey[ns+"/"+strings.TrimSpace(name)]; ok {
				matched = append(matched, i)
			}
		}
		sort.Ints(matched)
		matched = dedupe(matched)
		if len(matched) == 0 {
			return nil, noTargets{msg: "No target pod found"}
		}
		return matched, nil // every pod named is a target
	} else {
		want, err := parseEqualitySelector(getString(spec, "appinfo", "applabel"))
		if err != nil {
			return nil, err
		}
		for i, p := range m.pods {
			if p.Namespace == ns && want(p.Labels) {
				matched = append(matched, i)
			}
		}
	}
	if len(matched) == 0 {
		return nil, noTargets{msg: "No target pod found"}
	}
	perc := 0
	if s := strings.TrimSpace(env["PODS_AFFECTED_PERC"]); s != "" {
		p, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%w: PODS_AFFECTED_PERC: %q is not an integer", ErrInvalid, s)
		}
		perc = p
	}
	k := max(1, min(perc, 100)*len(matched)/100)
	start := rng.IntN(len(matched))
	out := make([]int, 0, k)
	for j := 0; j < k; j++ {
		out = append(out, matched[(start+j)%len(matched)])
	}
	sort.Ints(out)
	return out, nil
}

// parseEqualitySelector reads a Kubernetes label selector string in its
// equality-based form: "name=carts", "a=b,c!=d", "key" (exists), "!key".
func parseEqualitySelector(s string) (func(map[string]string) bool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: spec.appinfo.applabel is empty and TARGET_PODS is not set", ErrInvalid)
	}
	type req struct {
		key, value string
		op         string // "=", "!=", "exists", "!exists"
	}
	var reqs []req
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		switch {
		case strings.Contains(part, "!="):
			k, v, _ := strings.Cut(part, "!=")
			reqs = append(reqs, req{strings.TrimSpace(k), strings.TrimSpace(v), "!="})
		case strings.Contains(part, "=="):
			k, v, _ := strings.Cut(part, "==")
			reqs = append(reqs, req{strings.TrimSpace(k), strings.TrimSpace(v), "="})
		case strings.Contains(part, "="):
			k, v, _ := strings.Cut(part, "=")
			reqs = append(reqs, req{strings.TrimSpace(k), strings.TrimSpace(v), "="})
		case strings.HasPrefix(part, "!"):
			reqs = append(reqs, req{key: strings.TrimSpace(part[1:]), op: "!exists"})
		case part != "" && !strings.ContainsAny(part, " ()"):
			reqs = append(reqs, req{key: part, op: "exists"})
		default:
			return nil, fmt.Errorf("%w: applabel %q: only equality-based selectors are supported", ErrInvalid, s)
		}
	}
	return func(labels map[string]string) bool {
		for _, r := range reqs {
			v, has := labels[r.key]
			switch r.op {
			case "=":
				if !has || v != r.value {
					return false
				}
			case "!=":
				if has && v == r.value {
					return false
				}
			case "exists":
				if !has {
					return false
				}
			case "!exists":
				if has {
					return false
				}
			}
		}
		return true
	}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func dedupe(sorted []int) []int {
	out := sorted[:0]
	for i, v := range sorted {
		if i == 0 || v != sorted[i-1] {
			out = append(out, v)
		}
	}
	return out
}
