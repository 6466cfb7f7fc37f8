// Package sfnsim serves the part of the AWS Step Functions API that a
// client of gameday's deployed stack uses (StartExecution,
// DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution,
// and DescribeStateMachine with the deployed definition),
// in the awsJson1_0 protocol of the SDK's sfn client. It does not interpret
// state machines itself: each state machine is registered with a Runner,
// which `gameday sim` backs with the same interpreter and handlers as
// `gameday run --local`. So `gameday start`, `status` and `report` work
// unchanged against the simulator.
//
// Fidelity notes: executions are Standard; history events carry the
// details gameday reads (stateEnteredEventDetails, stateExitedEventDetails,
// executionStarted/Succeeded/Failed/Aborted details) but no Task
// scheduling events; there is no redrive, no Express type, no map runs.
package sfnsim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// Start is what StartExecution asked for.
type Start struct {
	ExecutionARN, StateMachineARN, Name string
	Input                               string
}

// Event is one step of an execution, as the runner reports it.
type Event struct {
	Time time.Time
	// Type is StateEntered, StateExited or StateFailed; StateType the
	// state's ASL type (Task, Pass, Choice, Wait, Succeed, Fail).
	Type, StateName, StateType string
	// Output is the state's output (StateExited), as JSON text.
	Output string
}

// Result is how an execution ended.
type Result struct {
	// Status is SUCCEEDED, FAILED, ABORTED or TIMED_OUT.
	Status       string
	Output       string
	Error, Cause string
}

// Runner runs one execution to its end, reporting each step to record.
// ctx is cancelled by StopExecution.
type Runner func(ctx context.Context, s Start, record func(Event)) Result

// Service is the simulated Step Functions.
type Service struct {
	clock           simclock.Clock
	account, region string

	mu         sync.Mutex
	machines   map[string]*machine // by ARN
	executions map[string]*execution
	wg         sync.WaitGroup
}

type machine struct {
	StateMachine
	arn     string
	created time.Time
}

// StateMachine is what CreateStateMachine deploys: a name, the Amazon
// States Language definition and execution role DescribeStateMachine
// returns, and the Runner its executions run on.
type StateMachine struct {
	Name, Definition, RoleARN string
	Run                       Runner
}

type execution struct {
	arn, machineARN, name, input string
	started, stopped             time.Time
	status, output, err, cause   string
	history                      []historyEvent
	cancel                       context.CancelFunc
}

// New returns an empty Step Functions for the account and region.
func New(clock simclock.Clock, account, region string) *Service {
	return &Service{clock: clock, account: account, region: region, machines: map[string]*machine{}, executions: map[string]*execution{}}
}

// CreateStateMachine registers a state machine whose executions m.Run is
// responsible for, and returns its ARN.
func (s *Service) CreateStateMachine(m StateMachine) string {
	arn := fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", s.region, s.account, m.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.machines[arn] = &machine{StateMachine: m, arn: arn, created: s.clock.Now()}
	return arn
}

// Track records an execution that runs outside StartExecution (`gameday
// run --local` runs the interpreter itself) as RUNNING, so that
// DescribeExecution answers for it as Step Functions would; finish records
// how it ended. An execution already known (started through
// StartExecution) is left to its runner: finish does nothing.
func (s *Service) Track(executionARN, stateMachineARN, name, input string) (finish func(Result)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.executions[executionARN]; ok {
		return func(Result) {}
	}
	now := s.clock.Now()
	e := &execution{arn: executionARN, machineARN: stateMachineARN, name: name, input: input, started: now, status: "RUNNING"}
	e.add(now, "ExecutionStarted", "executionStartedEventDetails", map[string]any{"input": input, "roleArn": ""})
	s.executions[executionARN] = e
	return func(res Result) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.end(e, res)
	}
}

// end records how e ended; s.mu is held.
func (s *Service) end(e *execution, res Result) {
	e.stopped = s.clock.Now()
	e.status, e.output, e.err, e.cause = res.Status, res.Output, res.Error, res.Cause
	switch res.Status {
	case "SUCCEEDED":
		e.add(e.stopped, "ExecutionSucceeded", "executionSucceededEventDetails", map[string]any{"output": res.Output})
	case "ABORTED":
		e.add(e.stopped, "ExecutionAborted", "executionAbortedEventDetails", map[string]any{"error": res.Error, "cause": res.Cause})
	case "TIMED_OUT":
		e.add(e.stopped, "ExecutionTimedOut", "executionTimedOutEventDetails", map[string]any{"error": res.Error, "cause": res.Cause})
	default:
		e.status = "FAILED"
		e.add(e.stopped, "ExecutionFailed", "executionFailedEventDetails", map[string]any{"error": res.Error, "cause": res.Cause})
	}
}

// Close stops every running execution and waits for them.
func (s *Service) Close() {
	s.mu.Lock()
	for _, e := range s.executions {
		if e.cancel != nil {
			e.cancel()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// ServeHTTP answers the awsJson1_0 protocol: POST / with X-Amz-Target
// AWSStepFunctions.<Operation>.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { api.Serve(s, w, r) }

var api = wire.JSONService[*Service]{
	Name: "Step Functions", Target: "AWSStepFunctions",
	Proto:   wire.JSON{Version: "1.0", TypePrefix: "com.amazonaws.swf.service.v2.model#"},
	IDs:     wire.NewRequestIDs("5f5f5f00"),
	MaxBody: 1 << 20,
	Ops: map[string]wire.Op[*Service]{
		"StartExecution":       wire.Decode((*Service).startExecution),
		"DescribeExecution":    wire.Decode((*Service).describeExecution),
		"ListExecutions":       wire.Decode((*Service).listExecutions),
		"GetExecutionHistory":  wire.Decode((*Service).getExecutionHistory),
		"StopExecution":        wire.Decode((*Service).stopExecution),
		"DescribeStateMachine": wire.Decode((*Service).describeStateMachine),
	},
}

func badRequest(code, format string, args ...any) *wire.Error {
	return wire.Errorf(http.StatusBadRequest, code, format, args...)
}

// checkARN refuses what is not a Step Functions ARN of the kind asked for
// (stateMachine, execution) with InvalidArn, as Step Functions does ("The
// provided Amazon Resource Name (ARN) is not valid", each operation's
// errors in the Step Functions API reference) rather than answering that no
// such resource exists.
func checkARN(s, kind string) *wire.Error {
	a, err := arn.Parse(s)
	if err != nil {
		return badRequest("InvalidArn", "Invalid Arn: '%s'", s)
	}
	if a.Service != "states" || !strings.HasPrefix(a.Resource, kind+":") {
		return badRequest("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", s)
	}
	return nil
}

// epoch is how awsJson1_0 writes timestamps: seconds, with a fraction.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// Execution names: 1-80 characters, no whitespace, brackets, wildcards,
// special or control characters (the StartExecution reference).
var validName = regexp.MustCompile("^[^\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\\x00-\\x1f\\x7f-\\x9f]{1,80}$")

func (s *Service) startExecution(in struct {
	StateMachineArn, Name, Input string
}) (any, *wire.Error) {
	if aerr := checkARN(in.StateMachineArn, "stateMachine"); aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	m, ok := s.machines[in.StateMachineArn]
	s.mu.Unlock()
	if !ok {
		return nil, badRequest("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", in.StateMachineArn)
	}
	if in.Input == "" {
		in.Input = "{}"
	}
	if !json.Valid([]byte(in.Input)) {
		return nil, badRequest("InvalidExecutionInput", "Invalid State Machine Execution Input: 'the input is not JSON'")
	}
	if len(in.Input) > 256*1024 {
		return nil, badRequest("InvalidExecutionInput", "Invalid State Machine Execution Input: 'the input is larger than 262144 bytes'")
	}
	now := s.clock.Now()
	if in.Name == "" {
		in.Name = strconv.FormatInt(now.UnixNano(), 36)
	}
	if !validName.MatchString(in.Name) {
		return nil, badRequest("InvalidName", "Invalid Name: '%s'", in.Name)
	}
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", s.region, s.account, m.Name, in.Name)

	s.mu.Lock()
	if old, dup := s.executions[arn]; dup {
		s.mu.Unlock()
		if old.input == in.Input && old.status == "RUNNING" {
			// Idempotent for a running execution with the same input.
			return map[string]any{"executionArn": arn, "startDate": epoch(old.started)}, nil
		}
		return nil, badRequest("ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &execution{arn: arn, machineARN: m.arn, name: in.Name, input: in.Input, started: now, status: "RUNNING", cancel: cancel}
	e.add(now, "ExecutionStarted", "executionStartedEventDetails", map[string]any{"input": in.Input, "roleArn": ""})
	s.executions[arn] = e
	s.wg.Add(1)
	s.mu.Unlock()

	go func() {
		defer s.wg.Done()
		defer cancel()
		record := func(ev Event) {
			s.mu.Lock()
			defer s.mu.Unlock()
			switch ev.Type {
			case "StateEntered":
				e.add(ev.Time, ev.StateType+"StateEntered", "stateEnteredEventDetails", map[string]any{"name": ev.StateName})
			case "StateExited":
				e.add(ev.Time, ev.StateType+"StateExited", "stateExitedEventDetails", map[string]any{"name": ev.StateName, "output": ev.Output})
			}
		}
		res := m.Run(ctx, Start{ExecutionARN: arn, StateMachineARN: m.arn, Name: in.Name, Input: in.Input}, record)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.end(e, res)
	}()
	return map[string]any{"executionArn": arn, "startDate": epoch(now)}, nil
}

// historyEvent is one GetExecutionHistory event.
type historyEvent map[string]any

func (e *execution) add(at time.Time, typ, detailsKey string, details map[string]any) {
	id := len(e.history) + 1
	ev := historyEvent{"id": id, "previousEventId": id - 1, "timestamp": epoch(at), "type": typ}
	if detailsKey != "" {
		ev[detailsKey] = details
	}
	e.history = append(e.history, ev)
}

func (s *Service) lookup(arn string) (*execution, *wire.Error) {
	if aerr := checkARN(arn, "execution"); aerr != nil {
		return nil, aerr
	}
	e, ok := s.executions[arn]
	if !ok {
		return nil, badRequest("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
	}
	return e, nil
}

func (s *Service) describeExecution(in struct{ ExecutionArn string }) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, aerr := s.lookup(in.ExecutionArn)
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{
		"executionArn": e.arn, "stateMachineArn": e.machineARN, "name": e.name,
		"status": e.status, "startDate": epoch(e.started), "input": e.input,
	}
	if !e.stopped.IsZero() {
		out["stopDate"] = epoch(e.stopped)
	}
	if e.status == "SUCCEEDED" {
		out["output"] = e.output
	}
	if e.err != "" {
		out["error"], out["cause"] = e.err, e.cause
	}
	return out, nil
}

func (s *Service) listExecutions(in struct {
	StateMachineArn, StatusFilter, NextToken string
	MaxResults                               int
}) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if aerr := checkARN(in.StateMachineArn, "stateMachine"); aerr != nil {
		return nil, aerr
	}
	if _, ok := s.machines[in.StateMachineArn]; !ok {
		return nil, badRequest("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", in.StateMachineArn)
	}
	var list []*execution
	for _, e := range s.executions {
		if e.machineARN == in.StateMachineArn && (in.StatusFilter == "" || in.StatusFilter == e.status) {
			list = append(list, e)
		}
	}
	// Newest first, as Step Functions lists them.
	sort.Slice(list, func(i, j int) bool {
		if !list[i].started.Equal(list[j].started) {
			return list[i].started.After(list[j].started)
		}
		return list[i].arn > list[j].arn
	})
	start, end, next, aerr := page(in.NextToken, "executions", in.MaxResults, len(list))
	if aerr != nil {
		return nil, aerr
	}
	items := []map[string]any{}
	for _, e := range list[start:end] {
		item := map[string]any{"executionArn": e.arn, "stateMachineArn": e.machineARN, "name": e.name, "status": e.status, "startDate": epoch(e.started)}
		if !e.stopped.IsZero() {
			item["stopDate"] = epoch(e.stopped)
		}
		items = append(items, item)
	}
	out := map[string]any{"executions": items}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

// page turns a NextToken and MaxResults (default 100, at most 1000, more
// refused with a ValidationException) into a
// slice range of a listing (kind names it) and the next token.
func page(token, kind string, maxResults, n int) (start, end int, next string, aerr *wire.Error) {
	if maxResults < 0 || maxResults > 1000 { // the model's range (0: the default)
		return 0, 0, "", badRequest("ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", maxResults)
	}
	if maxResults == 0 {
		maxResults = 100
	}
	start, end, next, ok := wire.Page(token, kind, maxResults, n)
	if !ok {
		return 0, 0, "", badRequest("InvalidToken", "Invalid Token: '%s'", token)
	}
	return start, end, next, nil
}

func (s *Service) getExecutionHistory(in struct {
	ExecutionArn, NextToken string
	MaxResults              int
	ReverseOrder            bool
	IncludeExecutionData    *bool
}) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, aerr := s.lookup(in.ExecutionArn)
	if aerr != nil {
		return nil, aerr
	}
	events := append([]historyEvent(nil), e.history...)
	if in.ReverseOrder {
		for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
			events[i], events[j] = events[j], events[i]
		}
	}
	start, end, next, aerr := page(in.NextToken, "history", in.MaxResults, len(events))
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{"events": events[start:end]}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

func (s *Service) stopExecution(in struct{ ExecutionArn, Error, Cause string }) (any, *wire.Error) {
	s.mu.Lock()
	e, aerr := s.lookup(in.ExecutionArn)
	if aerr == nil && e.status == "RUNNING" {
		e.cancel()
	}
	s.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"stopDate": epoch(s.clock.Now())}, nil
}

func (s *Service) describeStateMachine(in struct{ StateMachineArn string }) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if aerr := checkARN(in.StateMachineArn, "stateMachine"); aerr != nil {
		return nil, aerr
	}
	m, ok := s.machines[in.StateMachineArn]
	if !ok {
		return nil, badRequest("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", in.StateMachineArn)
	}
	return map[string]any{"stateMachineArn": m.arn, "name": m.Name, "status": "ACTIVE", "type": "STANDARD", "creationDate": epoch(m.created), "definition": m.Definition, "roleArn": m.RoleARN}, nil
}
