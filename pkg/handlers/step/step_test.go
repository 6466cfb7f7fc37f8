package step_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/awsfake"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/handlers/archivefn"
	"github.com/gameday-dev/gameday/pkg/handlers/experimentfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

// TestInitialize: a Lambda's init reads its environment, the SDK's part
// through awsenv.Load and gameday's through deploy.LoadEnv, and a bad or
// missing variable fails it naming the variable.
func TestInitialize(t *testing.T) {
	lambdaEnv := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "TOKEN"}
	tests := []struct {
		name    string
		fn      deploy.Function
		build   step.Constructor
		env     map[string]string
		wantErr string
	}{
		{name: "archive", fn: deploy.Archive, build: archivefn.New, env: map[string]string{deploy.KeyAccountID: "1", deploy.KeyArchiveBucket: "a", deploy.KeyLogWaitLimit: "20m"}},
		{name: "archive refuses a bad LOG_WAIT_LIMIT", fn: deploy.Archive, build: archivefn.New, env: map[string]string{
			deploy.KeyAccountID: "1", deploy.KeyArchiveBucket: "a", deploy.KeyLogWaitLimit: "soon"}, wantErr: deploy.KeyLogWaitLimit},
		{name: "a typo in a key is a missing variable", fn: deploy.Archive, build: archivefn.New, env: map[string]string{deploy.KeyAccountID: "1", "ARCHIVE_BUCKETS": "a"}, wantErr: deploy.KeyArchiveBucket},
		{name: "poll", fn: deploy.PollExperiment, build: experimentfn.NewPoll},
		{name: "no credentials", fn: deploy.PollExperiment, build: experimentfn.NewPoll, env: map[string]string{"AWS_ACCESS_KEY_ID": ""}, wantErr: "AWS_ACCESS_KEY_ID"},
		{name: "no region", fn: deploy.PollExperiment, build: experimentfn.NewPoll, env: map[string]string{"AWS_REGION": ""}, wantErr: "AWS_REGION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) {
				if v, ok := tt.env[k]; ok {
					return v, ok
				}
				v, ok := lambdaEnv[k]
				return v, ok
			}
			h, err := step.Initialize(context.Background(), tt.fn, tt.build, nil, lookup)
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
		// A handler that passes an AWS error up unclassified: the wrapper
		// names its kind, so that Retry matches it.
		{name: "unclassified throttling", err: fmt.Errorf("put object: %w", &smithy.GenericAPIError{Code: "SlowDown"}), wantType: "Throttled"},
		{name: "unclassified server error", err: fmt.Errorf("put object: %w", &smithy.GenericAPIError{Code: "InternalError"}), wantType: "AWSUnavailable"},
		{name: "a step error's name wins over its AWS cause", err: &gameday.StepError{Name: gameday.ErrNameNotTerminal, Err: &smithy.GenericAPIError{Code: "InternalFailure"}}, wantType: "ExperimentNotTerminal"},
		{name: "anything else", err: errors.New("boom"), wantType: "GameDayError"},
		{name: "bad input", payload: `{"start": 7}`, wantType: "GameDayError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := step.New("test", func(context.Context, gameday.RunState) (gameday.PollResult, error) {
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
	h := step.New("test", func(context.Context, gameday.RunState) (gameday.PollResult, error) {
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
	return countingFIS(t, status, code, new(requestCount))
}

// requestCount counts the requests an endpoint receives: calls (the SDK's
// first attempt at each, amz-sdk-request: attempt=1) and attempts (every
// request, retries included).
type requestCount struct{ calls, attempts atomic.Int32 }

// countingFIS is fakeFIS counting the requests it receives in n.
func countingFIS(t *testing.T, status string, code int, n *requestCount) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.attempts.Add(1)
		if strings.HasPrefix(r.Header.Get("Amz-Sdk-Request"), "attempt=1;") {
			n.calls.Add(1)
		}
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
		h, err := experimentfn.NewPoll(context.Background(), step.Config{AWS: awsfake.Config(srv.URL), Now: func() time.Time { return now }})
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
		h, err := experimentfn.NewPoll(context.Background(), step.Config{AWS: awsfake.Config(srv.URL), Now: func() time.Time { return now }})
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

// TestInitializeReadsTheSDKEnvironment: a Lambda's init builds its clients
// from the SDK's variables in its environment, the endpoint (general or the
// service's own) and the retries, as the SDK's default loader would.
func TestInitializeReadsTheSDKEnvironment(t *testing.T) {
	started := time.Now().Add(-time.Minute)
	state := gameday.RunState{
		Execution: gameday.Execution{ARN: "arn:aws:states:us-east-1:123456789012:execution:gameday:run-1", Name: "run-1"},
		Start:     &gameday.StartResult{ExperimentID: "EXP1", StartedAt: started, Deadline: started.Add(time.Hour)},
	}
	payload, _ := json.Marshal(state)
	// The endpoint cases count calls, not attempts: with the SDK's
	// standard retries, as in Lambda, a connection broken under load is
	// retried. The AWS_MAX_ATTEMPTS case counts attempts, on purpose.
	tests := []struct {
		name         string
		code         int
		env          func(url string) map[string]string
		wantCalls    int32
		wantAttempts int32  // 0: not counted
		wantType     string // the Lambda error's type, "" when the poll succeeds
	}{
		{name: "AWS_ENDPOINT_URL", code: http.StatusOK, env: func(url string) map[string]string {
			return map[string]string{"AWS_ENDPOINT_URL": url}
		}, wantCalls: 1},
		{name: "AWS_ENDPOINT_URL_FIS over AWS_ENDPOINT_URL", code: http.StatusOK, env: func(url string) map[string]string {
			return map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_FIS": url}
		}, wantCalls: 1},
		{name: "AWS_MAX_ATTEMPTS", code: http.StatusTooManyRequests, env: func(url string) map[string]string {
			return map[string]string{"AWS_ENDPOINT_URL": url, "AWS_MAX_ATTEMPTS": "1"}
		}, wantCalls: 1, wantAttempts: 1, wantType: gameday.ErrNameThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logRecords(t) // the failed poll's log line stays out of the test's output
			var n requestCount
			srv := countingFIS(t, "running", tt.code, &n)
			env := tt.env(srv.URL)
			for k, v := range map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET"} {
				env[k] = v
			}
			h, err := step.Initialize(context.Background(), deploy.PollExperiment, experimentfn.NewPoll, nil,
				func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			if err != nil {
				t.Fatalf("initialize() error = %v", err)
			}
			out, err := h.Invoke(context.Background(), payload)
			var ie messages.InvokeResponse_Error
			switch {
			case tt.wantType == "" && err != nil:
				t.Fatalf("Invoke() error = %v", err)
			case tt.wantType == "":
				var got gameday.PollResult
				if err := json.Unmarshal(out, &got); err != nil || got.State != gameday.StateRunning {
					t.Errorf("Invoke() = %s (%v), want a running experiment", out, err)
				}
			case !errors.As(err, &ie) || ie.Type != tt.wantType:
				t.Errorf("Invoke() error = %#v, want errorType %s", err, tt.wantType)
			}
			if got := n.calls.Load(); got != tt.wantCalls {
				t.Errorf("FIS received %d calls, want %d", got, tt.wantCalls)
			}
			if got := n.attempts.Load(); tt.wantAttempts != 0 && got != tt.wantAttempts {
				t.Errorf("FIS received %d attempts, want %d", got, tt.wantAttempts)
			}
		})
	}
}

// TestBuildFillsDefaults: a constructor sees the optional variables that
// are unset with their defaults, filled once by Build.
func TestBuildFillsDefaults(t *testing.T) {
	var got deploy.Env
	capture := func(_ context.Context, c step.Config) (lambda.Handler, error) {
		got = c.Env
		return nil, nil
	}
	if _, err := step.Build(context.Background(), deploy.PollExperiment, capture, step.Config{AWS: awsfake.Config("http://127.0.0.1:1")}); err != nil {
		t.Fatal(err)
	}
	want := deploy.Env{LogPrefix: deploy.DefaultLogPrefix, EventBusName: deploy.DefaultEventBusName, LogWaitLimit: deploy.DefaultLogWaitLimit}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the constructor's Env (-want +got):\n%s", diff)
	}
}
