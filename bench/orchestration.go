package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/interpreter"
	"github.com/gameday-dev/gameday/pkg/localrun"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/validate"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// List prices (us-east-1, Standard workflows and Lambda requests), USD.
const (
	usdPerTransition   = 0.025 / 1000
	usdPerLambdaInvoke = 0.20 / 1e6
	historyQuota       = 25000
)

// Orchestration is one GameDay length through the real workflow, with the
// two fixed-interval poll loops derived for the same length.
type Orchestration struct {
	Experiment         string  `json:"experiment"`
	Seconds            float64 `json:"experimentSeconds"`
	Speed              float64 `json:"speed"`
	WallSeconds        float64 `json:"wallSeconds"`
	Status             string  `json:"status"`
	Transitions        int     `json:"transitions"`
	HistoryEvents      int     `json:"historyEvents"`
	LambdaInvocations  int     `json:"lambdaInvocations"`
	Polls              int     `json:"polls"`
	WorstNoticeSeconds float64 `json:"worstNoticeSeconds"`
	// ObservedNoticeSeconds is this run's delay between the experiment's
	// end and the poll that saw it, on the simulated clock (it includes the
	// wall-clock latency of each Lambda call times the speed).
	ObservedNoticeSeconds float64  `json:"observedNoticeSeconds"`
	NoticeTargetSeconds   float64  `json:"noticeTargetSeconds"`
	USD                   float64  `json:"usd"`
	Baseline5s            Baseline `json:"baseline5s"`
	Baseline30s           Baseline `json:"baseline30s"`

	// perIter is the history events of one poll iteration; outside those
	// of the states outside the poll loop.
	perIter, outside int
}

// Baseline is a fixed poll loop (GetExperiment Task, Choice, Wait N s) as
// the public Step Functions FIS sample builds it, derived from the measured
// run: the same states outside the loop, N-second iterations inside it.
type Baseline struct {
	IntervalSeconds    int     `json:"intervalSeconds"`
	Transitions        int     `json:"transitions"`
	HistoryEvents      int     `json:"historyEvents"`
	LambdaInvocations  int     `json:"lambdaInvocations"`
	WorstNoticeSeconds float64 `json:"worstNoticeSeconds"`
	USD                float64 `json:"usd"`
}

// QuotaCrossing says from what experiment length each approach's history
// passes the 25,000-event quota.
type QuotaCrossing struct {
	Approach string  `json:"approach"`
	Hours    float64 `json:"hours"`
}

// The poll loop's states in gameday's workflow.
var pollLoop = map[string]bool{workflow.StatePollExperiment: true, workflow.StateExperimentEnded: true, workflow.StateWaitBeforePoll: true}

// eventsPerState is the history events of one pass through a state of a
// type: its entered and exited events, and for a Task TaskScheduled,
// TaskStarted and TaskSucceeded.
func eventsPerState(stateType string) int {
	if stateType == "Task" {
		return 5
	}
	return 2
}

// loopEvents is one iteration of a poll loop: a Task, a Choice, a Wait.
var loopEvents = eventsPerState("Task") + eventsPerState("Choice") + eventsPerState("Wait")

func waitGameDay(name string, d time.Duration) string {
	return fmt.Sprintf(`apiVersion: gameday/v1alpha1
kind: GameDay
metadata:
  name: bench-wait-%[1]s
  description: One aws:fis:wait of %[1]s, for the orchestration benchmark.
spec:
  target:
    cluster: arn:aws:eks:us-east-1:123456789012:cluster/sandbox
  hypothesis:
    description: Nothing changes while FIS waits.
    steadyState:
      - name: orders-latency-p99
        metric: {namespace: SockShop, name: Latency, dimensions: {service: orders}, stat: p99, period: 60}
        expect: {below: 300}
  faults:
    - name: wait
      fis:
        actionId: aws:fis:wait
        parameters: {duration: PT%[2]dM}
  timeouts:
    experiment: %[3]dm
`, name, int(d.Minutes()), int(d.Minutes())*3/2+60)
}

// historyEvents derives Step Functions history events per state type from
// the interpreter's events: an execution's start and end, each state's
// entered and exited events, and TaskScheduled, TaskStarted and
// TaskSucceeded or TaskFailed for every Task attempt (retries included).
type historyCount struct {
	total, loop, transitions, loopTransitions, polls int
}

func (h *historyCount) add(e localrun.Event) {
	n := 0
	switch e.Type {
	case "ExecutionStarted", "End":
		n = 1
	case "StateEntered":
		n = 1
		h.transitions++
		if pollLoop[e.State] {
			h.loopTransitions++
		}
		n = eventsPerState(e.StateType) - 1 // its exit is counted at StateExited
		if e.State == "PollExperiment" {
			h.polls++
		}
	case "StateExited":
		n = 1
	case "StateRetried":
		n = 3
	}
	h.total += n
	if pollLoop[e.State] {
		h.loop += n
	}
}

// pollWatch follows a run's events: the history they make, and what the
// poll loop saw (the experiment, the longest wait between two looks, when
// it noticed the end).
type pollWatch struct {
	history   historyCount
	maxWait   float64
	noticedAt time.Time
	expID     string
}

func (w *pollWatch) observe(e localrun.Event) {
	w.history.add(e)
	if e.Type != "StateExited" || e.State != "PollExperiment" || e.Run == nil || e.Run.Poll == nil {
		return
	}
	if e.Run.Start != nil {
		w.expID = e.Run.Start.ExperimentID
	}
	if e.Run.Poll.Terminal {
		if w.noticedAt.IsZero() {
			w.noticedAt = e.Run.Poll.PolledAt
		}
		return
	}
	w.maxWait = max(w.maxWait, float64(e.Run.Poll.WaitSeconds))
}

// runOrchestration runs a GameDay of one aws:fis:wait of d through the
// workflow on a simulator at speed, and measures it against the fixed poll
// loops.
func runOrchestration(ctx context.Context, found *interpreter.Found, label string, d time.Duration, speed float64, wrap func(deploy.Function, lambda.Handler) lambda.Handler) (Orchestration, error) {
	o := Orchestration{Experiment: label, Seconds: d.Seconds(), Speed: speed}
	yaml := waitGameDay(label, d)
	spec, err := validate.File(label+".yaml", []byte(yaml))
	if err != nil {
		return o, fmt.Errorf("gameday %s: %w", label, err)
	}
	srv, err := sim.New(sim.Options{Speed: speed, Seed: 1, LogDelay: 30 * time.Second})
	if err != nil {
		return o, err
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return o, err
	}
	defer srv.Close()

	var w pollWatch
	start := time.Now()
	res, err := localrun.Run(ctx, localrun.Options{
		Spec: spec, SpecYAML: yaml, Sim: srv, NodeModules: found.NodeModules, Node: found.Node, Wrap: wrap,
		Progress: w.observe,
	})
	o.WallSeconds = time.Since(start).Seconds()
	if err != nil {
		return o, fmt.Errorf("run %s: %w", label, err)
	}
	o.Status = res.Status
	if res.Status != "SUCCEEDED" {
		return o, fmt.Errorf("run %s: execution %s: %s: %s", label, res.Status, res.Error, res.Cause)
	}
	h := w.history
	o.Transitions, o.HistoryEvents, o.Polls = h.transitions, h.total, h.polls
	for _, n := range res.Invocations {
		o.LambdaInvocations += n
	}
	o.WorstNoticeSeconds = w.maxWait
	o.NoticeTargetSeconds = min(max(15, 0.1*d.Seconds()), 300)
	if w.expID != "" && !w.noticedAt.IsZero() {
		out, err := fis.NewFromConfig(localrun.AWSConfig(srv)).GetExperiment(ctx, &fis.GetExperimentInput{Id: aws.String(w.expID)})
		if err == nil && out.Experiment.EndTime != nil {
			o.ObservedNoticeSeconds = w.noticedAt.Sub(*out.Experiment.EndTime).Seconds()
		}
	}
	o.USD = cost(o.Transitions, o.LambdaInvocations)
	o.setBaselines(h, d)
	return o, nil
}

// setBaselines sets the fixed loops' figures: everything outside gameday's
// poll loop as measured (h), plus one GetExperiment Task, Choice and Wait
// per interval over d.
func (o *Orchestration) setBaselines(h historyCount, d time.Duration) {
	perIter := loopEvents
	outside, outsideTransitions := h.total-h.loop, h.transitions-h.loopTransitions
	o.perIter, o.outside = perIter, outside
	outsideInvocations := o.LambdaInvocations - h.polls
	for _, b := range []*Baseline{&o.Baseline5s, &o.Baseline30s} {
		iv := 5
		if b == &o.Baseline30s {
			iv = 30
		}
		iters := int(d.Seconds())/iv + 1
		*b = Baseline{
			IntervalSeconds:    iv,
			Transitions:        outsideTransitions + 3*iters,
			HistoryEvents:      outside + perIter*iters,
			LambdaInvocations:  outsideInvocations + iters,
			WorstNoticeSeconds: float64(iv),
		}
		b.USD = cost(b.Transitions, b.LambdaInvocations)
	}
}

func cost(transitions, invocations int) float64 {
	return float64(transitions)*usdPerTransition + float64(invocations)*usdPerLambdaInvoke
}

// quotaCrossings finds, by the same per-iteration counts, the experiment
// length at which each approach's history passes the quota: gameday's
// loop on its real schedule (experiment.NextWait), the fixed loops on
// theirs.
func quotaCrossings(perIter, outside int) []QuotaCrossing {
	var out []QuotaCrossing
	gamedayPolls := func(d time.Duration) int {
		n := 1
		for t := time.Duration(0); t < d; t += experiment.NextWait(t) {
			n++
		}
		return n
	}
	for _, a := range []struct {
		name  string
		polls func(time.Duration) int
	}{
		{"gameday", gamedayPolls},
		{"fixed 5 s loop", func(d time.Duration) int { return int(d.Seconds())/5 + 1 }},
		{"fixed 30 s loop", func(d time.Duration) int { return int(d.Seconds())/30 + 1 }},
	} {
		hours := -1.0
		for d := 10 * time.Minute; d <= 2000*time.Hour; d += 10 * time.Minute {
			if outside+perIter*a.polls(d) > historyQuota {
				hours = d.Hours()
				break
			}
		}
		out = append(out, QuotaCrossing{Approach: a.name, Hours: hours})
	}
	return out
}

func orchestrationTable(rows []Orchestration, q []QuotaCrossing) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Orchestration: one aws:fis:wait fault through the real workflow (history events derived per state type)\n")
	fmt.Fprintf(&b, "%-5s %7s %7s %7s %7s %9s %9s %9s | %9s %8s %9s | %9s %8s\n",
		"exp", "trans", "events", "lambda", "polls", "worst s", "target s", "USD", "5s events", "5s USD", "5s ratio", "30s events", "30s USD")
	for _, r := range rows {
		ratio := 0.0
		if r.HistoryEvents > 0 {
			ratio = float64(r.Baseline5s.HistoryEvents) / float64(r.HistoryEvents)
		}
		fmt.Fprintf(&b, "%-5s %7d %7d %7d %7d %9.0f %9.0f %9.5f | %9d %8.5f %8.1fx | %9d %8.5f\n",
			r.Experiment, r.Transitions, r.HistoryEvents, r.LambdaInvocations, r.Polls, r.WorstNoticeSeconds, r.NoticeTargetSeconds, r.USD,
			r.Baseline5s.HistoryEvents, r.Baseline5s.USD, ratio, r.Baseline30s.HistoryEvents, r.Baseline30s.USD)
	}
	for _, c := range q {
		fmt.Fprintf(&b, "history passes 25,000 events: %-16s at %.1f h of experiment\n", c.Approach+":", c.Hours)
	}
	return b.String()
}
