// Package chaoscheck checks the custom resources inside GameDay faults
// strictly: each Chaos Mesh CR's spec is decoded into Chaos Mesh's own Go
// API types with unknown fields refused and run through Chaos Mesh's own
// webhook validation; a Litmus ChaosEngine gets structural checks.
//
// The types are third_party/chaos-mesh's copy of Chaos Mesh's api/v1alpha1
// without its controller-runtime registration (upstream_test.go holds the
// copy to upstream). They still link Kubernetes' apimachinery and core
// types, so only the validating code (pkg/validate: the CLI, the CDK synth
// and the preflight step) may import this package; the other Lambdas stay
// small.
package chaoscheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/third_party/chaos-mesh/api/genericwebhook"
	"github.com/gameday-dev/gameday/third_party/chaos-mesh/api/v1alpha1"
)

// chaosObject is a Chaos Mesh object whose Spec field is the CR's spec.
type chaosObject interface {
	SetNamespace(string)
	SetName(string)
}

// kinds are the Chaos Mesh kinds FIS accepts (gameday.ChaosMeshKinds), with
// their Go types.
var kinds = map[string]func() chaosObject{
	"AWSChaos":             func() chaosObject { return &v1alpha1.AWSChaos{} },
	"DNSChaos":             func() chaosObject { return &v1alpha1.DNSChaos{} },
	"GCPChaos":             func() chaosObject { return &v1alpha1.GCPChaos{} },
	"HTTPChaos":            func() chaosObject { return &v1alpha1.HTTPChaos{} },
	"IOChaos":              func() chaosObject { return &v1alpha1.IOChaos{} },
	"JVMChaos":             func() chaosObject { return &v1alpha1.JVMChaos{} },
	"KernelChaos":          func() chaosObject { return &v1alpha1.KernelChaos{} },
	"NetworkChaos":         func() chaosObject { return &v1alpha1.NetworkChaos{} },
	"PhysicalMachineChaos": func() chaosObject { return &v1alpha1.PhysicalMachineChaos{} },
	"PodChaos":             func() chaosObject { return &v1alpha1.PodChaos{} },
	"PodHttpChaos":         func() chaosObject { return &v1alpha1.PodHttpChaos{} },
	"PodIOChaos":           func() chaosObject { return &v1alpha1.PodIOChaos{} },
	"PodNetworkChaos":      func() chaosObject { return &v1alpha1.PodNetworkChaos{} },
	"Schedule":             func() chaosObject { return &v1alpha1.Schedule{} },
	"StressChaos":          func() chaosObject { return &v1alpha1.StressChaos{} },
	"TimeChaos":            func() chaosObject { return &v1alpha1.TimeChaos{} },
}

// Kinds lists the Chaos Mesh kinds this package checks with their Go types.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SpecType is the Go type of a kind's spec, for the JSON Schema; nil for an
// unknown kind.
func SpecType(kind string) reflect.Type {
	mk, ok := kinds[kind]
	if !ok {
		return nil
	}
	f, _ := reflect.TypeOf(mk()).Elem().FieldByName("Spec")
	return f.Type
}

// ChaosMesh checks a Chaos Mesh CR strictly: its spec decoded into the
// kind's Go type (unknown fields and wrong types are problems), then Chaos
// Mesh's own defaulting and validation, as its admission webhook would. path
// is the CR's field path (spec.faults[0].chaosMesh). An unknown kind gives no
// problems here: gameday.Check reports it.
func ChaosMesh(cr *gameday.CustomResource, path string) gameday.Problems {
	ps, _ := chaosMeshAPI.check(cr, path)
	return ps
}

// api is Chaos Mesh's API as ChaosMesh uses it: the kinds' Go types and
// the admission webhook's defaulting and validation. Its tests run the
// same checks through upstream's module.
type api struct {
	kinds   map[string]func() chaosObject
	webhook func(chaosObject) field.ErrorList
}

var chaosMeshAPI = api{kinds: kinds, webhook: webhook}

// webhook defaults and validates obj as Chaos Mesh's admission webhook
// does (a Schedule validates its own spec).
func webhook(obj chaosObject) field.ErrorList {
	if s, ok := obj.(*v1alpha1.Schedule); ok {
		return s.Spec.Validate(&s.Spec)
	}
	genericwebhook.Default(obj)
	return genericwebhook.Validate(obj)
}

// check is ChaosMesh with the object it decoded and defaulted (nil when
// the spec was not decoded).
func (a api) check(cr *gameday.CustomResource, path string) (ps gameday.Problems, _ chaosObject) {
	mk, ok := a.kinds[cr.Kind]
	if !ok || len(cr.Spec) == 0 { // gameday.Check reports a missing spec
		return nil, nil
	}
	specPath := path + ".spec"
	obj := mk()
	spec := reflect.ValueOf(obj).Elem().FieldByName("Spec")
	// Unknown and mistyped fields are problems; the rest is still validated.
	plain, err := copyPlain(cr.Spec)
	if err != nil {
		return gameday.Problems{{Path: specPath, Message: err.Error()}}, nil
	}
	shapeProblems := gameday.PruneShape(plain, spec.Type(), specPath)
	ps = append(ps, shapeProblems...)
	if err := decodeStrict(plain, spec.Addr().Interface()); err != nil {
		return append(ps, gameday.Problem{Path: specPath, Message: err.Error()}), nil
	}
	obj.SetNamespace(cr.Namespace())
	obj.SetName("gameday-validate")

	defer func() {
		if r := recover(); r != nil {
			ps = append(ps, gameday.Problem{Path: specPath, Message: fmt.Sprintf("Chaos Mesh's validation failed on this spec: %v", r)})
		}
	}()
	errs := a.webhook(obj)
	root := reflect.TypeOf(obj).Elem()
	for _, e := range errs {
		p := path + "." + jsonPath(root, e.Field)
		if underAny(p, shapeProblems) {
			continue // a field left out above; its problem is reported
		}
		ps = append(ps, gameday.Problem{Path: p, Message: errorMessage(e) + parseHint(e.Detail) + " (Chaos Mesh validation)"})
	}
	return ps, obj
}

func underAny(path string, ps gameday.Problems) bool {
	for _, p := range ps {
		if path == p.Path || strings.HasPrefix(path, p.Path+".") || strings.HasPrefix(path, p.Path+"[") ||
			strings.HasPrefix(p.Path, path+".") {
			return true
		}
	}
	return false
}

// errorMessage is a field error without its path, and without a dump of the
// bad value when that value is a whole structure.
func errorMessage(e *field.Error) string {
	if e.Type != field.ErrorTypeInvalid || e.Detail == "" {
		return e.ErrorBody()
	}
	v := reflect.ValueOf(e.BadValue)
	for v.IsValid() && v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if !v.IsValid() {
		return e.Detail
	}
	switch v.Kind() {
	case reflect.String:
		return fmt.Sprintf("%q: %s", v.String(), e.Detail)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Bool:
		return fmt.Sprintf("%v: %s", v.Interface(), e.Detail)
	}
	return e.Detail
}

// parseHint says what to write instead when Chaos Mesh's validation could
// not parse a string field (its detail quotes the Go parse error).
func parseHint(detail string) string {
	switch {
	case strings.Contains(detail, "time: "):
		return ": write a duration with its unit, such as 90ms, 30s or 5m"
	case strings.Contains(detail, "strconv.Atoi"):
		return `: write a whole number as a string, such as "1"`
	case strings.Contains(detail, "strconv.ParseFloat"):
		return `: write a number as a string, such as "25"`
	}
	return ""
}

// jsonPath turns the path of a Chaos Mesh field error, which mixes Go
// field names (Spec.ContainerSelector.PodSelector) with JSON names added by
// the validators (value), into the JSON path (spec.value) under root.
func jsonPath(root reflect.Type, fieldPath string) string {
	var out []string
	t := root
	for _, seg := range splitFieldPath(fieldPath) {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if strings.HasPrefix(seg, "[") {
			key := strings.Trim(seg, "[]")
			if _, err := strconv.Atoi(key); err == nil && len(out) > 0 {
				out[len(out)-1] += seg
			} else {
				out = append(out, key)
			}
			if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t.Kind() == reflect.Array) {
				t = t.Elem()
			} else {
				t = nil
			}
			continue
		}
		if t == nil || t.Kind() != reflect.Struct {
			out = append(out, seg)
			t = nil
			continue
		}
		if f, ok := t.FieldByName(seg); ok {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !(f.Anonymous && name == "") {
				if name == "" {
					name = f.Name
				}
				out = append(out, name)
			}
			t = f.Type
			continue
		}
		out = append(out, seg)
		t = fieldTypeByJSON(t, seg)
	}
	return strings.Join(out, ".")
}

// fieldTypeByJSON finds the type of the field with JSON name name,
// looking into inline embedded structs.
func fieldTypeByJSON(t reflect.Type, name string) reflect.Type {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && tag == "" && ft.Kind() == reflect.Struct {
			if found := fieldTypeByJSON(ft, name); found != nil {
				return found
			}
			continue
		}
		if tag == name {
			return f.Type
		}
	}
	return nil
}

// splitFieldPath splits a.b[0].c[key] into a, b, [0], c, [key].
func splitFieldPath(p string) []string {
	var segs []string
	for p != "" {
		switch {
		case p[0] == '.':
			p = p[1:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return append(segs, p)
			}
			segs = append(segs, p[:end+1])
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			segs = append(segs, p[:end])
			p = p[end:]
		}
	}
	return segs
}

// copyPlain deep-copies a plain value through JSON, so that pruning leaves
// the caller's spec alone.
func copyPlain(v map[string]any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode spec: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("copy spec: %w", err)
	}
	return out, nil
}

// decodeStrict decodes a plain value into v through JSON, refusing unknown
// fields, as the Kubernetes API server's strict decoding does.
func decodeStrict(in any, v any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode spec: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode spec: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}
