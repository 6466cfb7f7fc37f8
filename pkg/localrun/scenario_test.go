package localrun

// The scenario suite: whole GameDays through the real workflow definition in
// the third-party interpreter, the real handlers and the simulator. Each
// scenario asserts on summary.json and on the simulator's final state: no
// experiment running, no chaos left applied, staged alarms as configured.

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
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/interpreter/interpretertest"
	"github.com/gameday-dev/gameday/pkg/lease"
	"github.com/gameday-dev/gameday/pkg/report"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/validate"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// speed of the scenarios' simulated clock: a 180 s fault takes 1.5 s.
const speed = 120

// needNode fails the test, saying what to install, when the interpreter
// cannot be had (GAMEDAY_SKIP_NODE_TESTS=1 skips instead).
func needNode(t *testing.T) {
	t.Helper()
	interpretertest.Ensure(t)
}

func load(t *testing.T, path string) (*gameday.Spec, string) {
	t.Helper()
	spec, data, err := validate.ReadFile(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return spec, string(data)
}

func startSim(t *testing.T, o sim.Options) *sim.Server {
	t.Helper()
	if o.Speed == 0 {
		o.Speed = speed
	}
	srv, err := sim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func run(t *testing.T, srv *sim.Server, spec *gameday.Spec, yaml string, tweak func(*Options)) *Result {
	t.Helper()
	o := Options{Spec: spec, SpecYAML: yaml, Sim: srv}
	if tweak != nil {
		tweak(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := Run(ctx, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func summary(t *testing.T, srv *sim.Server, res *Result) *report.Summary {
	t.Helper()
	if res.Archive == nil || res.Archive.Prefix == "" {
		t.Fatalf("no archive in the run's result (status %s, error %s: %s)", res.Status, res.Error, res.Cause)
	}
	client := s3.NewFromConfig(AWSConfig(srv), func(o *s3.Options) { o.UsePathStyle = true })
	out, err := client.GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(res.Archive.Bucket), Key: aws.String(res.Archive.Prefix + "summary.json"),
	})
	if err != nil {
		t.Fatalf("get summary.json: %v", err)
	}
	defer out.Body.Close()
	var s report.Summary
	if err := json.NewDecoder(out.Body).Decode(&s); err != nil {
		t.Fatalf("decode summary.json: %v", err)
	}
	return &s
}

// assertClean checks the simulator's final state after a run.
// exitCode is the exit code gameday run --local gives a run that ended
// as res did: report.ExitCode's, from the execution's status and the
// archive's verdict.
func exitCode(res *Result) int {
	verdict := ""
	if res.Archive != nil {
		verdict = res.Archive.Verdict
	}
	return report.ExitCode(res.Status, verdict)
}

func assertClean(t *testing.T, srv *sim.Server, spec *gameday.Spec) {
	t.Helper()
	assertLeft(t, srv, spec, true)
}

// assertLeft is assertClean; staged says the run got as far as staging
// the stop-condition alarms (else none may be staged).
func assertLeft(t *testing.T, srv *sim.Server, spec *gameday.Spec, staged bool) {
	t.Helper()
	if got := srv.ActiveExperiments(); len(got) != 0 {
		t.Errorf("experiments still active after the run: %v", got)
	}
	if got := heldLeases(t, srv); len(got) != 0 {
		t.Errorf("leases still held after the run: %+v", got)
	}
	if got := srv.ActiveChaos(); len(got) != 0 {
		t.Errorf("chaos still applied after the run: %v", got)
	}
	cw := cloudwatch.NewFromConfig(AWSConfig(srv))
	out, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(gameday.AlarmPrefix(spec.Metadata.Name))})
	if err != nil {
		t.Fatalf("DescribeAlarms: %v", err)
	}
	want := map[string]gameday.AlarmSpec{}
	for _, sc := range spec.Spec.StopConditions {
		if sc.Alarm != nil {
			want[spec.AlarmName(sc.Alarm)] = *sc.Alarm
		}
	}
	if n := len(out.MetricAlarms); n != len(want) && (staged || n != 0) {
		t.Errorf("%d staged alarms, want %d", len(out.MetricAlarms), len(want))
	}
	for _, a := range out.MetricAlarms {
		w, ok := want[aws.ToString(a.AlarmName)]
		if !ok {
			t.Errorf("unexpected alarm %s", aws.ToString(a.AlarmName))
			continue
		}
		if aws.ToFloat64(a.Threshold) != w.Threshold || string(a.ComparisonOperator) != w.Comparison || aws.ToInt32(a.EvaluationPeriods) != w.EvaluationPeriods {
			t.Errorf("alarm %s = %v %v %v, want as configured %v %v %v", aws.ToString(a.AlarmName),
				a.ComparisonOperator, aws.ToFloat64(a.Threshold), aws.ToInt32(a.EvaluationPeriods), w.Comparison, w.Threshold, w.EvaluationPeriods)
		}
	}
}

// heldLeases are the run leases in the simulator's lease table.
func heldLeases(t *testing.T, srv *sim.Server) []lease.Lease {
	t.Helper()
	tbl := &lease.Table{API: dynamodb.NewFromConfig(AWSConfig(srv)), Name: leaseTable, Now: srv.Clock().Now}
	got, err := tbl.List(context.Background())
	if err != nil {
		t.Fatalf("list leases: %v", err)
	}
	return got
}

func experiments(t *testing.T, srv *sim.Server) []string {
	t.Helper()
	out, err := fis.NewFromConfig(AWSConfig(srv)).ListExperiments(context.Background(), &fis.ListExperimentsInput{})
	if err != nil {
		t.Fatalf("ListExperiments: %v", err)
	}
	var ids []string
	for _, e := range out.Experiments {
		ids = append(ids, aws.ToString(e.Id))
	}
	return ids
}

const walkthrough = "../../examples/sock-shop-carts-latency.yaml"

// longDelay runs its fault for 15 simulated minutes, so that what a scenario
// does while it runs happens in time on a slow machine too.
const longDelay = "testdata/long-delay.yaml"

// 1. The walkthrough completes and the verdict follows the checks.
func TestScenarioWalkthrough(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, walkthrough)
	res := run(t, srv, spec, yaml, nil)
	if res.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s %s", res.Status, res.Error, res.Cause)
	}
	s := summary(t, srv, res)
	if s.State != gameday.StateCompleted {
		t.Errorf("state = %s, want completed", s.State)
	}
	if len(s.Hypothesis.Checks) == 0 {
		t.Fatal("no hypothesis checks in the summary")
	}
	wantHyp := "held"
	for _, c := range s.Hypothesis.Checks {
		switch c.Result {
		case "refuted":
			wantHyp = "refuted"
		case "inconclusive":
			if wantHyp == "held" {
				wantHyp = "inconclusive"
			}
		}
	}
	if s.Hypothesis.Verdict != wantHyp {
		t.Errorf("hypothesis verdict %s does not follow the checks (want %s): %+v", s.Hypothesis.Verdict, wantHyp, s.Hypothesis.Checks)
	}
	wantRun := map[string]string{"held": "passed", "inconclusive": "passed", "refuted": "hypothesis-refuted"}[wantHyp]
	if s.Verdict != wantRun && !(wantHyp == "inconclusive" && s.Verdict == "hypothesis-refuted") {
		t.Errorf("run verdict %s, want %s for a %s hypothesis", s.Verdict, wantRun, wantHyp)
	}
	if s.Logs.Records == 0 || s.Logs.Objects == 0 || !s.Logs.Complete {
		t.Errorf("logs = %+v, want archived and complete", s.Logs)
	}
	if len(s.Faults) != 1 || s.Faults[0].State != gameday.StateCompleted {
		t.Errorf("faults = %+v, want carts-delay completed", s.Faults)
	}
	if res.Transitions == 0 || res.Invocations[FunctionPrefix+"poll-experiment"] == 0 {
		t.Errorf("transitions %d, invocations %v", res.Transitions, res.Invocations)
	}
	if got := srv.SNS().Messages(); len(got) != 1 {
		t.Errorf("notify published %d messages, want 1", len(got))
	}
	var completed int
	for _, ev := range srv.Events().Events() {
		if ev.DetailType == "GameDay Completed" {
			completed++
		}
	}
	if completed != 1 {
		t.Errorf("%d GameDay Completed events, want 1", completed)
	}
	t.Logf("walkthrough: %d state transitions, Lambda invocations %v, verdict %s", res.Transitions, res.Invocations, s.Verdict)
	assertClean(t, srv, spec)
}

// 2. A fault that trips a stop-condition alarm ends stopped and names it.
func TestScenarioStopCondition(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, "testdata/stop-condition.yaml")
	res := run(t, srv, spec, yaml, nil)
	if res.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s %s", res.Status, res.Error, res.Cause)
	}
	s := summary(t, srv, res)
	alarm := spec.AlarmName(spec.Spec.StopConditions[0].Alarm)
	if s.State != gameday.StateStopped || s.Verdict != "stopped-by-alarm" {
		t.Errorf("state %s verdict %s, want stopped / stopped-by-alarm", s.State, s.Verdict)
	}
	if s.StoppedByAlarm == nil || *s.StoppedByAlarm != alarm {
		t.Errorf("stoppedByAlarm = %v, want %s", s.StoppedByAlarm, alarm)
	}
	if len(s.StopConditions) != 1 || !s.StopConditions[0].WentIntoAlarm {
		t.Errorf("stopConditions = %+v, want the alarm marked wentIntoAlarm", s.StopConditions)
	}
	if exitCode(res) != report.ExitStoppedByAlarm {
		t.Errorf("exit code %d, want %d", exitCode(res), report.ExitStoppedByAlarm)
	}
	assertClean(t, srv, spec)
}

// 3. An FIS action fails (its selector matches no pod) and the run says why.
func TestScenarioActionFails(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, "testdata/no-targets.yaml")
	res := run(t, srv, spec, yaml, nil)
	if res.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s %s", res.Status, res.Error, res.Cause)
	}
	s := summary(t, srv, res)
	if s.State != gameday.StateFailed || s.Verdict != "failed" {
		t.Errorf("state %s verdict %s, want failed / failed", s.State, s.Verdict)
	}
	why := ""
	if s.StopReason != nil {
		why = *s.StopReason
	}
	for _, f := range s.Faults {
		why += " " + f.Reason
	}
	if !strings.Contains(strings.ToLower(why), "pod") {
		t.Errorf("the summary does not say the selector matched no pod: stopReason/fault reasons %q", why)
	}
	if exitCode(res) != report.ExitExperimentFailed {
		t.Errorf("exit code %d, want %d", exitCode(res), report.ExitExperimentFailed)
	}
	assertClean(t, srv, spec)
}

// 4. A handler crashes mid-run: Catch stops the experiment, verifies it
// ended, still archives, and the execution fails.
func TestScenarioHandlerCrash(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, longDelay)
	var polls int
	var mu sync.Mutex
	res := run(t, srv, spec, yaml, func(o *Options) {
		o.Wrap = func(fn deploy.Function, h lambda.Handler) lambda.Handler {
			if fn != deploy.PollExperiment {
				return h
			}
			return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
				mu.Lock()
				polls++
				n := polls
				mu.Unlock()
				if n == 3 {
					panic("poll handler crashed")
				}
				return h.Invoke(ctx, payload)
			})
		}
	})
	if res.Status != "FAILED" {
		t.Fatalf("execution %s, want FAILED", res.Status)
	}
	if res.Final == nil || res.Final.Stop == nil || !res.Final.Stop.State.Terminal() {
		t.Fatalf("the cleanup did not confirm a terminal experiment: %+v", res.Final)
	}
	s := summary(t, srv, res)
	if s.Verdict != "failed" {
		t.Errorf("verdict %s, want failed", s.Verdict)
	}
	if exitCode(res) != report.ExitOrchestration {
		t.Errorf("exit code %d, want %d", exitCode(res), report.ExitOrchestration)
	}
	assertClean(t, srv, spec)
}

// 5. The start step retried six times starts one experiment.
func TestScenarioStartRetried(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, walkthrough)
	var calls int
	var mu sync.Mutex
	res := run(t, srv, spec, yaml, func(o *Options) {
		o.Wrap = func(fn deploy.Function, h lambda.Handler) lambda.Handler {
			if fn != "start-experiment" {
				return h
			}
			return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
				out, err := h.Invoke(ctx, payload) // the experiment starts...
				mu.Lock()
				calls++
				n := calls
				mu.Unlock()
				if err == nil && n < 6 { // ...but Lambda loses the response
					return nil, messages.InvokeResponse_Error{Type: "Lambda.ServiceException", Message: "simulated service error after the function ran"}
				}
				return out, err
			})
		}
	})
	if res.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s %s", res.Status, res.Error, res.Cause)
	}
	if got := res.Invocations[FunctionPrefix+"start-experiment"]; got != 6 {
		t.Errorf("start-experiment invoked %d times, want 6", got)
	}
	if got := experiments(t, srv); len(got) != 1 {
		t.Errorf("experiments = %v, want exactly one", got)
	}
	assertClean(t, srv, spec)
}

// 6. The execution is aborted from outside: the guard stops the experiment.
func TestScenarioAborted(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, walkthrough)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	abortCtx, abort := context.WithCancel(ctx)
	res, err := Run(abortCtx, Options{Spec: spec, SpecYAML: yaml, Sim: srv, Progress: func(e Event) {
		if e.Type == "StateExited" && e.State == "PollExperiment" && e.Run != nil && e.Run.Poll != nil && e.Run.Poll.State == gameday.StateRunning {
			abort()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "ABORTED" || !res.GuardInvoked {
		t.Fatalf("status %s, guard invoked %v; want ABORTED and the guard", res.Status, res.GuardInvoked)
	}
	ids := experiments(t, srv)
	if len(ids) != 1 {
		t.Fatalf("experiments = %v, want one", ids)
	}
	out, err := fis.NewFromConfig(AWSConfig(srv)).GetExperiment(ctx, &fis.GetExperimentInput{Id: aws.String(ids[0])})
	if err != nil {
		t.Fatal(err)
	}
	if st := out.Experiment.State.Status; st != "stopped" && st != "stopping" {
		t.Errorf("experiment %s after the abort, want stopped by the guard", st)
	}
	waitIdle(t, srv)
	assertClean(t, srv, spec)
}

// waitIdle waits (bounded) for a stopping experiment to end.
func waitIdle(t *testing.T, srv *sim.Server) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(srv.ActiveExperiments()) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
}

// 7. The experiment outlives timeouts.experiment and is stopped.
func TestScenarioTimeout(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, longDelay)
	res := run(t, srv, spec, yaml, func(o *Options) {
		o.Wrap = func(fn deploy.Function, h lambda.Handler) lambda.Handler {
			if fn != "start-experiment" {
				return h
			}
			// The deadline is what the start step computed from
			// timeouts.experiment; bring it within the run so that the
			// experiment outlives it.
			return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
				out, err := h.Invoke(ctx, payload)
				if err != nil {
					return out, err
				}
				var sr gameday.StartResult
				if err := json.Unmarshal(out, &sr); err != nil {
					return nil, err
				}
				sr.Deadline = sr.StartedAt.Add(60 * time.Second)
				return json.Marshal(sr)
			})
		}
	})
	if res.Status != "FAILED" || res.Error != gameday.ErrNameExperimentTimeout {
		t.Fatalf("execution %s %s, want FAILED with %s", res.Status, res.Error, gameday.ErrNameExperimentTimeout)
	}
	s := summary(t, srv, res)
	if s.State != gameday.StateStopped {
		t.Errorf("state %s, want stopped", s.State)
	}
	assertClean(t, srv, spec)
}

// 8. FIS logs arrive late: the archive answers pending, the state machine
// waits and runs it again, and it completes.
func TestScenarioLateLogs(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{LogDelay: 8 * time.Minute})
	spec, yaml := load(t, walkthrough)
	var waits int
	res := run(t, srv, spec, yaml, func(o *Options) {
		o.Progress = func(e Event) {
			if e.Type == "StateEntered" && e.State == workflow.StateWaitForLogs {
				waits++
			}
		}
	})
	if res.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s %s", res.Status, res.Error, res.Cause)
	}
	if waits == 0 {
		t.Error("the archive never waited for the late logs")
	}
	s := summary(t, srv, res)
	if !s.Logs.Complete || s.Logs.Records == 0 {
		t.Errorf("logs = %+v, want complete", s.Logs)
	}
	assertClean(t, srv, spec)
}

// 9. A second run of the same GameDay while one is running is refused in
// preflight, having started nothing.
func TestScenarioSecondRunRefused(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	// An hour-long fault (30 s at the scenarios' speed): the second run's
	// interpreter must load (10 s on a loaded machine) while it runs.
	spec, yaml := hourLong(t)
	running := make(chan struct{})
	var once sync.Once
	var first *Result
	var firstErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		first, firstErr = Run(context.Background(), Options{Spec: spec, SpecYAML: yaml, Sim: srv, ExecutionName: "first", Progress: func(e Event) {
			if e.Type == "StateExited" && e.State == "PollExperiment" && e.Run != nil && e.Run.Poll != nil && e.Run.Poll.State == gameday.StateRunning {
				once.Do(func() { close(running) })
			}
		}})
	}()
	select {
	case <-running:
	case <-done:
		t.Fatalf("the first run ended before its experiment ran: %v %+v", firstErr, first)
	}
	second := run(t, srv, spec, yaml, func(o *Options) { o.ExecutionName = "second" })
	<-done
	if firstErr != nil || first.Status != "SUCCEEDED" {
		t.Fatalf("first run: %v %+v", firstErr, first)
	}
	if second.Status != "FAILED" || second.Error != gameday.ErrNamePreflightFailed {
		t.Fatalf("second run %s %s, want FAILED with %s", second.Status, second.Error, gameday.ErrNamePreflightFailed)
	}
	if !strings.Contains(second.Cause, first.Final.Start.ExperimentID) {
		t.Errorf("the refusal does not name the running experiment %s: %s", first.Final.Start.ExperimentID, second.Cause)
	}
	if got := experiments(t, srv); len(got) != 1 {
		t.Errorf("experiments = %v, want only the first run's", got)
	}
	if second.Final != nil && second.Final.Start != nil {
		t.Errorf("the second run started something: %+v", second.Final.Start)
	}
	assertClean(t, srv, spec)
}

// 10. An invalid GameDay fails before anything is created, even when it
// reaches the state machine without the CLI's validation.
func TestScenarioInvalidGameDay(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, walkthrough)
	bad := *spec
	bad.Spec.Faults = append([]gameday.Fault(nil), spec.Spec.Faults...)
	cr := *bad.Spec.Faults[0].ChaosMesh
	cr.Spec = map[string]any{"action": "delay", "mode": "one", "selectr": map[string]any{"namespaces": []any{"sock-shop"}}, "duration": "180s"}
	bad.Spec.Faults[0].ChaosMesh = &cr
	res := run(t, srv, &bad, yaml, nil)
	if res.Status != "FAILED" || res.Error != gameday.ErrNameInvalidGameDay {
		t.Fatalf("execution %s %s, want FAILED with %s", res.Status, res.Error, gameday.ErrNameInvalidGameDay)
	}
	if !strings.Contains(res.Cause, "selectr") {
		t.Errorf("the cause does not point at the typo: %s", res.Cause)
	}
	if got := experiments(t, srv); len(got) != 0 {
		t.Errorf("experiments = %v, want none", got)
	}
	tmpl, err := fis.NewFromConfig(AWSConfig(srv)).ListExperimentTemplates(context.Background(), &fis.ListExperimentTemplatesInput{})
	if err != nil || len(tmpl.ExperimentTemplates) != 0 {
		t.Errorf("templates = %v (%v), want none", tmpl, err)
	}
	alarms, err := cloudwatch.NewFromConfig(AWSConfig(srv)).DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{})
	if err != nil || len(alarms.MetricAlarms) != 0 {
		t.Errorf("alarms = %v (%v), want none", alarms, err)
	}
}

// invokeFunc is a lambda.Handler from a function, for wrapping handlers.
type invokeFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f invokeFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// crashesOnCall wraps h so that its nth invocation fails as a Lambda whose
// runtime exited (Runtime.ExitError, with msg), and every other one runs h.
func crashesOnCall(h lambda.Handler, nth int, msg string) lambda.Handler {
	var mu sync.Mutex
	calls := 0
	return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == nth {
			return nil, messages.InvokeResponse_Error{Type: "Runtime.ExitError", Message: msg}
		}
		return h.Invoke(ctx, payload)
	})
}

// The interpreter dies mid-run (a crash, an OOM kill): the run reports it
// and the guard still stops the experiment.
func TestScenarioInterpreterDies(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := load(t, walkthrough)
	var runner *os.Process
	var once sync.Once
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := Run(ctx, Options{Spec: spec, SpecYAML: yaml, Sim: srv,
		runnerStarted: func(p *os.Process) { runner = p },
		Progress: func(e Event) {
			if e.Type == "StateExited" && e.State == "PollExperiment" && e.Run != nil && e.Run.Poll != nil && e.Run.Poll.State == gameday.StateRunning {
				once.Do(func() { _ = runner.Kill() })
			}
		}})
	if err == nil {
		t.Fatal("Run returned no error although the interpreter died")
	}
	if res == nil || res.Status != "FAILED" || !res.GuardInvoked {
		t.Fatalf("result %+v, want FAILED with the guard invoked", res)
	}
	waitIdle(t, srv)
	assertClean(t, srv, spec)
}
