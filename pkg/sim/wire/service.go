package wire

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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

// QueryOp is one action of an awsQuery service S: the request's form in;
// out the result element, which encoding/xml marshals inside the response
// (its XMLName <Action>Result; nil writes none), or the API error.
type QueryOp[S any] func(s S, form url.Values) (any, *Error)

// QueryService serves the awsQuery protocol of one service: Action and
// Version in a form body (POST) or the query string, dispatched to the
// action's QueryOp, answered in <ActionResponse> with the request id.
type QueryService[S any] struct {
	Proto Query
	// Version is the API version; a request that names another is refused
	// (InvalidAction), one that names none is served.
	Version string
	// IDs hand out the request ids; nil when the caller has set one (a
	// service that speaks several protocols).
	IDs     *RequestIDs
	MaxBody int
	Ops     map[string]QueryOp[S]
	// Malformed is the code of a form that cannot be read:
	// MalformedQueryString when empty, STS's MalformedInput.
	Malformed string
}

// Serve answers r for s.
func (q *QueryService[S]) Serve(s S, w http.ResponseWriter, r *http.Request) {
	var reqID string
	if q.IDs != nil {
		reqID = q.IDs.SetHeader(w)
	} else {
		reqID = w.Header().Get("X-Amzn-Requestid")
	}
	form, fn, aerr := q.read(r)
	if aerr == nil {
		var result any
		if result, aerr = fn(s, form); aerr == nil {
			q.Proto.WriteResponse(w, form.Get("Action"), result, reqID)
			return
		}
	}
	q.Proto.WriteError(w, aerr, reqID)
}

// read reads the request's form and finds its action's op.
func (q *QueryService[S]) read(r *http.Request) (url.Values, QueryOp[S], *Error) {
	malformed := q.Malformed
	if malformed == "" {
		malformed = "MalformedQueryString"
	}
	body, err := ReadBody(r, q.MaxBody)
	if err != nil {
		return nil, nil, Errorf(http.StatusBadRequest, malformed, "%v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.Header.Del("Content-Encoding")
	if err := r.ParseForm(); err != nil {
		return nil, nil, Errorf(http.StatusBadRequest, malformed, "%v", err)
	}
	action, version := r.Form.Get("Action"), r.Form.Get("Version")
	if action == "" {
		return nil, nil, Errorf(http.StatusBadRequest, "MissingAction", "Missing Action")
	}
	fn, ok := q.Ops[action]
	if !ok || (version != "" && version != q.Version) {
		return nil, nil, Errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, version)
	}
	return r.Form, fn, nil
}

// WriteResponse writes an awsQuery response: <ActionResponse> in the
// protocol's namespace, holding result (see QueryOp) and the
// ResponseMetadata with the request id.
func (p Query) WriteResponse(w http.ResponseWriter, action string, result any, requestID string) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, action, p.XMLNS)
	if result != nil {
		if err := xml.NewEncoder(&b).Encode(result); err != nil {
			p.WriteError(w, Errorf(http.StatusInternalServerError, "InternalFailure", "encode response: %v", err), requestID)
			return
		}
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	_ = xml.EscapeText(&b, []byte(requestID))
	fmt.Fprintf(&b, "</RequestId></ResponseMetadata></%sResponse>\n", action)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}
