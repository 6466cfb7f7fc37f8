package wire

import (
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/google/go-cmp/cmp"
)

func TestPage(t *testing.T) {
	tests := []struct {
		name        string
		token, kind string
		size, n     int
		start, end  int
		next        string
		ok          bool
	}{
		{"first page", "", "k", 2, 5, 0, 2, Token("k", 2), true},
		{"middle page", Token("k", 2), "k", 2, 5, 2, 4, Token("k", 4), true},
		{"last page", Token("k", 4), "k", 2, 5, 4, 5, "", true},
		{"empty listing", "", "k", 2, 0, 0, 0, "", true},
		{"token of another listing", Token("other", 2), "k", 2, 5, 0, 0, "", false},
		{"token past the end", Token("k", 6), "k", 2, 5, 0, 0, "", false},
		{"garbage", "garbage", "k", 2, 5, 0, 0, "", false},
		{"not base64", "!!", "k", 2, 5, 0, 0, "", false},
		{"negative offset", Token("k", -1), "k", 2, 5, 0, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end, next, ok := Page(tt.token, tt.kind, tt.size, tt.n)
			if diff := cmp.Diff([]any{tt.start, tt.end, tt.next, tt.ok}, []any{start, end, next, ok}); diff != "" {
				t.Errorf("Page (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequestIDs(t *testing.T) {
	g := NewRequestIDs("c10dc0de")
	if got, want := g.Next(), "c10dc0de-0000-4000-8000-000000000001"; got != want {
		t.Errorf("first id = %q, want %q", got, want)
	}
	w := httptest.NewRecorder()
	id := g.SetHeader(w)
	if got := w.Header().Get("X-Amzn-Requestid"); got != id || id == "" {
		t.Errorf("header %q, returned %q", got, id)
	}
}

func TestErrorWriters(t *testing.T) {
	e := &Error{Status: 400, Code: "InvalidParameterValue", Shape: "InvalidParameterValueException", Message: "bad"}
	tests := []struct {
		name        string
		write       func(w *httptest.ResponseRecorder)
		contentType string
		header      [2]string // a header the protocol must set
		body        []string  // what the body must contain
	}{
		{"query", func(w *httptest.ResponseRecorder) { Query{XMLNS: "urn:x"}.WriteError(w, e, "rid") }, "text/xml", [2]string{},
			[]string{`<ErrorResponse xmlns="urn:x">`, "<Type>Sender</Type>", "<Code>InvalidParameterValue</Code>", "<Message>bad</Message>", "<RequestId>rid</RequestId>"}},
		{"json 1.0 query-compatible", func(w *httptest.ResponseRecorder) {
			JSON{Version: "1.0", TypePrefix: "com.amazonaws.cloudwatch#", QueryCompatible: true}.WriteError(w, e)
		}, "application/x-amz-json-1.0", [2]string{"X-Amzn-Query-Error", "InvalidParameterValue;Sender"},
			[]string{`"__type":"com.amazonaws.cloudwatch#InvalidParameterValueException"`, `"message":"bad"`}},
		{"json 1.1", func(w *httptest.ResponseRecorder) { JSON{Version: "1.1"}.WriteError(w, e) }, "application/x-amz-json-1.1", [2]string{},
			[]string{`"__type":"InvalidParameterValueException"`}},
		{"restJson1", func(w *httptest.ResponseRecorder) { RestJSON{}.WriteError(w, e) }, "application/json",
			[2]string{"X-Amzn-Errortype", "InvalidParameterValue"}, []string{`"message":"bad"`}},
		{"restXml", func(w *httptest.ResponseRecorder) { RestXML{}.WriteError(w, e, "rid") }, "text/xml", [2]string{},
			[]string{"<Error><Code>InvalidParameterValue</Code><Message>bad</Message><RequestId>rid</RequestId></Error>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tt.write(w)
			if w.Code != 400 || w.Header().Get("Content-Type") != tt.contentType {
				t.Errorf("status %d, content type %q; want 400, %q", w.Code, w.Header().Get("Content-Type"), tt.contentType)
			}
			if tt.header[0] != "" && w.Header().Get(tt.header[0]) != tt.header[1] {
				t.Errorf("%s = %q, want %q", tt.header[0], w.Header().Get(tt.header[0]), tt.header[1])
			}
			for _, want := range tt.body {
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("body %s lacks %s", w.Body, want)
				}
			}
		})
	}
}

func TestCBORError(t *testing.T) {
	w := httptest.NewRecorder()
	CBOR{TypePrefix: "p#", QueryCompatible: true}.WriteError(w, &Error{Status: 503, Code: "C", Message: "m", Extra: map[string]any{"Message": "m"}})
	v, err := cbor.Decode(w.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(map[string]any{"type": v.(cbor.Map)["__type"], "msg": v.(cbor.Map)["Message"]})
	if want := `{"msg":"m","type":"p#C"}`; string(got) != want {
		t.Errorf("body = %s, want %s", got, want)
	}
	if got := w.Header().Get("X-Amzn-Query-Error"); got != "C;Receiver" {
		t.Errorf("X-Amzn-Query-Error = %q, want C;Receiver", got)
	}
}

// echo is a toy awsJson service: Echo answers its input, Fail fails with
// the code it is given.
type echo struct{ calls int }

var echoAPI = JSONService[*echo]{
	Name: "Echo", Target: "Echo_1",
	Proto:   JSON{Version: "1.0", TypePrefix: "p#", TypePrefixes: map[string]string{"ValidationException": "v#"}, CRC32: true},
	IDs:     NewRequestIDs("ec400000"),
	MaxBody: 64,
	Ops: map[string]Op[*echo]{
		"Echo": Decode(func(e *echo, in struct{ Say string }) (any, *Error) {
			e.calls++
			return map[string]string{"Said": in.Say}, nil
		}),
		"Fail": Decode(func(e *echo, in struct{ Code string }) (any, *Error) {
			e.calls++
			return nil, &Error{Status: 400, Code: in.Code, Message: "failed", Extra: map[string]any{"Item": map[string]int{"n": 1}}}
		}),
	},
}

func TestJSONService(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		status                     int
		want                       string // the body, exactly
		calls                      int
	}{
		{"operation", "POST", "Echo_1.Echo", `{"Say":"hi"}`, 200, `{"Said":"hi"}`, 1},
		{"empty body is {}", "POST", "Echo_1.Echo", ``, 200, `{"Said":""}`, 1},
		{"error with extra members", "POST", "Echo_1.Fail", `{"Code":"Nope"}`, 400, `{"Item":{"n":1},"__type":"p#Nope","message":"failed"}`, 1},
		{"code in another namespace", "POST", "Echo_1.Fail", `{"Code":"ValidationException"}`, 400, `{"Item":{"n":1},"__type":"v#ValidationException","message":"failed"}`, 1},
		{"body of the wrong shape", "POST", "Echo_1.Echo", `{"Say":1}`, 400, "", 0},
		{"body too large", "POST", "Echo_1.Echo", `{"Say":"` + strings.Repeat("x", 64) + `"}`, 413, "", 0},
		{"unknown operation", "POST", "Echo_1.Shout", `{}`, 400, "", 0},
		{"another service's target", "POST", "Other.Echo", `{}`, 400, "", 0},
		{"GET", "GET", "Echo_1.Echo", ``, 400, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &echo{}
			r := httptest.NewRequest(tt.method, "/", strings.NewReader(tt.body))
			r.Header.Set("X-Amz-Target", tt.target)
			w := httptest.NewRecorder()
			echoAPI.Serve(svc, w, r)
			if w.Code != tt.status || svc.calls != tt.calls {
				t.Errorf("status %d after %d calls, want %d after %d: %s", w.Code, svc.calls, tt.status, tt.calls, w.Body)
			}
			if tt.want != "" && w.Body.String() != tt.want {
				t.Errorf("body %s, want %s", w.Body, tt.want)
			}
			if got := w.Header().Get("X-Amz-Crc32"); got != strconv.FormatUint(uint64(crc32.ChecksumIEEE(w.Body.Bytes())), 10) {
				t.Errorf("X-Amz-Crc32 = %q, not the body's", got)
			}
			if w.Header().Get("X-Amzn-Requestid") == "" || w.Header().Get("Content-Type") != "application/x-amz-json-1.0" {
				t.Errorf("headers %v lack a request id or the content type", w.Header())
			}
		})
	}
}

func TestReadBodyGzip(t *testing.T) {
	var buf strings.Builder
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte("Action=PutMetricData"))
	_ = zw.Close()
	r := httptest.NewRequest("POST", "/", strings.NewReader(buf.String()))
	r.Header.Set("Content-Encoding", "gzip")
	b, err := ReadBody(r, 1<<10)
	if err != nil || string(b) != "Action=PutMetricData" {
		t.Errorf("ReadBody = %q, %v; want the gunzipped body", b, err)
	}
	r = httptest.NewRequest("POST", "/", strings.NewReader("12345"))
	if _, err := ReadBody(r, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadBody of 5 bytes, limit 4: err = %v, want ErrTooLarge", err)
	}
}

var echoQuery = QueryService[*echo]{
	Proto: Query{XMLNS: "urn:echo"}, Version: "2020-01-01", MaxBody: 64,
	Ops: map[string]QueryOp[*echo]{
		"Echo": func(e *echo, form url.Values) (any, *Error) {
			e.calls++
			return struct {
				XMLName xml.Name `xml:"EchoResult"`
				Said    string
			}{Said: form.Get("Say")}, nil
		},
		"Quiet": func(e *echo, _ url.Values) (any, *Error) { e.calls++; return nil, nil },
		"Fail": func(e *echo, _ url.Values) (any, *Error) {
			e.calls++
			return nil, &Error{Status: 404, Code: "NotFound", Message: "gone"}
		},
	},
}

func TestQueryService(t *testing.T) {
	tests := []struct {
		name, method, query, body string
		status                    int
		want                      string // the body, exactly, or a fragment of an error
		calls                     int
	}{
		{"form body", "POST", "", "Action=Echo&Version=2020-01-01&Say=hi", 200, `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<EchoResponse xmlns="urn:echo"><EchoResult><Said>hi</Said></EchoResult><ResponseMetadata><RequestId>ec400001-0000-4000-8000-000000000001</RequestId></ResponseMetadata></EchoResponse>` + "\n", 1},
		{"query string, no version", "GET", "Action=Quiet", "", 200, `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<QuietResponse xmlns="urn:echo"><ResponseMetadata><RequestId>ec400001-0000-4000-8000-000000000001</RequestId></ResponseMetadata></QuietResponse>` + "\n", 1},
		{"API error", "POST", "", "Action=Fail", 404, "<Code>NotFound</Code>", 1},
		{"no action", "POST", "", "Version=2020-01-01", 400, "<Code>MissingAction</Code>", 0},
		{"unknown action", "POST", "", "Action=Shout", 400, "<Code>InvalidAction</Code>", 0},
		{"other version", "POST", "", "Action=Echo&Version=2019-01-01", 400, "<Code>InvalidAction</Code>", 0},
		{"malformed form", "POST", "", "Action=Echo&Say=%zz", 400, "<Code>MalformedQueryString</Code>", 0},
		{"body too large", "POST", "", "Action=Echo&Say=" + strings.Repeat("x", 64), 400, "<Code>MalformedQueryString</Code>", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &echo{}
			r := httptest.NewRequest(tt.method, "/?"+tt.query, strings.NewReader(tt.body))
			if tt.body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			w := httptest.NewRecorder()
			q := echoQuery
			q.IDs = NewRequestIDs("ec400001")
			q.Serve(svc, w, r)
			if w.Code != tt.status || svc.calls != tt.calls || w.Header().Get("Content-Type") != "text/xml" {
				t.Errorf("status %d (%s) after %d calls, want %d after %d: %s", w.Code, w.Header().Get("Content-Type"), svc.calls, tt.status, tt.calls, w.Body)
			}
			if tt.status == 200 && w.Body.String() != tt.want || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("body %s, want %s", w.Body, tt.want)
			}
		})
	}
}
