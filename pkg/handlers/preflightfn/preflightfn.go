// Package preflightfn builds the preflight Lambda's handler; it links the
// CloudWatch, FIS and DynamoDB clients.
package preflightfn

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/lease"
	"github.com/gameday-dev/gameday/pkg/policy"
	"github.com/gameday-dev/gameday/pkg/preflight"
)

// New builds the preflight handler. It needs ACCOUNT_ID, a region,
// LEASE_TABLE and EXECUTION_TIMEOUT; GAMEDAY_POLICY when the deployment has
// a policy (the stack always sets it).
func New(_ context.Context, c step.Config) (lambda.Handler, error) {
	o := fistemplate.FromEnv(deploy.Preflight, c.Env, c.AWS.Region)
	validate := c.Validate
	if validate == nil {
		validate = func(s *gameday.Spec) error { return gameday.Check(s).Sort().Err() }
	}
	p := &preflight.Preflight{
		CloudWatch: newPreflightCloudWatch(cloudwatch.NewFromConfig(c.AWS)),
		FIS:        newPreflightFIS(fis.NewFromConfig(c.AWS)),
		Validate:   validate,
		AlarmARN:   func(alarm string) string { return fistemplate.AlarmARN(o, alarm) },
		Now:        c.Clock(),
		Where:      policy.Where{Partition: o.Partition, Region: o.Region, Account: o.Account},
		Leases:     &lease.Table{API: dynamodb.NewFromConfig(c.AWS), Name: c.Env.LeaseTable, Now: c.Clock()},
		LeaseFor:   c.Env.ExecutionTimeout + lease.Slack,
	}
	if c.Env.Policy != "" {
		var err error
		if p.Policy, err = policy.FromJSON(c.Env.Policy); err != nil {
			return nil, fmt.Errorf("environment variable %s: %w", deploy.KeyPolicy, err)
		}
	}
	return step.New(deploy.Preflight, p.Handle), nil
}
