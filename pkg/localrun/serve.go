package localrun

import (
	"context"
	"encoding/json"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/sfnsim"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// workflowRoleARN is the simulated state machine's execution role.
func workflowRoleARN(srv *sim.Server) string {
	return "arn:aws:iam::" + srv.Account() + ":role/gameday-workflow"
}

// Serve makes the simulator a deployed gameday stack: a state machine in
// its Step Functions, named as the stack names its own (GameDay-run),
// whose executions run exactly as `gameday run --local` runs (this
// package's Run), the buckets and topic, and a CloudFormation stack
// (GameDay) whose outputs name them. Then `gameday start`,
// `status` and `report` work against the simulator as against AWS. It
// returns the state machine's ARN.
func Serve(ctx context.Context, srv *sim.Server, nodeModules, node string) (string, error) {
	if _, _, err := findNode(nodeModules, node); err != nil {
		return "", err
	}
	// The stack as deployed, the sweeper's schedule included, before any
	// execution starts.
	if err := provision(ctx, srv, AWSConfig(srv), AWSConfig(srv), Env(srv), nil); err != nil {
		return "", err
	}
	topic := srv.SNS().TopicARN(topicName)
	// The definition DescribeStateMachine returns is the one the stack
	// deploys when it schedules no GameDay: its execution timeout covers
	// the longest experiment a run started by hand may have.
	def, err := definition(workflow.TimeoutSeconds(gameday.MaxMaxDuration), srv, 0, 0)
	if err != nil {
		return "", err
	}
	arn := srv.StepFunctions().CreateStateMachine(sfnsim.StateMachine{Name: stateMachineName, Definition: def, RoleARN: workflowRoleARN(srv), Run: func(ctx context.Context, s sfnsim.Start, record func(sfnsim.Event)) sfnsim.Result {
		var in gameday.RunInput
		if err := json.Unmarshal([]byte(s.Input), &in); err != nil || in.GameDay == nil {
			return sfnsim.Result{Status: "FAILED", Error: gameday.ErrNameInvalidGameDay, Cause: "the execution input is not a gameday RunInput with a gameday"}
		}
		res, err := Run(ctx, Options{
			Spec: in.GameDay, SpecYAML: in.SpecYAML, Source: in.Source, Sim: srv,
			ExecutionName: s.Name, NodeModules: nodeModules, Node: node,
			Progress: func(e Event) {
				if e.Type != "StateEntered" && e.Type != "StateExited" {
					return
				}
				ev := sfnsim.Event{Time: e.Time, Type: e.Type, StateName: e.State, StateType: e.StateType}
				if e.Run != nil {
					if b, err := json.Marshal(e.Run); err == nil {
						ev.Output = string(b)
					}
				}
				record(ev)
			},
		})
		out := sfnsim.Result{Status: "FAILED", Error: "States.Runtime"}
		if res != nil {
			out.Status, out.Error, out.Cause = res.Status, res.Error, res.Cause
			if res.Final != nil {
				if b, err := json.Marshal(res.Final); err == nil {
					out.Output = string(b)
				}
			}
		}
		if err != nil && out.Cause == "" {
			out.Cause = err.Error()
		}
		return out
	}})
	// The simulated deployment's stack is the one `gameday start`, `status`
	// and `report` look for by default.
	srv.CloudFormation().DeclareStack(deploy.DefaultStackName, srv.Clock().Now(), deploy.Outputs{
		StateMachineARN: arn,
		ArchiveBucket:   archiveBucket(srv),
		LogBucket:       logBucket(srv),
		TopicARN:        topic,
		FISRoleARN:      Env(srv).FISRoleARN,
	}.Map())
	return arn, nil
}
