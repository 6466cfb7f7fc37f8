package wire

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ErrTooLarge is the error ReadBody returns for a body over its limit.
var ErrTooLarge = errors.New("request body is too large")

// ReadBody reads a request body of at most max bytes, gunzipping it when
// the client compressed it (the SDKs compress the operations whose model
// has the requestCompression trait, CloudWatch's PutMetricData, with
// Content-Encoding gzip). A larger body is ErrTooLarge.
func ReadBody(r *http.Request, max int) ([]byte, error) {
	var rd io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, fmt.Errorf("read gzip body: %w", err)
		}
		defer zr.Close()
		rd = zr
	}
	b, err := io.ReadAll(io.LimitReader(rd, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(b) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return b, nil
}

// DecodeJSON decodes a JSON request body into v; an empty body is {}.
// Unknown members are ignored, but the body must be one JSON object whose
// members have the right types.
func DecodeJSON(body []byte, v any) error {
	if len(body) == 0 {
		body = []byte("{}")
	}
	return json.Unmarshal(body, v)
}

// Op is one operation of an awsJson service S: the request body in, the
// result to encode or the API error out.
type Op[S any] func(s S, body []byte) (any, *Error)

// Decode is the Op that decodes the request body into an In (see
// DecodeJSON) and calls fn with it; a body that does not decode is a
// SerializationException.
func Decode[S, In any](fn func(S, In) (any, *Error)) Op[S] {
	return func(s S, body []byte) (any, *Error) {
		var in In
		if err := DecodeJSON(body, &in); err != nil {
			return nil, Errorf(http.StatusBadRequest, "SerializationException", "request body: %v", err)
		}
		return fn(s, in)
	}
}

// JSONService serves the awsJson protocol of one service: POST / with
// X-Amz-Target <Target>.<Operation> and a JSON body, dispatched to the
// operation's Op, answered with a request id.
type JSONService[S any] struct {
	// Name names the service in messages ("DynamoDB").
	Name string
	// Target is what X-Amz-Target carries before the operation
	// ("DynamoDB_20120810").
	Target string
	Proto  JSON
	// IDs hand out the request ids; nil when the caller has set one (a
	// service that speaks several protocols).
	IDs     *RequestIDs
	MaxBody int
	Ops     map[string]Op[S]
}

// Serve answers r for s.
func (j *JSONService[S]) Serve(s S, w http.ResponseWriter, r *http.Request) {
	if j.IDs != nil {
		j.IDs.SetHeader(w)
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), j.Target+".")
	if r.Method != http.MethodPost || !ok {
		j.Proto.WriteError(w, Errorf(http.StatusBadRequest, "UnknownOperationException",
			"Unknown operation: %s takes POST / with an X-Amz-Target of %s.<Operation>", j.Name, j.Target))
		return
	}
	fn, known := j.Ops[op]
	if !known {
		j.Proto.WriteError(w, Errorf(http.StatusBadRequest, "UnknownOperationException",
			"Unknown operation %s.%s", j.Target, op))
		return
	}
	body, err := ReadBody(r, j.MaxBody)
	if errors.Is(err, ErrTooLarge) {
		j.Proto.WriteError(w, Errorf(http.StatusRequestEntityTooLarge, "ValidationException", "Request is too large."))
		return
	}
	if err != nil {
		j.Proto.WriteError(w, Errorf(http.StatusBadRequest, "SerializationException", "%v", err))
		return
	}
	out, aerr := fn(s, body)
	if aerr != nil {
		j.Proto.WriteError(w, aerr)
		return
	}
	j.Proto.WriteResult(w, out)
}
