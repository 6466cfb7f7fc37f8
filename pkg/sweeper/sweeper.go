// Package sweeper is gameday's dead man's switch. A schedule runs it every
// few minutes (and after every guard invocation): it finds this stack's FIS
// experiments that have not ended although the Step Functions execution
// that started them is no longer RUNNING (or no longer exists), stops them,
// gives back the leases of ended executions, and tells the team; it also
// reports experiments that stay stopping long after their execution ended.
// Whatever else fails (the start step, the cleanup branch, the guard), a
// fault outlives its watcher by at most one sweep.
package sweeper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/lease"
)

// Defaults of Sweeper.
const (
	// DefaultEvery is the schedule's period.
	DefaultEvery = 5 * time.Minute
	// DefaultStuckAfter is how long after its execution ended an
	// experiment may stay stopping before it is reported.
	DefaultStuckAfter = 15 * time.Minute
)

// FISAPI is what the sweeper asks FIS; *fis.Client satisfies it.
type FISAPI interface {
	fis.ListExperimentsAPIClient
	experiment.StopReadAPI
	TagResource(ctx context.Context, params *fis.TagResourceInput, optFns ...func(*fis.Options)) (*fis.TagResourceOutput, error)
}

// ExecutionsAPI describes executions; *sfn.Client satisfies it.
type ExecutionsAPI interface {
	DescribeExecution(ctx context.Context, params *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// Leases lists and gives back leases; *lease.Table satisfies it.
type Leases interface {
	List(ctx context.Context) ([]lease.Lease, error)
	Release(ctx context.Context, gameday, owner string) (bool, error)
}

// Publisher publishes to the notifications topic; *sns.Client satisfies it.
type Publisher interface {
	Publish(ctx context.Context, params *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var (
	_ FISAPI        = (*fis.Client)(nil)
	_ ExecutionsAPI = (*sfn.Client)(nil)
	_ Leases        = (*lease.Table)(nil)
	_ Publisher     = (*sns.Client)(nil)
)

// Sweeper is the sweep.
type Sweeper struct {
	FIS        FISAPI
	Executions ExecutionsAPI
	Leases     Leases
	// SNS and TopicARN receive a notification per experiment stopped or
	// reported; no topic, no notification.
	SNS      Publisher
	TopicARN string
	// StateMachineARN is this stack's state machine: only experiments
	// started by its executions are this sweeper's.
	StateMachineARN string
	// StuckAfter is how long after its execution ended an experiment may
	// stay stopping before it is reported (DefaultStuckAfter).
	StuckAfter time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Result says what one sweep did.
type Result struct {
	// Stopped are the experiments the sweep asked FIS to stop.
	Stopped []Finding `json:"stopped"`
	// Stuck are the experiments reported as stuck in stopping.
	Stuck []Finding `json:"stuck"`
	// Released are the GameDays whose lease the sweep gave back.
	Released []string `json:"released"`
	// Notified counts the notifications published.
	Notified int `json:"notified"`
}

// Finding is one experiment the sweep acted on.
type Finding struct {
	ExperimentID string `json:"experimentId"`
	GameDay      string `json:"gameday"`
	ExecutionARN string `json:"executionArn"`
	// Execution is the execution's status, or NOT_FOUND.
	Execution string `json:"execution"`
	Why       string `json:"why"`
}

// notFound is the status of an execution Step Functions does not know.
const notFound = "NOT_FOUND"

// execution is what the sweep knows of one execution.
type execution struct {
	status  string
	stopped time.Time
}

// Handle runs one sweep. Its input is ignored: a schedule's, or a Lambda
// destination's record of a guard invocation. Every experiment and lease is
// looked at even when one fails; the errors are returned together.
func (s *Sweeper) Handle(ctx context.Context, _ json.RawMessage) (Result, error) {
	res := Result{Stopped: []Finding{}, Stuck: []Finding{}, Released: []string{}}
	seen := map[string]execution{}
	var errs []error
	prefix, err := deploy.ExecutionPrefix(s.StateMachineARN)
	if err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	found, err := experiment.ListExperiments(ctx, s.FIS, func(e fistypes.ExperimentSummary) bool {
		return experiment.Active(e.State) && strings.HasPrefix(e.Tags[deploy.TagExecution], prefix)
	})
	if err != nil {
		errs = append(errs, err)
	}
	for _, e := range found {
		if err := s.sweepExperiment(ctx, e, seen, &res); err != nil {
			errs = append(errs, err)
		}
	}
	if s.Leases != nil {
		if err := s.sweepLeases(ctx, seen, &res); err != nil {
			errs = append(errs, err)
		}
	}
	if len(res.Stopped)+len(res.Stuck)+len(res.Released) > 0 {
		slog.InfoContext(ctx, "sweep done", "stopped", len(res.Stopped), "stuck", len(res.Stuck), "released", len(res.Released))
	}
	return res, errors.Join(errs...)
}

func (s *Sweeper) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// describe reads an execution's status once per sweep.
func (s *Sweeper) describe(ctx context.Context, arn string, seen map[string]execution) (execution, error) {
	if x, ok := seen[arn]; ok {
		return x, nil
	}
	out, err := s.Executions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	var missing *sfntypes.ExecutionDoesNotExist
	switch {
	case errors.As(err, &missing):
		seen[arn] = execution{status: notFound}
	case err != nil:
		return execution{}, fmt.Errorf("describe execution %s: %w", arn, err)
	default:
		seen[arn] = execution{status: string(out.Status), stopped: aws.ToTime(out.StopDate)}
	}
	return seen[arn], nil
}

// sweepExperiment stops an experiment whose execution is not RUNNING, or
// reports it when it has been stopping for too long.
func (s *Sweeper) sweepExperiment(ctx context.Context, e fistypes.ExperimentSummary, seen map[string]execution, res *Result) error {
	id, owner := aws.ToString(e.Id), e.Tags[deploy.TagExecution]
	x, err := s.describe(ctx, owner, seen)
	if err != nil {
		return err
	}
	if x.status == string(sfntypes.ExecutionStatusRunning) {
		return nil // its own state machine watches it
	}
	f := Finding{ExperimentID: id, GameDay: e.Tags[deploy.TagName], ExecutionARN: owner, Execution: x.status}
	if e.State.Status == fistypes.ExperimentStatusStopping {
		return s.reportStuck(ctx, e, x, f, res)
	}
	if stopped, err := experiment.StopIfActive(ctx, s.FIS, e.Id); err != nil || !stopped {
		return err // nil: it ended (or began stopping) meanwhile
	}
	f.Why = fmt.Sprintf("it was %s although its execution %s", e.State.Status, executionSays(x.status))
	res.Stopped = append(res.Stopped, f)
	slog.WarnContext(ctx, "sweeper stopped an orphaned experiment", "experimentId", id, "gameday", f.GameDay, "executionArn", owner, "execution", x.status)
	return s.notify(ctx, res, f, "GameDay "+f.GameDay+": the sweeper stopped an orphaned experiment",
		fmt.Sprintf("The gameday sweeper stopped FIS experiment %s of GameDay %s: %s, so nothing was watching it.\n\nExecution: %s\nCheck the experiment in the FIS console and the execution's history.\n",
			id, f.GameDay, f.Why, owner))
}

func executionSays(status string) string {
	if status == notFound {
		return "does not exist"
	}
	return "is " + status
}

// reportStuck reports an experiment still stopping StuckAfter after its
// execution ended, once: it tags the experiment deploy.TagStuckReported.
func (s *Sweeper) reportStuck(ctx context.Context, e fistypes.ExperimentSummary, x execution, f Finding, res *Result) error {
	since := x.stopped
	if since.IsZero() {
		since = aws.ToTime(e.CreationTime)
	}
	stuckAfter := s.StuckAfter
	if stuckAfter <= 0 {
		stuckAfter = DefaultStuckAfter
	}
	age := s.now().Sub(since)
	if age < stuckAfter {
		return nil
	}
	f.Why = fmt.Sprintf("it has been stopping for %s since its execution %s ended", age.Round(time.Minute), x.status)
	if x.status == notFound {
		f.Why = fmt.Sprintf("it has been stopping for %s and its execution does not exist", age.Round(time.Minute))
	}
	res.Stuck = append(res.Stuck, f)
	slog.WarnContext(ctx, "experiment stuck in stopping", "experimentId", f.ExperimentID, "gameday", f.GameDay, "executionArn", f.ExecutionARN, "stoppingFor", age.String())
	if e.Tags[deploy.TagStuckReported] != "" {
		return nil // an earlier sweep has told the team
	}
	err := s.notify(ctx, res, f, "GameDay "+f.GameDay+": an experiment is stuck in stopping",
		fmt.Sprintf("FIS experiment %s of GameDay %s is still stopping: %s. FIS keeps stopping it; check its actions and targets in the FIS console (a Chaos Mesh fault may need 'kubectl delete' of its custom resource).\n\nExecution: %s\n",
			f.ExperimentID, f.GameDay, f.Why, f.ExecutionARN))
	if err != nil {
		return err
	}
	_, err = s.FIS.TagResource(ctx, &fis.TagResourceInput{ResourceArn: e.Arn, Tags: map[string]string{deploy.TagStuckReported: s.now().UTC().Format(time.RFC3339)}})
	if err = awserr.Classify(err); err != nil {
		return fmt.Errorf("mark experiment %s as reported stuck (the next sweep reports it again): %w", f.ExperimentID, err)
	}
	return nil
}

// sweepLeases gives back every lease whose execution is not RUNNING, and
// every expired one.
func (s *Sweeper) sweepLeases(ctx context.Context, seen map[string]execution, res *Result) error {
	leases, err := s.Leases.List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, l := range leases {
		if !l.Expired(s.now()) {
			x, err := s.describe(ctx, l.Owner, seen)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if x.status == string(sfntypes.ExecutionStatusRunning) {
				continue
			}
		}
		ok, err := s.Leases.Release(ctx, l.GameDay, l.Owner)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			res.Released = append(res.Released, l.GameDay)
			slog.InfoContext(ctx, "sweeper released a lease", "gameday", l.GameDay, "executionArn", l.Owner)
		}
	}
	return errors.Join(errs...)
}

// notify publishes one finding to the topic.
func (s *Sweeper) notify(ctx context.Context, res *Result, f Finding, subject, message string) error {
	if s.TopicARN == "" || s.SNS == nil {
		return nil
	}
	if _, err := s.SNS.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(s.TopicARN), Subject: aws.String(deploy.CutSubject(subject)), Message: aws.String(message)}); err != nil {
		return fmt.Errorf("publish finding on %s to %s: %w", f.ExperimentID, s.TopicARN, err)
	}
	res.Notified++
	return nil
}
