package fissim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// LogSchemaVersion is the experiment log schema the simulator writes.
const LogSchemaVersion = "2"

// Record is one experiment log record (schema version 2).
type Record struct {
	ID             string         `json:"id"`
	LogType        string         `json:"log_type"`
	EventTimestamp string         `json:"event_timestamp"`
	Version        string         `json:"version"`
	Details        map[string]any `json:"details"`
}

// stamp formats a time as the log records do.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

type logLine struct {
	at   time.Time
	line []byte
}

// logBuffer collects an experiment's records until they are shipped.
type logBuffer struct {
	mu     sync.Mutex
	all    []Record // every record, for LogRecords
	queue  []logLine
	closed chan struct{}
	once   sync.Once
}

func newLogBuffer() *logBuffer {
	return &logBuffer{closed: make(chan struct{})}
}

func (b *logBuffer) close() { b.once.Do(func() { close(b.closed) }) }

func (b *logBuffer) take() []logLine {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.queue
	b.queue = nil
	return q
}

// emit records one log record for the experiment. The details are the
// documented ones of the record type (FIS guide, "Experiment logging for
// AWS FIS", Example log records); account_id is only in
// target-resolution-detail and action-error, as schema version 2 added it
// there.
func (s *Service) emit(e *experiment, logType string, details map[string]any) {
	now := s.o.Clock.Now()
	r := Record{ID: e.id, LogType: logType, EventTimestamp: stamp(now), Version: LogSchemaVersion, Details: details}
	line, err := json.Marshal(r)
	if err != nil {
		s.log.Error("encode log record", "experimentId", e.id, "err", err)
		return
	}
	e.logs.mu.Lock()
	e.logs.all = append(e.logs.all, r)
	e.logs.queue = append(e.logs.queue, logLine{at: now, line: line})
	e.logs.mu.Unlock()
}

// LogRecords returns the records an experiment has emitted so far, in order
// (whether or not they were delivered yet).
func (s *Service) LogRecords(experimentID string) ([]Record, bool) {
	s.mu.Lock()
	e, ok := s.experiments[experimentID]
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	e.logs.mu.Lock()
	defer e.logs.mu.Unlock()
	return append([]Record(nil), e.logs.all...), true
}

// LogKey is the S3 key FIS delivers an experiment's log object to:
// <prefix>/AWSLogs/<account>/fis/<region>/<experiment-id>/YYYY/MM/DD/
// <account>_awsfislogs_<region>_<experiment-id>_<YYYYMMDDHHMM>Z_<hash>.log
func LogKey(prefix, account, region, experimentID string, at time.Time, hash string) string {
	at = at.UTC()
	key := fmt.Sprintf("AWSLogs/%s/fis/%s/%s/%s/%s_awsfislogs_%s_%s_%sZ_%s.log",
		account, region, experimentID, at.Format("2006/01/02"),
		account, region, experimentID, at.Format("200601021504"), hash)
	if p := strings.Trim(prefix, "/"); p != "" {
		key = p + "/" + key
	}
	return key
}

type logBatch struct {
	due   time.Time
	first time.Time
	body  []byte
}

// logBatchWindow is how much simulated time one delivered object covers.
const logBatchWindow = time.Minute

// shipLogs delivers the experiment's records to S3: the records of each
// simulated minute become one object, landing LogDelay later; the object
// with experiment-end is the last one. Under the LogEndFirst variant the
// objects are held until the experiment ends, then the last one lands
// first and the earlier ones a simulated minute after it.
func (s *Service) shipLogs(e *experiment) {
	defer s.wg.Done()
	lc := e.tmpl.logs
	if lc == nil || lc.S3Configuration == nil || s.o.PutObject == nil {
		select {
		case <-e.done:
		case <-s.ctx.Done():
		}
		return
	}
	tick := s.o.Clock.After(logBatchWindow)
	var queue []logBatch
	closed := e.logs.closed
	cut := func() {
		lines := e.logs.take()
		if len(lines) == 0 {
			return
		}
		var buf bytes.Buffer
		for _, l := range lines {
			buf.Write(l.line)
			buf.WriteByte('\n')
		}
		queue = append(queue, logBatch{due: s.o.Clock.Now().Add(s.o.LogDelay), first: lines[0].at, body: buf.Bytes()})
	}
	endFirst := s.o.Variants.LogOrder == LogEndFirst
	if endFirst {
		cut = s.endFirstCut(e, &queue, cut)
	}
	for {
		var due <-chan time.Time
		if len(queue) > 0 && (!endFirst || closed == nil) {
			due = s.o.Clock.After(queue[0].due.Sub(s.o.Clock.Now()))
		} else if closed == nil {
			return // the last object, with experiment-end, is delivered
		}
		select {
		case <-s.ctx.Done():
		case <-tick:
			tick = s.o.Clock.After(logBatchWindow)
			cut()
		case <-closed:
			closed = nil
			cut()
		case <-due:
			s.deliver(e, lc.S3Configuration, queue[0])
			queue = queue[1:]
		}
		if s.ctx.Err() != nil {
			return
		}
	}
}

// endFirstCut wraps cut for the LogEndFirst variant: once the experiment
// has ended, the last object moves to the head of the queue and the held
// ones are due a simulated minute after it.
func (s *Service) endFirstCut(e *experiment, queue *[]logBatch, cut func()) func() {
	return func() {
		held := len(*queue)
		cut()
		select {
		case <-e.logs.closed:
		default:
			return // still running: hold
		}
		q := *queue
		if len(q) == held || held == 0 {
			return
		}
		last := q[len(q)-1]
		rest := q[:held]
		for i := range rest {
			rest[i].due = last.due.Add(logBatchWindow)
		}
		*queue = append([]logBatch{last}, rest...)
	}
}

// deliver writes one batch of records as a log object at FIS's key layout.
func (s *Service) deliver(e *experiment, dest *s3LogConfig, b logBatch) {
	sum := sha256.Sum256(b.body)
	key := LogKey(dest.Prefix, s.o.Account, s.o.Region, e.id, b.first, hex.EncodeToString(sum[:8]))
	if s.o.Variants.LogPrefixJoin == LogPrefixVerbatim && strings.Trim(dest.Prefix, "/") != "" {
		key = dest.Prefix + "/" + key[len(strings.Trim(dest.Prefix, "/"))+1:]
	}
	if err := s.o.PutObject(dest.BucketName, key, b.body); err != nil {
		s.log.Warn("deliver experiment log", "experimentId", e.id, "bucket", dest.BucketName, "key", key, "err", err)
	}
}
