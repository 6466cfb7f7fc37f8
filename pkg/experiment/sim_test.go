package experiment_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/guard"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/fissim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
	"github.com/gameday-dev/gameday/pkg/sweeper"
)

// waitTemplate renders a template of aws:fis:wait actions, one per name,
// tagged as the GameDay name with a digest of the action names.
func waitTemplate(name string, actions ...string) func(*gameday.Spec) (*fis.CreateExperimentTemplateInput, error) {
	return func(*gameday.Spec) (*fis.CreateExperimentTemplateInput, error) {
		in := &fis.CreateExperimentTemplateInput{
			Description:    aws.String("wait"),
			RoleArn:        aws.String("arn:aws:iam::123456789012:role/gameday-fis"),
			StopConditions: []types.CreateExperimentTemplateStopConditionInput{{Source: aws.String("none")}},
			Actions:        map[string]types.CreateExperimentTemplateActionInput{},
			Tags:           map[string]string{deploy.TagName: name, deploy.TagDigest: "digest"},
		}
		for _, a := range actions {
			in.Actions[a] = types.CreateExperimentTemplateActionInput{
				ActionId: aws.String("aws:fis:wait"), Parameters: map[string]string{"duration": "PT1M"}}
			in.Tags[deploy.TagDigest] += "-" + a
		}
		return in, nil
	}
}

// TestSimTemplateUpdateDropsStaleActions: a GameDay that drops a fault gets
// a template without its action, whether FIS's update merges the action set
// or replaces it.
func TestSimTemplateUpdateDropsStaleActions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	for _, tt := range []struct {
		name    string
		variant fissim.TemplateUpdate
	}{
		{"update merges actions", fissim.TemplateUpdateMerges},
		{"update replaces actions", fissim.TemplateUpdateReplaces},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			_, cfg := simtest.New(t, sim.Options{Speed: 600, FIS: fissim.Variants{TemplateUpdate: tt.variant}})
			api := fis.NewFromConfig(cfg)
			spec := &gameday.Spec{Metadata: gameday.Metadata{Name: "shrinking"}}
			run := func(exec string, actions ...string) gameday.StartResult {
				s := &experiment.Starter{API: api, Render: waitTemplate("shrinking", actions...), Update: fistemplate.UpdateInput}
				res, err := s.Handle(ctx, gameday.RunState{RunInput: gameday.RunInput{GameDay: spec},
					Execution: gameday.Execution{ARN: "arn:aws:states:us-east-1:123456789012:execution:gameday:" + exec, Name: exec}})
				if err != nil {
					t.Fatalf("start %s: %v", exec, err)
				}
				return res
			}
			run("run-1", "first", "second")
			res := run("run-2", "first")
			got, err := api.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: aws.String(res.ExperimentTemplateID)})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for k := range got.ExperimentTemplate.Actions {
				names = append(names, k)
			}
			sort.Strings(names)
			if diff := cmp.Diff([]string{"first"}, names); diff != "" {
				t.Errorf("template actions after dropping a fault (-want +got):\n%s", diff)
			}
			found, err := experiment.TemplatesOf(ctx, api, "shrinking")
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != 1 {
				t.Errorf("%d templates carry the GameDay's name, want 1 (the replaced one deleted)", len(found))
			}
		})
	}
}

// staleRead serves the first GetExperiment and ListExperiments of an
// experiment as if it were still running, so that the stop comes after FIS
// ended it: the race between reading and stopping.
type staleRead struct {
	*fis.Client
	gets, lists int
}

func (s *staleRead) GetExperiment(ctx context.Context, in *fis.GetExperimentInput, opts ...func(*fis.Options)) (*fis.GetExperimentOutput, error) {
	out, err := s.Client.GetExperiment(ctx, in, opts...)
	if s.gets++; err == nil && s.gets == 1 {
		e := *out.Experiment
		e.State = &types.ExperimentState{Status: types.ExperimentStatusRunning}
		out.Experiment = &e
	}
	return out, err
}

func (s *staleRead) ListExperiments(ctx context.Context, in *fis.ListExperimentsInput, opts ...func(*fis.Options)) (*fis.ListExperimentsOutput, error) {
	out, err := s.Client.ListExperiments(ctx, in, opts...)
	if s.lists++; err == nil && s.lists == 1 {
		for i := range out.Experiments {
			out.Experiments[i].State = &types.ExperimentState{Status: types.ExperimentStatusRunning}
		}
	}
	return out, err
}

// TestSimStopEndedExperiment: stopping an experiment that ended after it
// was read is "already ended", whether FIS answers ConflictException or
// ValidationException; the stop step reports its final state.
func TestSimStopEndedExperiment(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	for _, tt := range []struct {
		name     string
		variant  fissim.StopEnded
		wantCode string
	}{
		{"conflict", fissim.StopEndedConflict, "ConflictException"},
		{"validation", fissim.StopEndedValidation, "ValidationException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				_, cfg, clock := simtest.NewManual(t, sim.Options{FIS: fissim.Variants{StopEnded: tt.variant}})
				api := fis.NewFromConfig(cfg)
				exec := "arn:aws:states:us-east-1:123456789012:execution:gameday:run-1"
				s := &experiment.Starter{API: api, Render: waitTemplate("ends", "wait"), Update: fistemplate.UpdateInput}
				st := gameday.RunState{RunInput: gameday.RunInput{GameDay: &gameday.Spec{Metadata: gameday.Metadata{Name: "ends"}}},
					Execution: gameday.Execution{ARN: exec, Name: "run-1"}}
				start, err := s.Handle(ctx, st)
				if err != nil {
					t.Fatal(err)
				}
				st.Start = &start
				clock.Until(t, time.Second, 5*time.Hour, "experiment completed", func() bool {
					out, err := api.GetExperiment(ctx, &fis.GetExperimentInput{Id: aws.String(start.ExperimentID)})
					if err != nil {
						t.Fatal(err)
					}
					return out.Experiment.State.Status == types.ExperimentStatusCompleted
				})
				_, err = api.StopExperiment(ctx, &fis.StopExperimentInput{Id: aws.String(start.ExperimentID)})
				if got := apiCode(err); got != tt.wantCode {
					t.Fatalf("StopExperiment on the ended experiment: %q, want %s", got, tt.wantCode)
				}

				res, err := (&experiment.Stopper{API: &staleRead{Client: api}}).Handle(ctx, st)
				if err != nil {
					t.Fatalf("stop step: %v", err)
				}
				if res.State != gameday.StateCompleted {
					t.Errorf("stop step state %q, want completed", res.State)
				}

				// The guard, for an execution that was aborted meanwhile.
				detail, _ := json.Marshal(guard.StatusDetail{ExecutionARN: exec, Status: "ABORTED"})
				g := &guard.Guard{API: &staleRead{Client: api, gets: 1}} // only the listing is stale
				gres, err := g.Handle(ctx, events.CloudWatchEvent{DetailType: guard.DetailType, Detail: detail})
				if err != nil {
					t.Fatalf("guard: %v", err)
				}
				if len(gres.Stopped) != 0 {
					t.Errorf("guard stopped %v, want none (the experiment had ended)", gres.Stopped)
				}

				// The sweeper, its execution ended.
				sw := &sweeper.Sweeper{FIS: &staleRead{Client: api, gets: 1}, Executions: executionStatus(sfntypes.ExecutionStatusAborted),
					StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:gameday"}
				sres, err := sw.Handle(ctx, nil)
				if err != nil {
					t.Fatalf("sweeper: %v", err)
				}
				if len(sres.Stopped) != 0 {
					t.Errorf("sweeper stopped %+v, want none (the experiment had ended)", sres.Stopped)
				}
			})
		})
	}
}

// executionStatus is a Step Functions whose every execution has this status.
type executionStatus sfntypes.ExecutionStatus

func (s executionStatus) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	return &sfn.DescribeExecutionOutput{ExecutionArn: in.ExecutionArn, Status: sfntypes.ExecutionStatus(s)}, nil
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
