// Package notifyfn builds the notify Lambda's handler; it links the SNS,
// EventBridge and DynamoDB clients.
package notifyfn

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/lease"
	"github.com/gameday-dev/gameday/pkg/notify"
)

// New builds the notify handler, which also gives the run's lease back. It
// needs LEASE_TABLE; TOPIC_ARN and EVENT_BUS_NAME are optional.
func New(_ context.Context, c step.Config) (lambda.Handler, error) {
	n := notify.New(notify.Config{TopicARN: c.Env.TopicARN, EventBusName: c.Env.EventBusName},
		sns.NewFromConfig(c.AWS), eventbridge.NewFromConfig(c.AWS))
	n.Leases = &lease.Table{API: dynamodb.NewFromConfig(c.AWS), Name: c.Env.LeaseTable, Now: c.Clock()}
	return step.New(deploy.Notify, n.Handle), nil
}
