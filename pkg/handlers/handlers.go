// Package handlers builds every Lambda handler of gameday in one place. Each
// functions/<name>/main.go calls its handler's constructor (NewPoll, ...) and
// the local runner calls New, which dispatches to the same constructors, so
// the code that runs in Lambda is the code that runs locally; only the
// aws.Config (its endpoint), the environment lookup and the clock differ.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/gameday-dev/gameday/pkg/archive"

	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/guard"
	"github.com/gameday-dev/gameday/pkg/notify"
	"github.com/gameday-dev/gameday/pkg/preflight"
)

// The Lambdas, by the name of their folder under functions/.
const (
	Preflight       = "preflight"
	StartExperiment = "start-experiment"
	PollExperiment  = "poll-experiment"
	StopExperiment  = "stop-experiment"
	Archive         = "archive"
	Notify          = "notify"
	Guard           = "guard"
)

// Names lists every Lambda.
var Names = []string{Preflight, StartExperiment, PollExperiment, StopExperiment, Archive, Notify, Guard}

// ErrUnknown is returned by New for a name not in Names.
var ErrUnknown = errors.New("unknown handler")

var (
	validatorMu sync.RWMutex
	validator   = BasicValidation
)

// BasicValidation is preflight's validator until SetValidator installs the
// full one: every rule of gameday.Check, that is everything but the strict
// typed decode of the Chaos Mesh and Litmus custom resources.
func BasicValidation(s *gameday.Spec) error { return gameday.Check(s).Sort().Err() }

// SetValidator installs the GameDay validation that preflight runs; nil
// restores BasicValidation. The full validation (validate.Spec) is a hook
// rather than an import so that only the preflight function links the Chaos
// Mesh API types: import pkg/handlers/fullvalidation for its side effect
// where preflight runs (functions/preflight, the local runner).
func SetValidator(v func(*gameday.Spec) error) {
	validatorMu.Lock()
	defer validatorMu.Unlock()
	if v == nil {
		v = BasicValidation
	}
	validator = v
}

func currentValidator() func(*gameday.Spec) error {
	validatorMu.RLock()
	defer validatorMu.RUnlock()
	return validator
}

// New builds the named handler from an aws.Config and an environment lookup
// (a map in the local runner). now is the clock (nil means time.Now; the
// local runner passes the simulator's clock). A missing required variable is
// an error naming it. It calls the handler's own constructor (NewPreflight,
// NewStart, ...), which each functions/<name>/main.go calls directly so that
// the linker leaves the other handlers' code out of its binary.
func New(ctx context.Context, name string, cfg aws.Config, lookup func(string) (string, bool), now func() time.Time) (lambda.Handler, error) {
	switch name {
	case Preflight:
		return NewPreflight(ctx, cfg, lookup, now)
	case StartExperiment:
		return NewStart(ctx, cfg, lookup, now)
	case PollExperiment:
		return NewPoll(ctx, cfg, lookup, now)
	case StopExperiment:
		return NewStop(ctx, cfg, lookup, now)
	case Archive:
		return NewArchive(ctx, cfg, lookup, now)
	case Notify:
		return NewNotify(ctx, cfg, lookup, now)
	case Guard:
		return NewGuard(ctx, cfg, lookup, now)
	}
	return nil, fmt.Errorf("build %q: %w (known: %v)", name, ErrUnknown, Names)
}

// NewPreflight builds the preflight handler, which validates with the
// validator SetValidator installed. It needs ACCOUNT_ID and a region.
func NewPreflight(_ context.Context, cfg aws.Config, lookup func(string) (string, bool), now func() time.Time) (lambda.Handler, error) {
	o, err := templateOptions(newEnv(lookup), cfg, false)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", Preflight, err)
	}
	p := &preflight.Preflight{
		CloudWatch: cloudwatch.NewFromConfig(cfg),
		FIS:        fis.NewFromConfig(cfg),
		Validate:   currentValidator(),
		AlarmARN:   func(alarm string) string { return fistemplate.AlarmARN(o, alarm) },
		Now:        clock(now),
	}
	return newStep(Preflight, p.Handle), nil
}

// NewStart builds the start-experiment handler. It needs ACCOUNT_ID, a
// region, FIS_ROLE_ARN and LOG_BUCKET.
func NewStart(_ context.Context, cfg aws.Config, lookup func(string) (string, bool), now func() time.Time) (lambda.Handler, error) {
	o, err := templateOptions(newEnv(lookup), cfg, true)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", StartExperiment, err)
	}
	s := &experiment.Starter{
		API:    fis.NewFromConfig(cfg),
		Render: func(s *gameday.Spec) (*fis.CreateExperimentTemplateInput, error) { return fistemplate.Render(s, o) },
		Update: fistemplate.UpdateInput,
		Now:    clock(now),
	}
	return newStep(StartExperiment, s.Handle), nil
}

// NewPoll builds the poll-experiment handler; it reads no variable.
func NewPoll(_ context.Context, cfg aws.Config, _ func(string) (string, bool), now func() time.Time) (lambda.Handler, error) {
	p := &experiment.Poller{API: fis.NewFromConfig(cfg), Now: clock(now)}
	return newStep(PollExperiment, p.Handle), nil
}

// NewStop builds the stop-experiment handler; it reads no variable.
func NewStop(_ context.Context, cfg aws.Config, _ func(string) (string, bool), _ func() time.Time) (lambda.Handler, error) {
	s := &experiment.Stopper{API: fis.NewFromConfig(cfg)}
	return newStep(StopExperiment, s.Handle), nil
}

// NewGuard builds the guard handler; it reads no variable.
func NewGuard(_ context.Context, cfg aws.Config, _ func(string) (string, bool), _ func() time.Time) (lambda.Handler, error) {
	g := &guard.Guard{API: fis.NewFromConfig(cfg)}
	return newStep(Guard, g.Handle), nil
}

// NewArchive builds the archive handler. It needs ACCOUNT_ID, a region and
// ARCHIVE_BUCKET; see archiveConfig for the optional variables.
func NewArchive(_ context.Context, cfg aws.Config, lookup func(string) (string, bool), now func() time.Time) (lambda.Handler, error) {
	c, err := archiveConfig(newEnv(lookup), cfg)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", Archive, err)
	}
	a := archive.New(c, s3.NewFromConfig(cfg, pathStyle(cfg)), fis.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg), clock(now))
	return newStep(Archive, a.Handle), nil
}

// NewNotify builds the notify handler; TOPIC_ARN and EVENT_BUS_NAME are
// optional.
func NewNotify(_ context.Context, cfg aws.Config, lookup func(string) (string, bool), _ func() time.Time) (lambda.Handler, error) {
	e := newEnv(lookup)
	n := notify.New(notify.Config{
		TopicARN:     e.optional(EnvTopicARN, ""),
		EventBusName: e.optional(EnvEventBusName, DefaultEventBusName),
	}, sns.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg))
	return newStep(Notify, n.Handle), nil
}

// clock is now, or time.Now when now is nil.
func clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// archiveConfig is the archive step's configuration. The template it
// archives is rendered as the start step sent it: with FIS_ROLE_ARN when the
// stack gives it to the archive Lambda too.
func archiveConfig(e env, cfg aws.Config) (archive.Config, error) {
	o, err := templateOptions(e, cfg, false)
	if err != nil {
		return archive.Config{}, err
	}
	c := archive.Config{
		LogBucket: e.optional(EnvLogBucket, ""),
		LogPrefix: e.optional(EnvLogPrefix, DefaultLogPrefix),
		AccountID: o.Account,
		Region:    o.Region,
		// The report judges the "after" phase too: wait (through the
		// state machine's LogsNotReady retries, within LOG_WAIT_LIMIT) until
		// the after window has data.
		AwaitAfterWindow: true,
	}
	if c.ArchiveBucket, err = e.required(EnvArchiveBucket); err != nil {
		return c, err
	}
	limit := e.optional(EnvLogWaitLimit, DefaultLogWaitLimit)
	if c.LogWaitLimit, err = time.ParseDuration(limit); err != nil || c.LogWaitLimit <= 0 {
		return c, fmt.Errorf("environment variable %s: %q is not a positive Go duration such as 15m", EnvLogWaitLimit, limit)
	}
	o.RoleARN = e.optional(EnvFISRoleARN, "")
	o.LogBucket, o.LogPrefix = c.LogBucket, c.LogPrefix
	c.Render = func(s *gameday.Spec) (*fis.CreateExperimentTemplateInput, error) { return fistemplate.Render(s, o) }
	return c, nil
}

// pathStyle makes the S3 client address buckets by path when the config
// points at a custom endpoint (AWS_ENDPOINT_URL: the simulator), where
// virtual-hosted bucket names do not resolve.
func pathStyle(cfg aws.Config) func(*s3.Options) {
	return func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil }
}

// templateOptions are the deployment facts for ARNs and the template.
// withRole also requires the FIS role and log bucket (start-experiment).
func templateOptions(e env, cfg aws.Config, withRole bool) (fistemplate.Options, error) {
	var o fistemplate.Options
	var err error
	if o.Account, err = e.required(EnvAccountID); err != nil {
		return o, err
	}
	o.Region = cfg.Region
	if o.Region == "" {
		if o.Region, err = e.required(EnvRegion); err != nil {
			return o, err
		}
	}
	if !withRole {
		return o, nil
	}
	if o.RoleARN, err = e.required(EnvFISRoleARN); err != nil {
		return o, err
	}
	if o.LogBucket, err = e.required(EnvLogBucket); err != nil {
		return o, err
	}
	o.LogPrefix = e.optional(EnvLogPrefix, DefaultLogPrefix)
	return o, nil
}
