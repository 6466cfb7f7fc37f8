package localrun

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// The simulator as a deployed stack: the state machine found through the
// stack's outputs runs a GameDay to the end, and StopExecution aborts one
// whose experiment the guard then stops.
func TestServeAsADeployedStack(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	ctx := context.Background()
	if _, err := Serve(ctx, srv, "", ""); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	cfg := AWSConfig(srv)
	stacks, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(deploy.DefaultStackName)})
	if err != nil || len(stacks.Stacks) != 1 {
		t.Fatalf("DescribeStacks: %v %v", stacks, err)
	}
	outputs := map[string]string{}
	for _, o := range stacks.Stacks[0].Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	sm := outputs["StateMachineArn"]
	if sm == "" || outputs["ArchiveBucketName"] != archiveBucket(srv) {
		t.Fatalf("stack outputs = %v", outputs)
	}
	// Named as the stack names its own, and the one the Lambdas (the
	// sweeper) are told of.
	wantSM := "arn:aws:states:" + srv.Region() + ":" + srv.Account() + ":stateMachine:" + deploy.StateMachineName(deploy.DefaultStackName)
	if sm != wantSM || Env(srv).StateMachineARN != sm {
		t.Errorf("state machine %s (the Lambdas' %s), want %s", sm, Env(srv).StateMachineARN, wantSM)
	}

	// DescribeStateMachine returns the deployed definition: the workflow's,
	// with the simulated functions' ARNs and no placeholder left.
	desc, err := sfn.NewFromConfig(cfg).DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(sm)})
	if err != nil {
		t.Fatalf("DescribeStateMachine: %v", err)
	}
	wantDef, err := definition(workflow.TimeoutSeconds(gameday.MaxMaxDuration), srv, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var asl struct {
		StartAt string
		States  map[string]json.RawMessage
	}
	if got := aws.ToString(desc.Definition); got != wantDef || json.Unmarshal([]byte(got), &asl) != nil || asl.StartAt == "" || len(asl.States) == 0 ||
		strings.Contains(got, "${") || !strings.Contains(got, srv.Lambda().FunctionARN(FunctionPrefix+"preflight")) {
		t.Errorf("DescribeStateMachine definition = %.200s..., want the deployed workflow", got)
	}
	if aws.ToString(desc.RoleArn) != workflowRoleARN(srv) {
		t.Errorf("role = %s, want %s", aws.ToString(desc.RoleArn), workflowRoleARN(srv))
	}

	spec, yaml := load(t, walkthrough)
	input, err := json.Marshal(gameday.RunInput{GameDay: spec, SpecYAML: yaml, Source: "manual"})
	if err != nil {
		t.Fatal(err)
	}
	states := sfn.NewFromConfig(cfg)
	start := func(name string) string {
		out, err := states.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String(name), Input: aws.String(string(input))})
		if err != nil {
			t.Fatalf("StartExecution: %v", err)
		}
		return aws.ToString(out.ExecutionArn)
	}
	wait := func(arn string) *sfn.DescribeExecutionOutput {
		deadline := time.Now().Add(2 * time.Minute)
		for {
			d, err := states.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
				return d
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	whole := start("whole")
	if prefix, err := deploy.ExecutionPrefix(sm); err != nil || whole != prefix+"whole" {
		t.Errorf("execution ARN %s, want %s%s (%v)", whole, prefix, "whole", err)
	}
	d := wait(whole)
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	var final gameday.RunState
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &final); err != nil || final.Archive == nil || final.Archive.Verdict == "" || final.Source != "manual" {
		t.Fatalf("output %s (%v): want the final run state with an archive", aws.ToString(d.Output), err)
	}
	// The steps saw the execution Step Functions started, by its ARN.
	if final.Execution.ARN != whole {
		t.Errorf("the steps' execution %s, want %s", final.Execution.ARN, whole)
	}

	aborted := start("aborted")
	deadline := time.Now().Add(time.Minute)
	for len(srv.ActiveExperiments()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := states.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(aborted)}); err != nil {
		t.Fatal(err)
	}
	if d := wait(aborted); d.Status != sfntypes.ExecutionStatusAborted {
		t.Errorf("stopped execution is %s, want ABORTED", d.Status)
	}
	waitIdle(t, srv)
	assertClean(t, srv, spec)
}
