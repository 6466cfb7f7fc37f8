package gameday

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gameday-dev/gameday/pkg/fisactions"
)

// ActionInjectCustomResource is the FIS action that creates a Kubernetes
// custom resource in an EKS cluster: every chaosMesh: and litmus: fault
// becomes one, and a raw fis: fault may name it too.
const ActionInjectCustomResource = fisactions.InjectCustomResource

// InjectParams are the parameters of ActionInjectCustomResource, one field
// each, and this file is the one place that maps them to a custom-resource
// fault and back: fistemplate renders a fault with InjectParamsFor and Map;
// Fault.Injected and the importer read an action with InjectParamsOf and
// Fault, each decoding Spec and MaxDuration as strictly as it must.
type InjectParams struct {
	APIVersion  string // kubernetesApiVersion: the CR's apiVersion
	Kind        string // kubernetesKind: the CR's kind
	Namespace   string // kubernetesNamespace: the CR's metadata.namespace
	Spec        string // kubernetesSpec: the CR's spec, a JSON object
	MaxDuration string // maxDuration: the fault's maxDuration, in ISO 8601
}

// InjectParamsFor are the parameters of the action that creates f's custom
// resource, spec being that resource's spec as JSON: its apiVersion, kind
// and namespace (DefaultNamespace when it names none), and the fault's
// EffectiveMaxDuration. f must have a custom resource.
func InjectParamsFor(f *Fault, spec []byte) InjectParams {
	cr := f.Resource()
	return InjectParams{
		APIVersion:  cr.APIVersion,
		Kind:        cr.Kind,
		Namespace:   cr.Namespace(),
		Spec:        string(spec),
		MaxDuration: Duration{Duration: f.EffectiveMaxDuration()}.ISO8601(),
	}
}

// InjectParamsOf reads an ActionInjectCustomResource action's parameters;
// a missing one is "".
func InjectParamsOf(params map[string]string) InjectParams {
	return InjectParams{
		APIVersion:  params[fisactions.InjectAPIVersion],
		Kind:        params[fisactions.InjectKind],
		Namespace:   params[fisactions.InjectNamespace],
		Spec:        params[fisactions.InjectSpec],
		MaxDuration: params[fisactions.InjectMaxDuration],
	}
}

// Map is p as the action's parameters.
func (p InjectParams) Map() map[string]string {
	return map[string]string{
		fisactions.InjectAPIVersion:  p.APIVersion,
		fisactions.InjectKind:        p.Kind,
		fisactions.InjectNamespace:   p.Namespace,
		fisactions.InjectSpec:        p.Spec,
		fisactions.InjectMaxDuration: p.MaxDuration,
	}
}

// InjectParamNames are the names of the parameters, sorted.
func InjectParamNames() []string {
	return slices.Sorted(maps.Keys(InjectParams{}.Map()))
}

// Fault is the fault whose custom resource p creates: the resource's
// apiVersion, kind and namespace, under ChaosMesh or Litmus by its
// apiVersion; nil for another apiVersion. The resource's spec and the
// fault's maxDuration are left to the caller, which decodes p.Spec and
// p.MaxDuration as strictly as it must.
func (p InjectParams) Fault() *Fault {
	cr := &CustomResource{
		TypeMeta: TypeMeta{APIVersion: p.APIVersion, Kind: p.Kind},
		Metadata: ObjectMeta{Namespace: p.Namespace},
	}
	switch p.APIVersion {
	case ChaosMeshAPIVersion:
		return &Fault{ChaosMesh: cr}
	case LitmusAPIVersion:
		return &Fault{Litmus: cr}
	}
	return nil
}

// Injected is the fault a raw fis: action of ActionInjectCustomResource
// amounts to, so that it is checked exactly as a chaosMesh: or litmus:
// fault is: its custom resource (kubernetesApiVersion, kubernetesKind,
// kubernetesNamespace and the kubernetesSpec JSON) under ChaosMesh or
// Litmus, the action's maxDuration, the fault's name, startAfter and
// allowWideBlastRadius. It is nil for every other fault, and for a raw
// action whose apiVersion is neither Chaos Mesh's nor Litmus's (checkFISAction
// refuses it). err says why kubernetesSpec cannot be read.
func (f *Fault) Injected() (*Fault, error) {
	if f.FIS == nil || f.FIS.ActionID != ActionInjectCustomResource {
		return nil, nil
	}
	p := InjectParamsOf(f.FIS.Parameters)
	var spec map[string]any
	if s := strings.TrimSpace(p.Spec); s != "" {
		if err := json.Unmarshal([]byte(s), &spec); err != nil {
			return nil, fmt.Errorf("is not the CR's spec as a JSON object: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
		if key, ok := repeatedKey(s); ok {
			return nil, fmt.Errorf("repeats key %q in one object: keep one (JSON readers differ on which of the two they keep)", key)
		}
	}
	inj := p.Fault()
	if inj == nil {
		return nil, nil
	}
	inj.Resource().Spec = spec
	inj.Name, inj.StartAfter, inj.AllowWideBlastRadius = f.Name, f.StartAfter, f.AllowWideBlastRadius
	if d, err := fisactions.ParseDuration(p.MaxDuration); err == nil {
		inj.MaxDuration = Duration{d}
	}
	return inj, nil
}

// InjectedPath turns the path of a field of the fault Injected returns for
// the fault at faultPath (spec.faults[2]) into the path of the raw action's
// field it came from: chaosMesh.spec.selector becomes
// fis.parameters.kubernetesSpec.selector, chaosMesh.kind
// fis.parameters.kubernetesKind, maxDuration fis.parameters.maxDuration.
func InjectedPath(faultPath, path string) string {
	params := faultPath + ".fis.parameters."
	rest, ok := strings.CutPrefix(path, faultPath+".")
	if !ok {
		return path
	}
	for _, cr := range []string{"chaosMesh", "litmus"} {
		switch {
		case rest == cr || rest == cr+".spec":
			return params + fisactions.InjectSpec
		case strings.HasPrefix(rest, cr+".spec."), strings.HasPrefix(rest, cr+".spec["):
			return params + fisactions.InjectSpec + rest[len(cr+".spec"):]
		case rest == cr+".kind":
			return params + fisactions.InjectKind
		case rest == cr+".apiVersion":
			return params + fisactions.InjectAPIVersion
		case strings.HasPrefix(rest, cr+".metadata"):
			return params + fisactions.InjectNamespace
		}
	}
	if rest == "maxDuration" {
		return params + fisactions.InjectMaxDuration
	}
	return path
}

// checkInjected checks the custom resource of a raw
// ActionInjectCustomResource fault as a chaosMesh: or litmus: fault is
// checked, reporting at the raw action's fields.
func checkInjected(r *problems, f *Fault, p string) {
	inj, err := f.Injected()
	if err != nil {
		r.add(child(p, "fis.parameters."+fisactions.InjectSpec), "%v", err)
		return
	}
	if inj == nil {
		return
	}
	var sub problems
	switch {
	case inj.ChaosMesh != nil:
		checkChaosMesh(&sub, inj, child(p, "chaosMesh"))
	case inj.Litmus != nil:
		checkLitmus(&sub, inj.Litmus, child(p, "litmus"))
	}
	checkDurations(&sub, inj, p)
	seen := map[string]bool{}
	for _, q := range r.list {
		seen[q.Path] = true
	}
	for _, q := range sub.list {
		q.Path = InjectedPath(p, q.Path)
		if !seen[q.Path] { // checkFISAction's own message says it already
			r.list = append(r.list, q)
		}
	}
}

// repeatedKey finds a key that appears twice in one object of the JSON text
// s (already known to be valid). Go keeps the last value, and FIS and the
// Kubernetes API document nothing, so a reader that keeps the first would
// create a resource other than the one checked: such a text is refused.
func repeatedKey(s string) (string, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	type frame struct {
		keys     map[string]bool
		isObject bool
		wantKey  bool
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].isObject && stack[top].wantKey {
			if key, ok := tok.(string); ok {
				if stack[top].keys[key] {
					return key, true
				}
				stack[top].keys[key] = true
				stack[top].wantKey = false
				continue
			}
		}
		if top >= 0 && stack[top].isObject {
			stack[top].wantKey = true // this token is the key's value, or starts it
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{keys: map[string]bool{}, isObject: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}
