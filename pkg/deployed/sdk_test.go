package deployed

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// sfnRequest is one request the SDK sent to the fake endpoint.
type sfnRequest struct {
	Target, ContentType, Auth string
	Body                      map[string]any
}

// sfnServer answers the Step Functions awsJson1_0 protocol for
// ListExecutions, StartExecution, DescribeExecution and
// GetExecutionHistory, dated by its clock (testNow), and records
// what the real SDK client sent: each call once, by its first attempt
// (amz-sdk-request: attempt=1), as the client has the SDK's standard
// retries.
type sfnServer struct {
	mu       sync.Mutex
	requests []sfnRequest
	input    string // the input of the started execution
}

func (s *sfnServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	req := sfnRequest{Target: r.Header.Get("X-Amz-Target"), ContentType: r.Header.Get("Content-Type"), Auth: r.Header.Get("Authorization")}
	if err := json.Unmarshal(b, &req.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.HasPrefix(r.Header.Get("Amz-Sdk-Request"), "attempt=1;") {
		s.requests = append(s.requests, req)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("Date", testNow.Format(http.TimeFormat))
	reply := func(status int, v any) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	arn, _ := req.Body["executionArn"].(string)
	switch req.Target {
	case "AWSStepFunctions.ListExecutions":
		reply(200, map[string]any{"executions": []any{}})
	case "AWSStepFunctions.StartExecution":
		s.input, _ = req.Body["input"].(string)
		sm, _ := req.Body["stateMachineArn"].(string)
		name, _ := req.Body["name"].(string)
		reply(200, map[string]any{
			"executionArn": strings.Replace(sm, ":stateMachine:", ":execution:", 1) + ":" + name,
			"startDate":    1795654923.5, // 2026-11-26T01:02:03.5Z, epoch seconds
		})
	case "AWSStepFunctions.DescribeExecution":
		if !strings.HasSuffix(arn, ":sock-shop-carts-latency-20261126T010203Z") {
			reply(400, map[string]any{"__type": "com.amazonaws.states#ExecutionDoesNotExist", "message": "Execution Does Not Exist: '" + arn + "'"})
			return
		}
		reply(200, map[string]any{
			"executionArn": arn, "stateMachineArn": testSM, "name": "sock-shop-carts-latency-20261126T010203Z",
			"status": "RUNNING", "startDate": 1795654923.5, "input": s.input,
		})
	case "AWSStepFunctions.GetExecutionHistory":
		events := []any{
			map[string]any{"id": 1, "timestamp": 1795654924, "type": "TaskStateEntered", "stateEnteredEventDetails": map[string]any{"name": "StartExperiment"}},
			map[string]any{"id": 2, "timestamp": 1795654930, "type": "TaskStateExited", "stateExitedEventDetails": map[string]any{
				"name": "StartExperiment", "output": `{"start":{"experimentId":"EXPsdk123","experimentTemplateId":"EXT1"}}`}},
			map[string]any{"id": 3, "timestamp": 1795654931, "type": "TaskStateEntered", "stateEnteredEventDetails": map[string]any{"name": "PollExperiment"}},
		}
		if req.Body["reverseOrder"] == true {
			slices.Reverse(events)
		}
		reply(200, map[string]any{"events": events})
	default:
		reply(400, map[string]any{"__type": "UnknownOperationException", "message": req.Target})
	}
}

// TestRealSFNClient drives the real SDK Step Functions client against a
// local server speaking its protocol: what Start sends is what Step
// Functions gets, and Describe reads real responses and errors.
func TestRealSFNClient(t *testing.T) {
	srv := &sfnServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client := sfn.New(sfn.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ts.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	// The user's clock is hours off the service's: the name is the
	// service's time, from its answer's Date, as the start date is.
	c := &Client{Stack: &StackResolver{StateMachineARN: testSM}, Starter: client, Executions: client, Lister: client,
		Now: func() time.Time { return testNow.Add(-7*time.Hour + 17*time.Minute) }}
	data := readExample(t, "sock-shop-carts-latency.yaml")
	ctx := context.Background()

	started, err := c.Start(ctx, "examples/sock-shop-carts-latency.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	want := &Started{
		GameDay: "sock-shop-carts-latency", Name: "sock-shop-carts-latency-20261126T010203Z",
		ARN:       "arn:aws:states:us-east-1:123456789012:execution:GameDayWorkflow:sock-shop-carts-latency-20261126T010203Z",
		StartedAt: time.Date(2026, 11, 26, 1, 2, 3, 500_000_000, time.UTC),
	}
	if diff := cmp.Diff(want, started); diff != "" {
		t.Errorf("Started (-want +got):\n%s", diff)
	}

	// The requests as the SDK sent them: the clock read, then the start.
	srv.mu.Lock()
	if l := srv.requests[0]; l.Target != "AWSStepFunctions.ListExecutions" || l.Body["stateMachineArn"] != testSM || l.Body["maxResults"] != float64(1) {
		t.Errorf("first request %+v, want a ListExecutions of %s, 1 result", l, testSM)
	}
	req := srv.requests[1]
	if req.Target != "AWSStepFunctions.StartExecution" || req.ContentType != "application/x-amz-json-1.0" {
		t.Errorf("sent target %q, content type %q; want AWSStepFunctions.StartExecution, application/x-amz-json-1.0", req.Target, req.ContentType)
	}
	if !strings.HasPrefix(req.Auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(req.Auth, "/us-east-1/states/aws4_request") {
		t.Errorf("Authorization %q is not SigV4 for states in us-east-1", req.Auth)
	}
	if got := req.Body["name"]; got != "sock-shop-carts-latency-20261126T010203Z" {
		t.Errorf("name %v", got)
	}
	if got := req.Body["stateMachineArn"]; got != testSM {
		t.Errorf("stateMachineArn %v", got)
	}
	var in gameday.RunInput
	dec := json.NewDecoder(strings.NewReader(srv.input))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		t.Fatalf("input is not a RunInput: %v\n%s", err, srv.input)
	}
	if in.Source != "manual" || in.SpecYAML != string(data) || in.GameDay == nil || in.GameDay.Metadata.Name != "sock-shop-carts-latency" {
		t.Errorf("RunInput source %q, spec YAML %d bytes (want %d), gameday %+v", in.Source, len(in.SpecYAML), len(data), in.GameDay)
	}

	srv.mu.Unlock()

	// Describe by name: DescribeExecution and the history.
	run, err := c.Describe(ctx, started.Name)
	if err != nil {
		t.Fatal(err)
	}
	wantRun := &Run{
		Execution: Execution{Name: started.Name, ARN: started.ARN, Status: "RUNNING", StartedAt: want.StartedAt},
		GameDay:   "sock-shop-carts-latency", Step: "PollExperiment", ExperimentID: "EXPsdk123", At: testNow,
	}
	if diff := cmp.Diff(wantRun, run); diff != "" {
		t.Errorf("Run (-want +got):\n%s", diff)
	}
	srv.mu.Lock()
	if got := srv.requests[2].Body["executionArn"]; got != started.ARN {
		t.Errorf("described %v, want %s", got, started.ARN)
	}
	h := srv.requests[3]
	if h.Target != "AWSStepFunctions.GetExecutionHistory" || h.Body["executionArn"] != started.ARN ||
		h.Body["reverseOrder"] != true || h.Body["includeExecutionData"] != true || h.Body["maxResults"] != float64(historyPage) {
		t.Errorf("history request %+v, want newest first, with data, %d at a time", h, historyPage)
	}
	srv.mu.Unlock()

	// An unknown execution: the service's error code maps to ErrNotFound.
	_, err = c.Describe(ctx, "nope-20261126T010203Z")
	checkErr(t, err, "describe run nope-20261126T010203Z: no such execution of the gameday state machine: ExecutionDoesNotExist: Execution Does Not Exist", gameday.ErrNotFound)
}
