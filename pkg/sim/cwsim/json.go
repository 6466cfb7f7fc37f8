package cwsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// The awsJson1_0 protocol: CloudWatch's model lists it after rpcv2Cbor, and
// botocore (hence the AWS CLI v1 on this machine) picks it because it does
// not speak CBOR. POST / with X-Amz-Target: GraniteServiceVersion20100801.<Op>,
// JSON bodies, timestamps as epoch seconds.

const (
	jsonTarget       = "GraniteServiceVersion20100801"
	jsonTargetPrefix = jsonTarget + "."
)

// jsonTree decodes a JSON request body into the request value tree.
func jsonTree(body []byte) (cbor.Value, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return cbor.Map{}, nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode JSON body: %w", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("request body must be a JSON object")
	}
	return fromJSON(v), nil
}

func fromJSON(v any) cbor.Value {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return cbor.Bool(x)
	case string:
		return cbor.String(x)
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			if i < 0 {
				return cbor.NegInt(uint64(-i))
			}
			return cbor.Uint(uint64(i))
		}
		f, _ := x.Float64()
		return cbor.Float64(f)
	case []any:
		l := make(cbor.List, len(x))
		for i, e := range x {
			l[i] = fromJSON(e)
		}
		return l
	case map[string]any:
		m := cbor.Map{}
		for k, e := range x {
			m[k] = fromJSON(e)
		}
		return m
	}
	return nil
}

// toJSON is the response tree as encoding/json writes it: timestamps as
// epoch seconds, the floats JSON cannot hold as strings.
func toJSON(v any) any {
	return encode(v, func(m map[string]any) any { return m }, func(l []any) any { return l }, func(v any) any {
		switch x := v.(type) {
		case time.Time:
			return json.Number(strconv.FormatFloat(float64(x.UnixMilli())/1e3, 'f', -1, 64))
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return strconv.FormatFloat(x, 'g', -1, 64)
			}
		}
		return v
	})
}

// jsonAPI is the awsJson1_0 path: each operation's value tree decoded
// from the JSON body, its answer encoded back.
var jsonAPI = wire.JSONService[*Service]{
	Name: "CloudWatch", Target: jsonTarget,
	Proto: jsonProto, MaxBody: maxBody, Ops: jsonOps(),
}

func jsonOps() map[string]wire.Op[*Service] {
	out := make(map[string]wire.Op[*Service], len(ops))
	for name, fn := range ops {
		out[name] = func(s *Service, body []byte) (any, *wire.Error) {
			in, err := jsonTree(body)
			if err != nil {
				return nil, errSerialization(err.Error())
			}
			res, err := fn(s, val{v: in})
			if err != nil {
				return nil, asAPIError(err)
			}
			if res == nil {
				res = obj{}
			}
			return toJSON(res), nil
		}
	}
	return out
}
