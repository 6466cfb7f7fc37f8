package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// WorkflowProps configure the state machine.
type WorkflowProps struct {
	// Name is the state machine's name (fixed, so that its executions'
	// ARNs are known before it exists).
	Name string
	// Functions holds every function of workflow.Functions, by name.
	Functions map[deploy.Function]awslambda.IFunction
	// TimeoutSeconds is the execution timeout.
	TimeoutSeconds int
	LogRetention   awslogs.RetentionDays
}

// Workflow is the Standard state machine that runs one GameDay.
type Workflow interface {
	StateMachine() awsstepfunctions.StateMachine
	// Definition is the ASL as deployed, before substitution.
	Definition() string
}

type workflowConstruct struct {
	sm  awsstepfunctions.StateMachine
	def string
}

func (w *workflowConstruct) StateMachine() awsstepfunctions.StateMachine { return w.sm }
func (w *workflowConstruct) Definition() string                          { return w.def }

// NewWorkflow deploys pkg/workflow's definition, each Task's placeholder
// substituted with its function's ARN; logs ALL events with execution data
// and traces with X-Ray.
func NewWorkflow(scope constructs.Construct, id string, p WorkflowProps) (Workflow, error) {
	def, err := workflow.Definition(workflow.Options{TimeoutSeconds: p.TimeoutSeconds})
	if err != nil {
		return nil, err
	}
	subs := map[string]*string{}
	arns := []*string{}
	for _, name := range workflow.Functions {
		fn, ok := p.Functions[name]
		if !ok {
			return nil, fmt.Errorf("build workflow: no function %s", name)
		}
		subs[workflow.Placeholder(name)] = fn.FunctionArn()
		arns = append(arns, fn.FunctionArn())
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	logs := awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		// Step Functions' vended logs want the /aws/vendedlogs/ prefix,
		// which keeps CloudWatch Logs' resource policy small.
		LogGroupName:  jsii.String("/aws/vendedlogs/states/" + *awscdk.Stack_Of(c).StackName() + "-workflow"),
		Retention:     p.LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	sm := awsstepfunctions.NewStateMachine(c, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
		StateMachineName:        jsii.String(p.Name),
		Comment:                 jsii.String("gameday: runs one GameDay"),
		StateMachineType:        awsstepfunctions.StateMachineType_STANDARD,
		DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(def)),
		DefinitionSubstitutions: &subs,
		Logs: &awsstepfunctions.LogOptions{
			Destination:          logs,
			Level:                awsstepfunctions.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(true),
		},
		TracingEnabled: jsii.Bool(true),
	})
	// Exactly the functions, not "ARN:*" as grantInvoke would add: the
	// state machine invokes unqualified ARNs only.
	sm.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("InvokeSteps"),
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: &arns,
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(sm.Role(), &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("Resource::*: the policy CDK adds for ALL-event logging (logs:CreateLogDelivery and the other vended log delivery actions) " +
			"and for X-Ray tracing (xray:PutTraceSegments and the rest); neither service supports resource-level permissions for these actions."),
		AppliesTo: &[]any{"Resource::*"},
	}}, jsii.Bool(true))
	return &workflowConstruct{sm: sm, def: def}, nil
}
