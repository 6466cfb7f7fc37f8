package cwsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// The awsJson1_0 protocol: CloudWatch's model lists it after rpcv2Cbor, and
// botocore (hence the AWS CLI v1 on this machine) picks it because it does
// not speak CBOR. POST / with X-Amz-Target: GraniteServiceVersion20100801.<Op>,
// JSON bodies, timestamps as epoch seconds.

const jsonTargetPrefix = "GraniteServiceVersion20100801."

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

func toJSON(v any) any {
	switch x := v.(type) {
	case time.Time:
		return json.Number(strconv.FormatFloat(float64(x.UnixMilli())/1e3, 'f', -1, 64))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case obj:
		m := make(map[string]any, len(x))
		for _, f := range x {
			m[f.name] = toJSON(f.v)
		}
		return m
	case omap:
		return toJSON(obj(x))
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = toJSON(e)
		}
		return l
	}
	return v
}

func (s *Service) serveJSON(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), jsonTargetPrefix)
	fn, ok := ops[op]
	if !ok {
		jsonProto.WriteError(w, errUnknownOperation(http.StatusBadRequest, "Unknown operation "+r.Header.Get("X-Amz-Target")))
		return
	}
	body, err := readBody(r)
	if err != nil {
		jsonProto.WriteError(w, errSerialization(err.Error()))
		return
	}
	in, err := jsonTree(body)
	if err != nil {
		jsonProto.WriteError(w, errSerialization(err.Error()))
		return
	}
	out, err := fn(s, val{v: in})
	if err != nil {
		jsonProto.WriteError(w, asAPIError(err))
		return
	}
	if out == nil {
		out = obj{}
	}
	b, err := json.Marshal(toJSON(out))
	if err != nil {
		jsonProto.WriteError(w, asAPIError(fmt.Errorf("encode response: %w", err)))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
