// Package handlers builds every Lambda handler of gameday in one place. Each
// functions/<name>/main.go is one call of Main with its handler's
// constructor (NewPoll, ...); the local runner calls New, which dispatches to
// the same constructors, so the code that runs in Lambda is the code that
// runs locally: only the aws.Config (its endpoint), the environment and the
// clock differ.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/gameday-dev/gameday/pkg/archive"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/guard"
	"github.com/gameday-dev/gameday/pkg/lease"
	"github.com/gameday-dev/gameday/pkg/notify"
	"github.com/gameday-dev/gameday/pkg/policy"
	"github.com/gameday-dev/gameday/pkg/preflight"
	"github.com/gameday-dev/gameday/pkg/sweeper"
)

// ErrUnknown is returned by New for a name not in deploy.Functions.
var ErrUnknown = errors.New("unknown handler")

// Config is what a handler is built from.
type Config struct {
	// AWS is the SDK configuration (its endpoint is the simulator's in a
	// local run).
	AWS aws.Config
	// Env is the Lambda's environment (deploy.LoadEnv in Lambda).
	Env deploy.Env
	// Now is the clock; nil means time.Now (the local runner passes the
	// simulator's).
	Now func() time.Time
	// Validate is preflight's GameDay validation; nil means every rule of
	// gameday.Check, that is all but the strict typed decode of the Chaos
	// Mesh and Litmus custom resources, which validate.Spec adds. It is
	// passed in, not imported, so that only the binaries that pass
	// validate.Spec (functions/preflight, the local runner) link the Chaos
	// Mesh API types.
	Validate func(*gameday.Spec) error
}

// Constructor builds one Lambda's handler.
type Constructor func(context.Context, Config) (lambda.Handler, error)

// New builds the named handler (the local runner builds them all). A
// missing required variable is an error naming it. The table is New's own,
// not a package-level one, so that a Lambda binary, which calls its own
// constructor and not New, leaves the other handlers' code out.
func New(ctx context.Context, name deploy.Function, c Config) (lambda.Handler, error) {
	build, ok := map[deploy.Function]Constructor{
		deploy.Preflight:       NewPreflight,
		deploy.StartExperiment: NewStart,
		deploy.PollExperiment:  NewPoll,
		deploy.StopExperiment:  NewStop,
		deploy.Archive:         NewArchive,
		deploy.Notify:          NewNotify,
		deploy.Guard:           NewGuard,
		deploy.Sweeper:         NewSweeper,
	}[name]
	if !ok {
		return nil, fmt.Errorf("build %q: %w (known: %v)", name, ErrUnknown, deploy.Functions)
	}
	return build(ctx, c)
}

// NewPreflight builds the preflight handler. It needs ACCOUNT_ID, a
// region, LEASE_TABLE and EXECUTION_TIMEOUT; GAMEDAY_POLICY when the
// deployment has a policy (the stack always sets it).
func NewPreflight(_ context.Context, c Config) (lambda.Handler, error) {
	o, err := templateOptions(deploy.Preflight, c)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", deploy.Preflight, err)
	}
	validate := c.Validate
	if validate == nil {
		validate = func(s *gameday.Spec) error { return gameday.Check(s).Sort().Err() }
	}
	cw := cloudwatch.NewFromConfig(c.AWS)
	p := &preflight.Preflight{
		CloudWatch: preflightCloudWatch{cw.DescribeAlarms, cw.PutMetricAlarm},
		FIS:        newPreflightFIS(fis.NewFromConfig(c.AWS)),
		Validate:   validate,
		AlarmARN:   func(alarm string) string { return fistemplate.AlarmARN(o, alarm) },
		Now:        clock(c.Now),
		Where:      policy.Where{Partition: o.Partition, Region: o.Region, Account: o.Account},
		Leases:     leaseTable(c),
		LeaseFor:   c.Env.ExecutionTimeout + lease.Slack,
	}
	if c.Env.Policy != "" {
		if p.Policy, err = policy.FromJSON(c.Env.Policy); err != nil {
			return nil, fmt.Errorf("build %s: environment variable %s: %w", deploy.Preflight, deploy.KeyPolicy, err)
		}
	}
	return newStep(deploy.Preflight, p.Handle), nil
}

// NewStart builds the start-experiment handler. It needs ACCOUNT_ID, a
// region, FIS_ROLE_ARN and LOG_BUCKET.
func NewStart(_ context.Context, c Config) (lambda.Handler, error) {
	o, err := templateOptions(deploy.StartExperiment, c)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", deploy.StartExperiment, err)
	}
	s := &experiment.Starter{
		API:        fis.NewFromConfig(c.AWS),
		Render:     func(s *gameday.Spec) (*fis.CreateExperimentTemplateInput, error) { return fistemplate.Render(s, o) },
		Update:     fistemplate.UpdateInput,
		Encode:     fistemplate.JSON,
		Now:        clock(c.Now),
		Executions: sfn.NewFromConfig(c.AWS),
	}
	return newStep(deploy.StartExperiment, s.Handle), nil
}

// NewPoll builds the poll-experiment handler; it reads no variable.
func NewPoll(_ context.Context, c Config) (lambda.Handler, error) {
	p := &experiment.Poller{API: fis.NewFromConfig(c.AWS), Now: clock(c.Now)}
	return newStep(deploy.PollExperiment, p.Handle), nil
}

// NewStop builds the stop-experiment handler; it reads no variable.
func NewStop(_ context.Context, c Config) (lambda.Handler, error) {
	s := &experiment.Stopper{API: fis.NewFromConfig(c.AWS)}
	return newStep(deploy.StopExperiment, s.Handle), nil
}

// NewGuard builds the guard handler. It needs LEASE_TABLE.
func NewGuard(_ context.Context, c Config) (lambda.Handler, error) {
	if err := c.Env.Check(deploy.Guard); err != nil {
		return nil, fmt.Errorf("build %s: %w", deploy.Guard, err)
	}
	g := &guard.Guard{API: fis.NewFromConfig(c.AWS), Leases: leaseTable(c)}
	return newStep(deploy.Guard, g.Handle), nil
}

// NewSweeper builds the sweeper. It needs LEASE_TABLE and
// STATE_MACHINE_ARN; TOPIC_ARN is optional.
func NewSweeper(_ context.Context, c Config) (lambda.Handler, error) {
	if err := c.Env.Check(deploy.Sweeper); err != nil {
		return nil, fmt.Errorf("build %s: %w", deploy.Sweeper, err)
	}
	s := &sweeper.Sweeper{
		FIS: fis.NewFromConfig(c.AWS), Executions: sfn.NewFromConfig(c.AWS), Leases: leaseTable(c),
		SNS: sns.NewFromConfig(c.AWS), TopicARN: c.Env.TopicARN,
		StateMachineARN: c.Env.StateMachineARN, Now: clock(c.Now),
	}
	return newStep(deploy.Sweeper, s.Handle), nil
}

// leaseTable is the run lease table named by LEASE_TABLE (checked by the
// caller through deploy.Env.Check).
func leaseTable(c Config) *lease.Table {
	return &lease.Table{API: dynamodb.NewFromConfig(c.AWS), Name: c.Env.LeaseTable, Now: clock(c.Now)}
}

// NewArchive builds the archive handler. It needs ACCOUNT_ID, a region and
// ARCHIVE_BUCKET; LOG_BUCKET, LOG_PREFIX and LOG_WAIT_LIMIT are optional.
func NewArchive(_ context.Context, c Config) (lambda.Handler, error) {
	o, err := templateOptions(deploy.Archive, c)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", deploy.Archive, err)
	}
	env := c.Env.WithDefaults()
	cfg := archive.Config{
		LogBucket:     env.LogBucket,
		LogPrefix:     env.LogPrefix,
		ArchiveBucket: env.ArchiveBucket,
		AccountID:     o.Account,
		Region:        o.Region,
		LogWaitLimit:  env.LogWaitLimit,
		// The report judges the "after" phase too: wait (through the
		// state machine's LogsNotReady retries, within LOG_WAIT_LIMIT) until
		// the after window has data.
		AwaitAfterWindow: true,
		Dashboards:       env.DashboardList(),
	}
	a := archive.New(cfg, s3.NewFromConfig(c.AWS, pathStyle(c.AWS)),
		archiveFIS{fis.NewFromConfig(c.AWS).GetExperiment}, newArchiveCloudWatch(cloudwatch.NewFromConfig(c.AWS)), clock(c.Now))
	return newStep(deploy.Archive, a.Handle), nil
}

// NewNotify builds the notify handler, which also gives the run's lease
// back. It needs LEASE_TABLE; TOPIC_ARN and EVENT_BUS_NAME are optional.
func NewNotify(_ context.Context, c Config) (lambda.Handler, error) {
	if err := c.Env.Check(deploy.Notify); err != nil {
		return nil, fmt.Errorf("build %s: %w", deploy.Notify, err)
	}
	env := c.Env.WithDefaults()
	n := notify.New(notify.Config{TopicARN: env.TopicARN, EventBusName: env.EventBusName},
		sns.NewFromConfig(c.AWS), eventbridge.NewFromConfig(c.AWS))
	n.Leases = leaseTable(c)
	return newStep(deploy.Notify, n.Handle), nil
}

// clock is now, or time.Now when now is nil.
func clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// pathStyle makes the S3 client address buckets by path when the config
// points at a custom endpoint (AWS_ENDPOINT_URL: the simulator), where
// virtual-hosted bucket names do not resolve.
func pathStyle(cfg aws.Config) func(*s3.Options) {
	return func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil }
}

// templateOptions are the deployment facts for ARNs and the template, after
// checking that the environment has every variable fn needs. The region is
// the config's, else AWS_REGION's.
func templateOptions(fn deploy.Function, c Config) (fistemplate.Options, error) {
	if err := c.Env.Check(fn); err != nil {
		return fistemplate.Options{}, err
	}
	env := c.Env.WithDefaults()
	o := fistemplate.Options{Account: env.AccountID, Region: c.AWS.Region}
	if o.Region == "" {
		if o.Region = env.Region; o.Region == "" {
			return o, fmt.Errorf("environment variable %s is not set", deploy.KeyRegion)
		}
	}
	if fn == deploy.StartExperiment {
		o.RoleARN, o.LogBucket, o.LogPrefix = env.FISRoleARN, env.LogBucket, env.LogPrefix
	}
	return o, nil
}
