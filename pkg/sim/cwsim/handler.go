package cwsim

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// cborPathPrefix is where the rpcv2Cbor client posts: the path ends with
// the operation name.
const cborPathPrefix = "/service/GraniteServiceVersion20100801/operation/"

// maxBody bounds a request body; PutMetricData allows 1 MB.
const maxBody = 2 << 20

// opFunc is an operation on its request's value tree, whichever protocol
// carried it.
type opFunc func(s *Service, in val) (obj, error)

// typed is the opFunc that decodes the value tree into an In (see
// decodeInput) for fn.
func typed[In any](fn func(*Service, *In) (obj, error)) opFunc {
	return func(s *Service, raw val) (obj, error) {
		var in In
		if err := decodeInput(raw, &in); err != nil {
			return nil, err
		}
		return fn(s, &in)
	}
}

var ops = map[string]opFunc{
	"PutMetricData":        typed((*Service).opPutMetricData),
	"GetMetricData":        typed((*Service).opGetMetricData),
	"GetMetricStatistics":  typed((*Service).opGetMetricStatistics),
	"ListMetrics":          typed((*Service).opListMetrics),
	"PutMetricAlarm":       typed((*Service).opPutMetricAlarm),
	"DescribeAlarms":       typed((*Service).opDescribeAlarms),
	"DeleteAlarms":         typed((*Service).opDeleteAlarms),
	"SetAlarmState":        typed((*Service).opSetAlarmState),
	"DescribeAlarmHistory": typed((*Service).opDescribeAlarmHistory),
	"TagResource":          typed((*Service).opTagResource),
	"UntagResource":        typed((*Service).opUntagResource),
	"ListTagsForResource":  typed((*Service).opListTagsForResource),
}

// ServeHTTP serves the CloudWatch API in the three protocols its model
// lists, chosen by the request: RPCv2 CBOR when it carries the
// Smithy-Protocol header or posts to the CBOR operation path (aws-sdk-go-v2),
// awsJson1_0 when X-Amz-Target names a CloudWatch operation (botocore, so the
// AWS CLI v1), awsQuery otherwise (a form with Action=..., as moto speaks).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.ids.SetHeader(w)
	if r.Header.Get("Smithy-Protocol") != "" || strings.HasPrefix(r.URL.Path, cborPathPrefix) {
		s.serveCBOR(w, r)
		return
	}
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), jsonTargetPrefix) {
		jsonAPI.Serve(s, w, r)
		return
	}
	queryAPI.Serve(s, w, r)
}

func (s *Service) serveCBOR(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		cborProto.WriteError(w, errUnknownOperation(405, "rpcv2Cbor requests must be POST"))
		return
	}
	op, ok := strings.CutPrefix(r.URL.Path, cborPathPrefix)
	fn, known := ops[op]
	if !ok || !known {
		cborProto.WriteError(w, errUnknownOperation(404, "Unknown operation "+strings.TrimPrefix(r.URL.Path, "/")))
		return
	}
	body, err := wire.ReadBody(r, maxBody)
	if err != nil {
		cborProto.WriteError(w, errSerialization(err.Error()))
		return
	}
	var in cbor.Value = cbor.Map{}
	if len(body) > 0 {
		v, err := cbor.Decode(body)
		if err != nil {
			cborProto.WriteError(w, errSerialization("decode CBOR body: "+err.Error()))
			return
		}
		if _, isMap := v.(cbor.Map); !isMap {
			cborProto.WriteError(w, errSerialization("request body must be a CBOR map"))
			return
		}
		in = v
	}
	out, err := fn(s, val{v: in})
	if err != nil {
		cborProto.WriteError(w, asAPIError(err))
		return
	}
	cborProto.SetHeaders(w)
	w.WriteHeader(http.StatusOK)
	if out == nil {
		out = obj{}
	}
	_, _ = w.Write(cbor.Encode(toCBOR(out)))
}

// queryAPI is the awsQuery path: each operation's value tree read from
// the form, its answer written as XML.
var queryAPI = wire.QueryService[*Service]{Proto: queryProto, Version: "2010-08-01", MaxBody: maxBody, Ops: queryOps()}

func queryOps() map[string]wire.QueryOp[*Service] {
	out := make(map[string]wire.QueryOp[*Service], len(ops))
	for name, fn := range ops {
		out[name] = func(s *Service, form url.Values) (any, *wire.Error) {
			if err := checkQueryIndexes(form); err != nil {
				return nil, err
			}
			res, err := fn(s, val{v: queryTree(form)})
			if err != nil {
				return nil, asAPIError(err)
			}
			return queryResult(name, res), nil
		}
	}
	return out
}
