package archive

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

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
// ("Experiment logging for AWS FIS", Example log records). Empty fields are
// left out when a cursor stores it.
type record struct {
	ID             string  `json:"id,omitzero"`
	LogType        string  `json:"log_type,omitzero"`
	EventTimestamp string  `json:"event_timestamp,omitzero"`
	Version        string  `json:"version,omitzero"`
	Details        details `json:"details,omitzero"`
}

type details struct {
	ActionName        string     `json:"action_name,omitzero"`
	ActionID          string     `json:"action_id,omitzero"`
	ActionState       *stateJSON `json:"action_state,omitzero"`
	ErrorInformation  string     `json:"error_information,omitzero"`
	ExperimentState   *stateJSON `json:"experiment_state,omitzero"`
	ExperimentEndTime string     `json:"experiment_end_time,omitzero"`
	TargetName        string     `json:"target_name,omitzero"`
	TargetType        string     `json:"target_type,omitzero"`
	// ResolvedTargetsCount and Status are target-resolution-detail's.
	ResolvedTargetsCount *int   `json:"resolved_targets_count,omitzero"`
	Status               string `json:"status,omitzero"`
	// ResolvedTargets, Page and TotalPages are target-resolution-end's: a
	// page of the resolved targets, counted, not kept (struct{} decodes
	// none of an element's members and takes no memory; a cursor stores
	// the count, keptRecord.Targets).
	ResolvedTargets    []struct{} `json:"resolved_targets,omitzero"`
	TotalResolvedCount *int       `json:"total_resolved_targets_count,omitzero"`
	Page               int        `json:"page,omitzero"`
	TotalPages         int        `json:"total_pages,omitzero"`
}

type stateJSON struct {
	Status string `json:"status,omitzero"`
	Reason string `json:"reason,omitzero"`
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
	o, err := t.parse(r)
	if err != nil {
		return err
	}
	t.apply(o)
	return nil
}

// objectLog is what one log object tells the timeline: the records that
// make or change its events, each with its place among the object's
// records, and how many records (and malformed lines) it holds.
// target-resolution-start records are only counted; target-resolution-end
// pages, which can be most of a log, are summed up by target (Pages);
// action errors and starts past the timeline's bounds are counted in
// dropped, since applying the object always drops them. Objects can be
// parsed concurrently and applied in key order: the timeline is the same as
// reading them one after another. It is also what the archive's log cursor
// remembers of an object already read, so it stays small.
type objectLog struct {
	Key       string       `json:"key"`
	Size      int64        `json:"size"`
	ETag      string       `json:"etag,omitzero"`
	Records   int          `json:"records"`
	Malformed int          `json:"malformed,omitzero"`
	Dropped   int          `json:"dropped,omitzero"`
	Kept      []keptRecord `json:"kept,omitzero"`
	Pages     []*pageSum   `json:"pages,omitzero"`
}

// pageSum is one object's target-resolution-end pages of one target.
type pageSum struct {
	Target string `json:"target"`
	// First is the place of its first page among the object's records,
	// Count how many pages there are.
	First int `json:"first"`
	Count int `json:"count"`
	// Latest is the latest event_timestamp.
	Latest time.Time `json:"latest,omitzero"`
	// ErrInf is the first error_information, at place ErrInfAt.
	ErrInf   string `json:"errInf,omitzero"`
	ErrInfAt int    `json:"errInfAt,omitzero"`
	// Total is the largest total_resolved_targets_count.
	Total *int `json:"total,omitzero"`
	// Runs are the distinct pages in the order they first came, each with
	// the last count of resolved targets given for it.
	Runs []pageRun `json:"runs,omitzero"`

	index map[int]int // page → place in pages, while parsing
	pages []pageCount
}

// pageRun is pages From to From+Len-1, each with N resolved targets.
type pageRun struct {
	From int `json:"from"`
	Len  int `json:"len"`
	N    int `json:"n"`
}

type pageCount struct{ page, n int }

// add sums up one page, the at-th record of its object.
func (p *pageSum) add(at int, ts time.Time, d *details) {
	p.Count++
	if ts.After(p.Latest) {
		p.Latest = ts
	}
	if d.ErrorInformation != "" && p.ErrInf == "" {
		p.ErrInf, p.ErrInfAt = d.ErrorInformation, at
	}
	if d.TotalResolvedCount != nil && (p.Total == nil || *d.TotalResolvedCount > *p.Total) {
		v := *d.TotalResolvedCount
		p.Total = &v
	}
	if i, ok := p.index[d.Page]; ok {
		p.pages[i].n = len(d.ResolvedTargets)
		return
	}
	p.index[d.Page] = len(p.pages)
	p.pages = append(p.pages, pageCount{d.Page, len(d.ResolvedTargets)})
}

// runs encodes the pages as runs of consecutive pages with the same count.
func (p *pageSum) runs() {
	for _, pc := range p.pages {
		if n := len(p.Runs); n > 0 {
			if r := &p.Runs[n-1]; r.N == pc.n && r.From+r.Len == pc.page {
				r.Len++
				continue
			}
		}
		p.Runs = append(p.Runs, pageRun{From: pc.page, Len: 1, N: pc.n})
	}
	p.index, p.pages = nil, nil
}

// keptRecord is a record of an objectLog and its place among the object's
// records.
type keptRecord struct {
	At     int    `json:"at"`
	Record record `json:"record"`
}

// decodeOptions decode a record as encoding/json would (names matched
// without regard to case, duplicate names and invalid UTF-8 accepted), with
// the faster decoder of github.com/go-json-experiment/json, which skips the
// members it does not need (resolved_targets) without building them.
var decodeOptions = json.JoinOptions(
	json.MatchCaseInsensitiveNames(true),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// parse reads one log object's records; it only reads t's bounds, so
// several objects can be parsed at once.
func (t *Timeline) parse(r io.Reader) (objectLog, error) {
	var o objectLog
	starts, errs := 0, 0
	sums := map[string]*pageSum{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var rec record
		if err := json.Unmarshal(line, &rec, decodeOptions); err != nil || rec.LogType == "" {
			o.Malformed++
			continue
		}
		at := o.Records
		o.Records++
		switch rec.LogType {
		case LogTargetResolutionStart:
			continue // counted only
		case LogTargetResolutionEnd:
			p := sums[rec.Details.TargetName]
			if p == nil {
				p = &pageSum{Target: rec.Details.TargetName, First: at, index: map[int]int{}}
				sums[p.Target] = p
				o.Pages = append(o.Pages, p)
			}
			ts, _ := time.Parse(time.RFC3339, rec.EventTimestamp)
			p.add(at, ts, &rec.Details)
			continue
		case LogActionStart:
			// Past max() starts in one object the timeline's events are full.
			if starts++; starts > t.max() {
				o.Dropped++
				continue
			}
		case LogActionError:
			// Past maxErrorEvents in one object the error bound is reached.
			if errs++; errs > maxErrorEvents {
				o.Dropped++
				continue
			}
		}
		rec.Details.ResolvedTargets = nil // only -end pages' count, summed above
		o.Kept = append(o.Kept, keptRecord{At: at, Record: rec})
	}
	if err := sc.Err(); err != nil {
		return o, fmt.Errorf("read log records: %w", err)
	}
	for _, p := range o.Pages {
		p.runs()
	}
	return o, nil
}

// apply adds a parsed object's records to the timeline, as if read in
// order.
func (t *Timeline) apply(o objectLog) {
	base := t.records
	// Each step at its record's place: the kept records, each target's
	// pages at its first page, and their first error_information at its own.
	type step struct {
		at    int
		rec   *record
		pages *pageSum
		err   bool
	}
	steps := make([]step, 0, len(o.Kept)+2*len(o.Pages))
	for i := range o.Kept {
		steps = append(steps, step{at: o.Kept[i].At, rec: &o.Kept[i].Record})
	}
	for _, p := range o.Pages {
		steps = append(steps, step{at: p.First, pages: p})
		if p.ErrInf != "" {
			steps = append(steps, step{at: p.ErrInfAt, pages: p, err: true})
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at < steps[j].at })
	for _, st := range steps {
		t.records = base + st.at
		switch {
		case st.rec != nil:
			t.add(st.rec)
		case st.err:
			if tg := t.targets[st.pages.Target]; tg != nil && tg.errInf == "" {
				tg.errInf = st.pages.ErrInf
			}
		default:
			t.addPages(st.pages)
		}
	}
	t.records = base + o.Records
	t.malformed += o.Malformed
	t.dropped += o.Dropped
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
	tg := t.target(d.TargetName)
	if tg == nil {
		t.dropped++
		return
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
	tg.page(d.Page, len(d.ResolvedTargets))
	if d.TotalResolvedCount != nil {
		tg.total = max(tg.total, *d.TotalResolvedCount)
	}
}

// target is the tracked target name, new if need be; nil when maxTargets
// are tracked already.
func (t *Timeline) target(name string) *target {
	if tg, ok := t.targets[name]; ok {
		return tg
	}
	if t.targets == nil {
		t.targets = make(map[string]*target)
	}
	if len(t.targets) >= maxTargets {
		return nil
	}
	tg := &target{name: name, pages: map[int]int{}, total: -1, seq: t.records}
	t.targets[name] = tg
	return tg
}

// maxPages bounds the -end pages tracked per target.
const maxPages = 10_000

// page records an -end page's count: the last one given for a page, for
// the first maxPages pages.
func (tg *target) page(page, n int) {
	if _, ok := tg.pages[page]; ok || len(tg.pages) < maxPages {
		tg.pages[page] = n
	}
}

// addPages applies one object's -end pages of one target, as reading them
// one after another (from the first, the current record) would.
func (t *Timeline) addPages(p *pageSum) {
	t.records++
	tg := t.target(p.Target)
	if tg == nil {
		t.dropped += p.Count
		return
	}
	if p.Latest.After(tg.at) {
		tg.at = p.Latest
	}
	for _, r := range p.Runs {
		for page := r.From; page < r.From+r.Len; page++ {
			tg.page(page, r.N)
		}
	}
	if p.Total != nil {
		tg.total = max(tg.total, *p.Total)
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
