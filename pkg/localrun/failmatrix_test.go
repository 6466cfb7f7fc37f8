package localrun

// The failure-injection matrix: one fault per run, through the real
// workflow definition in the interpreter, the real handlers and the
// simulator, and after each run the product's promises checked: the
// execution ends, no experiment is left running (none left for the guard
// to find still running once the run is over; none that ran its course
// after the run had lost sight of it), nothing left that a clean run
// removes (assertClean), and no "passed" (exit code 0, or a summary saying
// passed) unless the fault was absorbed and the run is what an unfailed
// run that passes is.
//
// TestFailureMatrix injects in the Lambdas (Options.Wrap), at the first, a
// middle and the last invocation that matter, each failure mode;
// TestAWSFailureMatrix fails AWS calls in a proxy in front of the
// simulator (an error answer, a reset connection, no answer) on every
// attempt of one call, once, which must not fail the run either. Cost:
// the runs go at 1200x (the archive's at the suite's 120x),
// matrixConcurrency at a time; a run whose fault is absorbed lasts
// the whole experiment (an hour: 3 s), one that fails early a second or
// two; the two matrices take a few minutes on two CPUs.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// matrixSpeed is the matrix's clock, ten times the suite's, so that a run
// takes seconds: a clean run of matrixSpec goes at it as at 120x (the same
// verdict, the alarm wait, the archive's waits for the logs and the after
// window). The execution and experiment timeouts are set far above what a
// run needs, so that a loaded machine, which spends simulated time fast,
// changes no outcome.
const matrixSpeed = 1200

// matrixSpec is the walkthrough (a stop-condition alarm, three checks)
// with an hour-long fault: a fault left running outlives its run by far,
// where the walkthrough's three minutes (0.15 s here) would end by
// themselves before anyone could tell.
func matrixSpec(t *testing.T) (*gameday.Spec, string) {
	t.Helper()
	data, err := os.ReadFile(walkthrough)
	if err != nil {
		t.Fatal(err)
	}
	yaml := strings.NewReplacer("duration: 180s", "duration: 3600s", "maxDuration: 5m", "maxDuration: 70m", "experiment: 20m", "experiment: 3h").Replace(string(data))
	if yaml == string(data) {
		t.Fatal("the walkthrough changed: matrixSpec no longer lengthens its fault")
	}
	spec, err := validate.File(walkthrough, []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return spec, yaml
}

// matrixConcurrency is how many runs of a matrix go at once: a run waits
// on its simulated clock much of the time, so that more runs than
// go test's -parallel (the number of CPUs) keep two CPUs busy.
const matrixConcurrency = 4

// inParallel runs one subtest per case, named by name, matrixConcurrency
// at a time (t.Run may be called from several goroutines), the slow ones
// (which wait on the suite's slower clock) first, so that the quick ones
// fill the CPUs meanwhile.
func inParallel[C any](t *testing.T, cases []C, name func(C) string, slow func(C) bool, f func(*testing.T, C)) {
	t.Helper()
	cases = slices.Clone(cases)
	slices.SortStableFunc(cases, func(a, b C) int {
		switch {
		case slow(a) && !slow(b):
			return -1
		case slow(b) && !slow(a):
			return 1
		}
		return 0
	})
	sem := make(chan struct{}, matrixConcurrency)
	var wg sync.WaitGroup
	for _, c := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t.Run(name(c), func(t *testing.T) { f(t, c) })
		}()
	}
	wg.Wait()
}

// mode is how an injected Lambda fails.
type mode string

const (
	// errorBefore returns an error before doing anything.
	errorBefore mode = "error-before"
	// panics panics before doing anything (escaping the step's own recover,
	// as a crash of the runtime would).
	panics mode = "panic"
	// errorAfter does its work (its AWS calls happen) and then fails as a
	// Lambda that timed out: Retry or Catch see a failure for work done.
	errorAfter mode = "after-side-effect"
	// hangs never answers: the Task's timeout (shortened to hangTimeout)
	// ends the wait.
	hangs mode = "hang"
	// late does its work and answers once the execution has ended (its
	// Task timed out): a Lambda that outlived its Task, its work landing
	// after the run's own cleanup.
	late mode = "late"
	// lostResponse does its work, and Lambda loses the answer
	// (Lambda.ServiceException, which every Task retries).
	lostResponse mode = "lost-response"
)

// hangTimeout is every Task's timeout in the hang cases (in AWS, 900 s of
// wall time, which the interpreter enforces in wall time too).
const hangTimeout = 2 * time.Second

// occasion is which invocation of a function a case fails.
type occasion string

const (
	first  occasion = "first"
	middle occasion = "middle" // the second, of a function invoked three times or more
	// last is the invocation after which the function has nothing left to
	// do: the preflight that lets the run start, the poll that sees the
	// experiment ended, the stop that confirms it, the archive that
	// answers complete. Only its answer tells which it is (when the
	// experiment ends, when the alarms leave INSUFFICIENT_DATA, when the
	// archive has what it waits for depend on how fast the machine is), so
	// it fails only after its work (errorAfter, lostResponse). Failing
	// before the work there is failing a read (poll), the stop of an ended
	// experiment or a retry of an idempotent step, each covered by the
	// earlier invocations' cases.
	last occasion = "last"
)

// matrixRun is one run of the matrix, with what its injection saw.
type matrixRun struct {
	srv  *sim.Server
	spec *gameday.Spec
	res  *Result
	err  error
	took time.Duration

	mu sync.Mutex
	// fired says the injection happened; activeAtFire that an experiment
	// was running then.
	fired, activeAtFire bool
	// lateWork counts the Lambdas that work on after their Task; ended is
	// closed when the execution has ended.
	lateWork sync.WaitGroup
	ended    chan struct{}
}

func (m *matrixRun) fire() {
	active := len(m.srv.ActiveExperiments()) > 0
	m.mu.Lock()
	m.fired, m.activeAtFire = true, m.activeAtFire || active
	m.mu.Unlock()
}

func (m *matrixRun) injected() (fired, active bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fired, m.activeAtFire
}

// runMatrix runs spec on a new simulator with o's tweaks and waits for it.
func runMatrix(t *testing.T, simOpts sim.Options, spec *gameday.Spec, yaml string, m *matrixRun, tweak func(*Options)) {
	t.Helper()
	if simOpts.Speed == 0 {
		simOpts.Speed = matrixSpeed
	}
	m.srv, m.spec, m.ended = startSim(t, simOpts), spec, make(chan struct{})
	// The execution's timeout is simulated time, which a loaded machine
	// spends fast: far above what a run needs, so that no case times out
	// for want of CPU (TestScenarioExecutionTimedOut tests that timeout).
	o := Options{Spec: spec, SpecYAML: yaml, Sim: m.srv, executionTimeout: 48 * time.Hour,
		afterEnd: func(*Result) { close(m.ended) }}
	if tweak != nil {
		tweak(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	began := time.Now()
	m.res, m.err = Run(ctx, o)
	m.took = time.Since(began)
	if ctx.Err() != nil {
		t.Fatalf("the run did not end within 3 minutes (it hangs): %v", m.err)
	}
	if m.res == nil {
		t.Fatalf("Run: %v", m.err)
	}
}

// checkInvariants checks what every run of the matrix must leave.
func checkInvariants(t *testing.T, m *matrixRun) {
	t.Helper()
	res := m.res
	fired, activeAtFire := m.injected()
	if !fired {
		t.Fatalf("the fault was never injected (status %s, invocations %v)", res.Status, res.Invocations)
	}
	lateDone := make(chan struct{})
	go func() { m.lateWork.Wait(); close(lateDone) }()
	select {
	case <-lateDone:
	case <-time.After(time.Minute):
		t.Fatal("a Lambda working on after its Task did not end within a minute")
	}
	// No experiment runs on once the run is over: the workflow's cleanup
	// or, after it, the guard has stopped it (stopping is a stop asked for).
	fisc := fis.NewFromConfig(AWSConfig(m.srv))
	ids := experiments(t, m.srv)
	states := map[string]string{}
	for _, id := range ids {
		out, err := fisc.GetExperiment(context.Background(), &fis.GetExperimentInput{Id: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		st := string(out.Experiment.State.Status)
		states[id] = st
		switch st {
		case "pending", "initiating", "running":
			t.Errorf("experiment %s is %s after the run ended (status %s): left running unwatched", id, st, res.Status)
		}
	}
	waitIdle(t, m.srv)
	// One the run lost sight of while it ran must have been stopped, not
	// left to run its course.
	for _, id := range ids {
		st := experimentStatus(t, m.srv, id)
		if activeAtFire && res.Status != "SUCCEEDED" && st == "completed" {
			t.Errorf("experiment %s ran its course (an hour) after the run failed while it ran (%s %s): nobody stopped it", id, res.Status, res.Error)
		}
	}
	// A lease the run could not give back (its notify step failed) is the
	// sweeper's to free, on its schedule: wait for its next sweep.
	swept := m.srv.Lambda().Invocations()[FunctionPrefix+string(deploy.Sweeper)]
	waitFor(t, time.Minute, "a sweep after the run", func() bool {
		return m.srv.Lambda().Invocations()[FunctionPrefix+string(deploy.Sweeper)] > swept+1
	})
	assertLeft(t, m.srv, m.spec, false)
	tmpl, err := fisc.ListExperimentTemplates(context.Background(), &fis.ListExperimentTemplatesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tmpl.ExperimentTemplates); n > 1 {
		t.Errorf("%d experiment templates, want at most the one a clean run leaves", n)
	}

	code := exitCode(res)
	verdict := ""
	if res.Final != nil && res.Final.Archive != nil {
		verdict = res.Final.Archive.Verdict
	}
	switch {
	case code == report.ExitPassed:
		// Passed only as an unfailed run passes, the fault absorbed: its
		// one experiment ran its course, and the summary shows what the
		// verdict of an unfailed run is computed from.
		if len(ids) != 1 || states[ids[0]] != "completed" {
			t.Errorf("exit code 0 (passed) with experiments %v: not one experiment run to its end", states)
		}
		checkPassed(t, m.srv, res.Archive, m.spec)
	case verdict == report.VerdictPassed:
		t.Errorf("the run ended %s (exit %d) but its summary says passed: %+v", res.Status, code, res.Final.Archive)
	}
	// What the archive holds, read as the CLI and the report read it.
	for key, v := range archivedVerdicts(t, m.srv) {
		if v == report.VerdictPassed && code != report.ExitPassed {
			t.Errorf("the run ended %s (exit %d) but the archive's %s says passed", res.Status, code, key)
		}
	}
	switch {
	case res.Status != "SUCCEEDED" && res.Error == "" && m.err == nil:
		t.Errorf("the run ended %s with no error to tell the user why", res.Status)
	}
	reason := ""
	if res.Final != nil && res.Final.Archive != nil {
		reason = res.Final.Archive.VerdictReason
	}
	t.Logf("%s: %s %s (exit %d, verdict %q: %s), experiments %v, guard %v, run error %v, %s", t.Name(),
		res.Status, res.Error, code, verdict, reason, states, res.GuardInvoked, m.err, m.took.Round(time.Millisecond))
}

// lambdaCase fails fn's invocation at as mode.
type lambdaCase struct {
	fn   deploy.Function
	at   occasion
	mode mode
}

func (c lambdaCase) name() string { return fmt.Sprintf("%s/%s/%s", c.fn, c.at, c.mode) }

// slow says whether the case runs at the suite's speed, not the matrix's
// (at which a second of wall time is 20 simulated minutes):
//   - a Task's timeout, wall time, lies between the fault and what ends
//     it, and an hour-long experiment would end by itself before a run
//     that gave up on a stop step could have stopped it;
//   - the archive runs once the experiment has ended and answers pending
//     until the report's after window (10 minutes) has passed: at the
//     suite's speed, 5 s, in which a loaded machine still invokes it
//     several times (at the matrix's, half a second, in which it may
//     invoke it once); its cases run the walkthrough as it is.
func (c lambdaCase) slow() bool {
	return c.mode == hangs || c.mode == late || c.fn == deploy.Archive
}

// onlyAfterFailure are the functions a run invokes only once it has failed:
// their cases add a first fault (the first poll fails) to reach them.
var onlyAfterFailure = map[deploy.Function]bool{deploy.StopExperiment: true, deploy.Guard: true}

// lambdaCases is the matrix of Lambda faults. Per function, the
// occasions that differ: the start and notify steps run once in a run, the
// guard once after a failed one (first is last); preflight and stop once
// or a few times (no middle); the sweeper is not in the matrix (below).
func lambdaCases() []lambdaCase {
	occasions := map[deploy.Function][]occasion{
		deploy.Preflight:       {first, last},
		deploy.StartExperiment: {first},
		deploy.PollExperiment:  {first, middle, last},
		deploy.Archive:         {first, middle, last},
		deploy.Notify:          {first},
		deploy.StopExperiment:  {first, last},
		deploy.Guard:           {first},
	}
	var cases []lambdaCase
	for _, fn := range deploy.Functions {
		for _, at := range occasions[fn] {
			for _, md := range []mode{errorBefore, panics, errorAfter} {
				if at == last && md != errorAfter {
					continue // known only from its answer
				}
				cases = append(cases, lambdaCase{fn, at, md})
			}
		}
	}
	// A Lambda that never answers, once per Task, at its first invocation
	// (the Task's timeout is what differs from the other modes).
	for _, fn := range []deploy.Function{deploy.Preflight, deploy.StartExperiment, deploy.PollExperiment, deploy.StopExperiment, deploy.Archive, deploy.Notify} {
		cases = append(cases, lambdaCase{fn, first, hangs})
	}
	// One that answers late, its work done after its Task gave up on it,
	// where that work outlasts the run: the lease taken, the experiment
	// started, the archive written (poll and stop only read or stop).
	for _, fn := range []deploy.Function{deploy.Preflight, deploy.StartExperiment, deploy.Archive} {
		cases = append(cases, lambdaCase{fn, first, late})
	}
	// Work done and the answer lost, which the Tasks' retry of Lambda's
	// service errors runs again: each step at its first invocation, and at
	// the last where the last does most (the lease kept, the archive
	// written). TestScenarioStartRetried covers the start step.
	return append(cases,
		lambdaCase{deploy.Preflight, first, lostResponse}, lambdaCase{deploy.Preflight, last, lostResponse},
		lambdaCase{deploy.PollExperiment, first, lostResponse}, lambdaCase{deploy.StopExperiment, first, lostResponse},
		lambdaCase{deploy.Archive, last, lostResponse}, lambdaCase{deploy.Notify, first, lostResponse})
}

// TestFailureMatrix fails each Lambda a run invokes at each invocation that
// matters, each way, and checks the invariants. Not in it: the sweeper,
// which the workflow never invokes (EventBridge Scheduler runs it, and a
// local run after the guard): it is the backstop when the guard fails
// (TestScenarioGuardFails); a failure of its own stops nothing a run left.
// A hang is tried at each Task's first invocation only: every Task has
// the same timeout and the same Catch for it.
func TestFailureMatrix(t *testing.T) {
	needNode(t)
	during, duringYAML := matrixSpec(t)
	after, afterYAML := load(t, walkthrough)
	inParallel(t, lambdaCases(), lambdaCase.name, lambdaCase.slow, func(t *testing.T, c lambdaCase) {
		m := &matrixRun{}
		spec, yaml, simOpts := during, duringYAML, sim.Options{}
		if c.slow() {
			simOpts.Speed = speed
		}
		if c.fn == deploy.Archive {
			spec, yaml = after, afterYAML
		}
		if c.fn == deploy.StopExperiment {
			// Stopping takes a while: the stop step is invoked until it
			// confirms the experiment ended.
			simOpts.FISStopDelay = 5 * time.Minute
		}
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		runMatrix(t, simOpts, spec, yaml, m, func(o *Options) {
			if c.mode == hangs || c.mode == late {
				o.taskTimeout = hangTimeout
			}
			o.Wrap = func(fn deploy.Function, h lambda.Handler) lambda.Handler {
				if onlyAfterFailure[c.fn] && fn == deploy.PollExperiment {
					h = crashesOnCall(h, 1, "simulated poll crash (the first fault)")
				}
				if fn != c.fn {
					return h
				}
				return c.inject(m, h, release)
			}
		})
		checkInvariants(t, m)
	})
}

// inject wraps h so that the invocation c picks fails as c.mode; every
// other runs h.
func (c lambdaCase) inject(m *matrixRun, h lambda.Handler, release <-chan struct{}) lambda.Handler {
	var mu sync.Mutex
	calls, done := 0, false
	// pick says whether this invocation is the one, once.
	pick := func(ok bool) bool {
		mu.Lock()
		defer mu.Unlock()
		if done || !ok {
			return false
		}
		done = true
		m.fire()
		return true
	}
	return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if c.at == last {
			// Known from the answer: the work done, the answer final.
			out, err := h.Invoke(ctx, payload)
			if !pick(err == nil && final(c.fn, out)) {
				return out, err
			}
			if c.mode == lostResponse {
				return nil, serviceError()
			}
			return nil, timedOut()
		}
		if !pick(n == 1 && c.at == first || n == 2 && c.at == middle) {
			return h.Invoke(ctx, payload)
		}
		switch c.mode {
		case errorBefore:
			return nil, messages.InvokeResponse_Error{Type: gameday.ErrNameInternal, Message: "injected: failed before doing anything"}
		case panics:
			panic("injected panic")
		case hangs:
			<-release // the Task times out meanwhile; Lambda's own timeout then ends it
			return nil, timedOut()
		case late:
			m.lateWork.Add(1)
			defer m.lateWork.Done()
			select {
			case <-m.ended:
			case <-release:
				return nil, timedOut()
			}
			return h.Invoke(ctx, payload)
		}
		out, err := h.Invoke(ctx, payload)
		if err != nil {
			return out, err
		}
		if c.mode == lostResponse {
			return nil, serviceError()
		}
		return nil, timedOut()
	})
}

// final says whether a successful answer of fn leaves it nothing more to
// do in the run: the poll that saw the experiment ended, the archive that
// is not pending (a preflight, a stop answer only when they are done: the
// waits are errors the state machine retries).
func final(fn deploy.Function, out []byte) bool {
	switch fn {
	case deploy.PollExperiment:
		return strings.Contains(string(out), `"terminal":true`)
	case deploy.Archive:
		return !strings.Contains(string(out), `"pending"`)
	}
	return true
}

// serviceError is Lambda's answer when it lost the function's.
func serviceError() error {
	return messages.InvokeResponse_Error{Type: "Lambda.ServiceException", Message: "simulated service error after the function ran"}
}

// timedOut is Lambda's answer for a function that hit its timeout.
func timedOut() error {
	return messages.InvokeResponse_Error{Type: "Sandbox.Timedout", Message: "Task timed out after 60.00 seconds (injected after the function did its work)"}
}

// awsCase fails the calls nth to nth+sdkAttempts-1 of one AWS operation
// the handlers make: past the SDK's own retries, so that the step sees the
// error (its Retry or Catch decides).
type awsCase struct {
	op    string // "service:Operation", the service by its signing name
	nth   int
	fault awsFault
	// afterFailure: the operation is called only once the run has failed
	// (the first poll fails first); staleTemplate: only when a template of
	// an older spec exists (one is created first).
	afterFailure, staleTemplate bool
}

// slow says whether the case runs at the suite's speed, not the matrix's:
// seconds of wall time lie between a failed call made while the experiment
// may run (FIS's, the start's DescribeExecution) and the stop or the look
// that follows, and at the matrix's speed (a second is 20 simulated
// minutes) an hour-long experiment would end by itself meanwhile. Those
// seconds are the SDK's backoff after throttling (a random part of 1 s,
// then of 2 s; after another error, of 50 ms and 100 ms: those cases go
// at the matrix's speed) or the hung attempts' waits (matrixAWSWait each).
func (c awsCase) slow() bool {
	whileRunning := strings.HasPrefix(c.op, "fis:") && !strings.Contains(c.op, "Template") || c.op == "states:DescribeExecution"
	return whileRunning && (c.fault == faultThrottled || c.fault == faultHang)
}

func (c awsCase) name() string {
	return fmt.Sprintf("%s/call-%d/%s", strings.Replace(c.op, ":", "-", 1), c.nth, c.fault)
}

// awsCases is the matrix of AWS faults: every write a run makes, failing
// with a 500 and reset after the service did the work (its answer lost),
// most also throttled; the reads it bases decisions on, throttled and
// failing (a reset of a read is a failed read: tried on GetExperiment,
// DescribeExecution and GetObject). A hang (no answer) is tried on the
// poll and the stop, whose wait decides how long a fault runs unwatched,
// and on at least one call of each other step.
// GetExperiment is failed at the first poll and a middle one; the others
// at their first call (most are made once a run). Not in it: DynamoDB's
// GetItem, which a run makes only when a conditional PutItem fails without
// returning the lease's holder (DynamoDB, and the simulator, return it;
// pkg/lease's tests cover the read).
func awsCases() []awsCase {
	all := []awsFault{faultThrottled, faultInternal, faultReset}
	reads := []awsFault{faultThrottled, faultInternal}
	hang := []awsFault{faultHang}
	// For calls whose error answers awserr classifies as any other call's:
	// one error answer (a 500), a reset and a hang; for reads, no error
	// answer.
	internalResetHang, resetHang := []awsFault{faultInternal, faultReset, faultHang}, []awsFault{faultReset, faultHang}
	var cases []awsCase
	add := func(op string, nth int, afterFailure, stale bool, faults ...[]awsFault) {
		for _, f := range slices.Concat(faults...) {
			cases = append(cases, awsCase{op: op, nth: nth, fault: f, afterFailure: afterFailure, staleTemplate: stale})
		}
	}
	add("monitoring:PutMetricAlarm", 1, false, false, all, hang)
	add("monitoring:DescribeAlarms", 1, false, false, reads)
	add("dynamodb:PutItem", 1, false, false, all, hang) // preflight takes the lease
	add("dynamodb:DeleteItem", 1, false, false, all)    // notify gives it back
	add("fis:CreateExperimentTemplate", 1, false, false, all, hang)
	add("fis:UpdateExperimentTemplate", 1, false, true, all)
	add("fis:StartExperiment", 1, false, false, all)
	add("states:DescribeExecution", 1, false, false, resetHang) // the start's check
	add("fis:GetExperiment", 1, false, false, reads)
	add("fis:GetExperiment", 5, false, false, reads, resetHang)
	add("fis:StopExperiment", 1, true, false, all, hang)
	add("s3:ListObjectsV2", 1, false, false, reads)
	add("s3:GetObject", 1, false, false, resetHang) // the archive reads the logs
	add("s3:CopyObject", 1, false, false, internalResetHang)
	add("s3:PutObject", 1, false, false, all, hang)
	add("sns:Publish", 1, false, false, internalResetHang)
	add("events:PutEvents", 1, false, false, internalResetHang)
	return cases
}

// matrixAWSWait is the handlers' bound on a wait for AWS in the hang cases
// (deploy.AWSWait in Lambda, 10 s), so that a hung call costs seconds. Only
// there, and not shorter: on a loaded machine the simulator may take a
// few hundred milliseconds to answer (at 250 ms, GetMetricData timed out
// three times in a row and failed a run).
const matrixAWSWait = time.Second

// TestAWSFailureMatrix fails AWS calls of the handlers, in a proxy in front
// of the simulator, and checks the invariants, and that the fault, one
// call's attempts, was absorbed.
func TestAWSFailureMatrix(t *testing.T) {
	needNode(t)
	spec, yaml := matrixSpec(t)
	inParallel(t, awsCases(), awsCase.name, awsCase.slow, func(t *testing.T, c awsCase) {
		m := &matrixRun{}
		simOpts := sim.Options{}
		if c.slow() {
			simOpts.Speed = speed
		}
		runMatrix(t, simOpts, spec, yaml, m, func(o *Options) {
			p := newFaultProxy(t, m.srv.URL(), c.op, c.nth, sdkAttempts, c.fault)
			p.onFail = m.fire
			o.handlerEndpoint = p.URL()
			if c.fault == faultHang {
				o.awsWait = matrixAWSWait
			}
			if c.afterFailure {
				o.Wrap = func(fn deploy.Function, h lambda.Handler) lambda.Handler {
					if fn == deploy.PollExperiment {
						return crashesOnCall(h, 1, "simulated poll crash (the first fault)")
					}
					return h
				}
			}
			if c.staleTemplate {
				seedStaleTemplate(t, m.srv, spec)
			}
		})
		checkInvariants(t, m)
		// One call failed past the SDK's retries, once, is what a step's
		// Retry is for: it does not fail the run, unless another fault did.
		// (Its verdict is the metrics': on a starved machine the simulator
		// may publish too few for a check, and the run is inconclusive.)
		if !c.afterFailure && m.res.Status != "SUCCEEDED" {
			t.Errorf("one call failed, once, failed the run: %s %s (exit %d)", m.res.Status, m.res.Error, exitCode(m.res))
		}
	})
}

// seedStaleTemplate creates the GameDay's template as an older version of
// its spec left it (another digest), which the start step then updates.
func seedStaleTemplate(t *testing.T, srv *sim.Server, spec *gameday.Spec) {
	t.Helper()
	in, err := fistemplate.Render(spec, fistemplate.FromEnv(deploy.StartExperiment, Env(srv), srv.Region()))
	if err != nil {
		t.Fatal(err)
	}
	in.Tags[deploy.TagDigest] = "an-older-spec"
	in.Tags[deploy.TagStateMachine] = stateMachineARN(srv)
	if _, err := fis.NewFromConfig(AWSConfig(srv)).CreateExperimentTemplate(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// archivedVerdicts are the verdicts of the summaries in the simulator's
// archive bucket, by key.
func archivedVerdicts(t *testing.T, srv *sim.Server) map[string]string {
	t.Helper()
	client := s3.NewFromConfig(AWSConfig(srv), func(o *s3.Options) { o.UsePathStyle = true })
	bucket := archiveBucket(srv)
	out := map[string]string{}
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list the archive: %v", err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if !strings.HasSuffix(key, "/summary.json") {
				continue
			}
			got, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("get %s: %v", key, err)
			}
			var sum report.Summary
			err = json.NewDecoder(got.Body).Decode(&sum)
			got.Body.Close()
			if err != nil {
				t.Fatalf("decode %s: %v", key, err)
			}
			out[key] = sum.Verdict
		}
	}
	return out
}

// checkPassed checks that the archive a run that exited 0 names says what
// an unfailed run's says when it passes: the experiment and every fault
// completed, the whole log archived, every check of every phase held, no
// stop condition in alarm and no error caught.
func checkPassed(t *testing.T, srv *sim.Server, a *gameday.ArchiveResult, spec *gameday.Spec) {
	t.Helper()
	if a == nil {
		t.Fatal("exit code 0 with no archive")
	}
	s := summary(t, srv, &Result{Archive: a})
	if s.State != gameday.StateCompleted || s.Verdict != report.VerdictPassed || s.Error != nil || !s.Logs.Complete || s.Logs.Records == 0 {
		t.Errorf("exit code 0 with summary state %s, verdict %s, error %+v, logs %+v", s.State, s.Verdict, s.Error, s.Logs)
	}
	if len(s.Faults) != len(spec.Spec.Faults) {
		t.Errorf("exit code 0 with faults %+v, want %d", s.Faults, len(spec.Spec.Faults))
	}
	for _, f := range s.Faults {
		if f.State != gameday.StateCompleted {
			t.Errorf("exit code 0 with fault %s %s", f.Name, f.State)
		}
	}
	if s.Hypothesis.Verdict != "held" || len(s.Hypothesis.Checks) == 0 {
		t.Errorf("exit code 0 with hypothesis %s, %d checks", s.Hypothesis.Verdict, len(s.Hypothesis.Checks))
	}
	for _, c := range s.Hypothesis.Checks {
		if c.Result != "held" {
			t.Errorf("exit code 0 with check %+v", c)
		}
	}
	for _, sc := range s.StopConditions {
		if sc.WentIntoAlarm {
			t.Errorf("exit code 0 with stop condition %s in alarm", sc.Alarm)
		}
	}
}
