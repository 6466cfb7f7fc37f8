package localrun

// The failure paths of issue 10, each through the real workflow, handlers
// and simulator: whatever breaks, no experiment is left running and no
// lease left held.

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/snssim"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// pollRunning is a Progress hook that calls f once, when a poll first sees
// the experiment running.
func pollRunning(f func()) func(Event) {
	var once sync.Once
	return func(e Event) {
		if e.Type == "StateExited" && e.State == "PollExperiment" && e.Run != nil && e.Run.Poll != nil && e.Run.Poll.State == gameday.StateRunning {
			once.Do(f)
		}
	}
}

// waitFor polls cond (bounded, in wall time) and fails the test with what
// when it never holds.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// messagesSaying are the SNS messages whose subject contains s.
func messagesSaying(srv *sim.Server, s string) []snssim.Message {
	var out []snssim.Message
	for _, m := range srv.SNS().Messages() {
		if strings.Contains(m.Subject, s) {
			out = append(out, m)
		}
	}
	return out
}

func experimentStatus(t *testing.T, srv *sim.Server, id string) string {
	t.Helper()
	out, err := fis.NewFromConfig(AWSConfig(srv)).GetExperiment(context.Background(), &fis.GetExperimentInput{Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return string(out.Experiment.State.Status)
}

// The execution is aborted while the start Lambda is in flight: the
// interpreter ends the execution, the guard looks for its experiments and
// finds none, and only then does the Lambda's StartExperiment return. The
// start step asks for its execution, finds it ABORTED and stops the
// experiment it has just started.
func TestScenarioAbortDuringStart(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, longDelay)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	abortCtx, abort := context.WithCancel(ctx)
	type outcome struct {
		out []byte
		err error
	}
	started := make(chan outcome, 1)
	var once sync.Once
	res, err := Run(abortCtx, Options{Spec: spec, SpecYAML: yaml, Sim: srv, Wrap: func(fn deploy.Function, h lambda.Handler) lambda.Handler {
		if fn != deploy.StartExperiment {
			return h
		}
		return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			var out outcome
			once.Do(func() {
				abort()
				// The execution ends and the guard runs before the start
				// reaches FIS.
				waitFor(t, 30*time.Second, "the guard", func() bool { return srv.Lambda().Invocations()[FunctionPrefix+"guard"] > 0 })
				out.out, out.err = h.Invoke(ctx, payload)
				started <- out
			})
			return out.out, out.err
		})
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "ABORTED" || !res.GuardInvoked {
		t.Fatalf("status %s, guard invoked %v; want ABORTED and the guard", res.Status, res.GuardInvoked)
	}
	var got outcome
	select {
	case got = <-started:
	case <-time.After(time.Minute):
		t.Fatal("the start Lambda never returned")
	}
	ids := experiments(t, srv)
	if len(ids) != 1 {
		t.Fatalf("experiments = %v, want the one the late start created", ids)
	}
	var ie messages.InvokeResponse_Error
	if got.err == nil || !strings.Contains(got.err.Error(), "ABORTED") || !strings.Contains(got.err.Error(), "stopped experiment "+ids[0]) {
		t.Errorf("the start step returned %q, %v; want it to say the execution is ABORTED and that it stopped %s", got.out, got.err, ids[0])
	} else if !asInvokeError(got.err, &ie) {
		t.Errorf("the start step's error %T is not a Lambda error response", got.err)
	}
	if st := experimentStatus(t, srv, ids[0]); st != "stopped" && st != "stopping" {
		t.Errorf("experiment %s is %s after the late start, want stopped by the start step itself", ids[0], st)
	}
	waitIdle(t, srv)
	assertClean(t, srv, spec)
}

func asInvokeError(err error, ie *messages.InvokeResponse_Error) bool {
	v, ok := err.(messages.InvokeResponse_Error)
	if ok {
		*ie = v
	}
	return ok
}

// Two executions of one GameDay start together and reach preflight at the
// same moment (a barrier holds each preflight until both have arrived):
// the lease lets exactly one through; the other fails in preflight naming
// the execution that holds it.
func TestScenarioConcurrentStarts(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, walkthrough)
	var arrived sync.WaitGroup
	arrived.Add(2)
	var mu sync.Mutex
	first := map[string]bool{}
	wrap := func(fn deploy.Function, h lambda.Handler) lambda.Handler {
		if fn != deploy.Preflight {
			return h
		}
		return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			var st gameday.RunState
			_ = json.Unmarshal(payload, &st)
			mu.Lock()
			isFirst := !first[st.Execution.Name]
			first[st.Execution.Name] = true
			mu.Unlock()
			if isFirst {
				arrived.Done()
				arrived.Wait()
			}
			return h.Invoke(ctx, payload)
		})
	}
	results := make([]*Result, 2)
	var wg sync.WaitGroup
	for i, name := range []string{"one", "two"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			res, err := Run(ctx, Options{Spec: spec, SpecYAML: yaml, Sim: srv, ExecutionName: name, Wrap: wrap})
			if err != nil {
				t.Errorf("run %s: %v", name, err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	var won, lost *Result
	for _, r := range results {
		switch {
		case r.Status == "SUCCEEDED":
			won = r
		case r.Status == "FAILED" && r.Error == gameday.ErrNamePreflightFailed:
			lost = r
		}
	}
	if won == nil || lost == nil {
		t.Fatalf("results %s %s / %s %s, want one SUCCEEDED and one FAILED with %s",
			results[0].Status, results[0].Error, results[1].Status, results[1].Error, gameday.ErrNamePreflightFailed)
	}
	if !strings.Contains(lost.Cause, won.ExecutionARN) {
		t.Errorf("the refusal does not name the holder %s: %s", won.ExecutionARN, lost.Cause)
	}
	if got := experiments(t, srv); len(got) != 1 {
		t.Errorf("experiments = %v, want exactly one", got)
	}
	if lost.Final != nil && lost.Final.Start != nil {
		t.Errorf("the refused run started something: %+v", lost.Final.Start)
	}
	assertClean(t, srv, spec)
}

// The guard fails on every invocation. The sweeper, which runs after each
// guard invocation (its Lambda destination; locally, right after it) and on
// its schedule, stops the orphaned experiment within one sweep, gives the
// lease back and tells the team.
func TestScenarioGuardFails(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, longDelay)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	abortCtx, abort := context.WithCancel(ctx)
	res, err := Run(abortCtx, Options{Spec: spec, SpecYAML: yaml, Sim: srv, Progress: pollRunning(abort),
		Wrap: func(fn deploy.Function, h lambda.Handler) lambda.Handler {
			if fn != deploy.Guard {
				return h
			}
			return invokeFunc(func(context.Context, []byte) ([]byte, error) {
				return nil, messages.InvokeResponse_Error{Type: "Runtime.ExitError", Message: "simulated guard crash"}
			})
		}})
	if err == nil || !strings.Contains(err.Error(), "simulated guard crash") {
		t.Fatalf("Run error %v, want the guard's failure reported", err)
	}
	if res.Status != "ABORTED" || res.GuardInvoked {
		t.Fatalf("status %s, guard succeeded %v; want ABORTED with a failed guard", res.Status, res.GuardInvoked)
	}
	ids := experiments(t, srv)
	if len(ids) != 1 {
		t.Fatalf("experiments = %v, want one", ids)
	}
	if st := experimentStatus(t, srv, ids[0]); st != "stopped" && st != "stopping" {
		t.Errorf("experiment %s is %s after the sweep, want stopped by the sweeper", ids[0], st)
	}
	if got := res.Invocations[FunctionPrefix+"sweeper"]; got == 0 {
		t.Errorf("the sweeper was not invoked after the guard: %v", res.Invocations)
	}
	msgs := messagesSaying(srv, "orphaned experiment")
	if len(msgs) != 1 || !strings.Contains(msgs[0].Message, ids[0]) || !strings.Contains(msgs[0].Message, "ABORTED") {
		t.Errorf("notifications %+v, want one naming %s and its ABORTED execution", msgs, ids[0])
	}
	waitIdle(t, srv)
	assertClean(t, srv, spec)
}

// The execution reaches its own timeout while the experiment runs: the
// guard stops the experiment and gives the lease back.
func TestScenarioExecutionTimedOut(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, longDelay)
	res := run(t, srv, spec, yaml, func(o *Options) { o.executionTimeout = 5 * time.Minute })
	if res.Status != "TIMED_OUT" || !res.GuardInvoked {
		t.Fatalf("status %s, guard invoked %v; want TIMED_OUT and the guard", res.Status, res.GuardInvoked)
	}
	ids := experiments(t, srv)
	if len(ids) != 1 {
		t.Fatalf("experiments = %v, want one", ids)
	}
	if st := experimentStatus(t, srv, ids[0]); st != "stopped" && st != "stopping" {
		t.Errorf("experiment %s is %s after the timeout, want stopped by the guard", ids[0], st)
	}
	waitIdle(t, srv)
	assertClean(t, srv, spec)
}

// The experiment stays stopping for 90 minutes: the cleanup's stop step gives
// up, the run ends failed and its notification says the experiment was not
// confirmed stopped; the scheduled sweeper reports it, once, when it has
// been stopping 15 minutes past the end of its execution.
func TestScenarioStuckStopping(t *testing.T) {
	needNode(t)
	// At the suite's speed: the 90 simulated minutes of stopping take 45 s
	// of wall time.
	srv := startSim(t, sim.Options{FISStopDelay: 90 * time.Minute})
	spec, yaml := load(t, longDelay)
	res := run(t, srv, spec, yaml, func(o *Options) {
		o.Wrap = func(fn deploy.Function, h lambda.Handler) lambda.Handler {
			if fn != deploy.PollExperiment {
				return h
			}
			return crashesOnCall(h, 2, "simulated poll crash")
		}
	})
	if res.Status != "FAILED" {
		t.Fatalf("execution %s, want FAILED", res.Status)
	}
	if res.Final == nil || res.Final.StopError == nil || res.Final.StopError.Error != gameday.ErrNameNotTerminal {
		t.Fatalf("the run's stop error = %+v, want %s", res.Final, gameday.ErrNameNotTerminal)
	}
	ended := srv.Clock().Now()
	ids := experiments(t, srv)
	if len(ids) != 1 || experimentStatus(t, srv, ids[0]) != "stopping" {
		t.Fatalf("experiments %v, want one still stopping", ids)
	}
	failed := messagesSaying(srv, ": failed")
	if len(failed) != 1 || !strings.Contains(failed[0].Message, "not confirmed stopped") {
		t.Errorf("failure notifications %+v, want one saying the experiment was not confirmed stopped", failed)
	}
	waitFor(t, 90*time.Second, "the sweeper's report", func() bool { return len(messagesSaying(srv, "stuck in stopping")) > 0 })
	if after := srv.Clock().Now().Sub(ended); after < 15*time.Minute {
		t.Errorf("reported %s after the run ended, want at least 15 minutes", after)
	}
	stuck := messagesSaying(srv, "stuck in stopping")
	if !strings.Contains(stuck[0].Message, ids[0]) {
		t.Errorf("the report does not name %s: %s", ids[0], stuck[0].Message)
	}
	waitFor(t, 90*time.Second, "the experiment to stop", func() bool { return len(srv.ActiveExperiments()) == 0 })
	if n := len(messagesSaying(srv, "stuck in stopping")); n != 1 {
		t.Errorf("%d stuck reports, want one", n)
	}
	assertClean(t, srv, spec)
}

// The cleanup branch's stop step fails while the experiment runs (FIS
// answers 5xx past the SDK's retries, the stop Lambda crashes or hits its
// timeout): the experiment must still be stopped at once, by the step's
// retries or, when they are spent, by the guard once the run ends; not
// left injecting while the archive waits for it to end.
func TestScenarioStopStepFails(t *testing.T) {
	needNode(t)
	// Nothing but a stop ends the hour-long fault within the run.
	spec, yaml := hourLong(t)
	tests := []struct {
		name     string
		failures int // stop-experiment calls that fail before one succeeds
		// wantConfirmed: the cleanup's stop step itself confirmed the
		// experiment ended; else the guard stopped it.
		wantConfirmed bool
	}{
		{name: "fails once: the step's retry stops it", failures: 1, wantConfirmed: true},
		{name: "fails every time: the run ends and the guard stops it", failures: 1 << 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSim(t, sim.Options{})
			var mu sync.Mutex
			var stops int
			var firstFailure time.Time
			res := run(t, srv, spec, yaml, func(o *Options) {
				o.Wrap = func(fn deploy.Function, h lambda.Handler) lambda.Handler {
					switch fn {
					case deploy.PollExperiment: // the second poll crashes: the run goes to cleanup
						return crashesOnCall(h, 2, "simulated poll crash")
					case deploy.StopExperiment:
						return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
							mu.Lock()
							stops++
							fail := stops <= tt.failures
							if fail && firstFailure.IsZero() {
								firstFailure = srv.Clock().Now()
							}
							mu.Unlock()
							if fail {
								return nil, messages.InvokeResponse_Error{Type: gameday.ErrNameInternal, Message: "get experiment: InternalServerException: simulated FIS 5xx"}
							}
							return h.Invoke(ctx, payload)
						})
					}
					return h
				}
			})
			if res.Status != "FAILED" || !res.GuardInvoked || res.Final == nil {
				t.Fatalf("execution %s, guard invoked %v, final state %+v; want FAILED and the guard", res.Status, res.GuardInvoked, res.Final)
			}
			confirmed := res.Final.StopError == nil && res.Final.Stop != nil && res.Final.Stop.State.Terminal()
			if confirmed != tt.wantConfirmed {
				t.Errorf("stop confirmed by the step = %v (stop %+v, stop error %+v), want %v", confirmed, res.Final.Stop, res.Final.StopError, tt.wantConfirmed)
			}
			ids := experiments(t, srv)
			if len(ids) != 1 {
				t.Fatalf("experiments = %v, want one", ids)
			}
			waitIdle(t, srv)
			out, err := fis.NewFromConfig(AWSConfig(srv)).GetExperiment(context.Background(), &fis.GetExperimentInput{Id: aws.String(ids[0])})
			if err != nil {
				t.Fatal(err)
			}
			st, ended := out.Experiment.State.Status, aws.ToTime(out.Experiment.EndTime)
			if st != "stopped" {
				t.Fatalf("experiment %s ended %s, want stopped", ids[0], st)
			}
			mu.Lock()
			failed := firstFailure
			mu.Unlock()
			if late := ended.Sub(failed); late > 5*time.Minute {
				t.Errorf("the experiment ran on for %s after the stop step failed, want it stopped within 5 minutes", late.Round(time.Second))
			}
			assertClean(t, srv, spec)
		})
	}
}

// hourLong is longDelay's fault for an hour (30 s at the scenarios' speed).
func hourLong(t *testing.T) (*gameday.Spec, string) {
	t.Helper()
	data, err := os.ReadFile(longDelay)
	if err != nil {
		t.Fatal(err)
	}
	yaml := strings.NewReplacer("duration: 900s", "duration: 3600s", "maxDuration: 20m", "maxDuration: 70m").Replace(string(data))
	spec, err := validate.File(longDelay, []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return spec, yaml
}

// The start Lambda dies (its own timeout, a crash) after FIS started the
// experiment and before it answered. Its next try, with the same client
// token, finds that experiment and the run goes on watching it; when
// every try dies, the run has no $.start and the cleanup's stop step finds
// the experiment by its execution tag and stops it, confirmed, before the
// run ends.
func TestScenarioStartDiesAfterStarting(t *testing.T) {
	needNode(t)
	tests := []struct {
		name       string
		deaths     int // start-experiment calls that die after starting
		wantStatus string
		wantState  string // the experiment's, at the end
	}{
		{name: "once: the retry finds the experiment, the run goes on", deaths: 1, wantStatus: "SUCCEEDED", wantState: "completed"},
		{name: "every time: the cleanup finds it by its tag and stops it", deaths: 1 << 30, wantStatus: "FAILED", wantState: "stopped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSim(t, sim.Options{})
			spec, yaml := load(t, longDelay)
			var mu sync.Mutex
			var calls int
			res := run(t, srv, spec, yaml, func(o *Options) {
				o.Wrap = func(fn deploy.Function, h lambda.Handler) lambda.Handler {
					if fn != deploy.StartExperiment {
						return h
					}
					return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
						out, err := h.Invoke(ctx, payload)
						mu.Lock()
						calls++
						die := err == nil && calls <= tt.deaths
						mu.Unlock()
						if die {
							return nil, messages.InvokeResponse_Error{Type: "Sandbox.Timedout", Message: "Task timed out after 60.00 seconds"}
						}
						return out, err
					})
				}
			})
			if res.Status != tt.wantStatus || res.Final == nil {
				t.Fatalf("execution %s (%s %s), want %s", res.Status, res.Error, res.Cause, tt.wantStatus)
			}
			if tt.wantStatus == "FAILED" {
				if res.Final.Start != nil {
					t.Errorf("$.start = %+v, want none: every start died", res.Final.Start)
				}
				if stop := res.Final.Stop; stop == nil || res.Final.StopError != nil || !stop.State.Terminal() {
					t.Errorf("stop %+v (error %+v), want the cleanup's stop step to confirm the experiment ended", stop, res.Final.StopError)
				}
				if a := res.Final.Archive; a == nil || a.Skipped != "" || a.URI == "" || a.Verdict != report.VerdictFailed {
					t.Errorf("archive %+v, want the experiment the cleanup found archived, verdict failed", a)
				}
			}
			ids := experiments(t, srv)
			if len(ids) != 1 {
				t.Fatalf("experiments = %v, want the one the start step started", ids)
			}
			if st := experimentStatus(t, srv, ids[0]); st != tt.wantState {
				t.Errorf("experiment %s is %s, want %s", ids[0], st, tt.wantState)
			}
			assertClean(t, srv, spec)
		})
	}
}
