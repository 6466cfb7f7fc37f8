// Package wire is what the simulated services share on the wire: the API
// error and how each AWS protocol writes it (awsQuery XML, awsJson 1.0 and
// 1.1, restJson1, Smithy RPCv2 CBOR), request ids, pagination tokens, and
// the request paths of the awsJson protocols (JSONService: X-Amz-Target
// dispatch to a table of operations, the body read and decoded) and of
// awsQuery (QueryService: the form read, Action and Version checked, the
// <ActionResponse> envelope). The services own their operations and
// shapes; this package owns only the envelopes, so that a new service (or
// a fix to one protocol) is written once.
package wire

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Error is an AWS API error, independent of the protocol that writes it.
type Error struct {
	// Status is the HTTP status.
	Status int
	// Code is the error code clients classify: the awsQuery Code, the
	// X-Amzn-Errortype of restJson1, the shape name of the JSON protocols.
	Code string
	// Message is the human-readable message.
	Message string
	// Shape is the Smithy error shape when it differs from Code, as for an
	// awsQueryCompatible service (CloudWatch's InvalidParameterValueException
	// has the query code InvalidParameterValue); empty means Code.
	Shape string
	// Extra are further members of the error body: Lambda's "Type", the
	// upper-case "Message" some shapes declare, the "Item" DynamoDB returns
	// with a failed condition. The JSON protocols marshal the values; CBOR
	// writes strings and cbor values, and any other value as its text.
	Extra map[string]any
}

// Errorf returns an Error with a formatted message.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Fault is the awsQuery fault type: Receiver for 5xx, Sender otherwise.
func (e *Error) Fault() string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

func (e *Error) shape() string {
	if e.Shape != "" {
		return e.Shape
	}
	return e.Code
}

// As returns err as an *Error, or an internal error (code internal, 500)
// carrying its text when it is none.
func As(err error, internal string) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Code: internal, Message: err.Error()}
}

// RequestIDs hands out request ids: UUID-shaped, unique per generator, and
// deterministic (a tag that names the service, then a sequence number), so
// that golden responses stay stable.
type RequestIDs struct {
	tag string
	n   atomic.Uint64
}

// NewRequestIDs returns a generator whose ids begin with tag, eight hex
// digits naming the service ("c10dc0de" for CloudWatch; each service has
// its own, so that ids are unique across the simulator).
func NewRequestIDs(tag string) *RequestIDs { return &RequestIDs{tag: tag} }

// Next is a new request id.
func (g *RequestIDs) Next() string {
	return fmt.Sprintf("%s-0000-4000-8000-%012x", g.tag, g.n.Add(1))
}

// SetHeader puts a new request id in the x-amzn-RequestId header and
// returns it.
func (g *RequestIDs) SetHeader(w http.ResponseWriter) string {
	id := g.Next()
	w.Header().Set("X-Amzn-Requestid", id)
	return id
}

// Query is the awsQuery protocol of one service (its XML namespace; empty
// writes no xmlns attribute).
type Query struct{ XMLNS string }

// WriteError writes e as an awsQuery <ErrorResponse>.
func (p Query) WriteError(w http.ResponseWriter, e *Error, requestID string) {
	type errorResponse struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Xmlns   string   `xml:"xmlns,attr,omitempty"`
		Error   struct {
			Type    string
			Code    string
			Message string
		}
		RequestID string `xml:"RequestId"`
	}
	out := errorResponse{Xmlns: p.XMLNS, RequestID: requestID}
	out.Error.Type, out.Error.Code, out.Error.Message = e.Fault(), e.Code, e.Message
	writeXML(w, e.Status, out)
}

// JSON is an awsJson protocol (Version "1.0" or "1.1") of one service.
type JSON struct {
	Version string
	// TypePrefix goes before the shape in __type ("com.amazonaws.cloudwatch#");
	// empty writes the bare shape.
	TypePrefix string
	// TypePrefixes are the prefixes of the codes whose shapes live in
	// another namespace (DynamoDB's ValidationException is
	// com.amazon.coral.validate#ValidationException).
	TypePrefixes map[string]string
	// QueryCompatible adds the x-amzn-query-error header awsQueryCompatible
	// services send, which clients read the query code from.
	QueryCompatible bool
	// CRC32 adds X-Amz-Crc32, the CRC-32 of the body, to every response, as
	// DynamoDB does (its SDKs check it).
	CRC32 bool
}

// ContentType is the protocol's media type.
func (p JSON) ContentType() string { return "application/x-amz-json-" + p.Version }

// WriteError writes e as an awsJson error.
func (p JSON) WriteError(w http.ResponseWriter, e *Error) {
	prefix, ok := p.TypePrefixes[e.Code]
	if !ok {
		prefix = p.TypePrefix
	}
	body := errorBody(e, "__type", prefix+e.shape())
	b, err := json.Marshal(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if p.QueryCompatible {
		w.Header().Set("X-Amzn-Query-Error", e.Code+";"+e.Fault())
	}
	p.write(w, e.Status, b)
}

// WriteResult writes v as a successful awsJson response.
func (p JSON) WriteResult(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		p.WriteError(w, &Error{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "encode response: " + err.Error()})
		return
	}
	p.write(w, http.StatusOK, b)
}

func (p JSON) write(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", p.ContentType())
	if p.CRC32 {
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// errorBody is the JSON body of e: its Extra members, the message, and the
// type member (key) when key is not empty.
func errorBody(e *Error, key, typ string) map[string]any {
	body := make(map[string]any, len(e.Extra)+2)
	for k, v := range e.Extra {
		body[k] = v
	}
	if key != "" {
		body[key] = typ
	}
	body["message"] = e.Message
	return body
}

// RestJSON is the restJson1 protocol: the code in X-Amzn-Errortype, the
// message in the body.
type RestJSON struct{}

// WriteError writes e as a restJson1 error.
func (RestJSON) WriteError(w http.ResponseWriter, e *Error) {
	b, err := json.Marshal(errorBody(e, "", ""))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", e.Code)
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// WriteResult writes v as a successful restJson1 response.
func (p RestJSON) WriteResult(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		p.WriteError(w, &Error{Status: http.StatusInternalServerError, Code: "InternalServerException", Message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// CBOR is the Smithy RPCv2 CBOR protocol of one service.
type CBOR struct {
	// TypePrefix goes before the shape in __type ("com.amazonaws.cloudwatch#").
	TypePrefix      string
	QueryCompatible bool
}

// SetHeaders sets the headers every rpcv2Cbor response carries.
func (CBOR) SetHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Smithy-Protocol", "rpc-v2-cbor")
	h.Set("Content-Type", "application/cbor")
}

// WriteError writes e as an rpcv2Cbor error.
func (p CBOR) WriteError(w http.ResponseWriter, e *Error) {
	body := cbor.Map{}
	for k, v := range e.Extra {
		switch v := v.(type) {
		case string:
			body[k] = cbor.String(v)
		case cbor.Value:
			body[k] = v
		default:
			body[k] = cbor.String(fmt.Sprint(v))
		}
	}
	body["__type"], body["message"] = cbor.String(p.TypePrefix+e.shape()), cbor.String(e.Message)
	p.SetHeaders(w)
	if p.QueryCompatible {
		w.Header().Set("X-Amzn-Query-Error", e.Code+";"+e.Fault())
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(cbor.Encode(body))
}

// Token is the opaque pagination token for the item at offset in a listing
// of the given kind (a short name of the operation): a token from one
// listing is refused by another.
func Token(kind string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.Itoa(offset)))
}

// Offset reads a token Token wrote for kind, for a listing of n items; ok
// is false for a token that is malformed, of another kind, or past the end.
// The empty token is offset 0.
func Offset(token, kind string, n int) (offset int, ok bool) {
	if token == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	k, off, found := strings.Cut(string(b), ":")
	o, err := strconv.Atoi(off)
	if !found || k != kind || err != nil || o < 0 || o > n {
		return 0, false
	}
	return o, true
}

// Page applies a token and a page size to a listing of n items: the slice
// [start, end) to return and the token for the rest (empty at the end).
// ok is false for a token Offset refuses.
func Page(token, kind string, size, n int) (start, end int, next string, ok bool) {
	start, ok = Offset(token, kind, n)
	if !ok {
		return 0, 0, "", false
	}
	end = min(start+max(size, 1), n)
	if end < n {
		next = Token(kind, end)
	}
	return start, end, next, true
}

// RestXML is the restXml protocol's error (S3's <Error> document).
type RestXML struct{}

// WriteError writes e as a restXml <Error>.
func (RestXML) WriteError(w http.ResponseWriter, e *Error, requestID string) {
	type errorDoc struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		RequestID string `xml:"RequestId"`
	}
	writeXML(w, e.Status, errorDoc{Code: e.Code, Message: e.Message, RequestID: requestID})
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}
