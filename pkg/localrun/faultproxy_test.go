package localrun

// A fault-injecting HTTP proxy in front of the simulator, for the failure
// matrix's AWS-side faults: the handlers reach AWS through it by their
// endpoint (Options.handlerEndpoint), as in Lambda they reach AWS's; no
// code path differs. It fails chosen calls of one operation the way the
// service would: throttled, an internal error, each in the error shape of
// the service's protocol (pkg/sim/wire), or the way the network would: a
// connection reset after the service did the work (the response is lost),
// or no answer at all.

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// awsFault is how the proxy fails a call.
type awsFault string

const (
	// faultThrottled is the service's throttling error: 400
	// ThrottlingException (Throttling for CloudWatch's awsQuery-compatible
	// protocols), 503 SlowDown for S3.
	faultThrottled awsFault = "throttled"
	// faultInternal is a 500 InternalFailure (S3's InternalError).
	faultInternal awsFault = "internal-error"
	// faultReset forwards the call, so that the service does its work, and
	// then resets the connection: the caller never sees the answer.
	faultReset awsFault = "reset-after-work"
	// faultHang holds the call, neither forwarding it (the service never
	// sees it) nor answering, until the caller gives up on it (the
	// handlers' bound on a wait for an answer closes the connection) or
	// the test ends. (A call AWS did but never answered is a lost answer:
	// faultReset's case.)
	faultHang awsFault = "hang"
)

// sdkAttempts is how many times the SDK's standard retryer tries a call
// (aws.DefaultRetryMaxAttempts): a fault on that many calls in a row
// reaches the handler as an error, past the SDK's retries.
const sdkAttempts = 3

// faultProxy forwards every request to the simulator, but fails the calls
// number from to from+count-1 (counted from 1) of the operation op
// ("service:Operation", the service by its signing name: "fis:StartExperiment").
type faultProxy struct {
	op          string
	from, count int
	fault       awsFault

	target *url.URL
	rp     *httputil.ReverseProxy
	srv    *httptest.Server
	// ended is closed when the test ends, letting go of held calls.
	ended chan struct{}

	mu    sync.Mutex
	calls int // calls of op so far
	// failed counts the calls failed; onFail, when set, runs before each.
	failed int
	onFail func()
}

// newFaultProxy starts a proxy to target (the simulator's URL).
func newFaultProxy(t *testing.T, target, op string, from, count int, fault awsFault) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{op: op, from: from, count: count, fault: fault, target: u, rp: httputil.NewSingleHostReverseProxy(u),
		ended: make(chan struct{})}
	// One connection a call: net/http itself sends a GET again, once, when a
	// reused connection fails before an answer, which would spend the
	// failures meant for the SDK's attempts.
	p.srv = httptest.NewUnstartedServer(p)
	p.srv.Config.SetKeepAlivesEnabled(false)
	p.srv.Start()
	t.Cleanup(p.srv.Close)               // waits for the calls in flight,
	t.Cleanup(func() { close(p.ended) }) // so the held ones are let go first
	return p
}

// URL is the proxy's endpoint.
func (p *faultProxy) URL() string { return p.srv.URL }

// Failed is how many calls the proxy failed.
func (p *faultProxy) Failed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failed
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	svc, op := operation(r, body)
	fail := false
	if svc+":"+op == p.op {
		p.mu.Lock()
		p.calls++
		fail = p.calls >= p.from && p.calls < p.from+p.count
		if fail {
			p.failed++
		}
		onFail := p.onFail
		p.mu.Unlock()
		if fail && onFail != nil {
			onFail()
		}
	}
	if !fail {
		p.rp.ServeHTTP(w, r)
		return
	}
	switch p.fault {
	case faultReset:
		// The service does the work; its answer is lost with the connection.
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		resetConnection(w)
	case faultHang:
		select {
		case <-r.Context().Done(): // the caller gave up and closed the connection
		case <-p.ended:
		}
		panic(http.ErrAbortHandler) // no answer, ever
	case faultThrottled, faultInternal:
		writeFault(w, r, svc, p.fault)
	}
}

// resetConnection closes the client's connection with a TCP RST.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// operation names a request's service (its SigV4 signing name) and
// operation, by each protocol's rules: the X-Amz-Target of awsJson, the
// path of rpcv2Cbor, the Action of awsQuery, the method and path of
// restJson1 (FIS) and restXml (S3).
func operation(r *http.Request, body []byte) (svc, op string) {
	auth := r.Header.Get("Authorization")
	if i := strings.Index(auth, "Credential="); i >= 0 {
		parts := strings.Split(strings.SplitN(auth[i+len("Credential="):], ",", 2)[0], "/")
		if len(parts) == 5 {
			svc = parts[3]
		}
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return svc, t[strings.LastIndexByte(t, '.')+1:]
	}
	if r.Header.Get("Smithy-Protocol") != "" {
		return svc, r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	}
	if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
		return svc, form.Get("Action")
	}
	path := strings.Trim(r.URL.Path, "/")
	switch svc {
	case "fis":
		return svc, fisOperation(r.Method, path)
	case "s3":
		return svc, s3Operation(r, path)
	}
	return svc, r.Method + " " + path
}

func fisOperation(method, path string) string {
	coll, id, _ := strings.Cut(path, "/")
	switch {
	case coll == "experiments" && id == "" && method == http.MethodPost:
		return "StartExperiment"
	case coll == "experiments" && id != "" && method == http.MethodGet:
		return "GetExperiment"
	case coll == "experiments" && id != "" && method == http.MethodDelete:
		return "StopExperiment"
	case coll == "experimentTemplates" && id == "" && method == http.MethodPost:
		return "CreateExperimentTemplate"
	case coll == "experimentTemplates" && id != "" && method == http.MethodPatch:
		return "UpdateExperimentTemplate"
	}
	return method + " " + path
}

func s3Operation(r *http.Request, path string) string {
	_, key, _ := strings.Cut(path, "/")
	switch {
	case r.Method == http.MethodPut && key != "" && r.Header.Get("X-Amz-Copy-Source") != "":
		return "CopyObject"
	case r.Method == http.MethodPut && key != "":
		return "PutObject"
	case r.Method == http.MethodGet && key == "" && r.URL.Query().Get("list-type") == "2":
		return "ListObjectsV2"
	case r.Method == http.MethodGet && key != "":
		return "GetObject"
	}
	return r.Method + " " + path
}

// writeFault answers as the service would, in its protocol's error shape.
func writeFault(w http.ResponseWriter, r *http.Request, svc string, f awsFault) {
	e := &wire.Error{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
	if f == faultInternal {
		e = &wire.Error{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure."}
	}
	reqID := faultIDs.SetHeader(w)
	switch svc {
	case "s3":
		if f == faultThrottled {
			e = &wire.Error{Status: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate."}
		} else {
			e = &wire.Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "We encountered an internal error. Please try again."}
		}
		wire.RestXML{}.WriteError(w, e, reqID)
	case "fis", "lambda":
		wire.RestJSON{}.WriteError(w, e)
	case "monitoring":
		// awsQuery-compatible: the query code (Throttling) on every protocol.
		if f == faultThrottled {
			e.Code = "Throttling"
		}
		const prefix = "com.amazonaws.cloudwatch#"
		switch {
		case r.Header.Get("Smithy-Protocol") != "":
			wire.CBOR{TypePrefix: prefix, QueryCompatible: true}.WriteError(w, e)
		case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-"):
			wire.JSON{Version: "1.0", TypePrefix: prefix, QueryCompatible: true}.WriteError(w, e)
		default:
			wire.Query{XMLNS: "http://monitoring.amazonaws.com/doc/2010-08-01/"}.WriteError(w, e, reqID)
		}
	case "dynamodb":
		wire.JSON{Version: "1.0", TypePrefix: "com.amazonaws.dynamodb.v20120810#"}.WriteError(w, e)
	case "sns":
		e.Code = map[awsFault]string{faultThrottled: "Throttled", faultInternal: "InternalError"}[f]
		wire.Query{XMLNS: "http://sns.amazonaws.com/doc/2010-03-31/"}.WriteError(w, e, reqID)
	case "events":
		wire.JSON{Version: "1.1"}.WriteError(w, e)
	default: // Step Functions and the other awsJson 1.0 services
		wire.JSON{Version: "1.0"}.WriteError(w, e)
	}
}

var faultIDs = wire.NewRequestIDs("fa017000")

// String names the proxy's fault, for logs.
func (p *faultProxy) String() string {
	return fmt.Sprintf("%s calls %d..%d %s", p.op, p.from, p.from+p.count-1, p.fault)
}
