package gameday

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ActionInjectCustomResource is the FIS action that creates a Kubernetes
// custom resource in an EKS cluster: every chaosMesh: and litmus: fault
// becomes one, and a raw fis: fault may name it too.
const ActionInjectCustomResource = "aws:eks:inject-kubernetes-custom-resource"

// Parameters of ActionInjectCustomResource (FIS actions reference).
const (
	ParamAPIVersion  = "kubernetesApiVersion"
	ParamKind        = "kubernetesKind"
	ParamNamespace   = "kubernetesNamespace"
	ParamSpec        = "kubernetesSpec"
	ParamMaxDuration = "maxDuration"
)

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
	p := f.FIS.Parameters
	cr := &CustomResource{
		TypeMeta: TypeMeta{APIVersion: p[ParamAPIVersion], Kind: p[ParamKind]},
		Metadata: ObjectMeta{Namespace: p[ParamNamespace]},
	}
	if s := strings.TrimSpace(p[ParamSpec]); s != "" {
		if err := json.Unmarshal([]byte(s), &cr.Spec); err != nil {
			return nil, fmt.Errorf("is not the CR's spec as a JSON object: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	inj := &Fault{Name: f.Name, StartAfter: f.StartAfter, AllowWideBlastRadius: f.AllowWideBlastRadius}
	if d, err := ParseDuration(p[ParamMaxDuration]); err == nil {
		inj.MaxDuration = d
	}
	switch cr.APIVersion {
	case ChaosMeshAPIVersion:
		inj.ChaosMesh = cr
	case LitmusAPIVersion:
		inj.Litmus = cr
	default:
		return nil, nil
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
			return params + ParamSpec
		case strings.HasPrefix(rest, cr+".spec."), strings.HasPrefix(rest, cr+".spec["):
			return params + ParamSpec + rest[len(cr+".spec"):]
		case rest == cr+".kind":
			return params + ParamKind
		case rest == cr+".apiVersion":
			return params + ParamAPIVersion
		case strings.HasPrefix(rest, cr+".metadata"):
			return params + ParamNamespace
		}
	}
	if rest == "maxDuration" {
		return params + ParamMaxDuration
	}
	return path
}

// checkInjected checks the custom resource of a raw
// ActionInjectCustomResource fault as a chaosMesh: or litmus: fault is
// checked, reporting at the raw action's fields.
func checkInjected(r *problems, f *Fault, p string) {
	inj, err := f.Injected()
	if err != nil {
		r.add(child(p, "fis.parameters."+ParamSpec), "%v", err)
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
