package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

func testConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

func TestNew(t *testing.T) {
	full := deploy.Env{
		AccountID: "123456789012", FISRoleARN: "arn:aws:iam::123456789012:role/gameday-fis",
		LogBucket: "logs", ArchiveBucket: "archive", LeaseTable: "leases", ExecutionTimeout: 13 * time.Hour,
		StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:gameday",
	}
	without := func(clear func(*deploy.Env)) deploy.Env {
		e := full
		clear(&e)
		return e
	}
	tests := []struct {
		name    string
		fn      deploy.Function
		env     deploy.Env
		region  string
		wantErr string // substring; "" means success
	}{
		{name: "preflight", fn: deploy.Preflight, env: full, region: "us-east-1"},
		{name: "preflight needs ACCOUNT_ID", fn: deploy.Preflight, env: without(func(e *deploy.Env) { e.AccountID = "" }), region: "us-east-1", wantErr: deploy.KeyAccountID},
		{name: "preflight reads the deployed policy", fn: deploy.Preflight, env: deploy.Env{AccountID: "123456789012", LeaseTable: "leases", ExecutionTimeout: time.Hour,
			Policy: `{"apiVersion":"gameday/v1alpha1","kind":"GameDayPolicy","metadata":{"name":"p"},"spec":{"namespaces":["shop"]}}`}, region: "us-east-1"},
		{name: "preflight refuses a bad policy", fn: deploy.Preflight, env: deploy.Env{AccountID: "123456789012", LeaseTable: "leases", ExecutionTimeout: time.Hour,
			Policy: `{"apiVersion":"gameday/v1alpha1","kind":"GameDayPolicy","metadata":{"name":"p"},"spec":{"namespace":["shop"]}}`}, region: "us-east-1", wantErr: deploy.KeyPolicy},
		{name: "start", fn: deploy.StartExperiment, env: full, region: "us-east-1"},
		{name: "start needs FIS_ROLE_ARN", fn: deploy.StartExperiment, env: without(func(e *deploy.Env) { e.FISRoleARN = "" }), region: "us-east-1", wantErr: deploy.KeyFISRoleARN},
		{name: "start needs LOG_BUCKET", fn: deploy.StartExperiment, env: without(func(e *deploy.Env) { e.LogBucket = "" }), region: "us-east-1", wantErr: deploy.KeyLogBucket},
		{name: "start needs a region", fn: deploy.StartExperiment, env: full, wantErr: deploy.KeyRegion},
		{name: "start takes AWS_REGION", fn: deploy.StartExperiment, env: deploy.Env{
			AccountID: "123456789012", FISRoleARN: "r", LogBucket: "b", Region: "eu-west-1"}},
		{name: "poll needs nothing", fn: deploy.PollExperiment, region: "us-east-1"},
		{name: "stop needs nothing", fn: deploy.StopExperiment, region: "us-east-1"},
		{name: "preflight needs LEASE_TABLE", fn: deploy.Preflight, env: without(func(e *deploy.Env) { e.LeaseTable = "" }), region: "us-east-1", wantErr: deploy.KeyLeaseTable},
		{name: "preflight needs EXECUTION_TIMEOUT", fn: deploy.Preflight, env: without(func(e *deploy.Env) { e.ExecutionTimeout = 0 }), region: "us-east-1", wantErr: deploy.KeyExecutionTimeout},
		{name: "guard", fn: deploy.Guard, env: full, region: "us-east-1"},
		{name: "guard needs LEASE_TABLE", fn: deploy.Guard, env: without(func(e *deploy.Env) { e.LeaseTable = "" }), region: "us-east-1", wantErr: deploy.KeyLeaseTable},
		{name: "sweeper", fn: deploy.Sweeper, env: full, region: "us-east-1"},
		{name: "sweeper needs STATE_MACHINE_ARN", fn: deploy.Sweeper, env: without(func(e *deploy.Env) { e.StateMachineARN = "" }), region: "us-east-1", wantErr: deploy.KeyStateMachineARN},
		{name: "archive", fn: deploy.Archive, env: full, region: "us-east-1"},
		{name: "archive needs ARCHIVE_BUCKET", fn: deploy.Archive, env: without(func(e *deploy.Env) { e.ArchiveBucket = "" }), region: "us-east-1", wantErr: deploy.KeyArchiveBucket},
		{name: "archive needs ACCOUNT_ID", fn: deploy.Archive, env: without(func(e *deploy.Env) { e.AccountID = "" }), region: "us-east-1", wantErr: deploy.KeyAccountID},
		{name: "notify", fn: deploy.Notify, env: full, region: "us-east-1"},
		{name: "notify needs LEASE_TABLE", fn: deploy.Notify, env: without(func(e *deploy.Env) { e.LeaseTable = "" }), region: "us-east-1", wantErr: deploy.KeyLeaseTable},
		{name: "unknown", fn: "deploy", env: full, region: "us-east-1", wantErr: "unknown handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig("http://127.0.0.1:1")
			cfg.Region = tt.region
			h, err := New(context.Background(), tt.fn, Config{AWS: cfg, Env: tt.env})
			if tt.wantErr == "" {
				if err != nil || h == nil {
					t.Fatalf("New(%s) = %v, %v", tt.fn, h, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New(%s) error = %v, want one naming %s", tt.fn, err, tt.wantErr)
			}
		})
	}
	t.Run("every name is known", func(t *testing.T) {
		for _, fn := range workflow.Functions {
			if !slices.Contains(deploy.Functions, fn) {
				t.Errorf("the state machine invokes %s, which is not among %v", fn, deploy.Functions)
			}
		}
		for _, fn := range deploy.Functions {
			_, err := New(context.Background(), fn, Config{AWS: testConfig("http://127.0.0.1:1"), Env: full})
			if err != nil {
				t.Errorf("New(%s): %v", fn, err)
			}
		}
	})
}

// TestInitialize: a Lambda's init reads its environment through
// deploy.LoadEnv, and a bad or missing variable fails it naming the
// variable.
func TestInitialize(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRET")
	tests := []struct {
		name    string
		build   Constructor
		env     map[string]string
		wantErr string
	}{
		{name: "archive", build: NewArchive, env: map[string]string{deploy.KeyAccountID: "1", deploy.KeyArchiveBucket: "a", deploy.KeyLogWaitLimit: "20m"}},
		{name: "archive refuses a bad LOG_WAIT_LIMIT", build: NewArchive, env: map[string]string{
			deploy.KeyAccountID: "1", deploy.KeyArchiveBucket: "a", deploy.KeyLogWaitLimit: "soon"}, wantErr: deploy.KeyLogWaitLimit},
		{name: "a typo in a key is a missing variable", build: NewArchive, env: map[string]string{deploy.KeyAccountID: "1", "ARCHIVE_BUCKETS": "a"}, wantErr: deploy.KeyArchiveBucket},
		{name: "poll", build: NewPoll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			h, err := initialize(context.Background(), tt.build, nil, lookup)
			if tt.wantErr == "" {
				if err != nil || h == nil {
					t.Fatalf("initialize() = %v, %v", h, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("initialize() error = %v, want one naming %s", err, tt.wantErr)
			}
		})
	}
}

// TestPreflightValidator: preflight validates with the validator it is
// given, else with gameday.Check.
func TestPreflightValidator(t *testing.T) {
	bad := gameday.RunState{RunInput: gameday.RunInput{GameDay: &gameday.Spec{APIVersion: gameday.APIVersion, Kind: gameday.Kind, Metadata: gameday.Metadata{Name: "Not_A_DNS_Label"}}}}
	payload, err := json.Marshal(bad)
	if err != nil {
		t.Fatal(err)
	}
	env := deploy.Env{AccountID: "123456789012", LeaseTable: "leases", ExecutionTimeout: time.Hour}
	invoke := func(validate func(*gameday.Spec) error) messages.InvokeResponse_Error {
		t.Helper()
		h, err := NewPreflight(context.Background(), Config{AWS: testConfig("http://127.0.0.1:1"), Env: env, Validate: validate})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.Invoke(context.Background(), payload)
		var ie messages.InvokeResponse_Error
		errors.As(err, &ie)
		return ie
	}
	if ie := invoke(nil); ie.Type != gameday.ErrNameInvalidGameDay {
		t.Errorf("default validation: errorType %q (%s), want %s", ie.Type, ie.Message, gameday.ErrNameInvalidGameDay)
	}
	refuse := errors.New("refused by the given validator")
	if ie := invoke(func(*gameday.Spec) error { return refuse }); ie.Type != gameday.ErrNameInvalidGameDay || !strings.Contains(ie.Message, refuse.Error()) {
		t.Errorf("given validator: errorType %q (%s), want %s naming %q", ie.Type, ie.Message, gameday.ErrNameInvalidGameDay, refuse)
	}
}

func TestInvokeErrorTypes(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		payload  string
		wantType string
	}{
		{name: "named step error", err: gameday.NewStepError(gameday.ErrNamePreflightFailed, "alarm x is in ALARM"), wantType: "PreflightFailed"},
		{name: "wrapped step error", err: fmt.Errorf("poll: %w", gameday.NewStepError(gameday.ErrNameExperimentTimeout, "late")), wantType: "ExperimentTimeout"},
		{name: "throttled after the SDK's retries", err: fmt.Errorf("get experiment EXP1: %w", fmt.Errorf("%w: rate exceeded", gameday.ErrThrottled)), wantType: "Throttled"},
		{name: "anything else", err: errors.New("boom"), wantType: "GameDayError"},
		{name: "bad input", payload: `{"start": 7}`, wantType: "GameDayError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newStep("test", func(context.Context, gameday.RunState) (gameday.PollResult, error) {
				return gameday.PollResult{}, tt.err
			})
			payload := tt.payload
			if payload == "" {
				payload = `{"execution": {"arn": "a", "name": "n"}}`
			}
			_, err := h.Invoke(context.Background(), []byte(payload))
			var ie messages.InvokeResponse_Error
			if !errors.As(err, &ie) {
				t.Fatalf("Invoke() error = %#v, want a messages.InvokeResponse_Error", err)
			}
			if ie.Type != tt.wantType {
				t.Errorf("errorType = %q, want %q (message %q)", ie.Type, tt.wantType, ie.Message)
			}
			if tt.err != nil && ie.Message != tt.err.Error() {
				t.Errorf("errorMessage = %q, want %q", ie.Message, tt.err.Error())
			}
		})
	}
}

func TestInvokePanicIsNamed(t *testing.T) {
	logs := logRecords(t)
	h := newStep("test", func(context.Context, gameday.RunState) (gameday.PollResult, error) {
		var st *gameday.StartResult
		return gameday.PollResult{State: gameday.State(st.ExperimentID)}, nil // a nil dereference: a bug
	})
	_, err := h.Invoke(context.Background(), []byte(`{}`))
	var ie messages.InvokeResponse_Error
	if !errors.As(err, &ie) || ie.Type != gameday.ErrNameInternal || !strings.Contains(ie.Message, "panicked") {
		t.Fatalf("Invoke() error = %#v, want a GameDayError naming the panic", err)
	}
	if recs := logs(); len(recs) != 1 || recs[0]["msg"] != "step panicked" {
		t.Errorf("log records = %v, want one 'step panicked'", recs)
	}
}

// logRecords captures the default slog logger as JSON for the test.
func logRecords(t *testing.T) func() []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return func() []map[string]any {
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			out = append(out, m)
		}
		return out
	}
}

// fakeFIS answers GetExperiment like FIS's restJson1 endpoint.
func fakeFIS(t *testing.T, status string, code int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/experiments/EXP1" {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotImplemented)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if code != http.StatusOK {
			w.Header().Set("X-Amzn-Errortype", "ThrottlingException")
			w.WriteHeader(code)
			fmt.Fprint(w, `{"message":"Rate exceeded"}`)
			return
		}
		fmt.Fprintf(w, `{"experiment":{"id":"EXP1","state":{"status":%q,"reason":"r"},"actions":{"carts-delay":{"state":{"status":"running"}}}}}`, status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPollThroughTheSDK(t *testing.T) {
	started := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	now := started.Add(10 * time.Minute)
	state := gameday.RunState{
		RunInput:  gameday.RunInput{GameDay: &gameday.Spec{Metadata: gameday.Metadata{Name: "carts-latency"}}},
		Execution: gameday.Execution{ARN: "arn:aws:states:us-east-1:123456789012:execution:gameday:run-1", Name: "run-1"},
		Start:     &gameday.StartResult{ExperimentID: "EXP1", StartedAt: started, Deadline: started.Add(30 * time.Minute)},
	}
	payload, _ := json.Marshal(state)

	t.Run("running", func(t *testing.T) {
		logs := logRecords(t)
		srv := fakeFIS(t, "running", http.StatusOK)
		h, err := New(context.Background(), deploy.PollExperiment, Config{AWS: testConfig(srv.URL), Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		out, err := h.Invoke(context.Background(), payload)
		if err != nil {
			t.Fatalf("Invoke() error = %v", err)
		}
		var got gameday.PollResult
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		want := gameday.PollResult{State: gameday.StateRunning, Reason: "r", WaitSeconds: 60, Elapsed: 600, PolledAt: now, Polls: 1,
			Actions: []gameday.ActionState{{Name: "carts-delay", State: gameday.StateRunning}}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("poll result mismatch (-want +got):\n%s", diff)
		}
		recs := logs()
		if len(recs) != 1 {
			t.Fatalf("%d log records, want 1: %v", len(recs), recs)
		}
		for k, v := range map[string]any{"gameday": "carts-latency", "executionArn": state.Execution.ARN, "experimentId": "EXP1", "step": string(deploy.PollExperiment)} {
			if recs[0][k] != v {
				t.Errorf("log %s = %v, want %v", k, recs[0][k], v)
			}
		}
	})
	t.Run("throttled", func(t *testing.T) {
		logs := logRecords(t)
		srv := fakeFIS(t, "", http.StatusTooManyRequests)
		h, err := New(context.Background(), deploy.PollExperiment, Config{AWS: testConfig(srv.URL), Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.Invoke(context.Background(), payload)
		var ie messages.InvokeResponse_Error
		if !errors.As(err, &ie) || ie.Type != gameday.ErrNameThrottled {
			t.Fatalf("Invoke() error = %#v, want errorType Throttled", err)
		}
		recs := logs()
		if len(recs) != 1 || recs[0]["errorType"] != gameday.ErrNameThrottled || recs[0]["level"] != "ERROR" {
			t.Errorf("log records = %v, want one ERROR with errorType Throttled", recs)
		}
	})
}
