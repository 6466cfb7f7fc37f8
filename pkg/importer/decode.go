package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
)

// MaxSourceSize bounds the JSON read (FIS templates are far smaller).
const MaxSourceSize = 4 << 20

// Shape is which FIS API shape a source holds.
type Shape string

// The shapes Decode reads.
const (
	ShapeCreateRequest Shape = "CreateExperimentTemplate request"
	ShapeGetResponse   Shape = "GetExperimentTemplate response"
)

const wrapperKey = "experimentTemplate"

// responseOnly are members of the template in a GetExperimentTemplate (or
// CreateExperimentTemplate) response that a request does not have.
var responseOnly = []string{"id", "arn", "creationTime", "lastUpdateTime", "targetAccountConfigurationsCount"}

// Decode reads a JSON experiment template: a CreateExperimentTemplate
// request (as `aws fis create-experiment-template --cli-input-json` takes
// it) or a GetExperimentTemplate response (as the API or `aws fis
// get-experiment-template` returns it), with or without the
// experimentTemplate wrapper.
//
// The SDK's own types are the schema. They carry no JSON tags, but every FIS
// member's wire name is its Go field name with the first letter lower-cased
// (restJson1, no jsonName traits in the FIS model), so the document is first
// checked field by field against the SDK type by reflection, with exact wire
// names: an unknown, misspelt or wrongly typed field fails, naming its path,
// instead of being dropped as encoding/json's case-insensitive matching
// would drop or mis-assign it. Timestamps are accepted as the API sends
// them (epoch seconds) and as the AWS CLI prints them (ISO 8601). Only then
// is the document decoded into the SDK type with encoding/json.
func Decode(data []byte) (*Source, error) {
	if len(data) > MaxSourceSize {
		return nil, fmt.Errorf("decode template: %d bytes; at most %d are read", len(data), MaxSourceSize)
	}
	v, err := readJSON(data)
	if err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("decode template: not a JSON object: give a CreateExperimentTemplate request or a GetExperimentTemplate response")
	}
	shape, base := ShapeCreateRequest, ""
	if inner, wrapped := obj[wrapperKey]; wrapped {
		if len(obj) != 1 {
			for k := range obj {
				if k != wrapperKey {
					return nil, fmt.Errorf("decode template: %s: unknown field next to %s", k, wrapperKey)
				}
			}
		}
		if obj, ok = inner.(map[string]any); !ok {
			return nil, fmt.Errorf("decode template: %s: not a JSON object", wrapperKey)
		}
		shape, base = ShapeGetResponse, wrapperKey
	}
	for _, k := range responseOnly {
		if _, ok := obj[k]; ok {
			shape = ShapeGetResponse
		}
	}
	src := &Source{Shape: shape}
	if shape == ShapeGetResponse {
		var t types.ExperimentTemplate
		if err := decodeStrict(obj, base, &t); err != nil {
			return nil, err
		}
		in, err := requestOf(&t)
		if err != nil {
			return nil, err
		}
		src.Template, src.ID, src.ARN = in, deref(t.Id), deref(t.Arn)
		src.TargetAccounts = t.TargetAccountConfigurationsCount
		return src, nil
	}
	var in fis.CreateExperimentTemplateInput
	if err := decodeStrict(obj, base, &in); err != nil {
		return nil, err
	}
	src.Template = &in
	return src, nil
}

// decodeStrict checks obj against the type of out, then decodes it there.
func decodeStrict(obj map[string]any, base string, out any) error {
	norm, errs := conform(obj, reflect.TypeOf(out).Elem(), base)
	if len(errs) > 0 {
		return fmt.Errorf("decode template: %w", errors.Join(errs...))
	}
	b, err := json.Marshal(norm)
	if err != nil {
		return fmt.Errorf("decode template: %w", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode template: %w", err)
	}
	return nil
}

// readJSON decodes one JSON value with numbers kept as json.Number,
// refusing duplicate object keys (encoding/json keeps the last one
// silently) and trailing data.
func readJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readValue(dec, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

const maxJSONDepth = 64

// notJSON is a token error of the decoder; its io.EOF, the input ending
// inside a value, in words.
func notJSON(err error) error {
	if err == io.EOF {
		return errors.New("not JSON: the input ends inside a value (a bracket or brace is not closed)")
	}
	return fmt.Errorf("not JSON: %w", err)
}

func readValue(dec *json.Decoder, path string, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("%s: nested deeper than %d", orRoot(path), maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF && depth == 0 {
			return nil, errors.New("no JSON value: the input is empty")
		}
		return nil, notJSON(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, notJSON(err)
				}
				k, _ := kt.(string)
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("%s: field appears twice", join(path, k))
				}
				v, err := readValue(dec, join(path, k), depth+1)
				if err != nil {
					return nil, err
				}
				m[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, notJSON(err)
			}
			return m, nil
		case '[':
			var s []any
			for dec.More() {
				v, err := readValue(dec, fmt.Sprintf("%s[%d]", path, len(s)), depth+1)
				if err != nil {
					return nil, err
				}
				s = append(s, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, notJSON(err)
			}
			if s == nil {
				s = []any{}
			}
			return s, nil
		}
		return nil, fmt.Errorf("not JSON: unexpected %v", t)
	}
	return tok, nil
}

var timeType = reflect.TypeOf(time.Time{})

// conform checks v against Go type t of the SDK, by wire names, and returns
// v with timestamps rewritten as RFC 3339 for encoding/json.
func conform(v any, t reflect.Type, path string) (any, []error) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil { // JSON null: an absent member
		return nil, nil
	}
	if t == timeType {
		return conformTime(v, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		return conformStruct(v, t, path)
	case reflect.Map:
		return conformMap(v, t, path)
	case reflect.Slice:
		return conformSlice(v, t, path)
	case reflect.String, reflect.Int32, reflect.Int64, reflect.Bool:
		return conformScalar(v, t, path)
	}
	return nil, []error{fmt.Errorf("%s: the SDK type %s is not supported by the importer", orRoot(path), t)}
}

// mismatch is the error of a value v at path that is not the kind want.
func mismatch(v any, path, want string) []error {
	return []error{fmt.Errorf("%s: must be %s, not %s", orRoot(path), want, jsonKind(v))}
}

// conformTime reads a timestamp as epoch seconds or ISO 8601.
func conformTime(v any, path string) (any, []error) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, mismatch(v, path, "a timestamp")
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC().Format(time.RFC3339Nano), nil
	case string:
		ts, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return nil, []error{fmt.Errorf("%s: %q is not an ISO 8601 timestamp", orRoot(path), x)}
		}
		return ts.Format(time.RFC3339Nano), nil
	}
	return nil, mismatch(v, path, "a timestamp")
}

// conformStruct checks an object's members against an SDK struct's wire
// names and returns it keyed by the Go field names.
func conformStruct(v any, t reflect.Type, path string) (any, []error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, mismatch(v, path, "an object")
	}
	fields := wireFields(t)
	out := make(map[string]any, len(obj))
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		f, ok := fields[k]
		if !ok {
			errs = append(errs, unknownField(path, k, fields))
			continue
		}
		n, e := conform(obj[k], f.Type, join(path, k))
		errs = append(errs, e...)
		out[f.Name] = n
	}
	return out, errs
}

func conformMap(v any, t reflect.Type, path string) (any, []error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, mismatch(v, path, "an object")
	}
	out := make(map[string]any, len(obj))
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		n, e := conform(obj[k], t.Elem(), join(path, k))
		errs = append(errs, e...)
		out[k] = n
	}
	return out, errs
}

func conformSlice(v any, t reflect.Type, path string) (any, []error) {
	s, ok := v.([]any)
	if !ok {
		return nil, mismatch(v, path, "an array")
	}
	out := make([]any, len(s))
	var errs []error
	for i, e := range s {
		n, ee := conform(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		errs = append(errs, ee...)
		out[i] = n
	}
	return out, errs
}

// conformScalar checks a string, a 32- or 64-bit integer or a bool.
func conformScalar(v any, t reflect.Type, path string) (any, []error) {
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			return nil, mismatch(v, path, "a string")
		}
	case reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return nil, mismatch(v, path, "an integer")
		}
		i, err := n.Int64()
		if err != nil {
			return nil, []error{fmt.Errorf("%s: %s is not an integer", orRoot(path), n)}
		}
		if t.Kind() == reflect.Int32 && i != int64(int32(i)) {
			return nil, []error{fmt.Errorf("%s: %s is out of range", orRoot(path), n)}
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return nil, mismatch(v, path, "true or false")
		}
	}
	return v, nil
}

// wireFields maps each exported field of an SDK struct to its wire name.
func wireFields(t reflect.Type) map[string]reflect.StructField {
	out := make(map[string]reflect.StructField, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue // noSmithyDocumentSerde
		}
		out[wireName(f.Name)] = f
	}
	return out
}

func wireName(goName string) string {
	return strings.ToLower(goName[:1]) + goName[1:]
}

func unknownField(path, k string, fields map[string]reflect.StructField) error {
	for name := range fields {
		if strings.EqualFold(name, k) {
			return fmt.Errorf("%s: unknown field; FIS spells it %s", join(path, k), name)
		}
	}
	names := slices.Sorted(maps.Keys(fields))
	return fmt.Errorf("%s: unknown field; FIS takes %s here", join(path, k), strings.Join(names, ", "))
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func orRoot(path string) string {
	if path == "" {
		return "the template"
	}
	return path
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
