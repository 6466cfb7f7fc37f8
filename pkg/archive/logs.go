package archive

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/gameday-dev/gameday/pkg/report"
)

// FIS log record types (log schema version 2).
const (
	LogExperimentStart        = "experiment-start"
	LogTargetResolutionStart  = "target-resolution-start"
	LogTargetResolutionDetail = "target-resolution-detail"
	LogTargetResolutionEnd    = "target-resolution-end"
	LogActionStart            = "action-start"
	LogActionError            = "action-error"
	LogActionEnd              = "action-end"
	LogExperimentEnd          = "experiment-end"
)

// Bounds that keep a Timeline's memory constant whatever the logs hold.
const (
	// DefaultMaxEvents is how many timeline events a Timeline keeps; further
	// ones are counted in Dropped.
	DefaultMaxEvents = 500
	// maxErrorEvents bounds action-error events within MaxEvents, so that an
	// error storm cannot push out the action and experiment ends.
	maxErrorEvents = 100
	// maxTargets bounds the targets whose resolution is tracked.
	maxTargets = 100
	// maxLine is the longest log line read (a target-resolution-detail page
	// can be large).
	maxLine = 16 << 20
)

// record is one FIS log record; only the fields the timeline uses are
// decoded: the members of each record type that the FIS guide documents
// ("Experiment logging for AWS FIS", Example log records).
type record struct {
	ID             string  `json:"id"`
	LogType        string  `json:"log_type"`
	EventTimestamp string  `json:"event_timestamp"`
	Version        string  `json:"version"`
	Details        details `json:"details"`
}

type details struct {
	ActionName        string     `json:"action_name"`
	ActionID          string     `json:"action_id"`
	ActionState       *stateJSON `json:"action_state"`
	ErrorInformation  string     `json:"error_information"`
	ExperimentState   *stateJSON `json:"experiment_state"`
	ExperimentEndTime string     `json:"experiment_end_time"`
	TargetName        string     `json:"target_name"`
	TargetType        string     `json:"target_type"`
	// ResolvedTargetsCount and Status are target-resolution-detail's.
	ResolvedTargetsCount *int   `json:"resolved_targets_count"`
	Status               string `json:"status"`
	// ResolvedTargets, Page and TotalPages are target-resolution-end's: a
	// page of the resolved targets, counted, not kept (struct{} decodes
	// none of an element's members and takes no memory).
	ResolvedTargets    []struct{} `json:"resolved_targets"`
	TotalResolvedCount *int       `json:"total_resolved_targets_count"`
	Page               int        `json:"page"`
	TotalPages         int        `json:"total_pages"`
}

type stateJSON struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// Timeline reads FIS log records, streaming, into a bounded timeline: the
// experiment's start and end, each action's start, errors and end, and how
// many targets each target resolved. Memory stays constant however many
// records it reads: detail records are counted, not kept, and events past
// MaxEvents are counted in Dropped.
type Timeline struct {
	// MaxEvents bounds the kept events; 0 means DefaultMaxEvents.
	MaxEvents int

	events    []report.Event
	seq       []int
	errors    int
	dropped   int
	records   int // also each event's reading order, for ties in Events
	malformed int
	end       *report.Event
	started   bool            // an experiment-start record was read
	ended     map[string]bool // actions with an action-end record
	targets   map[string]*target
}

type target struct {
	name   string
	at     time.Time
	seq    int
	detail bool        // a target-resolution-detail record was read
	status string      // its status (failed or completed)
	count  int         // its resolved_targets_count
	errInf string      // error_information of the -detail or an -end page
	pages  map[int]int // -end page → resolved targets on it
	total  int         // total_resolved_targets_count of an -end page, when given (-1: not given)
}

// Read consumes one log object, one JSON record per line.
func (t *Timeline) Read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var rec record
		if err := json.Unmarshal(line, &rec); err != nil || rec.LogType == "" {
			t.malformed++
			continue
		}
		t.add(&rec)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read log records: %w", err)
	}
	return nil
}

func (t *Timeline) max() int {
	if t.MaxEvents > 0 {
		return t.MaxEvents
	}
	return DefaultMaxEvents
}

func (t *Timeline) add(rec *record) {
	t.records++
	at, _ := time.Parse(time.RFC3339, rec.EventTimestamp)
	d := &rec.Details
	switch rec.LogType {
	case LogExperimentStart:
		t.started = true
		e := report.Event{At: at, Type: rec.LogType}
		if d.ExperimentState != nil {
			e.State = d.ExperimentState.Status
		}
		t.keep(e)
	case LogExperimentEnd:
		e := report.Event{At: at, Type: rec.LogType}
		if d.ExperimentState != nil {
			e.State, e.Detail = d.ExperimentState.Status, d.ExperimentState.Reason
		}
		if t.end == nil {
			t.end = &e
			t.keep(e)
		}
	case LogActionStart:
		t.keep(report.Event{At: at, Type: rec.LogType, Name: d.ActionName})
	case LogActionEnd:
		if t.ended == nil {
			t.ended = map[string]bool{}
		}
		t.ended[d.ActionName] = true
		e := report.Event{At: at, Type: rec.LogType, Name: d.ActionName}
		if d.ActionState != nil {
			e.State, e.Detail = d.ActionState.Status, d.ActionState.Reason
		}
		t.keep(e)
	case LogActionError:
		if t.errors >= maxErrorEvents {
			t.dropped++
			return
		}
		t.errors++
		// The guide's action-error carries the reason in action_state;
		// error_information, a member of the schema, is read if that is empty.
		e := report.Event{At: at, Type: rec.LogType, Name: d.ActionName, Detail: d.ErrorInformation}
		if d.ActionState != nil {
			e.State = d.ActionState.Status
			if d.ActionState.Reason != "" {
				e.Detail = d.ActionState.Reason
			}
		}
		t.keep(e)
	case LogTargetResolutionDetail, LogTargetResolutionEnd:
		t.resolved(rec.LogType, at, d)
	default: // target-resolution-start: counted only
	}
}

func (t *Timeline) keep(e report.Event) {
	if len(t.events) >= t.max() {
		t.dropped++
		return
	}
	t.events = append(t.events, e)
	t.seq = append(t.seq, t.records)
}

// resolved records a target's target-resolution-detail (its count and
// status) or one of its target-resolution-end pages (its resolved targets).
func (t *Timeline) resolved(logType string, at time.Time, d *details) {
	if t.targets == nil {
		t.targets = make(map[string]*target)
	}
	tg, ok := t.targets[d.TargetName]
	if !ok {
		if len(t.targets) >= maxTargets {
			t.dropped++
			return
		}
		tg = &target{name: d.TargetName, pages: map[int]int{}, total: -1, seq: t.records}
		t.targets[d.TargetName] = tg
	}
	if at.After(tg.at) {
		tg.at = at
	}
	if d.ErrorInformation != "" && tg.errInf == "" {
		tg.errInf = d.ErrorInformation
	}
	if logType == LogTargetResolutionDetail {
		tg.detail, tg.status = true, d.Status
		if d.ResolvedTargetsCount != nil {
			tg.count = *d.ResolvedTargetsCount
		}
		return
	}
	if len(tg.pages) < 10_000 {
		tg.pages[d.Page] = len(d.ResolvedTargets)
	}
	if d.TotalResolvedCount != nil {
		tg.total = max(tg.total, *d.TotalResolvedCount)
	}
}

// event is the target's one timeline event: the count and status of its
// target-resolution-detail record or, when that was not read, what its
// target-resolution-end pages say (failed when one carries
// error_information, which the guide says a failed resolution adds).
func (tg *target) event() report.Event {
	n, status := tg.count, tg.status
	if !tg.detail {
		n, status = tg.total, "completed"
		if n < 0 { // no total given: the resolved targets on the pages
			n = 0
			for _, c := range tg.pages {
				n += c
			}
		}
		if tg.errInf != "" {
			status = "failed"
		}
	}
	detail := strconv.Itoa(n) + " targets resolved"
	if n == 1 {
		detail = "1 target resolved"
	}
	if status == "failed" && tg.errInf != "" {
		detail = tg.errInf
	}
	return report.Event{At: tg.at, Type: LogTargetResolutionEnd, Name: tg.name, State: status, Detail: detail}
}

// Complete reports whether the experiment-end record was read.
func (t *Timeline) Complete() bool { return t.end != nil }

// End is the experiment-end record's event, if read.
func (t *Timeline) End() (report.Event, bool) {
	if t.end == nil {
		return report.Event{}, false
	}
	return *t.end, true
}

// Records is how many records were read (malformed lines excluded).
func (t *Timeline) Records() int { return t.records }

// Malformed is how many non-empty lines were not FIS log records.
func (t *Timeline) Malformed() int { return t.malformed }

// Dropped is how many events were left out of Events to bound its size.
func (t *Timeline) Dropped() int { return t.dropped }

// Events is the timeline in time order (ties in reading order), with one
// target-resolution-end event per target.
func (t *Timeline) Events() []report.Event {
	type item struct {
		e   report.Event
		seq int
	}
	items := make([]item, 0, len(t.events)+len(t.targets))
	for i, e := range t.events {
		items = append(items, item{e, t.seq[i]})
	}
	for _, tg := range t.targets {
		items = append(items, item{tg.event(), tg.seq})
	}
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].e.At.Equal(items[j].e.At) {
			return items[i].e.At.Before(items[j].e.At)
		}
		return items[i].seq < items[j].seq
	})
	out := make([]report.Event, len(items))
	for i, it := range items {
		out[i] = it.e
	}
	return out
}

// Whole reports whether the records hold, besides experiment-end, the
// experiment's start and the end of every action in started (the actions
// GetExperiment says started). FIS documents no delivery order: an object
// with experiment-end may land before earlier ones, so experiment-end alone
// does not mean that nothing is still to come.
func (t *Timeline) Whole(started []string) bool {
	if t.end == nil || !t.started {
		return false
	}
	for _, name := range started {
		if !t.ended[name] {
			return false
		}
	}
	return true
}
