package cwsim

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
)

type rawResponse struct {
	Status      int
	ContentType string
	QueryError  string
	Body        string // __type for CBOR/JSON errors, the XML error code for awsQuery
}

func doRaw(t *testing.T, s *Service, method, path string, header map[string]string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func summarize(t *testing.T, rec *httptest.ResponseRecorder) rawResponse {
	t.Helper()
	r := rawResponse{Status: rec.Code, ContentType: rec.Header().Get("Content-Type"), QueryError: rec.Header().Get("X-Amzn-Query-Error")}
	switch {
	case strings.HasPrefix(r.ContentType, "application/cbor"):
		v, err := cbor.Decode(rec.Body.Bytes())
		if err != nil {
			t.Fatalf("response is not CBOR: %v", err)
		}
		if m, ok := v.(cbor.Map); ok {
			if s, ok := m["__type"].(cbor.String); ok {
				r.Body = string(s)
			}
		}
	case strings.HasPrefix(r.ContentType, "text/xml"):
		doc, err := parseXML(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		r.Body = doc.name + " " + doc.str("Error", "Code")
	default:
		r.Body = rec.Body.String()
	}
	return r
}

func TestProtocolErrors(t *testing.T) {
	cborHdr := map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}
	jsonHdr := func(op string) map[string]string {
		return map[string]string{"X-Amz-Target": "GraniteServiceVersion20100801." + op, "Content-Type": "application/x-amz-json-1.0"}
	}
	formHdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	tests := []struct {
		name         string
		method, path string
		header       map[string]string
		body         []byte
		want         rawResponse
	}{
		{"cbor malformed", "POST", cborPathPrefix + "DescribeAlarms", cborHdr, []byte{0xbf, 0x61},
			rawResponse{400, "application/cbor", "SerializationException;Sender", "com.amazonaws.cloudwatch#SerializationException"}},
		{"cbor not a map", "POST", cborPathPrefix + "DescribeAlarms", cborHdr, cbor.Encode(cbor.String("x")),
			rawResponse{400, "application/cbor", "SerializationException;Sender", "com.amazonaws.cloudwatch#SerializationException"}},
		{"cbor unknown operation", "POST", cborPathPrefix + "PutDashboard", cborHdr, nil,
			rawResponse{404, "application/cbor", "UnknownOperationException;Sender", "com.amazonaws.cloudwatch#UnknownOperationException"}},
		{"cbor GET", "GET", cborPathPrefix + "DescribeAlarms", cborHdr, nil,
			rawResponse{405, "application/cbor", "UnknownOperationException;Sender", "com.amazonaws.cloudwatch#UnknownOperationException"}},
		{"cbor wrong type", "POST", cborPathPrefix + "DescribeAlarms", cborHdr, cbor.Encode(cbor.Map{"MaxRecords": cbor.String("ten")}),
			rawResponse{400, "application/cbor", "InvalidParameterValue;Sender", "com.amazonaws.cloudwatch#InvalidParameterValueException"}},
		{"cbor ok", "POST", cborPathPrefix + "DescribeAlarms", cborHdr, nil, rawResponse{200, "application/cbor", "", ""}},
		{"json malformed", "POST", "/", jsonHdr("DescribeAlarms"), []byte("{"),
			rawResponse{400, "application/x-amz-json-1.0", "SerializationException;Sender", `{"__type":"com.amazonaws.cloudwatch#SerializationException","message":"decode JSON body: unexpected EOF"}`}},
		{"json unknown operation", "POST", "/", jsonHdr("PutDashboard"), []byte("{}"),
			rawResponse{400, "application/x-amz-json-1.0", "UnknownOperationException;Sender", `{"__type":"com.amazonaws.cloudwatch#UnknownOperationException","message":"Unknown operation GraniteServiceVersion20100801.PutDashboard"}`}},
		{"json missing parameter", "POST", "/", jsonHdr("PutMetricData"), []byte(`{"MetricData":[]}`),
			rawResponse{400, "application/x-amz-json-1.0", "MissingParameter;Sender", `{"__type":"com.amazonaws.cloudwatch#MissingRequiredParameterException","message":"The parameter Namespace is required."}`}},
		{"json not found", "POST", "/", jsonHdr("DeleteAlarms"), []byte(`{"AlarmNames":["x"]}`),
			rawResponse{404, "application/x-amz-json-1.0", "ResourceNotFound;Sender", `{"__type":"com.amazonaws.cloudwatch#ResourceNotFound","message":"Alarm x does not exist."}`}},
		{"query no action", "POST", "/", formHdr, []byte("Version=2010-08-01"), rawResponse{400, "text/xml", "", "ErrorResponse MissingAction"}},
		{"query unknown action", "POST", "/", formHdr, []byte("Action=PutDashboard&Version=2010-08-01"), rawResponse{400, "text/xml", "", "ErrorResponse InvalidAction"}},
		{"query bad version", "POST", "/", formHdr, []byte("Action=DescribeAlarms&Version=2011-01-01"), rawResponse{400, "text/xml", "", "ErrorResponse InvalidAction"}},
		{"query missing parameter", "POST", "/", formHdr, []byte("Action=SetAlarmState&Version=2010-08-01&AlarmName=a"),
			rawResponse{400, "text/xml", "", "ErrorResponse MissingParameter"}},
		{"query list index too large", "POST", "/", formHdr, []byte("Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1000000000=a"),
			rawResponse{400, "text/xml", "", "ErrorResponse InvalidParameterValue"}},
		{"query list index zero", "POST", "/", formHdr, []byte("Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.0=a"),
			rawResponse{400, "text/xml", "", "ErrorResponse InvalidParameterValue"}},
		{"query GET", "GET", "/?Action=DescribeAlarms&Version=2010-08-01", nil, nil, rawResponse{200, "text/xml", "", "DescribeAlarmsResponse "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(simclock.New(testOrigin, 1), testAccount, testRegion)
			got := summarize(t, doRaw(t, s, tt.method, tt.path, tt.header, tt.body))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueryProtocol(t *testing.T) {
	s := New(simclock.New(testOrigin, 1), testAccount, testRegion)
	form := url.Values{"Action": {"PutMetricData"}, "Version": {"2010-08-01"}, "Namespace": {"SockShop"},
		"MetricData.member.1.MetricName": {"Latency"}, "MetricData.member.1.Value": {"12.5"},
		"MetricData.member.1.Timestamp": {testOrigin.Add(-time.Minute).Format(time.RFC3339)}}
	// botocore gzips large PutMetricData bodies.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = io.WriteString(zw, form.Encode())
	_ = zw.Close()
	rec := doRaw(t, s, "POST", "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip"}, zb.Bytes())
	if rec.Code != 200 {
		t.Fatalf("PutMetricData: %d %s", rec.Code, rec.Body)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata><RequestId>c10dc0de-0000-4000-8000-000000000001</RequestId></ResponseMetadata></PutMetricDataResponse>
`
	if diff := cmp.Diff(want, rec.Body.String()); diff != "" {
		t.Errorf("PutMetricData response (-want +got):\n%s", diff)
	}
	q := url.Values{"Action": {"GetMetricData"}, "Version": {"2010-08-01"},
		"StartTime": {testOrigin.Add(-time.Hour).Format(time.RFC3339)}, "EndTime": {testOrigin.Format(time.RFC3339)},
		"MetricDataQueries.member.1.Id":                           {"m"},
		"MetricDataQueries.member.1.MetricStat.Metric.Namespace":  {"SockShop"},
		"MetricDataQueries.member.1.MetricStat.Metric.MetricName": {"Latency"},
		"MetricDataQueries.member.1.MetricStat.Period":            {"60"},
		"MetricDataQueries.member.1.MetricStat.Stat":              {"Maximum"}}
	rec = doRaw(t, s, "POST", "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, []byte(q.Encode()))
	doc, err := parseXML(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	res := doc.at("GetMetricDataResult").members("MetricDataResults")
	if len(res) != 1 {
		t.Fatalf("results = %d, want 1", len(res))
	}
	got := []string{res[0].str("Id"), res[0].str("Label"), res[0].str("StatusCode"),
		res[0].members("Timestamps")[0].text, res[0].members("Values")[0].text}
	if diff := cmp.Diff([]string{"m", "Latency", "Complete", "2026-11-26T11:59:00.000Z", "12.5"}, got); diff != "" {
		t.Errorf("GetMetricData (-want +got):\n%s", diff)
	}
}

// TestConcurrentClients runs SDK clients, the Go API and evaluations at
// once; run with -race. A listener calls back into the service, which must
// not deadlock since listeners run outside the locks.
func TestConcurrentClients(t *testing.T) {
	s, c := newTestService(t)
	var mu sync.Mutex
	transitions := 0
	s.OnTransition(func(tr Transition) {
		if _, ok := s.AlarmState(tr.AlarmARN); !ok {
			t.Errorf("listener: AlarmState(%s) not found", tr.AlarmARN)
		}
		mu.Lock()
		transitions++
		mu.Unlock()
	})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprint("alarm-", w)
			in := alarmInput(name)
			in.EvaluationPeriods, in.DatapointsToAlarm = aws.Int32(1), nil
			if _, err := c.PutMetricAlarm(ctx, in); err != nil {
				t.Error(err)
				return
			}
			for i := range 20 {
				d := datum("Latency", s.clock.Now().Add(-time.Minute))
				d.Value = aws.Float64(float64(i * 50))
				if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("SockShop"), MetricData: []types.MetricDatum{d}}); err != nil {
					t.Error(err)
				}
				s.PutMetrics("SockShop", []Datum{{MetricName: "Latency", Dimensions: map[string]string{"service": "carts"}, Values: []float64{1}}})
				s.Evaluate(s.clock.Now())
				state := types.StateValueAlarm
				if i%2 == 0 {
					state = types.StateValueOk
				}
				if _, err := c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: state, StateReason: aws.String("race")}); err != nil {
					t.Error(err)
				}
				if _, err := c.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String(name)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if transitions == 0 {
		t.Error("no transitions were reported")
	}
	out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 4 {
		t.Errorf("alarms = %d, want 4", len(out.MetricAlarms))
	}
}

var _ http.Handler = (*Service)(nil)
