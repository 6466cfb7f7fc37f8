package wire

import (
	"encoding/json"
	"net/http/httptest"
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
	CBOR{TypePrefix: "p#", QueryCompatible: true}.WriteError(w, &Error{Status: 503, Code: "C", Message: "m", Extra: map[string]string{"Message": "m"}})
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
