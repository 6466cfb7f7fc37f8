package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// awsEndpoint is one local endpoint for the real SDK clients that
// newDeployed makes (AWS_ENDPOINT_URL): CloudFormation and STS (awsQuery),
// Step Functions (awsJson1_0) and S3 (gofakes3, path style). It counts
// calls, not attempts: the SDK retries a call whose connection broke, as it
// does for a user.
type awsEndpoint struct {
	mu         sync.Mutex
	stacks     map[string]map[string]string // stack name -> outputs
	stackCalls []string
	stsCalls   int
	executions []map[string]any // newest last
	s3         http.Handler
	// resetOnce names a Step Functions operation whose first request the
	// endpoint answers with 200 and part of a body, then resets the
	// connection; resets counts the resets.
	resetOnce string
	resets    int
}

// firstAttempt tells a call from the SDK's retries of it (amz-sdk-request:
// attempt=N; max=M).
func firstAttempt(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Amz-Sdk-Request"), "attempt=1;")
}

func (a *awsEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AWSStepFunctions."):
		if a.reset(w, r) {
			return
		}
		a.stepFunctions(w, r)
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		a.query(w, r)
	default:
		a.s3.ServeHTTP(w, r)
	}
}

func (a *awsEndpoint) query(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	switch r.Form.Get("Action") {
	case "GetCallerIdentity":
		if firstAttempt(r) {
			a.stsCalls++
		}
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::123456789012:user/dev</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	case "DescribeStacks":
		name := r.Form.Get("StackName")
		if firstAttempt(r) {
			a.stackCalls = append(a.stackCalls, name)
		}
		outputs, ok := a.stacks[name]
		if !ok {
			w.WriteHeader(400)
			fmt.Fprintf(w, `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>`+
				`<Code>ValidationError</Code><Message>Stack with id %s does not exist</Message></Error><RequestId>2</RequestId></ErrorResponse>`, name)
			return
		}
		var b strings.Builder
		for k, v := range outputs {
			fmt.Fprintf(&b, "<member><OutputKey>%s</OutputKey><OutputValue>%s</OutputValue></member>", k, v)
		}
		fmt.Fprintf(w, `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>`+
			`<StackName>%s</StackName><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-11-01T00:00:00Z</CreationTime>`+
			`<Outputs>%s</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>3</RequestId></ResponseMetadata></DescribeStacksResponse>`,
			name, b.String())
	default:
		http.Error(w, "unexpected action "+r.Form.Get("Action"), 400)
	}
}

// reset breaks the connection of the first request for a.resetOnce halfway
// through a 200 response, as a connection that breaks in transit does:
// the SDK's read of the body fails with a connection reset (or, when its
// transport closed the connection first, "use of closed network
// connection", which the SDK treats alike).
func (a *awsEndpoint) reset(w http.ResponseWriter, r *http.Request) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.resetOnce == "" || a.resets > 0 || r.Header.Get("X-Amz-Target") != "AWSStepFunctions."+a.resetOnce {
		return false
	}
	a.resets++
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, err.Error(), 500)
		return true
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 4096\r\n\r\n{\"executionArn\":")
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with a reset, not a FIN
	}
	_ = conn.Close()
	return true
}

func (a *awsEndpoint) stepFunctions(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	reply := func(v any) { _ = json.NewEncoder(w).Encode(v) }
	find := func() map[string]any {
		for _, e := range a.executions {
			if e["executionArn"] == in["executionArn"] {
				return e
			}
		}
		return nil
	}
	switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSStepFunctions.") {
	case "StartExecution":
		sm, _ := in["stateMachineArn"].(string)
		name, _ := in["name"].(string)
		e := map[string]any{
			"executionArn": strings.Replace(sm, ":stateMachine:", ":execution:", 1) + ":" + name, "stateMachineArn": sm,
			"name": name, "status": "RUNNING", "startDate": 1795654923, "input": in["input"],
		}
		a.executions = append(a.executions, e)
		reply(map[string]any{"executionArn": e["executionArn"], "startDate": e["startDate"]})
	case "DescribeExecution":
		e := find()
		if e == nil {
			w.WriteHeader(400)
			reply(map[string]any{"__type": "ExecutionDoesNotExist", "message": "Execution Does Not Exist"})
			return
		}
		reply(e)
	case "GetExecutionHistory":
		reply(map[string]any{"events": []any{}})
	case "ListExecutions":
		var list []any
		for i := len(a.executions) - 1; i >= 0; i-- {
			list = append(list, a.executions[i])
		}
		reply(map[string]any{"executions": list})
	default:
		w.WriteHeader(400)
		reply(map[string]any{"__type": "UnknownOperationException"})
	}
}

// finish marks the last execution succeeded, its archive at prefix.
func (a *awsEndpoint) finish(bucket, prefix string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e := a.executions[len(a.executions)-1]
	e["status"], e["stopDate"] = "SUCCEEDED", 1795655523
	out, _ := json.Marshal(gameday.RunState{Archive: &gameday.ArchiveResult{Bucket: bucket, Prefix: prefix, Verdict: "passed", State: gameday.StateCompleted}})
	e["output"] = string(out)
}

// TestDeployedThroughEndpoint runs start, status and report with the real
// AWS clients of newDeployed, configured from the environment
// (AWS_ENDPOINT_URL, AWS_REGION, keys) as a user's shell would: with the
// SDK's standard retries, which carry a command over a connection that
// breaks mid-response.
func TestDeployedThroughEndpoint(t *testing.T) {
	tests := []struct {
		name      string
		stack     string // the stack's name
		wantCalls []string
		wantSTS   int
		resetOnce string // awsEndpoint.resetOnce
		// perService sets AWS_ENDPOINT_URL_<SERVICE> for each service the
		// CLI calls instead of AWS_ENDPOINT_URL: S3 must still be
		// addressed by path.
		perService bool
	}{
		{name: "default stack", stack: "GameDay", wantCalls: []string{"GameDay"}},
		{name: "deployment stack", stack: "GameDay-123456789012-us-east-1", wantCalls: []string{"GameDay", "GameDay-123456789012-us-east-1"}, wantSTS: 1},
		{name: "a connection reset mid-response", stack: "GameDay", wantCalls: []string{"GameDay"}, resetOnce: "DescribeExecution"},
		{name: "an endpoint per service", stack: "GameDay", wantCalls: []string{"GameDay"}, perService: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const bucket = "gameday-archive"
			ep := &awsEndpoint{
				stacks:    map[string]map[string]string{tc.stack: {"StateMachineArn": fakeSM, "ArchiveBucketName": bucket}},
				s3:        gofakes3.New(s3mem.New()).Server(),
				resetOnce: tc.resetOnce,
			}
			srv := httptest.NewServer(ep)
			defer srv.Close()
			for k, v := range map[string]string{
				"AWS_ENDPOINT_URL": srv.URL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
				"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
				"AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "", "AWS_RETRY_MODE": "",
			} {
				t.Setenv(k, v)
			}
			for _, k := range []string{"AWS_PROFILE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"} {
				os.Unsetenv(k) // the SDK's defaults, as in a user's shell
			}
			if tc.perService {
				// By name, as `gameday sim` prints it: the SDK addresses
				// S3 by path on its own at an IP address.
				local := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
				for _, service := range []string{"CLOUDFORMATION", "STS", "SFN", "S3"} {
					t.Setenv("AWS_ENDPOINT_URL_"+service, local)
				}
				os.Unsetenv("AWS_ENDPOINT_URL")
			}

			// The run's archive, written as the archive step would.
			prefix := "gamedays/sock-shop-carts-latency/2026-11-26T01-02-10Z_EXPe2e/"
			ctx := context.Background()
			cfg, err := config.LoadDefaultConfig(ctx)
			if err != nil {
				t.Fatal(err)
			}
			s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
			if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Fatal(err)
			}
			for name, body := range map[string]string{"summary.md": "# passed\n", "summary.json": `{"verdict":"passed"}`, "logs/a.log": "{}\n"} {
				if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + name), Body: strings.NewReader(body)}); err != nil {
					t.Fatal(err)
				}
			}

			code, stdout, stderr := runCLI(t, "start", cartsLatency)
			if code != exitOK || !strings.HasPrefix(stdout, "started sock-shop-carts-latency-") {
				t.Fatalf("start: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			name := ep.executions[0]["name"].(string)
			var in gameday.RunInput
			if err := json.Unmarshal([]byte(ep.executions[0]["input"].(string)), &in); err != nil || in.Source != "manual" || in.GameDay.Metadata.Name != "sock-shop-carts-latency" {
				t.Errorf("input %v, %+v", err, in)
			}
			ep.finish(bucket, prefix)

			code, stdout, stderr = runCLI(t, "status")
			if code != exitOK || !strings.Contains(stdout, name+"  SUCCEEDED  2026-11-26T01:02:03Z  2026-11-26T01:12:03Z") {
				t.Errorf("status: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			code, stdout, stderr = runCLI(t, "status", name)
			if code != exitOK || !strings.Contains(stdout, "verdict:    passed\n") {
				t.Errorf("status RUN: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			code, stdout, stderr = runCLI(t, "report", name)
			if code != exitOK || stdout != "# passed\n" {
				t.Errorf("report: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			out := t.TempDir()
			code, _, stderr = runCLI(t, "report", name, "--out", out)
			if code != exitOK {
				t.Errorf("report --out: exit %d\nstderr:\n%s", code, stderr)
			}
			b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(prefix), "logs", "a.log"))
			if err != nil || string(b) != "{}\n" {
				t.Errorf("downloaded log: %q, %v", b, err)
			}
			code, _, stderr = runCLI(t, "status", "nope-20261126T010203Z")
			if code != exitInvalid || !strings.Contains(stderr, "no such execution of the gameday state machine: ExecutionDoesNotExist") {
				t.Errorf("status of a missing run: exit %d, stderr %q", code, stderr)
			}

			// Each command resolved the stack once: start, status, status RUN,
			// report, report --out, status of a missing run.
			var want []string
			for range 6 {
				want = append(want, tc.wantCalls...)
			}
			if diff := cmp.Diff(want, ep.stackCalls); diff != "" {
				t.Errorf("DescribeStacks calls (-want +got):\n%s", diff)
			}
			if ep.stsCalls != tc.wantSTS*6 {
				t.Errorf("got %d GetCallerIdentity calls, want %d", ep.stsCalls, tc.wantSTS*6)
			}
			if tc.resetOnce != "" && ep.resets != 1 {
				t.Errorf("the endpoint reset %d connections, want 1", ep.resets)
			}
		})
	}
}
