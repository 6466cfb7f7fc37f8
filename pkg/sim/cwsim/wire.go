package cwsim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// This file holds two of the wire protocols CloudWatch speaks: Smithy RPCv2
// CBOR (the current aws-sdk-go-v2 client) and awsQuery (older clients and
// moto); json.go holds the third, awsJson1_0 (botocore, so the AWS CLI).
// Requests of all three become one value tree (cbor.Value, with query
// strings left as strings and coerced on read); responses are built as an
// ordered tree (obj) and written in any of the encodings.

// val wraps one request value, absent when v is nil.
type val struct {
	path string // parameter path for error messages, "MetricData.member.1.Value"
	v    cbor.Value
}

func (x val) missing() bool {
	if x.v == nil {
		return true
	}
	switch x.v.(type) {
	case *cbor.Nil, *cbor.Undefined:
		return true
	}
	return false
}

func (x val) get(name string) val {
	p := name
	if x.path != "" {
		p = x.path + "." + name
	}
	m, ok := x.v.(cbor.Map)
	if !ok {
		return val{path: p}
	}
	return val{path: p, v: m[name]}
}

func (x val) typeErr(want string) error {
	return errInvalidValue(fmt.Sprintf("The parameter %s must be a %s.", x.path, want))
}

func (x val) str() (string, error) {
	if x.missing() {
		return "", nil
	}
	s, ok := x.v.(cbor.String)
	if !ok {
		return "", x.typeErr("string")
	}
	return string(s), nil
}

// strp is like str but tells an absent value from an empty one.
func (x val) strp() (*string, error) {
	if x.missing() {
		return nil, nil
	}
	s, err := x.str()
	return &s, err
}

// scalar reads x as a T: with text when it came as a string (awsQuery
// carries every value as text), else with native; kind names T in the
// error.
func scalar[T any](x val, kind string, text func(string) (T, error), native func(cbor.Value) (T, error)) (*T, error) {
	if x.missing() {
		return nil, nil
	}
	var v T
	var err error
	if s, ok := x.v.(cbor.String); ok {
		v, err = text(strings.TrimSpace(string(s)))
	} else {
		v, err = native(x.v)
	}
	if err != nil {
		return nil, x.typeErr(kind)
	}
	return &v, nil
}

func (x val) float() (*float64, error) {
	return scalar(x, "number", func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }, cbor.AsFloat64)
}

func (x val) int() (*int64, error) {
	return scalar(x, "integer", func(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }, cbor.AsInt64)
}

func (x val) bool() (*bool, error) {
	return scalar(x, "boolean", func(s string) (bool, error) {
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, errors.New("not a boolean")
	}, func(v cbor.Value) (bool, error) {
		b, ok := v.(cbor.Bool)
		if !ok {
			return false, errors.New("not a boolean")
		}
		return bool(b), nil
	})
}

func (x val) time() (*time.Time, error) {
	t, err := scalar(x, "timestamp", parseQueryTime, func(v cbor.Value) (time.Time, error) {
		switch v.(type) {
		case cbor.Uint, cbor.NegInt, cbor.Float64, cbor.Float32: // awsJson1_0: epoch seconds
			f, err := cbor.AsFloat64(v)
			if err != nil {
				return time.Time{}, err
			}
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6), nil
		}
		return cbor.AsTime(v)
	})
	if t != nil {
		*t = t.UTC()
	}
	return t, err
}

func parseQueryTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)), nil
	}
	return time.Time{}, fmt.Errorf("parse time %q", s)
}

func (x val) list() ([]val, error) {
	if x.missing() {
		return nil, nil
	}
	switch v := x.v.(type) {
	case cbor.List:
		out := make([]val, len(v))
		for i, e := range v {
			out[i] = val{path: fmt.Sprintf("%s.member.%d", x.path, i+1), v: e}
		}
		return out, nil
	case cbor.String:
		if v == "" { // awsQuery sends "Name=" for an empty list
			return nil, nil
		}
	}
	return nil, x.typeErr("list")
}

// listOf reads x as a list whose elements elem reads.
func listOf[T any](x val, elem func(val) (T, error)) ([]T, error) {
	l, err := x.list()
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(l))
	for _, e := range l {
		v, err := elem(e)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (x val) strs() ([]string, error) { return listOf(x, val.str) }

func (x val) floats() ([]float64, error) {
	return listOf(x, func(e val) (float64, error) {
		f, err := e.float()
		if err == nil && f == nil {
			err = e.typeErr("number")
		}
		if err != nil {
			return 0, err
		}
		return *f, nil
	})
}

// maxQueryIndex bounds a list index in an awsQuery key: the longest list
// CloudWatch takes is PutMetricData's 1000 data.
const maxQueryIndex = maxMetricData

// checkQueryIndexes refuses a key whose list index ("A.member.<i>") is not
// a number from 1 to maxQueryIndex.
func checkQueryIndexes(form url.Values) *wire.Error {
	for key := range form {
		parts := strings.Split(key, ".")
		for i := 0; i+1 < len(parts); i++ {
			if parts[i] != "member" {
				continue
			}
			n, err := strconv.Atoi(parts[i+1])
			if err != nil || n < 1 || n > maxQueryIndex {
				return errInvalidValue(fmt.Sprintf("The parameter %s has a list index that is not a number from 1 to %d.", key, maxQueryIndex))
			}
		}
	}
	return nil
}

// queryTree turns awsQuery form values into the same tree a CBOR body
// decodes to: "A.member.2.B" is field B of the second element of list A.
func queryTree(form url.Values) cbor.Value {
	type qn struct {
		kids  map[string]*qn
		value *string
	}
	root := &qn{kids: map[string]*qn{}}
	for key, vs := range form {
		if key == "Action" || key == "Version" || len(vs) == 0 {
			continue
		}
		n := root
		for _, part := range strings.Split(key, ".") {
			if n.kids == nil {
				n.kids = map[string]*qn{}
			}
			c, ok := n.kids[part]
			if !ok {
				c = &qn{}
				n.kids[part] = c
			}
			n = c
		}
		v := vs[0]
		n.value = &v
	}
	var conv func(n *qn) cbor.Value
	conv = func(n *qn) cbor.Value {
		if len(n.kids) == 0 {
			if n.value == nil {
				return nil
			}
			return cbor.String(*n.value)
		}
		if m, ok := n.kids["member"]; ok && len(n.kids) == 1 {
			idx := make([]int, 0, len(m.kids))
			byIdx := map[int]*qn{}
			for k, c := range m.kids {
				i, err := strconv.Atoi(k)
				if err != nil {
					continue
				}
				idx = append(idx, i)
				byIdx[i] = c
			}
			sort.Ints(idx)
			l := make(cbor.List, 0, len(idx))
			for _, i := range idx {
				l = append(l, conv(byIdx[i]))
			}
			return l
		}
		mp := cbor.Map{}
		for k, c := range n.kids {
			mp[k] = conv(c)
		}
		return mp
	}
	return conv(root)
}

// obj is a response structure with its members in order; nil members and
// empty lists marked omitempty are left out.
type obj []field

// omap is a response map (DatapointValueMap): an object in CBOR and JSON,
// entry/key/value elements in awsQuery XML.
type omap []field

type field struct {
	name string
	v    any // string, float64, int64, bool, time.Time, obj, []any, nil
}

// with adds the member name; a nil value or nil pointer adds nothing (the
// member is absent), another pointer adds what it points to.
func (o obj) with(name string, v any) obj {
	if p := reflect.ValueOf(v); p.Kind() == reflect.Pointer {
		if p.IsNil() {
			return o
		}
		v = p.Elem().Interface()
	}
	switch x := v.(type) {
	case nil:
		return o
	case int:
		v = int64(x)
	}
	return append(o, field{name, v})
}

// encode maps a response tree onto a protocol's values: obj and omap
// become object, []any list, and scalar converts the rest.
func encode[T any](v any, object func(map[string]T) T, list func([]T) T, scalar func(any) T) T {
	switch x := v.(type) {
	case obj:
		m := make(map[string]T, len(x))
		for _, f := range x {
			m[f.name] = encode(f.v, object, list, scalar)
		}
		return object(m)
	case omap:
		return encode(obj(x), object, list, scalar)
	case []any:
		l := make([]T, len(x))
		for i, e := range x {
			l[i] = encode(e, object, list, scalar)
		}
		return list(l)
	}
	return scalar(v)
}

// toCBOR is the response tree in CBOR: timestamps as tag 1.
func toCBOR(v any) cbor.Value {
	return encode(v, func(m map[string]cbor.Value) cbor.Value { return cbor.Map(m) }, func(l []cbor.Value) cbor.Value { return cbor.List(l) }, func(v any) cbor.Value {
		switch x := v.(type) {
		case string:
			return cbor.String(x)
		case float64:
			return cbor.Float64(x)
		case int64:
			if x < 0 {
				return cbor.NegInt(uint64(-x))
			}
			return cbor.Uint(uint64(x))
		case bool:
			return cbor.Bool(x)
		case time.Time:
			return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(x.UnixMilli()) / 1e3)}
		}
		panic(fmt.Sprintf("cwsim: no CBOR form for %T", v))
	})
}

const xmlns = "http://monitoring.amazonaws.com/doc/2010-08-01/"

func writeXML(b *bytes.Buffer, name string, v any) {
	b.WriteString("<" + name + ">")
	switch x := v.(type) {
	case string:
		_ = xml.EscapeText(b, []byte(x))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case time.Time:
		b.WriteString(x.UTC().Format("2006-01-02T15:04:05.000Z"))
	case obj:
		for _, f := range x {
			writeXML(b, f.name, f.v)
		}
	case omap:
		for _, f := range x {
			writeXML(b, "entry", obj{{"key", f.name}, {"value", f.v}})
		}
	case []any:
		for _, e := range x {
			writeXML(b, "member", e)
		}
	default:
		panic(fmt.Sprintf("cwsim: no XML form for %T", v))
	}
	b.WriteString("</" + name + ">")
}

// queryResult is an operation's answer as the <OpResult> element of an
// awsQuery response; nil when it has no members.
func queryResult(op string, out obj) any {
	if len(out) == 0 {
		return nil
	}
	var b bytes.Buffer
	for _, f := range out {
		writeXML(&b, f.name, f.v)
	}
	return struct {
		XMLName xml.Name
		Members []byte `xml:",innerxml"`
	}{xml.Name{Local: op + "Result"}, b.Bytes()}
}
