package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/guard"
	"github.com/gameday-dev/gameday/pkg/handlers"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/lease"
	"github.com/gameday-dev/gameday/pkg/notify"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// TestMain keeps the handlers' one-line-per-invocation logs out of the test
// output unless -v asks for them.
func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		slog.SetDefault(slog.New(slog.DiscardHandler))
	}
	os.Exit(m.Run())
}

// These tests run the handlers exactly as Lambda does (handlers.New, then
// Invoke with JSON) with the real SDK clients against the simulator.

const (
	logBucket     = "gameday-fis-logs"
	archiveBucket = "gameday-archive"
	leaseTable    = "gameday-leases"
)

type harness struct {
	t     *testing.T
	srv   *sim.Server
	clock *simtest.Clock
	cfg   aws.Config
	fns   map[deploy.Function]lambda.Handler
	cw    *cloudwatch.Client
	fis   *fis.Client
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	srv, cfg, clock := simtest.NewManual(t, sim.Options{})
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{logBucket, archiveBucket} {
		if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("create bucket %s: %v", b, err)
		}
	}
	if err := lease.CreateTable(context.Background(), dynamodb.NewFromConfig(cfg), leaseTable); err != nil {
		t.Fatal(err)
	}
	env := deploy.Env{
		AccountID:        "123456789012",
		FISRoleARN:       "arn:aws:iam::123456789012:role/gameday-fis",
		LogBucket:        logBucket,
		ArchiveBucket:    archiveBucket,
		LeaseTable:       leaseTable,
		ExecutionTimeout: 2 * time.Hour,
		StateMachineARN:  "arn:aws:states:us-east-1:123456789012:stateMachine:gameday",
	}
	h := &harness{t: t, srv: srv, clock: clock, cfg: cfg, fns: map[deploy.Function]lambda.Handler{},
		cw: cloudwatch.NewFromConfig(cfg), fis: fis.NewFromConfig(cfg)}
	for _, name := range deploy.Functions {
		fn, err := handlers.New(context.Background(), name, step.Config{AWS: cfg, Env: env, Now: srv.Clock().Now, Validate: validate.Spec})
		if err != nil {
			t.Fatalf("handlers.New(%s): %v", name, err)
		}
		h.fns[name] = fn
	}
	return h
}

// invoke calls a handler with in as JSON and decodes its result into out.
// It returns the Lambda error (a messages.InvokeResponse_Error) if any.
func (h *harness) invoke(name deploy.Function, in, out any) *messages.InvokeResponse_Error {
	h.t.Helper()
	payload, err := json.Marshal(in)
	if err != nil {
		h.t.Fatal(err)
	}
	res, err := h.fns[name].Invoke(context.Background(), payload)
	if err != nil {
		var ie messages.InvokeResponse_Error
		if !errors.As(err, &ie) {
			h.t.Fatalf("%s: error %#v is not a messages.InvokeResponse_Error", name, err)
		}
		return &ie
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			h.t.Fatalf("%s: decode %s: %v", name, res, err)
		}
	}
	return nil
}

// sleep lets a simulated duration pass.
func (h *harness) sleep(d time.Duration) {
	h.clock.Advance(d)
}

// retry invokes name like the state machine's Retry on errorType retryOn:
// every interval (simulated), at most attempts times.
func (h *harness) retry(name deploy.Function, in, out any, retryOn string, interval time.Duration, attempts int) *messages.InvokeResponse_Error {
	h.t.Helper()
	return h.retryBackoff(name, in, out, retryOn, interval, 1, interval, attempts)
}

// retryBackoff is retry with the Retrier's BackoffRate and MaxDelaySeconds.
func (h *harness) retryBackoff(name deploy.Function, in, out any, retryOn string, interval time.Duration, rate float64, maxDelay time.Duration, attempts int) *messages.InvokeResponse_Error {
	h.t.Helper()
	for i := 0; ; i++ {
		ie := h.invoke(name, in, out)
		if ie == nil || ie.Type != retryOn || i == attempts {
			return ie
		}
		h.sleep(interval)
		interval = min(time.Duration(float64(interval)*rate), maxDelay)
	}
}

func loadSpec(t *testing.T, path string) (*gameday.Spec, string) {
	t.Helper()
	spec, data, err := validate.ReadFile(path)
	if err != nil {
		t.Fatalf("validate %s: %v", path, err)
	}
	return spec, string(data)
}

func runState(t *testing.T, execName string) gameday.RunState {
	spec, yaml := loadSpec(t, "../../examples/sock-shop-carts-latency.yaml")
	return gameday.RunState{
		RunInput: gameday.RunInput{GameDay: spec, SpecYAML: yaml, Source: "local"},
		Execution: gameday.Execution{
			ARN:  "arn:aws:states:us-east-1:123456789012:execution:gameday:" + execName,
			Name: execName,
		},
	}
}

// preflight runs the preflight step as the state machine does: retried every
// 10 s while alarms are pending, up to 12 times.
func (h *harness) preflight(st *gameday.RunState) *messages.InvokeResponse_Error {
	var res gameday.PreflightResult
	ie := h.retry(deploy.Preflight, st, &res, gameday.ErrNameAlarmsPending, 10*time.Second, 12)
	if ie == nil {
		st.Preflight = &res
	}
	return ie
}

func (h *harness) start(st *gameday.RunState) {
	h.t.Helper()
	// The start step asks Step Functions whether its execution still runs.
	h.srv.StepFunctions().Track(st.Execution.ARN, "arn:aws:states:us-east-1:123456789012:stateMachine:gameday", st.Execution.Name, "{}")
	var res gameday.StartResult
	if ie := h.invoke(deploy.StartExperiment, st, &res); ie != nil {
		h.t.Fatalf("start-experiment: %s: %s", ie.Type, ie.Message)
	}
	st.Start = &res
}

// started is st after preflight and the start step: its experiment
// started.
func (h *harness) started(st gameday.RunState) gameday.RunState {
	h.t.Helper()
	if ie := h.preflight(&st); ie != nil {
		h.t.Fatalf("preflight: %s: %s", ie.Type, ie.Message)
	}
	h.start(&st)
	return st
}

// pollUntilTerminal polls as the state machine's Wait/Choice loop does.
func (h *harness) pollUntilTerminal(st *gameday.RunState, limit int) gameday.PollResult {
	h.t.Helper()
	for range limit {
		var res gameday.PollResult
		if ie := h.invoke(deploy.PollExperiment, st, &res); ie != nil {
			h.t.Fatalf("poll-experiment: %s: %s", ie.Type, ie.Message)
		}
		st.Poll = &res
		if res.Terminal {
			return res
		}
		h.sleep(time.Duration(res.WaitSeconds) * time.Second)
	}
	h.t.Fatalf("experiment %s not terminal after %d polls (last %+v)", st.Start.ExperimentID, limit, st.Poll)
	return gameday.PollResult{}
}

func (h *harness) experimentState(id string) gameday.State {
	h.t.Helper()
	out, err := h.fis.GetExperiment(context.Background(), &fis.GetExperimentInput{Id: aws.String(id)})
	if err != nil {
		h.t.Fatal(err)
	}
	return experiment.State(out.Experiment.State.Status)
}

func (h *harness) templates() int {
	h.t.Helper()
	out, err := h.fis.ListExperimentTemplates(context.Background(), &fis.ListExperimentTemplatesInput{})
	if err != nil {
		h.t.Fatal(err)
	}
	return len(out.ExperimentTemplates)
}

func TestSimWalkthrough(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		st := runState(t, "walkthrough-1")
		if ie := h.preflight(&st); ie != nil {
			t.Fatalf("preflight: %s: %s", ie.Type, ie.Message)
		}
		if n := len(st.Preflight.Alarms); n != 1 || st.Preflight.Alarms[0].State != "OK" {
			t.Fatalf("preflight alarms = %+v, want the one staged alarm OK", st.Preflight.Alarms)
		}
		h.start(&st)
		if st.Start.TemplateAction != experiment.TemplateCreated {
			t.Errorf("templateAction = %s, want created", st.Start.TemplateAction)
		}
		res := h.pollUntilTerminal(&st, 100)
		if res.State != gameday.StateCompleted {
			t.Fatalf("final state = %s (%s), want completed", res.State, res.Reason)
		}
		for _, a := range res.Actions {
			if a.State != gameday.StateCompleted {
				t.Errorf("action %s = %s, want completed", a.Name, a.State)
			}
		}
		t.Logf("walkthrough: %d polls, experiment %s took %.0f s (simulated)", res.Polls, st.Start.ExperimentID, res.Elapsed)
		if len(h.srv.ActiveExperiments()) != 0 || len(h.srv.ActiveChaos()) != 0 {
			t.Errorf("after completion: active experiments %v, chaos %v", h.srv.ActiveExperiments(), h.srv.ActiveChaos())
		}
		// The rest of the run through the same handlers: archive, run again
		// while FIS's logs are on their way (after the wait its pending answer
		// asks for, with that answer in the input), as the state machine does,
		// then notify.
		var arch gameday.ArchiveResult
		for {
			var res gameday.ArchiveResult
			if ie := h.invoke(deploy.Archive, st, &res); ie != nil {
				t.Fatalf("archive: %s: %s", ie.Type, ie.Message)
			}
			st.Archive, arch = &res, res
			if res.Pending == nil {
				break
			}
			h.sleep(time.Duration(res.Pending.WaitSeconds) * time.Second)
		}
		if !arch.LogsComplete || arch.Bucket != archiveBucket || arch.Verdict == "" {
			t.Errorf("archive = %+v, want complete logs in %s and a verdict", arch, archiveBucket)
		}
		s3c := s3.NewFromConfig(h.cfg, func(o *s3.Options) { o.UsePathStyle = true })
		if _, err := s3c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(arch.Bucket), Key: aws.String(arch.Prefix + "summary.json")}); err != nil {
			t.Errorf("summary.json under %s: %v", arch.URI, err)
		}
		t.Logf("archive: %s verdict %s", arch.URI, arch.Verdict)
		var sent notify.Result
		if ie := h.invoke(deploy.Notify, st, &sent); ie != nil {
			t.Fatalf("notify: %s: %s", ie.Type, ie.Message)
		}
		evs := h.srv.Events().Events()
		if len(evs) != 1 || evs[0].ID != sent.EventID || evs[0].DetailType != notify.EventDetailType || sent.Verdict != arch.Verdict {
			t.Errorf("notify = %+v, events on the bus %+v; want one %q event with verdict %s", sent, evs, notify.EventDetailType, arch.Verdict)
		}

		// A second run of the same GameDay reuses the template.
		st2 := runState(t, "walkthrough-2")
		if ie := h.preflight(&st2); ie != nil {
			t.Fatalf("second preflight: %s: %s", ie.Type, ie.Message)
		}
		h.start(&st2)
		if st2.Start.TemplateAction != experiment.TemplateReused || st2.Start.ExperimentTemplateID != st.Start.ExperimentTemplateID {
			t.Errorf("second start: template %s %s, want %s reused", st2.Start.ExperimentTemplateID, st2.Start.TemplateAction, st.Start.ExperimentTemplateID)
		}
		// And while it runs, a third is refused.
		st3 := runState(t, "walkthrough-3")
		if ie := h.preflight(&st3); ie == nil || ie.Type != gameday.ErrNamePreflightFailed {
			t.Errorf("preflight while the GameDay runs = %v, want PreflightFailed", ie)
		}
	})
}

func TestSimAlarmInAlarmRefusesAndCreatesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		ctx := context.Background()
		// An existing SLO alarm, already in ALARM, is one of the stop conditions.
		// Missing data breaches it, so that its next evaluation (the simulator's
		// clock runs at 120x) keeps it in ALARM, as CloudWatch would, instead of
		// undoing SetAlarmState before preflight reads it.
		if _, err := h.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String("existing-slo-alarm"), Namespace: aws.String("SockShop"), MetricName: aws.String("ErrorRate"),
			Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
			TreatMissingData: aws.String("breaching"),
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("existing-slo-alarm"),
			StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("error rate above the SLO")}); err != nil {
			t.Fatal(err)
		}
		st := runState(t, "refused-1")
		st.GameDay.Spec.StopConditions = append(st.GameDay.Spec.StopConditions,
			gameday.StopCondition{AlarmARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:existing-slo-alarm"})
		st.SpecYAML = "" // the file no longer says this GameDay
		ie := h.preflight(&st)
		if ie == nil || ie.Type != gameday.ErrNamePreflightFailed {
			t.Fatalf("preflight = %+v, want PreflightFailed", ie)
		}
		t.Logf("refusal: %s", ie.Message)
		if n := h.templates(); n != 0 {
			t.Errorf("%d experiment templates exist, want none", n)
		}
		if a := h.srv.ActiveExperiments(); len(a) != 0 {
			t.Errorf("active experiments %v, want none", a)
		}
	})
}

func TestSimStartSixTimesStartsOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		st := runState(t, "retried-start")
		if ie := h.preflight(&st); ie != nil {
			t.Fatalf("preflight: %s: %s", ie.Type, ie.Message)
		}
		h.srv.StepFunctions().Track(st.Execution.ARN, "arn:aws:states:us-east-1:123456789012:stateMachine:gameday", st.Execution.Name, "{}")
		var ids []string
		for range 6 {
			var res gameday.StartResult
			if ie := h.invoke(deploy.StartExperiment, st, &res); ie != nil {
				t.Fatalf("start-experiment: %s: %s", ie.Type, ie.Message)
			}
			ids = append(ids, res.ExperimentID)
		}
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Fatalf("start returned experiments %v, want one", ids)
			}
		}
		if a := h.srv.ActiveExperiments(); len(a) != 1 {
			t.Errorf("active experiments %v, want one", a)
		}
		if n := h.templates(); n != 1 {
			t.Errorf("%d templates, want 1", n)
		}
	})
}

func TestSimPollThroughStopCondition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		st := h.started(runState(t, "stop-condition"))
		// Wait for it to run, then the front end's error alarm fires.
		for i := 0; ; i++ {
			var res gameday.PollResult
			if ie := h.invoke(deploy.PollExperiment, st, &res); ie != nil {
				t.Fatalf("poll: %s: %s", ie.Type, ie.Message)
			}
			if res.State == gameday.StateRunning {
				break
			}
			if i > 50 || res.Terminal {
				t.Fatalf("experiment did not run: %+v", res)
			}
			h.sleep(2 * time.Second)
		}
		alarm := st.Preflight.Alarms[0].Name
		if _, err := h.cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(alarm),
			StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("test: error rate 12 %")}); err != nil {
			t.Fatal(err)
		}
		res := h.pollUntilTerminal(&st, 100)
		if res.State != gameday.StateStopped {
			t.Fatalf("final state = %s (%s), want stopped by the stop condition", res.State, res.Reason)
		}
		t.Logf("stopped: %s", res.Reason)
		if c := h.srv.ActiveChaos(); len(c) != 0 {
			t.Errorf("chaos still active after the stop: %v", c)
		}
	})
}

func TestSimStopRunningExperiment(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		st := h.started(runState(t, "stopped-1"))
		h.sleep(20 * time.Second)
		var res gameday.StopResult
		if ie := h.retry(deploy.StopExperiment, st, &res, gameday.ErrNameNotTerminal, 5*time.Second, 15); ie != nil {
			t.Fatalf("stop-experiment: %s: %s", ie.Type, ie.Message)
		}
		if res.State != gameday.StateStopped {
			t.Errorf("stop result = %+v, want stopped", res)
		}
		if got := h.experimentState(st.Start.ExperimentID); got != gameday.StateStopped {
			t.Errorf("experiment state = %s, want stopped", got)
		}
		if c := h.srv.ActiveChaos(); len(c) != 0 {
			t.Errorf("chaos still active after the stop: %v", c)
		}
		// Stopping again is done at once.
		var again gameday.StopResult
		if ie := h.invoke(deploy.StopExperiment, st, &again); ie != nil || !again.AlreadyTerminal {
			t.Errorf("second stop = %+v, %v; want already terminal", again, ie)
		}
	})
}

func TestSimGuardStopsOrphanedExperiment(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		st := h.started(runState(t, "orphaned-1"))
		h.sleep(20 * time.Second)
		// The operator pressed Stop on the execution: the state machine is gone,
		// the experiment runs on.
		ev := map[string]any{
			"version": "0", "id": "e1", "detail-type": guard.DetailType, "source": "aws.states",
			"account": "123456789012", "region": "us-east-1", "time": "2026-01-02T10:15:00Z",
			"resources": []string{st.Execution.ARN},
			"detail": map[string]any{"executionArn": st.Execution.ARN, "status": "ABORTED", "name": st.Execution.Name,
				"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:gameday"},
		}
		var res guard.Result
		if ie := h.invoke(deploy.Guard, ev, &res); ie != nil {
			t.Fatalf("guard: %s: %s", ie.Type, ie.Message)
		}
		if len(res.Stopped) != 1 || res.Stopped[0] != st.Start.ExperimentID {
			t.Fatalf("guard stopped %v, want [%s]", res.Stopped, st.Start.ExperimentID)
		}
		for i := 0; h.experimentState(st.Start.ExperimentID) == gameday.StateStopping && i < 50; i++ {
			h.sleep(time.Second)
		}
		if got := h.experimentState(st.Start.ExperimentID); got != gameday.StateStopped {
			t.Errorf("experiment state = %s, want stopped", got)
		}
		if c := h.srv.ActiveChaos(); len(c) != 0 {
			t.Errorf("chaos still active after the guard: %v", c)
		}
		// The event delivered twice stops nothing more.
		var again guard.Result
		if ie := h.invoke(deploy.Guard, ev, &again); ie != nil || len(again.Stopped) != 0 {
			t.Errorf("second guard = %+v, %v; want nothing stopped", again, ie)
		}
	})
}
