package sockshop

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Helpers reading a custom resource's spec as decoded from JSON or YAML
// (map[string]any, []any, strings, float64 / int / uint numbers).

func field(m map[string]any, path ...string) (any, bool) {
	var cur any = m
	for _, p := range path {
		mm, ok := asMap(cur)
		if !ok {
			return nil, false
		}
		cur, ok = mm[p]
		if !ok || cur == nil {
			return nil, false
		}
	}
	return cur, true
}

func asMap(v any) (map[string]any, bool) {
	switch t := v.(type) {
	case map[string]any:
		return t, true
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			out[fmt.Sprint(k)] = v
		}
		return out, true
	case map[string]string:
		out := make(map[string]any, len(t))
		for k, v := range t {
			out[k] = v
		}
		return out, true
	case map[string][]string:
		out := make(map[string]any, len(t))
		for k, v := range t {
			out[k] = v
		}
		return out, true
	}
	return nil, false
}

// asList reads a list of any element type ([]any from JSON and YAML
// decoders, or a typed slice from Go code).
func asList(v any) ([]any, bool) {
	if l, ok := v.([]any); ok {
		return l, true
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

func getMap(m map[string]any, path ...string) map[string]any {
	v, ok := field(m, path...)
	if !ok {
		return nil
	}
	mm, _ := asMap(v)
	return mm
}

func getString(m map[string]any, path ...string) string {
	v, ok := field(m, path...)
	if !ok {
		return ""
	}
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	default:
		return fmt.Sprint(t)
	}
}

// getNumber reads a number written as a number or a string ("25", "25%").
func getNumber(m map[string]any, path ...string) (float64, bool, error) {
	v, ok := field(m, path...)
	if !ok {
		return 0, false, nil
	}
	var f float64
	switch t := v.(type) {
	case json.Number, string:
		text := fmt.Sprint(t)
		x, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(text), "%"), 64)
		if err != nil {
			return 0, true, fmt.Errorf("%w: %s: %q is not a number", ErrInvalid, strings.Join(path, "."), text)
		}
		f = x
	default:
		// Any Go number, whichever decoder made it.
		switch n := reflect.ValueOf(v); {
		case n.CanFloat():
			f = n.Float()
		case n.CanInt():
			f = float64(n.Int())
		case n.CanUint():
			f = float64(n.Uint())
		default:
			return 0, true, fmt.Errorf("%w: %s: %v is not a number", ErrInvalid, strings.Join(path, "."), v)
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, true, fmt.Errorf("%w: %s: not a finite number", ErrInvalid, strings.Join(path, "."))
	}
	return f, true, nil
}

func getBool(m map[string]any, path ...string) bool {
	v, ok := field(m, path...)
	if !ok {
		return false
	}
	switch t := v.(type) {
	case bool:
		return t
	case string:
		b, _ := strconv.ParseBool(t)
		return b
	}
	return false
}

func getStrings(m map[string]any, path ...string) []string {
	v, ok := field(m, path...)
	if !ok {
		return nil
	}
	switch t := v.(type) {
	case string:
		return []string{t}
	}
	list, ok := asList(v)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

func getStringMap(m map[string]any, path ...string) map[string]string {
	mm := getMap(m, path...)
	if mm == nil {
		return nil
	}
	out := make(map[string]string, len(mm))
	for k, v := range mm {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// getDuration reads a Go / Chaos Mesh duration ("90ms", "10s", "-5m").
func getDuration(m map[string]any, path ...string) (time.Duration, bool, error) {
	s := strings.TrimSpace(getString(m, path...))
	if s == "" {
		return 0, false, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, true, fmt.Errorf("%w: %s: %q is not a duration", ErrInvalid, strings.Join(path, "."), s)
	}
	return d, true, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percent reads a percentage in [0, 100] and returns it as a fraction.
func percent(m map[string]any, def float64, path ...string) (float64, error) {
	f, ok, err := getNumber(m, path...)
	if err != nil {
		return 0, err
	}
	if !ok {
		return def / 100, nil
	}
	if f < 0 || f > 100 {
		return 0, fmt.Errorf("%w: %s: %v is not a percentage in [0, 100]", ErrInvalid, strings.Join(path, "."), f)
	}
	return f / 100, nil
}

// parseRate reads a tc rate as Chaos Mesh's bandwidth.rate takes it: bit,
// kbit, mbit, gbit, tbit are bits per second; bps, kbps, mbps, gbps, tbps
// are bytes per second (tc's own units); a bare number is bits per second.
// It returns kilobits per second.
func parseRate(s string) (float64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: bandwidth.rate: %q is not a rate (write 1mbps or 10mbit)", ErrInvalid, s)
	}
	units := map[string]float64{
		"": 1, "bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9, "tbit": 1e12,
		"bps": 8, "kbps": 8e3, "mbps": 8e6, "gbps": 8e9, "tbps": 8e12,
	}
	u, ok := units[s[i:]]
	if !ok {
		return 0, fmt.Errorf("%w: bandwidth.rate: unknown unit in %q", ErrInvalid, s)
	}
	return n * u / 1e3, nil
}

// parseSize reads a stress-ng size ("256MB", "1GB", "512k", "50%") and
// returns mebibytes; a percentage is of limitMi.
func parseSize(s string, limitMi float64) (float64, error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "%") {
		p, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || p < 0 {
			return 0, fmt.Errorf("%w: stressors.memory.size: %q is not a size", ErrInvalid, s)
		}
		return limitMi * p / 100, nil
	}
	l := strings.ToLower(s)
	i := 0
	for i < len(l) && (l[i] >= '0' && l[i] <= '9' || l[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(l[:i], 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: stressors.memory.size: %q is not a size", ErrInvalid, s)
	}
	mult := map[string]float64{
		"": 1.0 / (1 << 20), "b": 1.0 / (1 << 20),
		"k": 1.0 / 1024, "kb": 1.0 / 1024, "kib": 1.0 / 1024,
		"m": 1, "mb": 1, "mib": 1,
		"g": 1024, "gb": 1024, "gib": 1024,
	}
	u, ok := mult[l[i:]]
	if !ok {
		return 0, fmt.Errorf("%w: stressors.memory.size: unknown unit in %q", ErrInvalid, s)
	}
	return n * u, nil
}
