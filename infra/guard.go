package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// GuardProps configure the guard rule.
type GuardProps struct {
	StateMachine awsstepfunctions.IStateMachine
	Guard        awslambda.IFunction
	// DeadLetters keeps the events EventBridge could not deliver.
	DeadLetters awssqs.IQueue
}

// GuardStatuses are the execution statuses after which an experiment may be
// left running: the execution ended without its cleanup branch (an operator
// stopped it, it timed out, or it failed outside a Catch).
var GuardStatuses = []string{"FAILED", "TIMED_OUT", "ABORTED"}

// NewGuard routes this state machine's "Step Functions Execution Status
// Change" events for FAILED, TIMED_OUT and ABORTED executions to the guard
// Lambda, which stops the execution's experiment if it still runs.
func NewGuard(scope constructs.Construct, id string, p GuardProps) awsevents.Rule {
	rule := awsevents.NewRule(scope, jsii.String(id), &awsevents.RuleProps{
		Description: jsii.String("gameday: stop the experiment of a run that ended without cleaning up"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.states"),
			DetailType: jsii.Strings("Step Functions Execution Status Change"),
			Detail: &map[string]any{
				"status":          GuardStatuses,
				"stateMachineArn": []any{p.StateMachine.StateMachineArn()},
			},
		},
	})
	rule.AddTarget(awseventstargets.NewLambdaFunction(p.Guard, &awseventstargets.LambdaFunctionProps{
		RetryAttempts:   jsii.Number(8),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(2)),
		DeadLetterQueue: p.DeadLetters,
	}))
	return rule
}
