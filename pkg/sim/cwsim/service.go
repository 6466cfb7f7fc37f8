// Package cwsim is the simulator's CloudWatch: metrics (PutMetricData,
// GetMetricData, GetMetricStatistics, ListMetrics), metric alarms evaluated
// from those metrics as CloudWatch evaluates them, alarm history and tags.
// It serves the CloudWatch API over HTTP in the three protocols
// CloudWatch's model lists (Smithy RPCv2 CBOR for aws-sdk-go-v2, awsJson1_0
// for botocore and so the AWS CLI, awsQuery for older clients and moto),
// and offers a Go API to the rest of the simulator: PutMetrics for the Sock
// Shop model, AlarmState and OnTransition for FIS stop conditions.
//
// Every timestamp comes from the simulator's clock (simclock), so metrics,
// alarm history and experiments share one timeline.
//
// Fidelity notes, where CloudWatch leaves a choice open or the simulator
// does less (docs/fidelity.md has the sources):
//   - An alarm is evaluated once a minute (every 10 s for periods under a
//     minute) over the last EvaluationPeriods+2 complete periods ending
//     then (the user guide's example retrieves 5 for 3); a datum counts
//     once its period has ended and it has been ingested (SetIngestionDelay). Both tables of "How alarm state is evaluated when
//     data is missing" are reproduced exactly (eval_test.go).
//   - Queries round StartTime down and start their periods there; a
//     standard-resolution datum is stored at the start of its minute; a
//     period finer than the data kept at its age answers nothing (query.go).
//   - Percentiles are nearest-rank over the raw values; like CloudWatch,
//     there is none for a period holding a negative value or a statistic
//     set that is not one value repeated.
//   - Metric math, Metrics Insights, anomaly detection and composite
//     alarms are refused with a ValidationError that names the simulator.
//     Alarm actions are stored but never run, so there are no Action
//     history items.
//   - Metric data is kept for the life of the process; what the retention
//     periods hide is not answered.
package cwsim

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// Alarm evaluation cadence (the CloudWatch user guide, "Using Amazon
// CloudWatch alarms" and "Limits"): an alarm with a period of a minute or
// more is evaluated every minute, one with a period under a minute every
// 10 seconds. Run evaluates on these boundaries of simulated time.
const (
	EvaluationInterval               = time.Minute
	HighResolutionEvaluationInterval = 10 * time.Second
)

// DefaultIngestionDelay is how long after PutMetricData a datum becomes
// visible to alarm evaluation in `gameday sim` (sim.Options). CloudWatch
// documents no figure; a few seconds to about a minute is what users see,
// and with 30 s a datum put at a minute boundary is first evaluated a
// minute later, as in AWS.
const DefaultIngestionDelay = 30 * time.Second

// Alarm states.
const (
	StateOK               = "OK"
	StateAlarm            = "ALARM"
	StateInsufficientData = "INSUFFICIENT_DATA"
)

// Service is one account's CloudWatch in one region. It is safe for
// concurrent use.
type Service struct {
	clock   simclock.Clock
	account string
	region  string
	ids     *wire.RequestIDs
	// ingestionDelay is how long a datum takes to become visible to alarm
	// evaluation; none unless SetIngestionDelay is called.
	ingestionDelay time.Duration

	mu      sync.Mutex
	metrics map[string]*metric
	alarms  map[string]*alarm // by name
	history []historyItem     // oldest first
	tags    map[string]map[string]string

	lmu       sync.Mutex
	listeners []func(Transition)
}

// New returns an empty CloudWatch for account and region, on clock's timeline.
func New(clock simclock.Clock, account, region string) *Service {
	return &Service{
		clock:   clock,
		ids:     wire.NewRequestIDs("c10dc0de"),
		account: account,
		region:  region,
		metrics: map[string]*metric{},
		alarms:  map[string]*alarm{},
		tags:    map[string]map[string]string{},
	}
}

// SetIngestionDelay makes each datum visible to alarm evaluation d after
// it was put (queries see it at once). Call it before serving.
func (s *Service) SetIngestionDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ingestionDelay = d
}

// Datum is one metric datum for PutMetrics: Values with optional Counts
// (each 1 when Counts is empty), at Timestamp (the clock's now when zero).
// StorageResolution is 1 for a high-resolution metric; 0 or 60 is the
// standard one-minute resolution.
type Datum struct {
	MetricName        string
	Unit              string
	Dimensions        map[string]string
	Timestamp         time.Time
	Values            []float64
	Counts            []float64
	StorageResolution int
}

// PutMetrics records data in namespace, as PutMetricData does but without
// its request validation; a datum without values is skipped.
func (s *Service) PutMetrics(namespace string, data []Datum) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range data {
		if d.MetricName == "" || len(d.Values) == 0 {
			continue
		}
		dims := make([]dim, 0, len(d.Dimensions))
		for k, v := range d.Dimensions {
			dims = append(dims, dim{k, v})
		}
		t := d.Timestamp
		if t.IsZero() {
			t = now
		}
		unit := d.Unit
		if unit == "" {
			unit = "None"
		}
		p := point{t: t.UTC(), received: now, unit: unit, values: append([]float64(nil), d.Values...), highRes: d.StorageResolution == 1}
		if len(d.Counts) > 0 {
			p.counts = append([]float64(nil), d.Counts...)
		}
		s.addPoint(namespace, d.MetricName, dims, p)
	}
}

// addPoint stores p, a standard-resolution point at the start of its
// minute; s.mu must be held.
func (s *Service) addPoint(namespace, name string, dims []dim, p point) {
	if !p.highRes {
		p.t = p.t.Truncate(time.Minute)
	}
	dims = sortDims(dims)
	k := metricKey(namespace, name, dims)
	m, ok := s.metrics[k]
	if !ok {
		m = &metric{namespace: namespace, name: name, dims: dims}
		s.metrics[k] = m
	}
	m.add(p)
}

// AlarmState is the state (OK, ALARM or INSUFFICIENT_DATA) of the alarm with
// the given ARN; ok is false when there is no such alarm.
func (s *Service) AlarmState(arn string) (state string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.alarms {
		if a.arn == arn {
			return a.state, true
		}
	}
	return "", false
}

// Transition is one alarm state change.
type Transition struct {
	AlarmName, AlarmARN, From, To, Reason string
	Time                                  time.Time
	// Actions are the alarm's actions for its new state (OKActions,
	// AlarmActions or InsufficientDataActions) when its actions are
	// enabled: what CloudWatch would now execute.
	Actions []string
}

// OnTransition registers fn, called synchronously after each alarm state
// change (evaluation or SetAlarmState), outside the service's locks, so fn
// may call back into the service.
func (s *Service) OnTransition(fn func(Transition)) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	s.listeners = append(s.listeners, fn)
}

func (s *Service) notify(ts []Transition) {
	if len(ts) == 0 {
		return
	}
	s.lmu.Lock()
	ls := append([]func(Transition){}, s.listeners...)
	s.lmu.Unlock()
	for _, t := range ts {
		for _, fn := range ls {
			fn(t)
		}
	}
}

// Run evaluates the alarms on their cadence until ctx is done: at each
// 10-second boundary of simulated time those with periods under a minute,
// at each minute boundary the others too. An evaluation's periods end at
// its boundary. When the loop falls behind the clock it evaluates the
// latest boundary only (and the minute alarms if a minute boundary was
// passed), rather than every missed one.
func (s *Service) Run(ctx context.Context) {
	next := s.clock.Now().Truncate(HighResolutionEvaluationInterval).Add(HighResolutionEvaluationInterval)
	var lastMinute time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(next.Sub(s.clock.Now())):
		}
		now := s.clock.Now()
		b := now.Truncate(HighResolutionEvaluationInterval)
		if b.Before(next) {
			b = next
		}
		minute := b.Truncate(EvaluationInterval)
		s.evaluateDue(now, b, minute.After(lastMinute))
		if minute.After(lastMinute) {
			lastMinute = minute
		}
		next = b.Add(HighResolutionEvaluationInterval)
	}
}

// Evaluate runs one evaluation pass over every alarm as of now, whatever
// its cadence, in alarm name order, then reports the transitions.
func (s *Service) Evaluate(now time.Time) {
	s.evaluateDue(now, now, true)
}

// evaluateDue evaluates, at now, the sub-minute alarms with periods ending
// at the 10-second boundary at or before b and, when minute is true, the
// others with periods ending at the minute boundary at or before b.
func (s *Service) evaluateDue(now, b time.Time, minute bool) {
	now, b = now.UTC(), b.UTC()
	s.mu.Lock()
	names := make([]string, 0, len(s.alarms))
	for n, a := range s.alarms {
		if minute || a.period < 60 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var ts []Transition
	for _, n := range names {
		a := s.alarms[n]
		res := s.evaluate(a, b, now)
		if !res.change || res.state == a.state {
			continue
		}
		ts = append(ts, s.setState(a, res.state, res.reason, res.reasonData, now))
	}
	s.mu.Unlock()
	s.notify(ts)
}

// setState moves a to state, recording the history item; s.mu must be held.
func (s *Service) setState(a *alarm, state, reason, reasonData string, now time.Time) Transition {
	old := a.state
	oldReason := a.reason
	a.state, a.reason, a.reasonData = state, reason, reasonData
	a.stateUpdated = now
	if old != state {
		a.stateTransitioned = now
	}
	s.history = append(s.history, historyItem{
		alarmName: a.name,
		time:      now,
		typ:       "StateUpdate",
		summary:   "Alarm updated from " + old + " to " + state,
		data:      stateHistoryData(old, oldReason, state, reason, reasonData),
	})
	t := Transition{AlarmName: a.name, AlarmARN: a.arn, From: old, To: state, Reason: reason, Time: now}
	if a.actionsEnabled {
		switch state {
		case "OK":
			t.Actions = slices.Clone(a.okActions)
		case "ALARM":
			t.Actions = slices.Clone(a.alarmActions)
		case "INSUFFICIENT_DATA":
			t.Actions = slices.Clone(a.insufficientActions)
		}
	}
	return t
}

func (s *Service) alarmARN(name string) string {
	return "arn:aws:cloudwatch:" + s.region + ":" + s.account + ":alarm:" + name
}
