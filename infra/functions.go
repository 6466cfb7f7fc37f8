package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// GoFunctionProps describe one of gameday's Go Lambdas.
type GoFunctionProps struct {
	// Name is the function's folder under functions/ and under AssetsDir.
	Name string
	// AssetsDir holds <Name>/bootstrap (make build writes dist/).
	AssetsDir   string
	Description string
	// Environment is filled from construct references, never from the
	// synthesizing machine's environment.
	Environment map[string]*string
	Timeout     awscdk.Duration
	MemoryMiB   int
	// LogRetention is how long the function's log group keeps its logs.
	LogRetention awslogs.RetentionDays
}

// GoFunction is a Go Lambda with its own role and log group.
type GoFunction interface {
	Function() awslambda.Function
	Role() awsiam.Role
	LogGroup() awslogs.LogGroup
	// Allow adds a statement to the function's role.
	Allow(sid string, actions []string, resources []string, conditions map[string]any)
}

type goFunction struct {
	fn   awslambda.Function
	role awsiam.Role
	logs awslogs.LogGroup
}

func (g *goFunction) Function() awslambda.Function { return g.fn }
func (g *goFunction) Role() awsiam.Role            { return g.role }
func (g *goFunction) LogGroup() awslogs.LogGroup   { return g.logs }

func (g *goFunction) Allow(sid string, actions []string, resources []string, conditions map[string]any) {
	st := &awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(resources...),
	}
	if len(conditions) > 0 {
		st.Conditions = &conditions
	}
	g.role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(st))
}

// NewGoFunction creates the Lambda from <AssetsDir>/<Name>/bootstrap:
// provided.al2023 on arm64, handler bootstrap, JSON logs into its own log
// group with an explicit retention, and a role that may only write those
// logs until the caller grants more.
func NewGoFunction(scope constructs.Construct, id string, p GoFunctionProps) (GoFunction, error) {
	asset := filepath.Join(p.AssetsDir, p.Name)
	if _, err := os.Stat(filepath.Join(asset, "bootstrap")); err != nil {
		return nil, fmt.Errorf("find lambda asset %s (run make build): %w", p.Name, err)
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	logs := awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     p.LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("gameday: role of the " + p.Name + " Lambda"),
	})
	logs.GrantWrite(role)
	env := p.Environment
	if env == nil {
		env = map[string]*string{}
	}
	fn := awslambda.NewFunction(c, jsii.String("Function"), &awslambda.FunctionProps{
		Description:           jsii.String(p.Description),
		Runtime:               awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:          awslambda.Architecture_ARM_64(),
		Handler:               jsii.String("bootstrap"),
		Code:                  awslambda.Code_FromAsset(jsii.String(asset), nil),
		Role:                  role,
		Environment:           &env,
		Timeout:               p.Timeout,
		MemorySize:            jsii.Number(p.MemoryMiB),
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
		LogGroup:              logs,
	})
	// The function must not run before its role can write its logs.
	fn.Node().AddDependency(role)
	return &goFunction{fn: fn, role: role, logs: logs}, nil
}
