// Package sweeperfn builds the sweeper Lambda's handler; it links the FIS,
// Step Functions, DynamoDB and SNS clients.
package sweeperfn

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/lease"
	"github.com/gameday-dev/gameday/pkg/sweeper"
)

// New builds the sweeper. It needs LEASE_TABLE and STATE_MACHINE_ARN;
// TOPIC_ARN is optional.
func New(_ context.Context, c step.Config) (lambda.Handler, error) {
	s := &sweeper.Sweeper{
		FIS: fis.NewFromConfig(c.AWS), Executions: sfn.NewFromConfig(c.AWS),
		Leases: &lease.Table{API: dynamodb.NewFromConfig(c.AWS), Name: c.Env.LeaseTable, Now: c.Clock()},
		SNS:    sns.NewFromConfig(c.AWS), TopicARN: c.Env.TopicARN,
		StateMachineARN: c.Env.StateMachineARN, Now: c.Clock(),
	}
	return step.New(deploy.Sweeper, s.Handle), nil
}
