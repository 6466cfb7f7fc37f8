// Package localrun runs a whole GameDay on this machine, with no AWS
// account: the state machine definition that the CDK stack deploys runs in
// a real third-party States Language interpreter (npm aws-local-stepfunctions,
// driven by runner.mjs), whose Tasks invoke the same Lambda handlers as in
// AWS through the Lambda Invoke API of the embedded simulator, which also
// plays every service they call (FIS, CloudWatch, S3, DynamoDB, SNS,
// EventBridge, Step Functions). Only endpoints differ from a run in AWS.
package localrun

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gameday-dev/gameday/pkg/awsenv"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/handlers"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/interpreter"
	"github.com/gameday-dev/gameday/pkg/lease"
	"github.com/gameday-dev/gameday/pkg/policy"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/sfnsim"
	"github.com/gameday-dev/gameday/pkg/sweeper"
	"github.com/gameday-dev/gameday/pkg/validate"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

//go:embed runner.mjs
var runnerJS []byte

// FunctionPrefix names the local Lambda functions: gameday-preflight, ...
const FunctionPrefix = "gameday-"

// Options configure a local run.
type Options struct {
	// Spec is the validated GameDay; SpecYAML its file text, archived as spec.yaml.
	Spec     *gameday.Spec
	SpecYAML string
	// Sim is the simulator to run against. When nil, Run starts one with
	// SimOptions and closes it at the end.
	Sim        *sim.Server
	SimOptions sim.Options
	// ExecutionName names the Step Functions execution; default
	// <gameday>-<UTC start>.
	ExecutionName string
	// Source says what started the run (RunInput.Source); default local.
	Source string
	// Policy is the deployment's policy that preflight judges the GameDay
	// against, given to it as the stack gives it in AWS (its environment);
	// nil: none.
	Policy *policy.Policy
	// NodeModules is the folder holding aws-local-stepfunctions; default:
	// the install interpreter.Find finds (a checkout's, or the user cache's).
	NodeModules string
	// Node is the node binary; default node on PATH.
	Node string
	// Progress receives every event of the run (may be nil).
	Progress func(Event)
	// ArchiveLocation is where the caller keeps the archive after the run
	// (run --local: the --out folder it downloads into), for the report
	// to name, as the stack's ARCHIVE_LOCATION; empty: the simulator's
	// bucket.
	ArchiveLocation string
	// Wrap, when set, wraps each Lambda handler (tests inject faults with it).
	Wrap func(fn deploy.Function, h lambda.Handler) lambda.Handler

	// runnerStarted, in tests, gets the interpreter's process.
	runnerStarted func(*os.Process)
	// rawInput, in tests, is the execution input as a caller typed it,
	// sent instead of the RunInput built from Spec.
	rawInput json.RawMessage
	// executionTimeout, in tests, replaces the definition's execution
	// timeout (which is at least an hour).
	executionTimeout time.Duration
	// afterEnd, in tests, runs when the execution has ended, before the
	// guard.
	afterEnd func(*Result)
	// handlerEndpoint, in tests, is the AWS endpoint the handlers call in
	// place of the simulator's URL (a fault-injecting proxy in front of
	// it), as Lambda's would be another endpoint: only the endpoint differs.
	handlerEndpoint string
	// awsWait, in tests, replaces deploy.AWSWait, the handlers' bound on
	// each wait for AWS (awsenv.HTTPClient), to fit a faster clock.
	awsWait time.Duration
	// taskTimeout, in tests, replaces every Task's TimeoutSeconds (Lambda's
	// longest timeout, 15 minutes of wall time), so that a Lambda that
	// never answers times its Task out within a test.
	taskTimeout time.Duration
}

// Event is one step of a run, for progress displays.
type Event struct {
	// Time is on the simulator's clock.
	Time time.Time
	// Type is the interpreter's event type: ExecutionStarted, StateEntered,
	// StateExited, StateFailed, StateRetried, StateCaught, End.
	Type string
	// State is the state's name; for End, the execution's status.
	State string
	// StateType is the state's ASL type (Task, Pass, Choice, Wait, ...).
	StateType string
	// Run is the state document after the state (StateExited), when known.
	Run *gameday.RunState
	// Error and Cause are set for failures (Error also for the retrier or
	// catcher that matched); Next is where a catch goes.
	Error, Cause string
	Next         string
}

// Result is the outcome of a local run.
type Result struct {
	ExecutionARN string
	// Status is the execution's: SUCCEEDED, FAILED, ABORTED or TIMED_OUT.
	Status       string
	Error, Cause string
	// Final is the last state document the interpreter showed.
	Final *gameday.RunState
	// Transitions counts the states entered; Invocations the Lambda calls
	// the simulator has served so far.
	Transitions int
	Invocations map[string]int
	// GuardInvoked says the guard got the execution's status change event
	// (the execution ended without success) and stopped what it left running.
	GuardInvoked bool
	// Archive is the run's archive in the simulator's S3, if one was written.
	Archive *gameday.ArchiveResult
}

// Buckets and role of the simulated account, named as the CDK stack names
// its own.
func logBucket(srv *sim.Server) string {
	return "gameday-fis-logs-" + srv.Account() + "-" + srv.Region()
}
func archiveBucket(srv *sim.Server) string {
	return "gameday-archive-" + srv.Account() + "-" + srv.Region()
}

// topicName is the local notification topic, as the stack has its own.
const topicName = "gameday-notifications"

// leaseTable is the local run lease table, as the stack has its own.
const leaseTable = "gameday-leases"

// stateMachineName is the local state machine's name: the one the stack
// gives its own (deploy.StateMachineName), for the stack `gameday sim`
// declares (deploy.DefaultStackName).
var stateMachineName = deploy.StateMachineName(deploy.DefaultStackName)

// stateMachineARN is the local state machine's ARN (`gameday sim` serves it).
func stateMachineARN(srv *sim.Server) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", srv.Region(), srv.Account(), stateMachineName)
}

// executionTimeout is the longest execution timeout a local run can have
// (an experiment of FIS's 12 hours plus the workflow's margin): the lease's
// bound, whatever the GameDay.
const executionTimeout = 12*time.Hour + workflow.Margin

// SweepEvery is how often the simulator runs the sweeper, on its clock, as
// the stack's schedule does.
const SweepEvery = sweeper.DefaultEvery

// Env is the environment the local Lambdas get, as infra sets it in AWS.
func Env(srv *sim.Server) deploy.Env {
	return deploy.Env{
		TopicARN:         srv.SNS().TopicARN(topicName),
		FISRoleARN:       "arn:aws:iam::" + srv.Account() + ":role/gameday-fis",
		LogBucket:        logBucket(srv),
		LogPrefix:        deploy.DefaultLogPrefix,
		ArchiveBucket:    archiveBucket(srv),
		AccountID:        srv.Account(),
		Region:           srv.Region(),
		EventBusName:     deploy.DefaultEventBusName,
		LeaseTable:       leaseTable,
		ExecutionTimeout: executionTimeout,
		StateMachineARN:  stateMachineARN(srv),
	}
}

// handlerConfig is the handlers' AWS configuration: cfg, or in tests the
// same with o.handlerEndpoint as its endpoint and o.awsWait as its bound.
func (o Options) handlerConfig(srv *sim.Server, cfg aws.Config) aws.Config {
	if o.handlerEndpoint != "" {
		cfg = awsenv.LoadLocal(srv.Region(), o.handlerEndpoint)
	}
	if o.awsWait > 0 {
		cfg.HTTPClient = awsenv.HTTPClient(o.awsWait)
	}
	return cfg
}

// provision makes the simulator look like a deployed stack: the buckets, the
// topic, the lease table, every function registered (calling AWS with
// hcfg), and the sweeper's schedule running on the simulator's clock.
func provision(ctx context.Context, srv *sim.Server, cfg, hcfg aws.Config, env deploy.Env, wrap func(deploy.Function, lambda.Handler) lambda.Handler) error {
	if err := ensureBuckets(ctx, cfg, logBucket(srv), archiveBucket(srv)); err != nil {
		return err
	}
	if _, err := srv.SNS().CreateTopic(topicName); err != nil {
		return fmt.Errorf("create topic %s: %w", topicName, err)
	}
	if err := lease.CreateTable(ctx, dynamodb.NewFromConfig(cfg), leaseTable); err != nil {
		return err
	}
	if err := registerFunctions(ctx, srv, hcfg, env, wrap); err != nil {
		return err
	}
	srv.Schedule("gameday-sweeper", SweepEvery, FunctionPrefix+string(deploy.Sweeper), []byte(`{"source":"aws.scheduler"}`))
	return nil
}

// Run runs the GameDay through the workflow until the execution ends. A
// cancelled ctx aborts the execution, as an operator pressing Stop would;
// the guard then stops the experiment.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Spec == nil {
		return nil, errors.New("run: no GameDay")
	}
	srv, closeSim, err := o.simulator()
	if err != nil {
		return nil, err
	}
	defer closeSim()
	cfg := AWSConfig(srv)
	env := Env(srv)
	env.ArchiveLocation = o.ArchiveLocation
	if o.Policy != nil {
		js, err := o.Policy.JSON()
		if err != nil {
			return nil, err
		}
		env.Policy = js
	}
	if err := provision(ctx, srv, cfg, o.handlerConfig(srv, cfg), env, o.Wrap); err != nil {
		return nil, err
	}
	def, err := definition(workflow.TimeoutSeconds(o.Spec.ExperimentTimeout()), srv, o.executionTimeout, o.taskTimeout)
	if err != nil {
		return nil, err
	}
	now := srv.Clock().Now()
	ex, inputJSON, err := o.newExecution(srv, def, now)
	if err != nil {
		return nil, err
	}
	// Step Functions knows the execution (its steps ask it whether they
	// still run); under `gameday sim` it knows it already.
	finish := srv.StepFunctions().Track(ex.arn, ex.stateMachineARN, ex.name, string(inputJSON))

	res := &Result{ExecutionARN: ex.arn}
	runErr := interpret(ctx, o, srv, ex, res)
	if runErr != nil && res.Status == "" {
		// The interpreter itself broke: to the guard, a failed execution.
		res.Status, res.Error, res.Cause = "FAILED", "States.Runtime", runErr.Error()
	}
	finish(sfnsim.Result{Status: res.Status, Error: res.Error, Cause: res.Cause})
	if o.afterEnd != nil {
		o.afterEnd(res)
	}
	if res.Status != "SUCCEEDED" {
		err := afterFailure(context.WithoutCancel(ctx), cfg, srv, res, ex, now)
		if err != nil {
			res.Invocations = srv.Lambda().Invocations()
			return res, errors.Join(runErr, err)
		}
	}
	res.Invocations = srv.Lambda().Invocations()
	if runErr != nil {
		return res, runErr
	}
	if res.Final != nil {
		res.Archive = res.Final.Archive
	}
	return res, nil
}

// simulator is o.Sim, or a simulator started for the run, with what
// closes it.
func (o Options) simulator() (*sim.Server, func(), error) {
	if o.Sim != nil {
		return o.Sim, func() {}, nil
	}
	srv, err := sim.New(o.SimOptions)
	if err != nil {
		return nil, nil, fmt.Errorf("start simulator: %w", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return nil, nil, fmt.Errorf("start simulator: %w", err)
	}
	return srv, func() { srv.Close() }, nil
}

// newExecution is the execution of def that runs o.Spec, started at now (it
// names the execution unless o.ExecutionName does), with its input encoded.
func (o Options) newExecution(srv *sim.Server, def string, now time.Time) (execution, []byte, error) {
	name := o.ExecutionName
	if name == "" {
		name = o.Spec.Metadata.Name + "-" + now.Format("20060102T150405Z")
	}
	input := gameday.RunInput{GameDay: o.Spec, SpecYAML: o.SpecYAML, Source: o.Source}
	if input.Source == "" {
		input.Source = "local"
	}
	inputJSON, err := json.Marshal(input)
	if err != nil {
		return execution{}, nil, fmt.Errorf("encode execution input: %w", err)
	}
	return execution{
		def: def, input: input, name: name, stateMachineARN: stateMachineARN(srv),
		arn: fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", srv.Region(), srv.Account(), stateMachineName, name),
	}, inputJSON, nil
}

// afterFailure is EventBridge's part after an execution that did not
// succeed: the Execution Status Change event goes to the guard, which stops
// any experiment the execution left running, and, as the guard's Lambda
// destination, to the sweeper. It records in res whether the guard ran.
func afterFailure(ctx context.Context, cfg aws.Config, srv *sim.Server, res *Result, ex execution, started time.Time) error {
	err := invokeGuard(ctx, cfg, srv, res, ex.stateMachineARN, ex.name, started)
	res.GuardInvoked = err == nil
	if _, serr := srv.Lambda().Invoke(ctx, FunctionPrefix+string(deploy.Sweeper), []byte(`{"source":"lambda-destination"}`)); serr != nil {
		err = errors.Join(err, fmt.Errorf("sweep after the guard: %w", serr))
	}
	return err
}

// AWSConfig is the SDK configuration of the handlers in a local run (and of
// whatever else talks to the simulator): loaded as in Lambda, by
// awsenv.Load, from the AWS variables Lambda would set (LambdaAWSEnv). Only
// the endpoint differs from AWS.
func AWSConfig(srv *sim.Server) aws.Config {
	return awsenv.LoadLocal(srv.Region(), srv.URL())
}

// LambdaAWSEnv is the environment Lambda gives a function for the SDK, as
// a local run gives it (awsenv.Local): the simulator's region, stand-in
// static credentials in place of the execution role's, and the
// simulator's URL in AWS_ENDPOINT_URL.
func LambdaAWSEnv(srv *sim.Server) map[string]string {
	return awsenv.Local(srv.Region(), srv.URL())
}

func ensureBuckets(ctx context.Context, cfg aws.Config, names ...string) error {
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range names {
		if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b)}); err == nil {
			continue
		}
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
		var owned *s3types.BucketAlreadyOwnedByYou
		var exists *s3types.BucketAlreadyExists
		if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) { // created meanwhile by a run started together
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
	}
	return nil
}

// registerFunctions builds every handler exactly as functions/<name>/main.go
// does, with the simulator's config, the local environment and its clock;
// preflight validates with validate.Spec, as in Lambda.
func registerFunctions(ctx context.Context, srv *sim.Server, cfg aws.Config, env deploy.Env, wrap func(deploy.Function, lambda.Handler) lambda.Handler) error {
	for _, fn := range deploy.Functions {
		h, err := handlers.New(ctx, fn, step.Config{AWS: cfg, Env: env, Now: srv.Clock().Now, Validate: validate.Spec})
		if err != nil {
			return fmt.Errorf("build handler %s: %w", fn, err)
		}
		if wrap != nil {
			h = wrap(fn, h)
		}
		srv.Lambda().Register(FunctionPrefix+string(fn), h)
	}
	return nil
}

// definition is the workflow's one definition, with the given execution
// timeout (override, when not zero, in tests; taskTimeout, when not zero,
// replaces every Task's), and the local functions' ARNs where the CDK
// stack substitutes the deployed ones.
func definition(timeoutSeconds int, srv *sim.Server, override, taskTimeout time.Duration) (string, error) {
	def, err := workflow.Definition(workflow.Options{TimeoutSeconds: timeoutSeconds})
	if err != nil {
		return "", err
	}
	if override > 0 || taskTimeout > 0 {
		var sm map[string]any
		if err := json.Unmarshal([]byte(def), &sm); err != nil {
			return "", fmt.Errorf("read definition: %w", err)
		}
		if override > 0 {
			sm["TimeoutSeconds"] = int(override.Seconds())
		}
		if taskTimeout > 0 {
			states, _ := sm["States"].(map[string]any)
			for _, st := range states {
				if st, ok := st.(map[string]any); ok && st["Type"] == "Task" {
					st["TimeoutSeconds"] = int(taskTimeout.Seconds())
				}
			}
		}
		b, err := json.Marshal(sm)
		if err != nil {
			return "", fmt.Errorf("encode definition: %w", err)
		}
		def = string(b)
	}
	for _, fn := range workflow.Functions {
		def = strings.ReplaceAll(def, "${"+workflow.Placeholder(fn)+"}", srv.Lambda().FunctionARN(FunctionPrefix+string(fn)))
	}
	if strings.Contains(def, "${") {
		return "", errors.New("build definition: a placeholder was left unsubstituted")
	}
	return def, nil
}

// runnerConfig is the first line runner.mjs reads.
type runnerConfig struct {
	Definition  json.RawMessage `json:"definition"`
	Input       json.RawMessage `json:"input"`
	Context     map[string]any  `json:"context"`
	Speed       float64         `json:"speed"`
	SimOriginMs int64           `json:"simOriginMs"`
	WallStartMs int64           `json:"wallStartMs"`
	NodeModules string          `json:"nodeModules"`
}

// runnerEvent is one line runner.mjs writes.
type runnerEvent struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	State     *struct {
		Name   string          `json:"name"`
		Type   string          `json:"type"`
		Output json.RawMessage `json:"output"`
	} `json:"state"`
	Status string          `json:"status"`
	Next   string          `json:"next"`
	Error  string          `json:"error"`
	Cause  string          `json:"cause"`
	Output json.RawMessage `json:"output"`
}

// execution is one execution of the definition, as the interpreter is
// given it.
type execution struct {
	def             string
	input           gameday.RunInput
	arn, name       string
	stateMachineARN string
}

// interpret runs ex in the interpreter until it ends, following its events
// into res and o.Progress. A cancelled ctx aborts the execution.
func interpret(ctx context.Context, o Options, srv *sim.Server, ex execution, res *Result) error {
	r, err := startRunner(o, srv, ex)
	if err != nil {
		return err
	}
	defer r.stop() // never leave the interpreter behind
	if o.runnerStarted != nil {
		o.runnerStarted(r.cmd.Process)
	}
	// A cancelled ctx is an operator's Stop: the interpreter aborts the
	// execution and reports it.
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			_, _ = io.WriteString(r.stdin, "abort\n")
		case <-done:
		}
	}()
	return r.follow(o, srv, res)
}

// runner is the interpreter's process (node runner.mjs).
type runner struct {
	cmd    *exec.Cmd
	dir    string
	stdin  io.WriteCloser
	stdout io.Reader
	stderr bytes.Buffer
}

// startRunner writes runner.mjs to a temporary folder, starts it in its own
// process group with the simulator as its AWS endpoint, and sends it its
// configuration: the definition, the input and the simulator's clock.
func startRunner(o Options, srv *sim.Server, ex execution) (*runner, error) {
	nodeModules, node, err := findNode(o.NodeModules, o.Node)
	if err != nil {
		return nil, err
	}
	in := o.rawInput
	if in == nil {
		if in, err = json.Marshal(ex.input); err != nil {
			return nil, fmt.Errorf("encode execution input: %w", err)
		}
	}
	// The interpreter is another process: it follows the simulator's
	// timeline from the scaled clock's anchor, which a manual clock has not.
	clock := srv.ScaledClock()
	if clock == nil {
		return nil, errors.New("start interpreter: the simulator's clock is not sped-up wall time, which the interpreter can follow")
	}
	origin, wallStart := clock.Anchor()
	cfg, err := json.Marshal(runnerConfig{
		Definition: json.RawMessage(ex.def),
		Input:      in,
		Context: map[string]any{
			"Execution":    map[string]any{"Id": ex.arn, "Name": ex.name},
			"StateMachine": map[string]any{"Id": ex.stateMachineARN, "Name": stateMachineName},
		},
		Speed:       clock.Speed(),
		SimOriginMs: origin.UnixMilli(),
		WallStartMs: wallStart.UnixMilli(),
		NodeModules: nodeModules,
	})
	if err != nil {
		return nil, fmt.Errorf("encode runner config: %w", err)
	}
	r := &runner{}
	if r.dir, err = os.MkdirTemp("", "gameday-runner-"); err != nil {
		return nil, fmt.Errorf("write runner: %w", err)
	}
	script := filepath.Join(r.dir, "runner.mjs")
	if err := os.WriteFile(script, runnerJS, 0o600); err != nil {
		r.stop()
		return nil, fmt.Errorf("write runner: %w", err)
	}
	if err := r.start(node, script, srv); err != nil {
		r.stop()
		return nil, err
	}
	if _, err := r.stdin.Write(append(cfg, '\n')); err != nil {
		r.stop()
		return nil, fmt.Errorf("configure runner: %w", err)
	}
	return r, nil
}

// start starts node script with the simulator's endpoint and credentials.
func (r *runner) start(node, script string, srv *sim.Server) error {
	r.cmd = exec.Command(node, script)
	r.cmd.Env = append(os.Environ(),
		"AWS_DEFAULT_REGION="+srv.Region(),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1",
		"NODE_NO_WARNINGS=1",
	)
	for k, v := range LambdaAWSEnv(srv) {
		r.cmd.Env = append(r.cmd.Env, k+"="+v)
	}
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var err error
	if r.stdin, err = r.cmd.StdinPipe(); err != nil {
		return fmt.Errorf("start runner: %w", err)
	}
	if r.stdout, err = r.cmd.StdoutPipe(); err != nil {
		return fmt.Errorf("start runner: %w", err)
	}
	r.cmd.Stderr = &r.stderr
	if err := r.cmd.Start(); err != nil {
		r.cmd = nil
		return fmt.Errorf("start runner %s: %w", node, err)
	}
	return nil
}

// stop kills the interpreter's whole process group, waits for it and
// removes its folder.
func (r *runner) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		_ = r.cmd.Wait()
	}
	_ = os.RemoveAll(r.dir)
}

// follow reads the interpreter's events until End.
func (r *runner) follow(o Options, srv *sim.Server, res *Result) error {
	sc := bufio.NewScanner(r.stdout)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var ev runnerEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return fmt.Errorf("read runner output %q: %w", truncate(sc.Text(), 200), err)
		}
		if ev.Type == "RunnerError" {
			return fmt.Errorf("runner: %s", ev.Error)
		}
		e := ev.event(res)
		if ev.Type == "End" {
			e.Time = srv.Clock().Now()
		}
		if o.Progress != nil {
			o.Progress(e)
		}
		if ev.Type == "End" {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read runner output: %w", err)
	}
	return fmt.Errorf("runner ended without a result: %s", truncate(strings.TrimSpace(r.stderr.String()), 2000))
}

// event is ev as an Event, recorded in res: the transitions, the last
// state document and, at End, the execution's outcome.
func (ev runnerEvent) event(res *Result) Event {
	e := Event{Type: ev.Type, Error: ev.Error, Cause: ev.Cause, Next: ev.Next}
	e.Time, _ = time.Parse(time.RFC3339Nano, ev.Timestamp)
	if ev.State != nil {
		e.State, e.StateType = ev.State.Name, ev.State.Type
		if ev.Type == "StateEntered" {
			res.Transitions++
		}
		if len(ev.State.Output) > 0 && ev.State.Output[0] == '{' {
			var rs gameday.RunState
			if json.Unmarshal(ev.State.Output, &rs) == nil {
				e.Run = &rs
				res.Final = &rs
			}
		}
	}
	if ev.Type == "End" {
		res.Status, res.Error, res.Cause = ev.Status, ev.Error, ev.Cause
		if len(ev.Output) > 0 {
			var rs gameday.RunState
			if json.Unmarshal(ev.Output, &rs) == nil {
				res.Final = &rs
			}
		}
		e.State = ev.Status
	}
	return e
}

// invokeGuard delivers the Step Functions "Execution Status Change" event to
// the guard function through the Lambda Invoke API, as the stack's
// EventBridge rule does in AWS.
func invokeGuard(ctx context.Context, cfg aws.Config, srv *sim.Server, res *Result, smARN, name string, started time.Time) error {
	detail, err := json.Marshal(map[string]any{
		"executionArn":    res.ExecutionARN,
		"stateMachineArn": smARN,
		"name":            name,
		"status":          res.Status,
		"startDate":       started.UnixMilli(),
		"stopDate":        srv.Clock().Now().UnixMilli(),
		"error":           res.Error,
		"cause":           res.Cause,
	})
	if err != nil {
		return fmt.Errorf("encode guard event: %w", err)
	}
	ev := events.CloudWatchEvent{
		Version:    "0",
		ID:         "local-" + name,
		DetailType: "Step Functions Execution Status Change",
		Source:     "aws.states",
		AccountID:  srv.Account(),
		Time:       srv.Clock().Now(),
		Region:     srv.Region(),
		Resources:  []string{res.ExecutionARN},
		Detail:     detail,
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode guard event: %w", err)
	}
	out, err := awslambda.NewFromConfig(cfg).Invoke(ctx, &awslambda.InvokeInput{
		FunctionName: aws.String(FunctionPrefix + string(deploy.Guard)),
		Payload:      payload,
	})
	if err != nil {
		return fmt.Errorf("invoke guard: %w", err)
	}
	if out.FunctionError != nil {
		return fmt.Errorf("guard: %s", out.Payload)
	}
	return nil
}

// findNode locates node_modules/aws-local-stepfunctions and a node binary:
// the ones given, else what interpreter.Find finds (it installs nothing:
// the CLI calls interpreter.Ensure first).
func findNode(nodeModules, node string) (string, string, error) {
	if nodeModules != "" && node != "" {
		return nodeModules, node, nil
	}
	f, err := interpreter.Find(context.Background(), interpreter.Options{Node: node})
	if err != nil {
		return "", "", fmt.Errorf("find node: %w", err)
	}
	if nodeModules == "" {
		if f.NodeModules == "" {
			return "", "", fmt.Errorf("find the States Language interpreter: not installed in %s; 'gameday run --local' installs it, 'make' does in a checkout", filepath.Join(f.CacheDir, interpreter.Digest()))
		}
		nodeModules = f.NodeModules
	}
	return nodeModules, f.Node, nil
}

// truncate cuts s to at most n bytes, at a rune boundary so that the
// line stays valid UTF-8, and marks the cut with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
