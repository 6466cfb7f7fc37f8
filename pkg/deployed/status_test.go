package deployed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/awsfake"
	"github.com/gameday-dev/gameday/pkg/deploy"
	dt "github.com/gameday-dev/gameday/pkg/deployed/deployedtest"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/golden"
)

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

const testGameDay = "sock-shop-carts-latency"

func execName(i int) string { return testGameDay + "-2026112" + string(rune('0'+i)) + "T010000Z" }

func execARN(name string) string {
	return strings.Replace(testSM, ":stateMachine:", ":execution:", 1) + ":" + name
}

func newClient(sf *dt.SFN, objects map[string]string) (*Client, *dt.S3) {
	s3 := &dt.S3{Objects: objects}
	return &Client{
		Stack:      &StackResolver{API: &dt.Stacks{Stacks: map[string]cftypes.Stack{"GameDay": gamedayStack("GameDay")}}, Names: []string{deploy.DefaultStackName}},
		Starter:    sf,
		Executions: sf,
		Lister:     sf,
		Objects:    s3,
		Keys:       s3,
		Now:        func() time.Time { return testNow },
	}, s3
}

func TestList(t *testing.T) {
	var all []*dt.Execution
	for i, p := range []dt.Point{dt.Succeeded, dt.FailedArchived, dt.RefusedByPreflight, dt.ExperimentRunning, dt.AtPreflight} {
		e := dt.NewExecution(testSM, execName(i), testGameDay, testBucket, p)
		e.StartDate = e.StartDate.Add(time.Duration(i) * 24 * time.Hour)
		if !e.StopDate.IsZero() {
			e.StopDate = e.StopDate.Add(time.Duration(i) * 24 * time.Hour)
		}
		all = append(all, e)
	}
	other := dt.NewExecution("arn:aws:states:us-east-1:123456789012:stateMachine:Other", "other-run", "x", testBucket, dt.Succeeded)
	tests := []struct {
		name      string
		golden    string
		limit     int
		execs     []*dt.Execution
		errs      []error
		wantNames []string
		wantPages int
		wantErr   string
		wantIs    error
	}{
		{name: "all, newest first, over pages", golden: "list.txt", limit: 0, execs: append(all, other), wantPages: 3,
			wantNames: []string{execName(4), execName(3), execName(2), execName(1), execName(0)}},
		{name: "limit", limit: 3, execs: all, wantPages: 2, wantNames: []string{execName(4), execName(3), execName(2)}},
		{name: "none", golden: "list-none.txt", execs: nil, wantPages: 1},
		{name: "state machine gone", execs: all, wantPages: 1,
			errs:    []error{dt.APIError("StateMachineDoesNotExist", "State Machine Does Not Exist: '"+testSM+"'")},
			wantErr: "list executions of " + testSM + ": StateMachineDoesNotExist: State Machine Does Not Exist", wantIs: gameday.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sf := &dt.SFN{Executions: tc.execs, Recorder: awsfake.Recorder{Errs: map[string][]error{"ListExecutions": tc.errs}}}
			c, _ := newClient(sf, nil)
			got, err := c.List(context.Background(), tc.limit)
			checkErr(t, err, tc.wantErr, tc.wantIs)
			var names []string
			for _, e := range got {
				names = append(names, e.Name)
			}
			if diff := cmp.Diff(tc.wantNames, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if sf.Count("ListExecutions") != tc.wantPages {
				t.Errorf("got %d ListExecutions calls, want %d", sf.Count("ListExecutions"), tc.wantPages)
			}
			if tc.golden != "" {
				var buf bytes.Buffer
				if err := WriteExecutions(&buf, got); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, tc.golden, buf.Bytes())
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	name := execName(1)
	arn := execARN(name)
	prefix := dt.ArchivePrefix(testGameDay)
	stop := dt.RunStart.Add(10 * time.Minute)
	base := func(status string, stopped time.Time) Execution {
		return Execution{Name: name, ARN: arn, Status: status, StartedAt: dt.RunStart, StoppedAt: stopped}
	}
	archive := func(st gameday.State, verdict string) *gameday.ArchiveResult {
		return &gameday.ArchiveResult{
			URI: "s3://" + testBucket + "/" + prefix, Bucket: testBucket, Prefix: prefix, State: st,
			Verdict: verdict, LogsComplete: true, ExperimentID: dt.ExperimentID, Hypothesis: "held",
		}
	}
	tests := []struct {
		name      string
		point     dt.Point
		run       string // default: the name
		errs      map[string][]error
		want      *Run
		wantPages int
		wantErr   string
		wantIs    error
	}{
		{name: "preflight", wantPages: 1, point: dt.AtPreflight, want: &Run{Execution: base("RUNNING", time.Time{}), GameDay: testGameDay, Step: "Preflight"}},
		{name: "running", wantPages: 2, point: dt.ExperimentRunning, want: &Run{
			Execution: base("RUNNING", time.Time{}), GameDay: testGameDay, Step: "PollExperiment",
			ExperimentID: dt.ExperimentID, ExperimentState: gameday.StateRunning}},
		{name: "succeeded", wantPages: 1, point: dt.Succeeded, want: &Run{
			Execution: base("SUCCEEDED", stop), GameDay: testGameDay, Step: "Succeeded",
			ExperimentID: dt.ExperimentID, ExperimentState: gameday.StateCompleted, Archive: archive(gameday.StateCompleted, "passed")}},
		{name: "succeeded by ARN", wantPages: 1, point: dt.Succeeded, run: arn, want: &Run{
			Execution: base("SUCCEEDED", stop), GameDay: testGameDay, Step: "Succeeded",
			ExperimentID: dt.ExperimentID, ExperimentState: gameday.StateCompleted, Archive: archive(gameday.StateCompleted, "passed")}},
		{name: "failed", wantPages: 2, point: dt.FailedArchived, want: &Run{
			Execution: base("FAILED", stop), GameDay: testGameDay, Step: "RunFailed",
			ExperimentID: dt.ExperimentID, ExperimentState: gameday.StateStopped, Archive: archive(gameday.StateStopped, "failed"),
			Error: "ExperimentTimeout", Cause: "experiment ran past its 30m timeout"}},
		{name: "refused", wantPages: 2, point: dt.RefusedByPreflight, want: &Run{
			Execution: base("FAILED", stop), GameDay: testGameDay, Step: "PreflightRefused",
			Error: "PreflightFailed", Cause: "stop-condition alarm gameday-x-errors is in ALARM"}},
		{name: "not found", point: dt.Succeeded, run: "nope-20261126T010000Z",
			wantErr: "describe run nope-20261126T010000Z: no such execution of the gameday state machine: ExecutionDoesNotExist", wantIs: gameday.ErrNotFound},
		{name: "not an execution ARN", point: dt.Succeeded, run: testSM, wantErr: "is not a Step Functions execution ARN"},
		{name: "bad name", point: dt.Succeeded, run: "a b", wantErr: `execution name "a b": ' ' is not allowed`},
		{name: "history denied", point: dt.Succeeded,
			errs:    map[string][]error{"GetExecutionHistory": {dt.APIError("AccessDeniedException", "not authorized")}},
			wantErr: "describe run " + name + ": read execution history: "},
		{name: "throttled", point: dt.Succeeded,
			errs:    map[string][]error{"DescribeExecution": {dt.APIError("ThrottlingException", "Rate exceeded")}},
			wantErr: "ThrottlingException: Rate exceeded", wantIs: gameday.ErrThrottled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sf := &dt.SFN{Executions: []*dt.Execution{dt.NewExecution(testSM, name, testGameDay, testBucket, tc.point)}, Recorder: awsfake.Recorder{Errs: tc.errs}}
			c, _ := newClient(sf, nil)
			run := tc.run
			if run == "" {
				run = name
			}
			got, err := c.Describe(context.Background(), run)
			checkErr(t, err, tc.wantErr, tc.wantIs)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Run (-want +got):\n%s", diff)
			}
			if got == nil {
				return
			}
			// Pages of 2 events, newest first: the newest state entered and
			// the newest readable output are enough.
			if got := sf.Count("GetExecutionHistory"); got != tc.wantPages {
				t.Errorf("read %d history pages, want %d", got, tc.wantPages)
			}
			var buf bytes.Buffer
			if err := WriteRun(&buf, got); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "run-"+strings.ReplaceAll(tc.name, " ", "-")+".txt", buf.Bytes())
		})
	}
}

// TestDescribeUnreadableOutput: a step output that is not JSON (history
// data Step Functions truncated) is skipped, not an error.
func TestDescribeUnreadableOutput(t *testing.T) {
	e := dt.NewExecution(testSM, execName(1), testGameDay, testBucket, dt.ExperimentRunning)
	for i, ev := range e.History {
		if d := ev.StateExitedEventDetails; d != nil && *d.Name == "PollExperiment" {
			s := `{"poll": {"state": "runn`
			e.History[i].StateExitedEventDetails = &types.StateExitedEventDetails{Name: d.Name, Output: &s, OutputDetails: &types.HistoryEventExecutionDataDetails{Truncated: true}}
		}
	}
	c, _ := newClient(&dt.SFN{Executions: []*dt.Execution{e}}, nil)
	got, err := c.Describe(context.Background(), execName(1))
	if err != nil {
		t.Fatal(err)
	}
	if n := c.Executions.(*dt.SFN).Count("GetExecutionHistory"); n != 3 {
		t.Errorf("read %d history pages, want 3: back past the unreadable poll output to the start step's", n)
	}
	if got.ExperimentID != dt.ExperimentID || got.ExperimentState != "" || got.Phase() != "experiment pending" {
		t.Errorf("got experiment %q, state %q, phase %q; want %q, unknown, experiment pending", got.ExperimentID, got.ExperimentState, got.Phase(), dt.ExperimentID)
	}
}

func TestFollow(t *testing.T) {
	name := execName(1)
	arn := execARN(name)
	frames := func(points ...dt.Point) []*dt.Execution {
		var out []*dt.Execution
		for _, p := range points {
			out = append(out, dt.NewExecution(testSM, name, testGameDay, testBucket, p))
		}
		return out
	}
	throttled := dt.APIError("ThrottlingException", "Rate exceeded")
	tests := []struct {
		name       string
		frames     []*dt.Execution
		errs       map[string][]error
		cancelAt   int // cancel the context after this many changes (0: never)
		wantStatus string
		wantErr    string
		wantIs     error
	}{
		{name: "to success", wantStatus: "SUCCEEDED",
			frames: frames(dt.AtPreflight, dt.AtPreflight, dt.ExperimentRunning, dt.ExperimentRunning, dt.ExperimentRunning, dt.Archiving, dt.Succeeded)},
		{name: "to failure", wantStatus: "FAILED",
			frames: frames(dt.AtPreflight, dt.ExperimentRunning, dt.FailedArchived)},
		{name: "refused", wantStatus: "FAILED", frames: frames(dt.RefusedByPreflight)},
		{name: "throttled on the way", wantStatus: "SUCCEEDED",
			frames: frames(dt.ExperimentRunning, dt.Succeeded),
			errs:   map[string][]error{"DescribeExecution": {throttled, throttled}}},
		{name: "server error on the way", wantStatus: "SUCCEEDED",
			frames: frames(dt.ExperimentRunning, dt.Succeeded),
			errs:   map[string][]error{"DescribeExecution": {dt.APIError("InternalFailure", "Internal error")}}},
		{name: "no answer on the way", wantStatus: "SUCCEEDED",
			frames: frames(dt.ExperimentRunning, dt.Succeeded),
			errs: map[string][]error{"DescribeExecution": {fmt.Errorf("operation error SFN: DescribeExecution: %w",
				&smithyhttp.RequestSendError{Err: errors.New("read tcp: connection reset by peer")})}}},
		{name: "interrupted", cancelAt: 2, wantStatus: "RUNNING", wantErr: "context canceled", wantIs: context.Canceled,
			frames: frames(dt.AtPreflight, dt.ExperimentRunning, dt.ExperimentRunning, dt.ExperimentRunning, dt.ExperimentRunning, dt.ExperimentRunning)},
		{name: "gone", wantErr: "ExecutionDoesNotExist", wantIs: gameday.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sf := &dt.SFN{Frames: map[string][]*dt.Execution{arn: tc.frames}, Recorder: awsfake.Recorder{Errs: tc.errs}}
			if len(tc.frames) > 0 {
				sf.Executions = []*dt.Execution{tc.frames[0]}
			}
			c, _ := newClient(sf, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var buf bytes.Buffer
			changes := 0
			last, err := c.Follow(ctx, name, time.Millisecond, func(r *Run) {
				changes++
				if err := WriteChange(&buf, testNow, r); err != nil {
					t.Fatal(err)
				}
				if changes == tc.cancelAt {
					cancel()
				}
			})
			checkErr(t, err, tc.wantErr, tc.wantIs)
			if tc.wantStatus != "" && (last == nil || last.Status != tc.wantStatus) {
				t.Fatalf("last run %+v, want status %s", last, tc.wantStatus)
			}
			if tc.cancelAt == 0 && tc.wantErr == "" && sf.Count("DescribeExecution") < len(tc.frames) {
				t.Errorf("stopped after %d looks, before the last of %d frames", sf.Count("DescribeExecution"), len(tc.frames))
			}
			if tc.wantIs == nil || tc.cancelAt > 0 {
				checkGolden(t, "follow-"+strings.ReplaceAll(tc.name, " ", "-")+".txt", buf.Bytes())
			}
		})
	}
}

func TestFollowStopsOnDeadline(t *testing.T) {
	name := execName(1)
	sf := &dt.SFN{Executions: []*dt.Execution{dt.NewExecution(testSM, name, testGameDay, testBucket, dt.ExperimentRunning)}}
	c, _ := newClient(sf, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := c.Follow(ctx, name, 10*time.Millisecond, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's deadline", err)
	}
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("took %v to notice the deadline", took)
	}
	if n := sf.Count("DescribeExecution"); n < 2 {
		t.Errorf("looked %d times in 50ms at a 10ms interval", n)
	}
}

func TestDescribeLatestOfGameDay(t *testing.T) {
	execs := []*dt.Execution{
		dt.NewExecution(testSM, execName(0), testGameDay, testBucket, dt.Succeeded),
		dt.NewExecution(testSM, execName(3), testGameDay, testBucket, dt.ExperimentRunning),
		dt.NewExecution(testSM, "0d1f9a52-scheduled", testGameDay, testBucket, dt.Succeeded),
		dt.NewExecution(testSM, testGameDay+"-extra-20261129T010000Z", testGameDay+"-extra", testBucket, dt.Succeeded),
	}
	tests := []struct {
		run      string
		wantName string
		wantErr  string
		wantIs   error
		wantList int
	}{
		{run: testGameDay, wantName: execName(3), wantList: 1},
		{run: "0d1f9a52-scheduled", wantName: "0d1f9a52-scheduled"}, // an execution's own name: no listing
		{run: execName(0), wantName: execName(0)},                   // a started name: no listing
		{run: testGameDay + "-extra", wantName: testGameDay + "-extra-20261129T010000Z", wantList: 1},
		{run: "sock-shop", wantErr: "describe run sock-shop: no such execution of the gameday state machine, nor a run of a GameDay of that name (list the runs with gameday status): ExecutionDoesNotExist", wantIs: gameday.ErrNotFound, wantList: 1},
		{run: execName(5), wantErr: "no such execution", wantIs: gameday.ErrNotFound}, // a started name that does not exist: no listing
	}
	for _, tc := range tests {
		t.Run(tc.run, func(t *testing.T) {
			sf := &dt.SFN{Executions: execs, PageSize: 1}
			c, _ := newClient(sf, nil)
			got, err := c.Describe(context.Background(), tc.run)
			checkErr(t, err, tc.wantErr, tc.wantIs)
			if got != nil && got.Name != tc.wantName {
				t.Errorf("described %s, want %s", got.Name, tc.wantName)
			}
			if lists := sf.Count("ListExecutions"); (lists > 0) != (tc.wantList > 0) {
				t.Errorf("listed executions %d times, want %d", lists, tc.wantList)
			}
		})
	}
}

// TestWriteChangeError: an ended run's error is printed with its cause, and
// without a dangling ": " when it has none.
func TestWriteChangeError(t *testing.T) {
	for _, tc := range []struct{ name, errName, cause, want string }{
		{"with cause", "States.Timeout", "took too long", "  States.Timeout: took too long\n"},
		{"no cause", "States.Timeout", "", "  States.Timeout\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Run{Execution: Execution{Status: "TIMED_OUT"}, Error: tc.errName, Cause: tc.cause}
			var buf bytes.Buffer
			if err := WriteChange(&buf, testNow, r); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); !strings.HasSuffix(got, tc.want) {
				t.Errorf("WriteChange = %q, want it to end with %q", got, tc.want)
			}
		})
	}
}
