package sfnsim

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim/simnet"
)

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

func newClient(t *testing.T, svc *Service) *sfn.Client {
	t.Helper()
	return sfn.New(sfn.Options{
		BaseEndpoint: aws.String("http://states.test"),
		HTTPClient:   simnet.Serve(t, svc),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
}

// waitStatus waits until every execution has done what it can (in a
// synctest bubble), then describes the execution arn.
func waitStatus(t *testing.T, c *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	synctest.Wait()
	out, err := c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeExecution: %v", err)
	}
	return out
}

func TestExecutionsWithTheSDK(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := New(wallClock{}, "123456789012", "us-east-1")
		defer svc.Close()
		release := make(chan struct{})
		sm := svc.CreateStateMachine(StateMachine{Name: "gameday", Run: func(ctx context.Context, s Start, record func(Event)) Result {
			record(Event{Time: time.Now(), Type: "StateEntered", StateName: "Preflight", StateType: "Task"})
			record(Event{Time: time.Now(), Type: "StateExited", StateName: "Preflight", StateType: "Task", Output: `{"step":1}`})
			select {
			case <-ctx.Done():
				return Result{Status: "ABORTED"}
			case <-release:
			}
			if s.Name == "fails" {
				return Result{Status: "FAILED", Error: "PreflightFailed", Cause: "alarm in ALARM"}
			}
			return Result{Status: "SUCCEEDED", Output: s.Input}
		}})
		c := newClient(t, svc)
		ctx := context.Background()

		start := func(name string) string {
			out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String(name), Input: aws.String(`{"gameday":{}}`)})
			if err != nil {
				t.Fatalf("StartExecution %s: %v", name, err)
			}
			if out.StartDate == nil {
				t.Errorf("StartExecution %s: no startDate", name)
			}
			return aws.ToString(out.ExecutionArn)
		}
		ok, fails, stopped := start("ok"), start("fails"), start("stopped")
		if want := "arn:aws:states:us-east-1:123456789012:execution:gameday:ok"; ok != want {
			t.Errorf("executionArn = %s, want %s", ok, want)
		}

		// Running: described and listed as such, with its history so far.
		if d := waitStatus(t, c, stopped); d.Status != types.ExecutionStatusRunning {
			t.Errorf("status before release = %s", d.Status)
		}
		if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(stopped)}); err != nil {
			t.Fatalf("StopExecution: %v", err)
		}
		close(release)

		if d := waitStatus(t, c, ok); d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"gameday":{}}` || d.StopDate == nil {
			t.Errorf("ok: %s output %q", d.Status, aws.ToString(d.Output))
		}
		if d := waitStatus(t, c, fails); d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "PreflightFailed" || aws.ToString(d.Cause) != "alarm in ALARM" {
			t.Errorf("fails: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
		}
		if d := waitStatus(t, c, stopped); d.Status != types.ExecutionStatusAborted {
			t.Errorf("stopped: %s, want ABORTED", d.Status)
		}

		// History, newest first, through the SDK's paginator, one event a page.
		p := sfn.NewGetExecutionHistoryPaginator(c, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(fails), ReverseOrder: true, MaxResults: 1})
		var got []types.HistoryEventType
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range page.Events {
				got = append(got, ev.Type)
				if ev.Type == types.HistoryEventTypeTaskStateExited && aws.ToString(ev.StateExitedEventDetails.Output) != `{"step":1}` {
					t.Errorf("TaskStateExited output = %q", aws.ToString(ev.StateExitedEventDetails.Output))
				}
				if ev.Type == types.HistoryEventTypeExecutionFailed && aws.ToString(ev.ExecutionFailedEventDetails.Error) != "PreflightFailed" {
					t.Errorf("ExecutionFailed error = %q", aws.ToString(ev.ExecutionFailedEventDetails.Error))
				}
			}
		}
		want := []types.HistoryEventType{"ExecutionFailed", "TaskStateExited", "TaskStateEntered", "ExecutionStarted"}
		if len(got) != len(want) {
			t.Fatalf("history = %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("history[%d] = %s, want %s", i, got[i], want[i])
			}
		}

		// Listing: newest first, paged.
		lp := sfn.NewListExecutionsPaginator(c, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), MaxResults: 2})
		var n int
		for lp.HasMorePages() {
			page, err := lp.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Executions)
		}
		if n != 3 {
			t.Errorf("listed %d executions, want 3", n)
		}
	})
}

func TestErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := New(wallClock{}, "123456789012", "us-east-1")
		defer svc.Close()
		sm := svc.CreateStateMachine(StateMachine{Name: "gameday", Run: func(ctx context.Context, s Start, record func(Event)) Result {
			return Result{Status: "SUCCEEDED", Output: "{}"}
		}})
		c := newClient(t, svc)
		ctx := context.Background()

		_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm + "x")})
		var smne *types.StateMachineDoesNotExist
		if !errors.As(err, &smne) {
			t.Errorf("unknown state machine: %v", err)
		}
		_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("bad name")})
		var inv *types.InvalidName
		if !errors.As(err, &inv) {
			t.Errorf("bad name: %v", err)
		}
		_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Input: aws.String("{not json")})
		var iei *types.InvalidExecutionInput
		if !errors.As(err, &iei) {
			t.Errorf("bad input: %v", err)
		}
		out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("once")})
		if err != nil {
			t.Fatal(err)
		}
		waitStatus(t, c, aws.ToString(out.ExecutionArn))
		_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("once"), Input: aws.String(`{"other":1}`)})
		var exists *types.ExecutionAlreadyExists
		if !errors.As(err, &exists) {
			t.Errorf("same name again: %v", err)
		}
		_, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:gameday:nope")})
		var dne *types.ExecutionDoesNotExist
		if !errors.As(err, &dne) {
			t.Errorf("unknown execution: %v", err)
		}
	})
}

// TestDescribeStateMachine: the definition and role the state machine was
// deployed with, as the SDK reads them; an unknown ARN is
// StateMachineDoesNotExist.
func TestDescribeStateMachine(t *testing.T) {
	svc := New(wallClock{}, "123456789012", "us-east-1")
	defer svc.Close()
	const def = `{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}`
	const role = "arn:aws:iam::123456789012:role/gameday-workflow"
	sm := svc.CreateStateMachine(StateMachine{Name: "gameday", Definition: def, RoleARN: role,
		Run: func(context.Context, Start, func(Event)) Result { return Result{Status: "SUCCEEDED"} }})
	c := newClient(t, svc)
	tests := []struct {
		name     string
		arn      string
		want     []any
		wantType error
	}{
		{"deployed", sm, []any{sm, "gameday", def, role, types.StateMachineStatusActive, types.StateMachineTypeStandard}, nil},
		{"unknown", sm + "x", nil, &types.StateMachineDoesNotExist{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.DescribeStateMachine(context.Background(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(tt.arn)})
			if tt.wantType != nil {
				var dne *types.StateMachineDoesNotExist
				if !errors.As(err, &dne) {
					t.Fatalf("err = %v, want StateMachineDoesNotExist", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []any{aws.ToString(out.StateMachineArn), aws.ToString(out.Name), aws.ToString(out.Definition), aws.ToString(out.RoleArn), out.Status, out.Type}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DescribeStateMachine (-want +got):\n%s", diff)
			}
		})
	}
}
