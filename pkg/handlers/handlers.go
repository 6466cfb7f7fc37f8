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
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/guard"
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
	validator   func(*gameday.Spec) error
)

// SetValidator installs the full GameDay validation that preflight runs
// (validate.Spec). It is a hook rather than an import so that only the
// preflight function links the Chaos Mesh API types: import
// pkg/handlers/fullvalidation for its side effect where preflight runs.
func SetValidator(v func(*gameday.Spec) error) {
	validatorMu.Lock()
	defer validatorMu.Unlock()
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
		if v == nil {
			return nil, errors.New("build preflight: no GameDay validator installed (import github.com/gameday-dev/gameday/pkg/handlers/fullvalidation)")
		}
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
	case Archive, Notify:
		return nil, fmt.Errorf("build %s: not built yet", name)
	default:
		return nil, fmt.Errorf("build %q: %w (known: %v)", name, ErrUnknown, Names)
	}
	return &step{name: name, inner: lambda.NewHandler(fn)}, nil
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
