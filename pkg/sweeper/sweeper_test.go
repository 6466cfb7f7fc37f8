package sweeper

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment/experimenttest"
	"github.com/gameday-dev/gameday/pkg/lease"
)

var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

const (
	sm     = "arn:aws:states:us-east-1:123456789012:stateMachine:gameday"
	prefix = "arn:aws:states:us-east-1:123456789012:execution:gameday:"
	topic  = "arn:aws:sns:us-east-1:123456789012:gameday"
)

// executions is a stateful Step Functions: status and stop date by ARN;
// an ARN it does not hold does not exist; failing ARNs answer an error.
type executions struct {
	status  map[string]sfntypes.ExecutionStatus
	stopped map[string]time.Time
	failing map[string]bool
}

func (e *executions) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	arn := aws.ToString(in.ExecutionArn)
	if e.failing[arn] {
		return nil, errors.New("AccessDeniedException: not allowed")
	}
	s, ok := e.status[arn]
	if !ok {
		return nil, &sfntypes.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist: '" + arn + "'")}
	}
	out := &sfn.DescribeExecutionOutput{ExecutionArn: aws.String(arn), Status: s}
	if t, ok := e.stopped[arn]; ok {
		out.StopDate = aws.Time(t)
	}
	return out, nil
}

type leases struct {
	held     map[string]lease.Lease
	released []string
}

func (l *leases) List(context.Context) ([]lease.Lease, error) {
	var out []lease.Lease
	for _, k := range slices.Sorted(maps.Keys(l.held)) {
		out = append(out, l.held[k])
	}
	return out, nil
}

func (l *leases) Release(_ context.Context, g, owner string) (bool, error) {
	if h, ok := l.held[g]; ok && h.Owner == owner {
		delete(l.held, g)
		l.released = append(l.released, g)
		return true, nil
	}
	return false, nil
}

type publisher struct{ subjects, messages []string }

func (p *publisher) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	p.subjects = append(p.subjects, aws.ToString(in.Subject))
	p.messages = append(p.messages, aws.ToString(in.Message))
	return &sns.PublishOutput{MessageId: aws.String("m")}, nil
}

func tags(exec string) map[string]string {
	return map[string]string{deploy.TagExecution: exec, deploy.TagName: "carts"}
}

func TestSweep(t *testing.T) {
	type world struct {
		fis    *experimenttest.FIS
		execs  *executions
		leases *leases
	}
	tests := []struct {
		name         string
		now          time.Time
		setup        func(w world)
		wantStopped  []string // experiment ids
		wantStuck    []string
		wantReleased []string
		wantNotified []string // words each notification must contain, in order
		wantErr      string
	}{
		{name: "a running execution's experiment is left to its state machine", setup: func(w world) {
			w.fis.AddExperiment("EXP1", fistypes.ExperimentStatusRunning, tags(prefix+"a"))
			w.execs.status[prefix+"a"] = sfntypes.ExecutionStatusRunning
		}},
		{name: "an aborted execution's experiment is stopped and reported", setup: func(w world) {
			w.fis.AddExperiment("EXP1", fistypes.ExperimentStatusRunning, tags(prefix+"a"))
			w.execs.status[prefix+"a"] = sfntypes.ExecutionStatusAborted
		}, wantStopped: []string{"EXP1"}, wantNotified: []string{"EXP1 of GameDay carts: it was running although its execution is ABORTED, so nothing was watching it.\n\nExecution: " + prefix + "a"}},
		{name: "an experiment whose execution does not exist is stopped", setup: func(w world) {
			w.fis.AddExperiment("EXP1", fistypes.ExperimentStatusInitiating, tags(prefix+"gone"))
		}, wantStopped: []string{"EXP1"}, wantNotified: []string{"does not exist"}},
		{name: "other stacks' and untagged experiments are not this sweeper's", setup: func(w world) {
			w.fis.AddExperiment("EXP1", fistypes.ExperimentStatusRunning, tags("arn:aws:states:us-east-1:123456789012:execution:other:a"))
			w.fis.AddExperiment("EXP2", fistypes.ExperimentStatusRunning, nil)
		}},
		{name: "ended experiments are left alone", setup: func(w world) {
			w.fis.AddExperiment("EXP1", fistypes.ExperimentStatusStopped, tags(prefix+"a"))
			w.fis.AddExperiment("EXP2", fistypes.ExperimentStatusCompleted, tags(prefix+"a"))
		}},
		{name: "stopping 10 minutes after its execution ended: not yet stuck", now: t0.Add(10 * time.Minute), setup: func(w world) {
			w.fis.AddExperiment("EXP1", fistypes.ExperimentStatusStopping, tags(prefix+"a"))
			w.execs.status[prefix+"a"], w.execs.stopped[prefix+"a"] = sfntypes.ExecutionStatusFailed, t0
		}},
		{name: "stopping 16 minutes after: reported", now: t0.Add(16 * time.Minute), setup: func(w world) {
			w.fis.AddExperiment("EXP1", fistypes.ExperimentStatusStopping, tags(prefix+"a"))
			w.execs.status[prefix+"a"], w.execs.stopped[prefix+"a"] = sfntypes.ExecutionStatusFailed, t0
		}, wantStuck: []string{"EXP1"}, wantNotified: []string{"EXP1 of GameDay carts is still stopping: it has been stopping for 16m0s since its execution FAILED ended"}},
		{name: "stopping 40 minutes after, reported before: listed, not notified again", now: t0.Add(40 * time.Minute), setup: func(w world) {
			tg := tags(prefix + "a")
			tg[deploy.TagStuckReported] = t0.Add(16 * time.Minute).Format(time.RFC3339)
			w.fis.AddExperiment("EXP1", fistypes.ExperimentStatusStopping, tg)
			w.execs.status[prefix+"a"], w.execs.stopped[prefix+"a"] = sfntypes.ExecutionStatusFailed, t0
		}, wantStuck: []string{"EXP1"}},
		{name: "leases: a running holder keeps it, ended and missing holders lose it, an expired one goes", setup: func(w world) {
			w.execs.status[prefix+"run"] = sfntypes.ExecutionStatusRunning
			w.execs.status[prefix+"done"] = sfntypes.ExecutionStatusSucceeded
			w.execs.status[prefix+"old"] = sfntypes.ExecutionStatusRunning
			w.leases.held["a"] = lease.Lease{GameDay: "a", Owner: prefix + "run", ExpiresAt: t0.Add(time.Hour)}
			w.leases.held["b"] = lease.Lease{GameDay: "b", Owner: prefix + "done", ExpiresAt: t0.Add(time.Hour)}
			w.leases.held["c"] = lease.Lease{GameDay: "c", Owner: prefix + "missing", ExpiresAt: t0.Add(time.Hour)}
			w.leases.held["d"] = lease.Lease{GameDay: "d", Owner: prefix + "old", ExpiresAt: t0.Add(-time.Second)}
		}, wantReleased: []string{"b", "c", "d"}},
		{name: "one execution cannot be read: the others are still swept, the error is returned", setup: func(w world) {
			w.fis.AddExperiment("EXP1", fistypes.ExperimentStatusRunning, tags(prefix+"secret"))
			w.fis.AddExperiment("EXP2", fistypes.ExperimentStatusRunning, tags(prefix+"b"))
			w.execs.failing[prefix+"secret"] = true
			w.execs.status[prefix+"b"] = sfntypes.ExecutionStatusTimedOut
		}, wantStopped: []string{"EXP2"}, wantNotified: []string{"TIMED_OUT"}, wantErr: "AccessDeniedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			if now.IsZero() {
				now = t0
			}
			w := world{
				fis:    &experimenttest.FIS{Now: func() time.Time { return t0 }},
				execs:  &executions{status: map[string]sfntypes.ExecutionStatus{}, stopped: map[string]time.Time{}, failing: map[string]bool{}},
				leases: &leases{held: map[string]lease.Lease{}},
			}
			tt.setup(w)
			p := &publisher{}
			s := &Sweeper{FIS: w.fis, Executions: w.execs, Leases: w.leases, SNS: p, TopicARN: topic, StateMachineARN: sm,
				Now: func() time.Time { return now }}
			res, err := s.Handle(context.Background(), nil)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Handle() error = %v, want %q", err, tt.wantErr)
			}
			ids := func(fs []Finding) []string {
				out := []string{}
				for _, f := range fs {
					out = append(out, f.ExperimentID)
				}
				return out
			}
			orEmpty := func(s []string) []string {
				if s == nil {
					return []string{}
				}
				return s
			}
			if diff := cmp.Diff(orEmpty(tt.wantStopped), ids(res.Stopped)); diff != "" {
				t.Errorf("stopped (-want +got):\n%s", diff)
			}
			for _, f := range res.Stuck {
				if w.fis.ExperimentTags[f.ExperimentID][deploy.TagStuckReported] == "" {
					t.Errorf("%s reported stuck but not tagged %s", f.ExperimentID, deploy.TagStuckReported)
				}
			}
			for _, id := range tt.wantStopped {
				if st := w.fis.Experiments[id].State.Status; st != fistypes.ExperimentStatusStopping {
					t.Errorf("%s is %s, want stopping (FIS was asked to stop it)", id, st)
				}
			}
			if diff := cmp.Diff(orEmpty(tt.wantStuck), ids(res.Stuck)); diff != "" {
				t.Errorf("stuck (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(orEmpty(tt.wantReleased), res.Released); diff != "" {
				t.Errorf("released (-want +got):\n%s", diff)
			}
			if len(p.messages) != len(tt.wantNotified) || res.Notified != len(p.messages) {
				t.Fatalf("notifications %q (counted %d), want %d", p.messages, res.Notified, len(tt.wantNotified))
			}
			for i, w := range tt.wantNotified {
				if !strings.Contains(p.messages[i], w) {
					t.Errorf("notification %d = %q, want it to say %q", i, p.messages[i], w)
				}
			}
		})
	}
}

// TestSweepSubjects: the sweeper's reports carry subjects SNS takes, "UTF-8
// text ... less than 100 characters long" (SNS API reference, Publish),
// whatever the GameDay's name on the experiment's tag: a 63-character name
// made a subject of 115 characters, which the sweeper cut at 100 bytes (so
// possibly inside a character), and SNS may refuse 100 characters.
func TestSweepSubjects(t *testing.T) {
	for _, name := range []string{strings.Repeat("c", 63), strings.Repeat("遅", 63)} {
		fis := &experimenttest.FIS{Now: func() time.Time { return t0 }}
		fis.AddExperiment("EXP1", fistypes.ExperimentStatusRunning, map[string]string{deploy.TagExecution: prefix + "a", deploy.TagName: name})
		execs := &executions{status: map[string]sfntypes.ExecutionStatus{prefix + "a": sfntypes.ExecutionStatusAborted}, stopped: map[string]time.Time{}, failing: map[string]bool{}}
		p := &publisher{}
		s := &Sweeper{FIS: fis, Executions: execs, Leases: &leases{held: map[string]lease.Lease{}}, SNS: p, TopicARN: topic, StateMachineARN: sm,
			Now: func() time.Time { return t0 }}
		if _, err := s.Handle(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if len(p.subjects) != 1 {
			t.Fatalf("%d subjects, want 1", len(p.subjects))
		}
		if sub := p.subjects[0]; utf8.RuneCountInString(sub) > 99 || !utf8.ValidString(sub) || !strings.HasPrefix(sub, "GameDay "+name[:3]) {
			t.Errorf("subject %q: %d characters, valid UTF-8 %v; want at most 99, valid", sub, utf8.RuneCountInString(sub), utf8.ValidString(sub))
		}
	}
}
