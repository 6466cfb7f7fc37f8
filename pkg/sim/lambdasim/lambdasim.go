// Package lambdasim serves the AWS Lambda Invoke API for Go handlers that run
// in this process. The local Step Functions interpreter invokes the
// workflow's Tasks through the real AWS SDK's Lambda client pointed at the
// simulator, so locally, as in AWS, a Task reaches its Lambda through
// Invoke: only the endpoint differs.
//
// Fidelity notes: Invoke answers as Lambda documents it for RequestResponse
// invocations: the result with 200, a function error as 200 with
// X-Amz-Function-Error and {"errorMessage", "errorType"}, an unknown
// function as ResourceNotFoundException (404), a payload above 6 MB as
// RequestTooLargeException (413) and one that is not JSON as
// InvalidRequestContentException (400). Event and DryRun invocations are
// refused with InvalidParameterValueException (Lambda answers them 202 and
// 204), X-Amz-Log-Type Tail returns no log, a panic's error carries no
// stackTrace, and a function has no timeout (its context has no deadline
// and, as in Lambda, is not cancelled when the caller goes away). Signatures are not verified.
package lambdasim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// maxPayload is Lambda's synchronous invocation payload limit (6 MB).
const maxPayload = 6 * 1024 * 1024

// Service is an in-process Lambda service.
type Service struct {
	account, region string

	mu          sync.Mutex
	fns         map[string]lambda.Handler
	invocations map[string]int
}

// New returns a Service for the account and region.
func New(account, region string) *Service {
	return &Service{account: account, region: region, fns: map[string]lambda.Handler{}, invocations: map[string]int{}}
}

// FunctionARN is the ARN of a registered function.
func (s *Service) FunctionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.region, s.account, name)
}

// Register makes h invocable as the function name.
func (s *Service) Register(name string, h lambda.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fns[name] = h
}

// Invocations counts the invocations of each function so far.
func (s *Service) Invocations() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.invocations))
	for k, v := range s.invocations {
		out[k] = v
	}
	return out
}

// Invoke runs the function name in this process, as an asynchronous
// invoker (EventBridge Scheduler, a Lambda destination) would: counted as
// an invocation, a function error returned as an error.
func (s *Service) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	s.mu.Lock()
	h, ok := s.fns[name]
	if ok {
		s.invocations[name]++
	}
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("invoke %s: function not found", name)
	}
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: ids.Next(), InvokedFunctionArn: s.FunctionARN(name)})
	out, ferr := invoke(ctx, h, payload)
	if ferr != nil {
		return nil, fmt.Errorf("invoke %s: %s: %s", name, ferr.Type, ferr.Message)
	}
	return out, nil
}

// ServeHTTP answers POST /2015-03-31/functions/{FunctionName}/invocations.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix, suffix = "/2015-03-31/functions/", "/invocations"
	p := r.URL.EscapedPath()
	if r.Method != http.MethodPost || !strings.HasPrefix(p, prefix) || !strings.HasSuffix(p, suffix) {
		writeError(w, http.StatusNotFound, "UnknownOperationException", "Unknown operation "+r.Method+" "+r.URL.Path)
		return
	}
	ref, err := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(p, prefix), suffix))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameterValueException", "invalid function name")
		return
	}
	name := functionName(ref)
	if t := r.Header.Get("X-Amz-Invocation-Type"); t != "" && t != "RequestResponse" {
		writeError(w, http.StatusBadRequest, "InvalidParameterValueException", "only RequestResponse invocations are simulated, not "+t)
		return
	}
	s.mu.Lock()
	h, ok := s.fns[name]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+s.FunctionARN(name))
		return
	}
	payload, err := wire.ReadBody(r, maxPayload)
	if errors.Is(err, wire.ErrTooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
		return
	}
	if len(payload) > 0 && !json.Valid(payload) {
		writeError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: the payload must be JSON")
		return
	}
	s.mu.Lock()
	s.invocations[name]++
	s.mu.Unlock()
	reqID := ids.SetHeader(w)
	// A function runs to its end even when its caller goes away: Step
	// Functions does not cancel a Lambda when its execution is aborted.
	ctx := lambdacontext.NewContext(context.WithoutCancel(r.Context()), &lambdacontext.LambdaContext{
		AwsRequestID:       reqID,
		InvokedFunctionArn: s.FunctionARN(name),
	})
	out, ferr := invoke(ctx, h, payload)
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	w.Header().Set("Content-Type", "application/json")
	if ferr != nil {
		// A function error is a 200 with X-Amz-Function-Error, as in Lambda.
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		b, _ := json.Marshal(struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}{ferr.Message, ferr.Type})
		_, _ = w.Write(b)
		return
	}
	_, _ = w.Write(out)
}

// invoke runs the handler as aws-lambda-go's invoke loop does: a returned
// messages.InvokeResponse_Error passes through, any other error is named
// after its Go type, and a panic becomes an error response.
func invoke(ctx context.Context, h lambda.Handler, payload []byte) (out []byte, ferr *messages.InvokeResponse_Error) {
	defer func() {
		if p := recover(); p != nil {
			ferr = &messages.InvokeResponse_Error{Type: typeName(p), Message: fmt.Sprint(p)}
		}
	}()
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		if ive, ok := err.(messages.InvokeResponse_Error); ok {
			return nil, &ive
		}
		return nil, &messages.InvokeResponse_Error{Type: typeName(err), Message: err.Error()}
	}
	return out, nil
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// functionName accepts a name, a partial ARN (123456789012:function:name) or
// a full ARN, with an optional qualifier.
func functionName(ref string) string {
	if i := strings.Index(ref, "function:"); i >= 0 {
		ref = ref[i+len("function:"):]
	}
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		ref = ref[:i]
	}
	return ref
}

// ids are Lambda's request ids, which are also the invocations' ids
// (the context's AwsRequestID).
var ids = wire.NewRequestIDs("1a3bda00")

func writeError(w http.ResponseWriter, status int, code, msg string) {
	ids.SetHeader(w)
	wire.RestJSON{}.WriteError(w, &wire.Error{Status: status, Code: code, Message: msg, Extra: map[string]any{"Type": "User"}})
}
