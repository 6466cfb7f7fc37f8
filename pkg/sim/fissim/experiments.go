package fissim

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// Experiment and action states.
const (
	statusPending    = "pending"
	statusInitiating = "initiating"
	statusRunning    = "running"
	statusCompleted  = "completed"
	statusStopping   = "stopping"
	statusStopped    = "stopped"
	statusFailed     = "failed"
	statusCancelled  = "cancelled"
	statusSkipped    = "skipped"
)

// Experiment error codes (ExperimentError.code), from FIS's troubleshooting
// guide.
const (
	errConfiguration    = "ConfigurationFailure"
	errDependentService = "DependentServiceFailure"
	errInvalidTarget    = "InvalidTarget"
)

func terminal(status string) bool {
	switch status {
	case statusCompleted, statusStopped, statusFailed, statusCancelled, statusSkipped:
		return true
	}
	return false
}

type actionRun struct {
	templateAction
	status, reason string
	start, end     time.Time
}

type experiment struct {
	id, arn     string
	tmpl        template // a snapshot of the template at start
	status      string
	reason      string
	err         *errorOut // why a failed experiment failed
	created     time.Time
	start, end  time.Time
	actions     map[string]*actionRun
	tags        map[string]string
	stopReason  string        // set once a stop is requested
	stopCh      chan struct{} // closed when a stop is requested
	done        chan struct{} // closed when the experiment is terminal and its logs are written
	logs        *logBuffer
	actionsMode string // run-all or skip-all
	resolved    []resolvedTarget
}

// requestStop asks the experiment to stop. Callers hold s.mu.
func (e *experiment) requestStop(reason string) {
	if e.stopReason != "" || terminal(e.status) {
		return
	}
	e.stopReason = reason
	close(e.stopCh)
}

func (e *experiment) out() experimentOut {
	actions := make(map[string]actionOut, len(e.actions))
	for name, a := range e.actions {
		actions[name] = actionOut{
			templateAction: a.templateAction,
			State:          stateOut{Status: a.status, Reason: a.reason},
			StartTime:      epochPtr(a.start), EndTime: epochPtr(a.end),
		}
	}
	return experimentOut{
		experimentSummary: e.summary(), definition: e.tmpl.definition(),
		Actions: actions, StartTime: epochPtr(e.start), EndTime: epochPtr(e.end),
	}
}

func (e *experiment) summary() experimentSummary {
	return experimentSummary{ID: e.id, Arn: e.arn, ExperimentTemplateID: e.tmpl.id, State: e.stateOut(),
		CreationTime: epochPtr(e.created), Tags: cloneMap(e.tags), ExperimentOptions: e.options()}
}

func (e *experiment) options() *experimentOptions {
	o := experimentOptions{AccountTargeting: "single-account", EmptyTargetResolutionMode: "fail", ActionsMode: e.actionsMode}
	if t := e.tmpl.options; t != nil {
		if t.AccountTargeting != "" {
			o.AccountTargeting = t.AccountTargeting
		}
		if t.EmptyTargetResolutionMode != "" {
			o.EmptyTargetResolutionMode = t.EmptyTargetResolutionMode
		}
	}
	return &o
}

func (e *experiment) stateOut() stateOut {
	return stateOut{Status: e.status, Reason: e.reason, Error: e.err}
}

func (s *Service) startExperiment(in *startInput) (any, *wire.Error) {
	if in.ClientToken == "" {
		return nil, validation("1 validation error detected: Value null at 'clientToken' failed to satisfy constraint: Member must not be null")
	}
	if len(in.ClientToken) > 1024 {
		return nil, validation("1 validation error detected: Value at 'clientToken' failed to satisfy constraint: Member must have length less than or equal to 1024")
	}
	if in.ExperimentTemplateID == "" {
		return nil, validation("1 validation error detected: Value null at 'experimentTemplateId' failed to satisfy constraint: Member must not be null")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	mode := "run-all"
	if in.ExperimentOptions != nil && in.ExperimentOptions.ActionsMode != "" {
		mode = in.ExperimentOptions.ActionsMode
		if mode != "run-all" && mode != "skip-all" {
			return nil, validation("Invalid actionsMode %q; use run-all or skip-all", mode)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, wire.Errorf(503, "ServiceUnavailableException", "the simulator is shutting down")
	}
	if id, ok := s.tokens[in.ClientToken]; ok {
		e := s.experiments[id]
		if e.tmpl.id != in.ExperimentTemplateID {
			return nil, conflict("The client token %s was already used with a different request.", in.ClientToken)
		}
		return map[string]any{"experiment": e.out()}, nil
	}
	t, aerr := s.template(in.ExperimentTemplateID)
	if aerr != nil {
		return nil, aerr
	}
	// With the safety lever engaged FIS still starts the experiment, which
	// ends cancelled (user guide, "Safety levers for AWS FIS", Concepts).
	leverEngaged := s.lever.status != "disengaged"
	active := 0
	for _, e := range s.experiments {
		if !terminal(e.status) {
			active++
		}
	}
	if active >= MaxActiveExperiments {
		return nil, quota("You have reached the maximum number of active experiments (%d) for this account in this Region.", MaxActiveExperiments)
	}
	now := s.o.Clock.Now()
	e := &experiment{
		tmpl: *t, status: statusPending, reason: "Experiment is pending.",
		created: now, start: now, actions: map[string]*actionRun{},
		tags: cloneMap(in.Tags), stopCh: make(chan struct{}), done: make(chan struct{}),
		actionsMode: mode,
	}
	e.id = s.newID("EXP")
	e.arn = s.arn("experiment", e.id)
	for name, a := range t.actions {
		e.actions[name] = &actionRun{templateAction: a, status: statusPending, reason: "Initial state"}
	}
	e.logs = newLogBuffer()
	s.experiments[e.id] = e
	s.expOrder = append(s.expOrder, e.id)
	s.tokens[in.ClientToken] = e.id
	s.wg.Add(2)
	if leverEngaged {
		go s.cancelAtStart(e, fmt.Sprintf("Experiment was cancelled because the safety lever is %s: %s", s.lever.status, s.lever.reason))
	} else {
		go s.run(e)
	}
	go s.shipLogs(e)
	s.log.Info("experiment started", "experimentId", e.id, "experimentTemplateId", t.id)
	return map[string]any{"experiment": e.out()}, nil
}

// experiment is the experiment id; the caller holds s.mu.
func (s *Service) experiment(id string) (*experiment, *wire.Error) {
	return find(s.experiments, "Experiment", id)
}

func (s *Service) getExperiment(e *experiment) (any, *wire.Error) {
	return map[string]any{"experiment": e.out()}, nil
}

func (s *Service) stopExperiment(e *experiment) (any, *wire.Error) {
	if terminal(e.status) {
		if s.o.Variants.StopEnded == StopEndedValidation {
			return nil, validation("Experiment %s is already in a terminal state (%s) and cannot be stopped.", e.id, e.status)
		}
		return nil, conflict("Experiment %s is already in a terminal state (%s).", e.id, e.status)
	}
	e.requestStop("Experiment stopped by user.")
	if e.status != statusStopping {
		e.status, e.reason = statusStopping, "Experiment is stopping."
	}
	return map[string]any{"experiment": e.out()}, nil
}

func (s *Service) listExperiments(q url.Values) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tmpl := q.Get("experimentTemplateId")
	var ids []string
	for i := len(s.expOrder) - 1; i >= 0; i-- { // newest first, as FIS lists
		e := s.experiments[s.expOrder[i]]
		if tmpl == "" || e.tmpl.id == tmpl {
			ids = append(ids, e.id)
		}
	}
	start, end, next, err := page(q, "experiments", len(ids))
	if err != nil {
		return nil, err
	}
	out := []experimentSummary{}
	for _, id := range ids[start:end] {
		out = append(out, s.experiments[id].summary())
	}
	resp := map[string]any{"experiments": out}
	if next != "" {
		resp["nextToken"] = next
	}
	return resp, nil
}

// AlarmChanged tells the service that a CloudWatch alarm changed state; an
// alarm entering ALARM stops every running experiment that has it as a stop
// condition.
func (s *Service) AlarmChanged(alarmARN, state string) {
	if state != "ALARM" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.experiments {
		if terminal(e.status) || e.stopReason != "" {
			continue
		}
		for _, sc := range e.tmpl.stops {
			if sc.Source == "aws:cloudwatch:alarm" && sc.Value == alarmARN {
				e.requestStop("Experiment stopped by stop condition " + alarmARN)
				break
			}
		}
	}
}

// set changes the experiment's state under the lock.
func (s *Service) set(e *experiment, status, reason string) {
	s.mu.Lock()
	e.status, e.reason = status, reason
	s.mu.Unlock()
}

// wait sleeps a simulated duration; it returns false when the experiment is
// asked to stop or the service closes first.
func (s *Service) wait(e *experiment, d time.Duration) bool {
	select {
	case <-s.o.Clock.After(d):
		return true
	case <-e.stopCh:
		return false
	case <-s.ctx.Done():
		return false
	}
}

// run drives one experiment through its lifecycle.
// cancelAtStart ends an experiment started while the safety lever is engaged: no
// target is resolved and no action runs.
func (s *Service) cancelAtStart(e *experiment, reason string) {
	defer s.wg.Done()
	s.emit(e, "experiment-start", map[string]any{
		"experiment_template_id": e.tmpl.id,
		"experiment_start_time":  stamp(e.start),
	})
	if !s.wait(e, s.o.Step) && s.ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	for _, a := range e.actions {
		a.status, a.reason = statusCancelled, "Action was cancelled because the experiment was cancelled."
	}
	s.mu.Unlock()
	s.finish(e, statusCancelled, reason)
}

func (s *Service) run(e *experiment) {
	defer s.wg.Done()
	s.emit(e, "experiment-start", map[string]any{
		"experiment_template_id": e.tmpl.id,
		"experiment_start_time":  stamp(e.start),
	})
	if !s.wait(e, s.o.Step) {
		s.finishStopped(e)
		return
	}
	s.set(e, statusInitiating, "Experiment is initiating.")
	if target, reason, ok := s.resolveTargets(e); !ok {
		s.mu.Lock()
		e.err = &errorOut{AccountID: s.o.Account, Code: errInvalidTarget, Location: target}
		for _, a := range e.actions {
			a.status, a.reason = statusCancelled, "Experiment failed to initiate."
		}
		s.mu.Unlock()
		s.finish(e, statusFailed, reason)
		return
	}
	// A stop-condition alarm already in ALARM stops the experiment before
	// any action runs.
	if s.o.Alarms != nil {
		for _, sc := range e.tmpl.stops {
			if st, ok := s.o.Alarms.AlarmState(sc.Value); ok && st == "ALARM" && sc.Source == "aws:cloudwatch:alarm" {
				s.AlarmChanged(sc.Value, "ALARM")
			}
		}
	}
	if !s.wait(e, s.o.Step) {
		s.finishStopped(e)
		return
	}
	s.set(e, statusRunning, "Experiment is running.")
	if e.actionsMode == "skip-all" {
		// Targets are resolved, but no action runs.
		s.mu.Lock()
		for _, a := range e.actions {
			a.status, a.reason = statusSkipped, "Action skipped because the experiment's actionsMode is skip-all."
		}
		s.mu.Unlock()
		s.finish(e, statusCompleted, "Experiment completed.")
		return
	}
	s.runActions(e)
}

// resolveTargets resolves every target and logs the resolution; it returns
// the target that resolved to nothing, and why.
func (s *Service) resolveTargets(e *experiment) (target, reason string, ok bool) {
	for _, name := range slices.Sorted(maps.Keys(e.tmpl.targets)) {
		tg := e.tmpl.targets[name]
		startAt := s.o.Clock.Now()
		s.emit(e, "target-resolution-start", map[string]any{
			"target_name": name, "target_resolution_start_time": stamp(startAt),
		})
		var resolved []map[string]any
		var missing []string
		for _, arn := range tg.ResourceArns {
			if s.o.Cluster != nil && arn == s.o.Cluster.ARN() {
				resolved = append(resolved, map[string]any{"arn": arn})
				s.mu.Lock()
				e.resolved = append(e.resolved, resolvedTarget{ResourceType: tg.ResourceType, TargetName: name, TargetInformation: map[string]string{"arn": arn}})
				s.mu.Unlock()
			} else {
				missing = append(missing, arn)
			}
		}
		if len(tg.ResourceTags) > 0 && s.o.Cluster != nil {
			// The simulated cluster carries no tags: tag selection finds nothing.
			missing = append(missing, "resources tagged "+fmt.Sprint(tg.ResourceTags))
		}
		status := statusCompleted
		var reason string
		if len(resolved) == 0 {
			status = statusFailed
			reason = fmt.Sprintf("Target resolution failed for target %s: no %s resources found (%s).", name, tg.ResourceType, strings.Join(missing, ", "))
		}
		endAt := stamp(s.o.Clock.Now())
		detail := map[string]any{
			"target_name": name, "target_type": tg.ResourceType, "account_id": s.o.Account,
			"target_resolution_end_time": endAt, "resolved_targets_count": len(resolved), "status": status,
		}
		if reason != "" {
			detail["error_information"] = reason
		}
		s.emit(e, "target-resolution-detail", detail)
		s.emitResolutionEnd(e, name, tg.ResourceType, endAt, reason, resolved)
		if status == statusFailed && e.options().EmptyTargetResolutionMode != "skip" {
			return name, reason, false
		}
	}
	return "", "", true
}

// resolvedPerPage is how many resolved targets one target-resolution-end
// record carries; more are split across pages.
const resolvedPerPage = 10

// emitResolutionEnd writes a target's target-resolution-end records: the
// resolved targets, page by page (total_pages > 1 when they exceed one
// record), with error_information when the resolution failed. The count and
// status are in the target-resolution-detail record, not here.
func (s *Service) emitResolutionEnd(e *experiment, name, typ, endAt, errInfo string, resolved []map[string]any) {
	pages := max(1, (len(resolved)+resolvedPerPage-1)/resolvedPerPage)
	for p := 0; p < pages; p++ {
		chunk := resolved[min(p*resolvedPerPage, len(resolved)):min((p+1)*resolvedPerPage, len(resolved))]
		if chunk == nil {
			chunk = []map[string]any{}
		}
		d := map[string]any{
			"target_name": name, "target_type": typ, "target_resolution_end_time": endAt,
			"resolved_targets": chunk, "page": p + 1, "total_pages": pages,
		}
		if errInfo != "" {
			d["error_information"] = errInfo
		}
		s.emit(e, "target-resolution-end", d)
	}
}

// actionResult is what an action goroutine reports when it ends; a failed
// action also gives the experiment error code it causes.
type actionResult struct {
	name, status, reason, code string
}

// runActions starts actions as their startAfter predecessors complete, and
// ends the experiment when all are done, one fails, or a stop is requested.
func (s *Service) runActions(e *experiment) {
	results := make(chan actionResult)
	actx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	running := map[string]bool{}
	s.launchReady(actx, e, running, results)
	var failure string
	stopCh := e.stopCh
	for len(running) > 0 {
		select {
		case r := <-results:
			delete(running, r.name)
			if s.actionEnded(e, r) && failure == "" {
				failure = r.reason
				s.mu.Lock()
				e.err = &errorOut{AccountID: s.o.Account, Code: r.code, Location: r.name}
				s.mu.Unlock()
				cancel() // the other running actions stop
			}
			if failure == "" && stopCh != nil {
				s.launchReady(actx, e, running, results)
			}
		case <-s.ctx.Done():
			return
		case <-stopCh:
			stopCh = nil
			s.set(e, statusStopping, "Experiment is stopping.")
			cancel()
		}
	}
	s.endExperiment(e, failure)
}

// launchReady starts the pending actions whose startAfter actions have
// completed, in name order, and marks them running.
func (s *Service) launchReady(ctx context.Context, e *experiment, running map[string]bool, results chan<- actionResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range slices.Sorted(maps.Keys(e.actions)) {
		a := e.actions[n]
		if a.status != statusPending {
			continue
		}
		ready := true
		for _, p := range a.StartAfter {
			if e.actions[p].status != statusCompleted {
				ready = false
			}
		}
		if !ready {
			continue
		}
		a.status, a.reason, a.start = statusInitiating, "Action is initiating.", s.o.Clock.Now()
		running[n] = true
		s.wg.Add(1)
		go s.runAction(ctx, e, n, *a, results)
	}
}

// actionEnded records an action's end and logs it; it reports whether the
// action failed.
func (s *Service) actionEnded(e *experiment, r actionResult) (failed bool) {
	s.mu.Lock()
	a := e.actions[r.name]
	a.status, a.reason, a.end = r.status, r.reason, s.o.Clock.Now()
	s.mu.Unlock()
	state := map[string]any{"status": r.status, "reason": r.reason}
	if r.status == statusFailed {
		// The reason is in action_state, as in the guide's example.
		s.emit(e, "action-error", map[string]any{
			"action_name": r.name, "action_id": a.ActionID, "account_id": s.o.Account,
			"action_state": state,
		})
	}
	s.emit(e, "action-end", map[string]any{
		"action_name": r.name, "action_id": a.ActionID,
		"action_end_time": stamp(a.end), "action_state": state,
	})
	return r.status == statusFailed
}

// endExperiment ends the experiment once no action runs: cancelled pending
// actions, then failed, stopped or completed.
func (s *Service) endExperiment(e *experiment, failure string) {
	s.mu.Lock()
	stopping := e.stopReason != ""
	for _, a := range e.actions {
		if a.status == statusPending {
			a.status, a.reason = statusCancelled, "Action was cancelled because the experiment ended before it started."
		}
	}
	s.mu.Unlock()
	switch {
	case s.ctx.Err() != nil:
		return
	case failure != "":
		s.finish(e, statusFailed, "Experiment failed because action(s) failed: "+failure)
	case stopping:
		s.finishStopped(e)
	default:
		s.finish(e, statusCompleted, "Experiment completed.")
	}
}

// actionRun is one running action: what it reports to runActions and how
// it waits.
type runningAction struct {
	s       *Service
	ctx     context.Context
	e       *experiment
	name    string
	results chan<- actionResult
}

const (
	reasonStopped   = "Action was stopped because the experiment was stopped."
	reasonCompleted = "Action was completed." // FIS guide, the action-end example record
)

// running marks the action running once it has initiated.
func (r *runningAction) running() {
	r.s.mu.Lock()
	if a := r.e.actions[r.name]; a.status == statusInitiating {
		a.status, a.reason = statusRunning, "Action is running."
	}
	r.s.mu.Unlock()
}

func (r *runningAction) report(status, reason string) {
	r.end(actionResult{status: status, reason: reason})
}

func (r *runningAction) fail(code, reason string) {
	r.end(actionResult{status: statusFailed, reason: reason, code: code})
}

func (r *runningAction) end(res actionResult) {
	res.name = r.name
	select {
	case r.results <- res:
	case <-r.s.ctx.Done():
	}
}

// sleep waits simulated d; false when the action is stopped first.
func (r *runningAction) sleep(d time.Duration) bool {
	select {
	case <-r.s.o.Clock.After(d):
		return true
	case <-r.ctx.Done():
		return false
	}
}

// hold runs the action for d, then ends it with end, or as stopped.
func (r *runningAction) hold(d time.Duration, end func()) {
	if !r.sleep(d) {
		r.report(statusStopped, reasonStopped)
		return
	}
	end()
}

// runAction runs one action until it ends or ctx is cancelled.
func (s *Service) runAction(ctx context.Context, e *experiment, name string, a actionRun, results chan<- actionResult) {
	defer s.wg.Done()
	start := map[string]any{
		"action_name": name, "action_id": a.ActionID,
		"action_start_time": stamp(a.start),
	}
	if len(a.Targets) > 0 {
		start["action_targets"] = a.Targets
	}
	if len(a.Parameters) > 0 { // only when the template gives parameters
		start["parameters"] = a.Parameters
	}
	s.emit(e, "action-start", start)
	r := &runningAction{s: s, ctx: ctx, e: e, name: name, results: results}
	completed := func() { r.report(statusCompleted, reasonCompleted) }
	switch a.ActionID {
	case ActionWait:
		r.running()
		d, _ := isoDuration(a.Parameters["duration"])
		r.hold(d, completed)
	case ActionInjectCR:
		s.runInjectCR(r, a)
	default:
		r.fail(errConfiguration, "Action type "+a.ActionID+" is not supported by the simulator.")
	}
}

// runInjectCR runs aws:eks:inject-kubernetes-custom-resource: it creates the
// custom resource, keeps it for its duration or the action's maxDuration,
// and deletes it.
func (s *Service) runInjectCR(r *runningAction, a actionRun) {
	maxDur, _ := isoDuration(a.Parameters[fisactions.InjectMaxDuration])
	var spec map[string]any
	_ = json.Unmarshal([]byte(a.Parameters[fisactions.InjectSpec]), &spec)
	crDur, hasDur, derr := crDuration(spec)
	if derr != nil {
		r.fail(errConfiguration, "Failed to create the custom resource: spec.duration: "+derr.Error())
		return
	}
	if s.o.Cluster == nil {
		r.fail(errDependentService, "Unable to reach the Kubernetes API server of the target cluster.")
		return
	}
	cr := CustomResource{
		ID: strings.ToLower(fmt.Sprintf("fis-%s-%s", r.e.id, r.name)), APIVersion: a.Parameters[fisactions.InjectAPIVersion],
		Kind: a.Parameters[fisactions.InjectKind], Namespace: a.Parameters[fisactions.InjectNamespace],
		Spec: spec, Start: s.o.Clock.Now(),
	}
	if _, err := s.o.Cluster.Apply(cr); err != nil {
		s.o.Cluster.Delete(cr.ID)
		r.fail(errConfiguration, err.Error())
		return
	}
	defer s.o.Cluster.Delete(cr.ID)
	r.running()
	timedOut := func() {
		r.fail(errConfiguration, fmt.Sprintf("The custom resource did not complete within the action's maxDuration (%s); it was deleted.", a.Parameters[fisactions.InjectMaxDuration]))
	}
	completed := func() { r.report(statusCompleted, reasonCompleted) }
	switch {
	case !hasDur && s.o.Variants.CRWithoutDuration == CRWithoutDurationFails:
		// Without a duration the fault lasts until FIS deletes the CR at
		// maxDuration, which this variant reports as a failure.
		r.hold(maxDur, timedOut)
	case !hasDur:
		r.hold(maxDur, completed)
	case crDur >= maxDur:
		r.hold(maxDur, timedOut)
	default:
		r.hold(crDur, completed)
	}
}

// finishStopped ends a stopped experiment after the stopping step.
func (s *Service) finishStopped(e *experiment) {
	s.set(e, statusStopping, "Experiment is stopping.")
	s.mu.Lock()
	for _, a := range e.actions {
		if a.status == statusPending {
			a.status, a.reason = statusCancelled, "Action was cancelled because the experiment was stopped."
		}
	}
	reason := e.stopReason
	s.mu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	delay := s.o.Step
	if s.o.StopDelay > 0 {
		delay = s.o.StopDelay
	}
	select {
	case <-s.o.Clock.After(delay):
	case <-s.ctx.Done():
		return
	}
	s.finish(e, statusStopped, reason)
}

// finish puts the experiment in a terminal state and writes experiment-end.
func (s *Service) finish(e *experiment, status, reason string) {
	now := s.o.Clock.Now()
	s.mu.Lock()
	e.status, e.reason, e.end = status, reason, now
	s.mu.Unlock()
	s.emit(e, "experiment-end", map[string]any{
		"experiment_end_time": stamp(now),
		"experiment_state":    map[string]any{"status": status, "reason": reason},
	})
	e.logs.close()
	close(e.done)
	s.log.Info("experiment ended", "experimentId", e.id, "state", status, "reason", reason)
}
