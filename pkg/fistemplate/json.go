package fistemplate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// CanonicalJSON encodes v (as decoded from YAML or JSON: maps, slices,
// strings, numbers, booleans, nil) with object keys sorted, no insignificant
// whitespace and no HTML escaping, so that the same value always gives the
// same bytes. Maps with non-string keys are accepted when the keys are
// strings, numbers or booleans (YAML allows them), and written as strings.
func CanonicalJSON(v any) ([]byte, error) {
	n, err := normalize(v)
	if err != nil {
		return nil, err
	}
	return encode(n, "")
}

// encode marshals v without HTML escaping and without the trailing newline
// json.Encoder adds; indent "" means compact.
func encode(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// normalize turns map[any]any into map[string]any and checks that v holds
// only JSON values, recursively.
func normalize(v any) (any, error) {
	switch t := v.(type) {
	case nil, string, bool, json.Number:
		return t, nil
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("%v is not a JSON number", t)
		}
		return t, nil
	case float32:
		return normalize(float64(t))
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return t, nil
	case map[string]any:
		return normalizeMap(t)
	case map[any]any:
		return normalizeMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			n, err := normalize(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = n
		}
		return out, nil
	}
	// Other slices and maps (for example []string or map[string]string from
	// a typed decoder): go through reflection.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Interface()
		}
		return normalize(out)
	case reflect.Map:
		out := make(map[any]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out[it.Key().Interface()] = it.Value().Interface()
		}
		return normalize(out)
	}
	return nil, fmt.Errorf("unsupported value %v of type %T", v, v)
}

// normalizeMap is normalize for a map: its keys as strings (two keys
// that read the same are an error), its values normalized.
func normalizeMap[K comparable](m map[K]any) (any, error) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		ks, err := keyString(k)
		if err != nil {
			return nil, err
		}
		if _, dup := out[ks]; dup {
			return nil, fmt.Errorf("key %q appears twice", ks)
		}
		n, err := normalize(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ks, err)
		}
		out[ks] = n
	}
	return out, nil
}

func keyString(k any) (string, error) {
	switch t := k.(type) {
	case string:
		return t, nil
	case bool:
		return strconv.FormatBool(t), nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(t), nil
	}
	return "", fmt.Errorf("map key %v of type %T is not a string", k, k)
}

// SpecDigest is the hex SHA-256 of the GameDay's canonical JSON: it changes
// exactly when the GameDay does, whatever the YAML's layout or key order.
func SpecDigest(s *gameday.Spec) string {
	b, err := canonicalSpec(s)
	if err != nil { // a Spec holding non-JSON values: digest what we can, deterministically
		b = []byte(fmt.Sprintf("%#v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func canonicalSpec(s *gameday.Spec) ([]byte, error) {
	c := *s
	c.Spec.Faults = make([]gameday.Fault, len(s.Spec.Faults))
	for i, f := range s.Spec.Faults {
		for _, cr := range []**gameday.CustomResource{&f.ChaosMesh, &f.Litmus} {
			if *cr == nil {
				continue
			}
			cp := **cr
			n, err := normalize(cp.Spec)
			if err != nil {
				return nil, err
			}
			cp.Spec, _ = n.(map[string]any)
			*cr = &cp
		}
		c.Spec.Faults[i] = f
	}
	raw, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	// Round-trip through a generic value so that numbers and key order are
	// canonical whatever the decoder produced.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return CanonicalJSON(v)
}

// The request body of CreateExperimentTemplate, with the field names of the
// FIS API reference. The SDK's types carry no JSON tags, so the mapping is
// spelled out here.
type (
	body struct {
		ClientToken       string                `json:"clientToken,omitempty"`
		Description       string                `json:"description"`
		StopConditions    []stopConditionBody   `json:"stopConditions"`
		Targets           map[string]targetBody `json:"targets,omitempty"`
		Actions           map[string]actionBody `json:"actions"`
		RoleArn           string                `json:"roleArn"`
		Tags              map[string]string     `json:"tags,omitempty"`
		LogConfiguration  *logConfigBody        `json:"logConfiguration,omitempty"`
		ExperimentOptions *optionsBody          `json:"experimentOptions,omitempty"`
	}
	stopConditionBody struct {
		Source string `json:"source"`
		Value  string `json:"value,omitempty"`
	}
	targetBody struct {
		ResourceType  string            `json:"resourceType"`
		ResourceArns  []string          `json:"resourceArns,omitempty"`
		ResourceTags  map[string]string `json:"resourceTags,omitempty"`
		Filters       []filterBody      `json:"filters,omitempty"`
		SelectionMode string            `json:"selectionMode"`
		Parameters    map[string]string `json:"parameters,omitempty"`
	}
	filterBody struct {
		Path   string   `json:"path"`
		Values []string `json:"values"`
	}
	actionBody struct {
		ActionID    string            `json:"actionId"`
		Description string            `json:"description,omitempty"`
		Parameters  map[string]string `json:"parameters,omitempty"`
		Targets     map[string]string `json:"targets,omitempty"`
		StartAfter  []string          `json:"startAfter,omitempty"`
	}
	logConfigBody struct {
		CloudWatchLogsConfiguration *cwLogsBody `json:"cloudWatchLogsConfiguration,omitempty"`
		S3Configuration             *s3Body     `json:"s3Configuration,omitempty"`
		LogSchemaVersion            int32       `json:"logSchemaVersion"`
	}
	cwLogsBody struct {
		LogGroupArn string `json:"logGroupArn"`
	}
	s3Body struct {
		BucketName string `json:"bucketName"`
		Prefix     string `json:"prefix,omitempty"`
	}
	optionsBody struct {
		AccountTargeting          string `json:"accountTargeting,omitempty"`
		EmptyTargetResolutionMode string `json:"emptyTargetResolutionMode,omitempty"`
	}
)

// JSON is the CreateExperimentTemplate request body exactly as the FIS API
// (and `aws fis create-experiment-template --cli-input-json`) takes it,
// indented, ending in a newline, byte-identical for the same input.
func JSON(in *fis.CreateExperimentTemplateInput) ([]byte, error) {
	b, err := marshalBody(in)
	if err != nil {
		return nil, fmt.Errorf("encode template: %w", err)
	}
	return append(b, '\n'), nil
}

func marshalBody(in *fis.CreateExperimentTemplateInput) ([]byte, error) {
	if in == nil {
		return nil, fmt.Errorf("no template")
	}
	b := body{
		ClientToken: deref(in.ClientToken),
		Description: deref(in.Description),
		RoleArn:     deref(in.RoleArn),
		Tags:        in.Tags,
	}
	for _, sc := range in.StopConditions {
		b.StopConditions = append(b.StopConditions, stopConditionBody{Source: deref(sc.Source), Value: deref(sc.Value)})
	}
	if b.StopConditions == nil {
		b.StopConditions = []stopConditionBody{}
	}
	if len(in.Targets) > 0 {
		b.Targets = make(map[string]targetBody, len(in.Targets))
		for k, t := range in.Targets {
			tb := targetBody{
				ResourceType:  deref(t.ResourceType),
				ResourceArns:  t.ResourceArns,
				ResourceTags:  t.ResourceTags,
				SelectionMode: deref(t.SelectionMode),
				Parameters:    t.Parameters,
			}
			for _, f := range t.Filters {
				tb.Filters = append(tb.Filters, filterBody{Path: deref(f.Path), Values: f.Values})
			}
			b.Targets[k] = tb
		}
	}
	b.Actions = make(map[string]actionBody, len(in.Actions))
	for k, a := range in.Actions {
		b.Actions[k] = actionBody{
			ActionID:    deref(a.ActionId),
			Description: deref(a.Description),
			Parameters:  a.Parameters,
			Targets:     a.Targets,
			StartAfter:  a.StartAfter,
		}
	}
	if lc := in.LogConfiguration; lc != nil {
		lb := &logConfigBody{}
		if lc.LogSchemaVersion != nil {
			lb.LogSchemaVersion = *lc.LogSchemaVersion
		}
		if s3 := lc.S3Configuration; s3 != nil {
			lb.S3Configuration = &s3Body{BucketName: deref(s3.BucketName), Prefix: deref(s3.Prefix)}
		}
		if cw := lc.CloudWatchLogsConfiguration; cw != nil {
			lb.CloudWatchLogsConfiguration = &cwLogsBody{LogGroupArn: deref(cw.LogGroupArn)}
		}
		b.LogConfiguration = lb
	}
	if eo := in.ExperimentOptions; eo != nil {
		b.ExperimentOptions = &optionsBody{
			AccountTargeting:          string(eo.AccountTargeting),
			EmptyTargetResolutionMode: string(eo.EmptyTargetResolutionMode),
		}
	}
	return encode(b, "  ")
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
