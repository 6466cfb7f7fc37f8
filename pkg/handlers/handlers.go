// Package handlers builds every Lambda handler of gameday in one place. Each
// functions/<name>/main.go and the local runner call New, so the code that
// runs in Lambda is the code that runs locally; only the aws.Config (its
// endpoint), the environment lookup and the clock differ.
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
// (os.LookupEnv in main.go; a map in the local runner). now is the clock (nil
// means time.Now; the local runner passes the simulator's clock). A missing
// required variable is an error naming it.
func New(ctx context.Context, name string, cfg aws.Config, lookup func(string) (string, bool), now func() time.Time) (lambda.Handler, error) {
	if now == nil {
		now = time.Now
	}
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	e := env{lookup: lookup}
	var fn any
	switch name {
	case Preflight:
		v := currentValidator()
		o, err := templateOptions(e, cfg, false)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", name, err)
		}
		p := &preflight.Preflight{
			CloudWatch: cloudwatch.NewFromConfig(cfg),
			FIS:        fis.NewFromConfig(cfg),
			Validate:   v,
			AlarmARN:   func(alarm string) string { return fistemplate.AlarmARN(o, alarm) },
			Now:        now,
		}
		fn = p.Handle
	case StartExperiment:
		o, err := templateOptions(e, cfg, true)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", name, err)
		}
		s := &experiment.Starter{
			API:    fis.NewFromConfig(cfg),
			Render: func(s *gameday.Spec) (*fis.CreateExperimentTemplateInput, error) { return fistemplate.Render(s, o) },
			Update: fistemplate.UpdateInput,
			Digest: fistemplate.SpecDigest,
			Now:    now,
		}
		fn = s.Handle
	case PollExperiment:
		p := &experiment.Poller{API: fis.NewFromConfig(cfg), Now: now}
		fn = p.Handle
	case StopExperiment:
		s := &experiment.Stopper{API: fis.NewFromConfig(cfg)}
		fn = s.Handle
	case Guard:
		g := &guard.Guard{API: fis.NewFromConfig(cfg)}
		fn = g.Handle
	case Archive:
		c, err := archiveConfig(e, cfg)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", name, err)
		}
		a := archive.New(c, s3.NewFromConfig(cfg, pathStyle(cfg)), fis.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg), now)
		fn = a.Handle
	case Notify:
		n := notify.New(notify.Config{
			TopicARN:     e.optional(EnvTopicARN, ""),
			EventBusName: e.optional(EnvEventBusName, DefaultEventBusName),
		}, sns.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg))
		fn = n.Handle
	default:
		return nil, fmt.Errorf("build %q: %w (known: %v)", name, ErrUnknown, Names)
	}
	return &step{name: name, inner: lambda.NewHandler(fn)}, nil
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
