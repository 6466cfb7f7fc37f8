// Package guardfn builds the guard Lambda's handler; it links the FIS and
// DynamoDB clients.
package guardfn

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/guard"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/lease"
)

// New builds the guard handler. It needs LEASE_TABLE.
func New(_ context.Context, c step.Config) (lambda.Handler, error) {
	leases := &lease.Table{API: dynamodb.NewFromConfig(c.AWS), Name: c.Env.LeaseTable, Now: c.Clock()}
	g := &guard.Guard{API: fis.NewFromConfig(c.AWS), Leases: leases}
	return step.New(deploy.Guard, g.Handle), nil
}
