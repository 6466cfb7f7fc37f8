package gameday

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
)

// PruneShape checks a plain value (as decoded from YAML or JSON into
// map[string]any, []any, string, int64 or float64, bool and nil) against the
// JSON shape of the Go type t, the way a strict json.Decoder would, but
// reports every problem instead of the first: unknown fields (with the
// closest known name), wrong kinds of value, numbers out of range. Types
// with their own JSON or text decoding are checked by decoding the value.
// path prefixes the problems' paths. It also deletes each unknown field and
// bad value from v's maps and lists, so that the rest still decodes and
// gets checked: it changes v.
func PruneShape(v any, t reflect.Type, path string) Problems {
	var r problems
	shape(&r, v, t, path, 0)
	return r.list
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType    = reflect.TypeFor[Duration]()
)

// shape reports whether v itself fits t; problems inside a fitting map or
// list do not make it unfit (they are deleted in place).
func shape(r *problems, v any, t reflect.Type, path string, depth int) bool {
	if v == nil || depth > maxDepth {
		return true
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
		return shapeDecoded(r, v, t, path)
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			r.add(path, "must be a mapping (key: value), not %s", kindOf(v))
			return false
		}
		if t.Kind() == reflect.Struct {
			shapeStruct(r, m, t, path, depth)
		} else {
			shapeMap(r, m, t, path, depth)
		}
		return true
	case reflect.Slice, reflect.Array:
		return shapeList(r, v, t, path, depth)
	}
	return shapeScalar(r, v, t, path)
}

// shapeDecoded checks a value of a type with its own JSON or text decoding
// by decoding it.
func shapeDecoded(r *problems, v any, t reflect.Type, path string) bool {
	pt := reflect.PointerTo(t)
	if t == durationType {
		if _, ok := v.(string); !ok {
			r.add(path, "%v is not a duration: write 90s, 5m or PT5M", v)
			return false
		}
	} else if pt.Implements(textUnmarshaler) && !pt.Implements(jsonUnmarshaler) {
		if _, ok := v.(string); !ok {
			r.add(path, "must be a string, not %s", kindOf(v))
			return false
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		r.add(path, "%v", err)
		return false
	}
	if err := json.Unmarshal(b, reflect.New(t).Interface()); err != nil {
		r.add(path, "%s", cleanJSONError(err))
		return false
	}
	return true
}

// shapeStruct checks a mapping against a struct's JSON fields, naming the
// closest known field for an unknown one.
func shapeStruct(r *problems, m map[string]any, t reflect.Type, path string, depth int) {
	fields := jsonFields(t)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		f, ok := fields.byName[k]
		if !ok {
			r.add(child(path, k), "unknown field %q%s", k, r.fieldHint(k, fields))
			delete(m, k)
			continue
		}
		r.outer = append(r.outer, fields)
		fits := shape(r, m[k], f.typ, child(path, k), depth+1)
		r.outer = r.outer[:len(r.outer)-1]
		if !fits {
			delete(m, k)
		}
	}
}

// shapeMap checks a mapping's values against a map's element type.
func shapeMap(r *problems, m map[string]any, t reflect.Type, path string, depth int) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !shape(r, m[k], t.Elem(), child(path, k), depth+1) {
			delete(m, k)
		}
	}
}

// shapeList checks a list's elements against a slice's element type; a
// []byte is base64 text.
func shapeList(r *problems, v any, t reflect.Type, path string, depth int) bool {
	if t.Elem().Kind() == reflect.Uint8 { // []byte: base64 text
		if _, ok := v.(string); !ok {
			r.add(path, "must be a base64 string, not %s", kindOf(v))
			return false
		}
		return true
	}
	s, ok := v.([]any)
	if !ok {
		r.add(path, "must be a list, not %s", kindOf(v))
		return false
	}
	for i, e := range s {
		if !shape(r, e, t.Elem(), index(path, i), depth+1) {
			s[i] = nil
		}
	}
	return true
}

// shapeScalar checks a string, bool or number, with a hint where YAML's
// typing is the likely cause.
func shapeScalar(r *problems, v any, t reflect.Type, path string) bool {
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			if isContainer(v) {
				r.add(path, "must be a string, not %s (quote values that contain ': ' or sit inside { })", kindOf(v))
			} else if isNumber(v) && durationField(path) {
				r.add(path, "must be a duration with its unit, not the bare number %v: write for example %q", v, fmt.Sprint(v)+"ms")
			} else {
				r.add(path, "must be a string, not %s: quote it, %s", kindOf(v), quoteHint(v))
			}
			return false
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			r.add(path, "must be true or false, not %s", kindOf(v))
			return false
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := integer(v)
		if !ok {
			r.add(path, "must be a whole number, not %s", kindOf(v))
			return false
		}
		if z := reflect.Zero(t); (z.CanInt() && z.OverflowInt(n)) || (z.CanUint() && (n < 0 || z.OverflowUint(uint64(n)))) {
			r.add(path, "%d is out of range", n)
			return false
		}
	case reflect.Float32, reflect.Float64:
		switch v.(type) {
		case int64, float64, int, uint64:
		default:
			r.add(path, "must be a number, not %s", kindOf(v))
			return false
		}
	}
	return true
}

// integer reads a whole number from a YAML (int64) or JSON (float64) value.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<63 {
			return int64(n), true
		}
	}
	return 0, false
}

func kindOf(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("%v", x)
	case int64, int, uint64:
		return fmt.Sprintf("the number %v", x)
	case float64:
		return fmt.Sprintf("the number %v", x)
	}
	return fmt.Sprintf("%T", v)
}

func cleanJSONError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "json: ")
	return s
}

type jsonField struct {
	typ reflect.Type
}

type fieldSet struct {
	byName map[string]jsonField
	names  []string
}

var fieldCache sync.Map // reflect.Type → *fieldSet

// jsonFields lists the JSON field names of a struct the way encoding/json
// sees them, embedded structs (including Kubernetes' `json:",inline"`)
// flattened.
func jsonFields(t reflect.Type) *fieldSet {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{byName: map[string]jsonField{}}
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct && depth < 10 {
				walk(ft, depth+1)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if _, dup := fs.byName[name]; dup && depth > 0 {
				continue // the shallower field wins, as in encoding/json
			}
			fs.byName[name] = jsonField{typ: f.Type}
		}
	}
	walk(t, 0)
	for n := range fs.byName {
		fs.names = append(fs.names, n)
	}
	sort.Strings(fs.names)
	fieldCache.Store(t, fs)
	return fs
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// fieldHint says what an unknown field k of fields may be: a field of the
// enclosing struct indented too far, a typo, or one of a short list.
func (r *problems) fieldHint(k string, fields *fieldSet) string {
	if n := len(r.outer); n > 0 {
		if _, ok := r.outer[n-1].byName[k]; ok {
			return " (it is a field of the enclosing mapping: indent it less)"
		}
	}
	return suggestField(k, fields.names)
}

// suggestField is suggest, or the list of known fields when it is short.
func suggestField(k string, names []string) string {
	if s := suggest(k, names); s != "" {
		return s
	}
	if len(names) <= 12 {
		return fmt.Sprintf(" (known fields: %s)", strings.Join(names, ", "))
	}
	return ""
}

// suggest names the closest known name, for typos.
func suggest(k string, names []string) string {
	if best, ok := Closest(k, names); ok {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// Closest is the name k is most likely a typo of: one that differs from it
// only in case, else the nearest within two edits; false when none is.
func Closest(k string, names []string) (string, bool) {
	best, bestD := "", 3
	for _, n := range names {
		if strings.EqualFold(n, k) {
			return n, true
		}
		if d := levenshtein(strings.ToLower(k), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best, best != ""
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// durationField says whether the field at path holds a duration string in
// Chaos Mesh or GameDay files (duration, latency, jitter, delay, ...).
func durationField(path string) bool {
	name := path[strings.LastIndexByte(path, '.')+1:]
	switch name {
	case "duration", "latency", "jitter", "delay", "timeOffset", "maxDuration", "experiment", "before", "after":
		return true
	}
	return false
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, int64, uint64, float64:
		return true
	}
	return false
}
