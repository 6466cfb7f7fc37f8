package validate

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/gameday-dev/gameday/pkg/chaoscheck"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// SchemaID is the $id of the GameDay file's JSON Schema (committed as
// docs/gameday.schema.json): the address its file is served at, raw, so
// that an editor told $schema=SchemaID (gameday import writes it) loads it.
const SchemaID = "https://raw.githubusercontent.com/gameday-dev/gameday/main/docs/gameday.schema.json"

// required lists the fields the validator requires, per GameDay type (the
// Go types' json tags say less: an optional field may have no omitempty).
var required = map[reflect.Type][]string{
	reflect.TypeFor[gameday.Spec]():              {"apiVersion", "kind", "metadata", "spec"},
	reflect.TypeFor[gameday.Metadata]():          {"name"},
	reflect.TypeFor[gameday.Body]():              {"faults"},
	reflect.TypeFor[gameday.SteadyCheck]():       {"name", "metric", "expect"},
	reflect.TypeFor[gameday.Metric]():            {"namespace", "name", "stat", "period"},
	reflect.TypeFor[gameday.Fault]():             {"name"},
	reflect.TypeFor[gameday.FISAction]():         {"actionId"},
	reflect.TypeFor[gameday.FISTarget]():         {"resourceType", "selectionMode"},
	reflect.TypeFor[gameday.FISFilter]():         {"path", "values"},
	reflect.TypeFor[gameday.AlarmSpec]():         {"name", "metric", "comparison", "threshold", "evaluationPeriods"},
	reflect.TypeFor[gameday.Schedule]():          {"expression"},
	reflect.TypeFor[chaoscheck.ExperimentList](): {"name"},
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// JSONSchema is the JSON Schema (draft 2020-12) of a GameDay file,
// generated from the Go types: unknown fields are refused
// (additionalProperties: false) where the validator refuses them, and each
// Chaos Mesh kind's spec is described by Chaos Mesh's own Go types, chosen
// by kind. It is for editors: the validator checks more than it can say.
func JSONSchema() ([]byte, error) {
	r := &jsonschema.Reflector{
		RequiredFromJSONSchemaTags: true,
		Namer:                      defName,
		Mapper:                     mapType,
	}
	root := r.Reflect(&gameday.Spec{})
	root.Version = jsonschema.Version
	root.ID = SchemaID
	root.Title = "GameDay"
	root.Description = "A chaos-engineering GameDay on AWS FIS (gameday/v1alpha1). Check files with `gameday validate`."
	defs := root.Definitions
	if err := faultSchemas(r, defs); err != nil {
		return nil, err
	}
	for _, e := range propertyRules {
		d, ok := defs[defName(e.t)]
		if !ok {
			return nil, fmt.Errorf("schema: no definition of %s", defName(e.t))
		}
		p, ok := d.Properties.Get(e.prop)
		if !ok {
			return nil, fmt.Errorf("schema: %s has no property %s", defName(e.t), e.prop)
		}
		e.apply(p)
	}
	for t, req := range required {
		d, ok := defs[defName(t)]
		if !ok {
			return nil, fmt.Errorf("schema: no definition of %s", defName(t))
		}
		d.Required = req
	}
	return json.MarshalIndent(root, "", "  ")
}

// faultSchemas describes a fault's chaosMesh (one schema per kind, from
// Chaos Mesh's own types) and litmus custom resources in defs.
func faultSchemas(r *jsonschema.Reflector, defs jsonschema.Definitions) error {
	// refTo reflects t into defs and returns a reference to it.
	refTo := func(t reflect.Type) *jsonschema.Schema {
		s := r.ReflectFromType(t)
		for name, d := range s.Definitions {
			if _, seen := defs[name]; !seen {
				defs[name] = d
			}
		}
		return &jsonschema.Schema{Ref: "#/$defs/" + defName(t)}
	}
	var chaosMesh []*jsonschema.Schema
	for _, kind := range chaoscheck.Kinds() {
		spec := refTo(chaoscheck.SpecType(kind))
		if actions := gameday.ChaosMeshActions(kind); actions != nil {
			props := jsonschema.NewProperties()
			props.Set("action", &jsonschema.Schema{Enum: anys(actions)})
			spec = &jsonschema.Schema{AllOf: []*jsonschema.Schema{spec, {Properties: props}}}
		}
		chaosMesh = append(chaosMesh, kindSchema(gameday.ChaosMeshAPIVersion, kind, spec))
	}
	fault, ok := defs[defName(reflect.TypeFor[gameday.Fault]())]
	if !ok {
		return fmt.Errorf("schema: no definition of Fault")
	}
	fault.Properties.Set("chaosMesh", &jsonschema.Schema{
		Description: "A whole Chaos Mesh custom resource, as for kubectl apply; its spec is checked against Chaos Mesh's own types.",
		OneOf:       chaosMesh,
	})
	litmus := kindSchema(gameday.LitmusAPIVersion, gameday.LitmusKind, refTo(reflect.TypeFor[chaoscheck.ChaosEngineSpec]()))
	litmus.Description = "A Litmus ChaosEngine, as for kubectl apply."
	fault.Properties.Set("litmus", litmus)
	delete(defs, defName(reflect.TypeFor[gameday.CustomResource]()))
	return nil
}

// kindSchema is a custom resource of one apiVersion and kind whose spec is
// spec.
func kindSchema(apiVersion, kind string, spec *jsonschema.Schema) *jsonschema.Schema {
	props := jsonschema.NewProperties()
	props.Set("apiVersion", &jsonschema.Schema{Type: "string", Const: apiVersion})
	props.Set("kind", &jsonschema.Schema{Type: "string", Const: kind})
	props.Set("metadata", &jsonschema.Schema{Ref: "#/$defs/" + defName(reflect.TypeFor[gameday.ObjectMeta]())})
	props.Set("spec", spec)
	return &jsonschema.Schema{
		Type:                 "object",
		Properties:           props,
		Required:             []string{"apiVersion", "kind", "spec"},
		AdditionalProperties: jsonschema.FalseSchema,
	}
}

// propertyRules are what the schema says of single properties beyond
// their Go types: constants, patterns and enumerations.
var propertyRules = []struct {
	t     reflect.Type
	prop  string
	apply func(*jsonschema.Schema)
}{
	{reflect.TypeFor[gameday.Spec](), "apiVersion", func(s *jsonschema.Schema) { s.Const = gameday.APIVersion }},
	{reflect.TypeFor[gameday.Spec](), "kind", func(s *jsonschema.Schema) { s.Const = gameday.Kind }},
	{reflect.TypeFor[gameday.Metadata](), "name", dnsLabel},
	{reflect.TypeFor[gameday.Fault](), "name", dnsLabel},
	{reflect.TypeFor[gameday.AlarmSpec](), "comparison", func(s *jsonschema.Schema) { s.Enum = anys(gameday.AlarmComparisons) }},
	{reflect.TypeFor[gameday.AlarmSpec](), "treatMissingData", func(s *jsonschema.Schema) { s.Enum = anys(gameday.TreatMissingDataValues) }},
	{reflect.TypeFor[gameday.Metric](), "stat", func(s *jsonschema.Schema) {
		s.Pattern = `^(Average|Sum|Minimum|Maximum|SampleCount|p(\d{1,2}(\.\d{1,2})?|100))$`
	}},
	{reflect.TypeFor[gameday.SteadyCheck](), "phases", func(s *jsonschema.Schema) {
		if s.Items != nil {
			s.Items.Enum = anys([]string{string(gameday.PhaseBefore), string(gameday.PhaseDuring), string(gameday.PhaseAfter)})
		}
	}},
	{reflect.TypeFor[gameday.FISAction](), "actionId", func(s *jsonschema.Schema) { s.Pattern = `^aws:[a-z0-9-]+:[a-z0-9-]+$` }},
}

// dnsLabel is a Kubernetes-style name: lower-case letters, digits and '-'.
func dnsLabel(s *jsonschema.Schema) {
	s.Pattern = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	s.MaxLength = ptr(uint64(63))
}

// defName names a definition after its package, so that types of the same
// name (gameday.Schedule and Chaos Mesh's Schedule) stay apart.
func defName(t reflect.Type) string {
	pkg := t.PkgPath()
	if t.Name() == "" || pkg == "" {
		return t.Name()
	}
	if pkg == reflect.TypeFor[gameday.Spec]().PkgPath() {
		return t.Name()
	}
	for _, p := range defPrefixes {
		if strings.HasPrefix(pkg, p[0]) {
			pkg = p[1] + strings.TrimPrefix(pkg, p[0])
			break
		}
	}
	return strings.NewReplacer("/", ".", "_", "-").Replace(pkg) + "." + t.Name()
}

// defPrefixes shorten package paths in definition names.
var defPrefixes = [][2]string{
	{chaoscheck.SpecType("PodChaos").PkgPath(), "chaosmesh"},
	{reflect.TypeFor[chaoscheck.ChaosEngineSpec]().PkgPath(), "litmus"},
	{"k8s.io/apimachinery/pkg/apis/", "k8s."},
	{"k8s.io/api/", "k8s."},
	{"k8s.io/", "k8s."},
}

// mapType describes types with their own JSON or text decoding, whose Go
// fields say nothing of what they accept.
func mapType(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeFor[gameday.Duration]():
		return &jsonschema.Schema{
			Type:        "string",
			Pattern:     `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^[Pp]([0-9]+[Dd])?([Tt]([0-9]+[Hh])?([0-9]+[Mm])?([0-9]+(\.[0-9]+)?[Ss])?)?$`,
			Description: "A duration: 90s, 5m, 1h30m or ISO 8601 (PT5M).",
			Examples:    []any{"90s", "5m", "PT5M"},
		}
	case reflect.TypeFor[map[string]any]():
		return &jsonschema.Schema{Type: "object"}
	}
	if t.Kind() == reflect.Struct {
		pt := reflect.PointerTo(t)
		if pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
			// Kubernetes' Quantity, IntOrString, Time...: string or number.
			return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}}}
		}
	}
	return nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func ptr[T any](v T) *T { return &v }
