package archive

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
)

// The gathering half of the archive step: the experiment's final state, its
// FIS logs, the steady-state metrics and the stop-condition alarms, read
// into a report.Run. Nothing here writes.

// evidence is what gather found about a run.
type evidence struct {
	run report.Run
	// prefix is the run's archive prefix.
	prefix string
	// logBucket and logs are the experiment's FIS log objects.
	logBucket string
	logs      []logObject
	// summary is the report of run.
	summary report.Summary
}

// logObject is one FIS log object.
type logObject struct {
	key, etag string
	size      int64
}

// gather reads everything the archive holds about st's experiment. It
// answers LogsNotReady while the experiment runs, while FIS has not
// delivered its experiment-end record (within LogWaitLimit) and, with
// AwaitAfterWindow, while the after window is not over.
func (a *Archiver) gather(ctx context.Context, st gameday.RunState) (*evidence, error) {
	spec, id := st.GameDay, st.Start.ExperimentID
	exp, err := a.experiment(ctx, id, st.Execution.ARN, st.StopError)
	if err != nil {
		return nil, err
	}
	now := a.now().UTC()
	run := report.Run{
		Spec:                 spec,
		ExecutionARN:         st.Execution.ARN,
		ExperimentID:         id,
		ExperimentTemplateID: cmp.Or(aws.ToString(exp.ExperimentTemplateId), st.Start.ExperimentTemplateID),
		State:                experiment.State(exp.State.Status),
		StopReason:           aws.ToString(exp.State.Reason),
		StartedAt:            aws.ToTime(cmp.Or(exp.StartTime, &st.Start.StartedAt)).UTC(),
		Actions:              actions(exp.Actions),
		Error:                st.Error,
	}
	if exp.EndTime != nil {
		run.EndedAt = exp.EndTime.UTC()
	}
	if a.cfg.AwaitAfterWindow {
		// Before reading the logs: while the after window is not over the
		// step answers LogsNotReady whatever they hold, so its retries need
		// not read them again each time.
		if err := a.afterWindowPending(spec, run, now); err != nil {
			return nil, err
		}
	}
	ev := &evidence{prefix: deploy.RunFolder(spec.Metadata.Name, run.StartedAt, id)}
	if err := a.readLogs(ctx, exp, &run, ev, now, cursorOf(st)); err != nil {
		return nil, err
	}
	// The windows' "now" is the first archive's: a re-run reproduces it
	// instead of widening the after window, so that the same run always
	// gives the same bytes.
	prev, err := a.previous(ctx, ev.prefix)
	if err != nil {
		return nil, err
	}
	if prev.failed != nil && st.Error == nil {
		// The cleanup branch has archived the run as failed: this is the
		// run's own archive step, answering after its Task gave up on it.
		// Its summary would say how the experiment went, as if the run had
		// not failed.
		return nil, fmt.Errorf("archive: s3://%s/%s%s records the run's failure (%s); an archive without it does not replace it",
			a.cfg.ArchiveBucket, ev.prefix, FileSummary, prev.failed.Error)
	}
	asOf := prev.asOf
	if asOf.IsZero() || asOf.After(now) {
		asOf = now
	}
	run.Windows = windows(spec, run, asOf)
	read, err := a.metrics(ctx, spec, run.Windows)
	if err != nil {
		return nil, err
	}
	run.Metrics, run.Observed = read.checks, read.observed
	// The alarms' history over the charts' range: the verdict looks only
	// at the experiment's run, the charts show when an ALARM ended.
	histFrom, histTo := run.StartedAt, run.EndedAt
	if w := run.Windows; !w.Before.Start.IsZero() && w.Before.Start.Before(histFrom) {
		histFrom = w.Before.Start
	}
	if w := run.Windows; !histTo.IsZero() && w.After.End.After(histTo) {
		histTo = w.After.End
	}
	if run.Alarms, err = a.alarms(ctx, spec, st.Preflight, histFrom, histTo, now); err != nil {
		return nil, err
	}
	for i := range run.Alarms {
		run.Alarms[i].Points = read.alarms[run.Alarms[i].Name]
	}
	if a.cfg.Region != "" && slices.Contains(a.cfg.Dashboards, spec.Metadata.Name) {
		run.DashboardURL = gameday.DashboardURL(a.cfg.Region, spec.Metadata.Name)
	}
	ev.run, ev.summary = run, report.Summarize(run)
	return ev, nil
}

// foreignError is an experiment that the execution did not start: its
// execution tag names another, or none.
type foreignError struct{ id, owner string }

func (e *foreignError) Error() string {
	return fmt.Sprintf("experiment %s was not started by this execution (its execution tag is %q)", e.id, e.owner)
}

// experiment is the experiment's final state; LogsNotReady while it runs;
// a foreignError for an experiment another execution started. After the
// cleanup branch's stop step failed (stopErr), an experiment that is still
// active and not stopping is an error, not LogsNotReady: nothing would stop
// it while the step waited for its end, so the run ends at once and the
// guard stops it.
func (a *Archiver) experiment(ctx context.Context, id, executionARN string, stopErr *gameday.CaughtError) (*fistypes.Experiment, error) {
	exp, err := experiment.Get(ctx, a.fis, id)
	if err != nil {
		return nil, err
	}
	if exp.State == nil {
		return nil, fmt.Errorf("get experiment %s: no state in the answer", id)
	}
	if owner := exp.Tags[deploy.TagExecution]; owner == "" || owner != executionARN {
		return nil, &foreignError{id: id, owner: owner}
	}
	if stopErr != nil && experiment.Active(exp.State) && exp.State.Status != fistypes.ExperimentStatusStopping {
		return nil, fmt.Errorf("experiment %s is still %s and the stop step failed (%s): not waiting for it to end, so that the run ends and the guard stops it",
			id, exp.State.Status, stopErr.Error)
	}
	if state := experiment.State(exp.State.Status); !state.Terminal() {
		return nil, gameday.NewStepError(gameday.ErrNameLogsNotReady, "experiment %s is still %s: its logs are not final", id, state)
	}
	return exp, nil
}

// readLogs reads the experiment's FIS log objects into run's timeline and
// log facts, and records them in ev for the copy. It reads only the objects
// that read (the previous tries' cursor) does not hold. Without an
// experiment-end record it answers LogsNotReady (with what it read) until
// LogWaitLimit after the experiment's end, then goes on with what there is.
func (a *Archiver) readLogs(ctx context.Context, exp *fistypes.Experiment, run *report.Run, ev *evidence, now time.Time, read map[string]objectLog) error {
	bucket, prefixes := a.logLocation(exp)
	prefix := prefixes[0]
	var objects []logObject
	for _, p := range prefixes {
		objs, err := a.listLogs(ctx, bucket, p)
		if err != nil {
			return err
		}
		objects = append(objects, objs...)
	}
	tl := &Timeline{}
	logs, err := a.readObjects(ctx, bucket, objects, tl, read)
	if err != nil {
		return err
	}
	var bytesTotal int64
	for _, o := range objects {
		bytesTotal += o.size
	}
	complete := tl.Whole(startedActions(exp.Actions))
	if !complete {
		ended := cmp.Or(run.EndedAt, now)
		if waited := now.Sub(ended); waited < a.cfg.LogWaitLimit {
			return &logsNotReady{logs: logs, err: gameday.NewStepError(gameday.ErrNameLogsNotReady,
				"no experiment-end record yet under s3://%s/%s (%d objects); the experiment ended %s ago, waiting up to %s",
				bucket, prefix, len(objects), waited.Round(time.Second), a.cfg.LogWaitLimit)}
		}
		slog.WarnContext(ctx, "archive without experiment-end", "experimentId", run.ExperimentID, "objects", len(objects), "logWaitLimit", a.cfg.LogWaitLimit.String())
	}
	ev.logBucket, ev.logs = bucket, objects
	run.Timeline = tl.Events()
	run.Logs = report.Logs{
		Objects:         len(objects),
		Bytes:           bytesTotal,
		Records:         tl.Records(),
		ArchivedTo:      a.cfg.location() + "/" + ev.prefix + DirLogs,
		Complete:        complete,
		TimelineDropped: tl.Dropped(),
	}
	return nil
}

// afterWindowPending is a LogsNotReady error while the after window is not
// over yet and the experiment ended less than LogWaitLimit ago.
func (a *Archiver) afterWindowPending(spec *gameday.Spec, run report.Run, now time.Time) error {
	w := windows(spec, run, now)
	endedAt := run.EndedAt
	_, after := spec.ReportWindow()
	ready := w.During.End.Add(after).Add(MetricSettle)
	if endedAt.IsZero() || !now.Before(ready) || now.Sub(endedAt) >= a.cfg.LogWaitLimit {
		return nil
	}
	return gameday.NewStepError(gameday.ErrNameLogsNotReady,
		"waiting for the after window's metrics until %s (the experiment ended %s ago, waiting up to %s)",
		ready.Format(time.RFC3339), now.Sub(endedAt).Round(time.Second), a.cfg.LogWaitLimit)
}

// prior is what an archive already written under a run's prefix says.
type prior struct {
	// asOf is the time it was made as of (as far as its windows tell),
	// zero when unknown.
	asOf time.Time
	// failed is the error it records the run failed with, if any.
	failed *gameday.CaughtError
}

// previous reads the archive already written under prefix; the zero prior
// when there is none.
func (a *Archiver) previous(ctx context.Context, prefix string) (prior, error) {
	key := prefix + FileSummary
	out, err := a.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &a.cfg.ArchiveBucket, Key: &key})
	if err != nil {
		if err = awserr.Classify(err); errors.Is(err, gameday.ErrNotFound) {
			return prior{}, nil
		}
		return prior{}, fmt.Errorf("get s3://%s/%s: %w", a.cfg.ArchiveBucket, key, err)
	}
	defer out.Body.Close()
	var prev struct {
		Windows report.Windows       `json:"windows"`
		Error   *gameday.CaughtError `json:"error"`
	}
	if err := json.NewDecoder(out.Body).Decode(&prev); err != nil {
		return prior{}, nil // not ours or damaged: rewrite it from scratch
	}
	p := prior{failed: prev.Error}
	if !prev.Windows.After.End.IsZero() {
		// windows ends the after window MetricSettle before the archive's
		// time (or earlier): adding it back gives a time that yields the
		// same windows.
		p.asOf = prev.Windows.After.End.Add(MetricSettle)
	}
	return p, nil
}

// logLocation is the bucket and prefix of the experiment's FIS logs: the
// configured bucket, or the experiment's own S3 log configuration.
func (a *Archiver) logLocation(exp *fistypes.Experiment) (bucket string, prefixes []string) {
	bucket, prefix := a.cfg.LogBucket, a.cfg.LogPrefix
	if bucket == "" && exp.LogConfiguration != nil && exp.LogConfiguration.S3Configuration != nil {
		bucket = aws.ToString(exp.LogConfiguration.S3Configuration.BucketName)
		prefix = aws.ToString(exp.LogConfiguration.S3Configuration.Prefix)
	}
	return bucket, logPrefixes(prefix, a.cfg.AccountID, a.cfg.Region, aws.ToString(exp.Id))
}

// logPrefixes are the places FIS may write an experiment's logs: LogPrefix,
// and for a prefix ending in "/" also <prefix>/AWSLogs/... (a double slash),
// since FIS does not document how it joins the two (docs/fidelity.md).
func logPrefixes(prefix, account, region, experimentID string) []string {
	out := []string{LogPrefix(prefix, account, region, experimentID)}
	if p := strings.TrimLeft(prefix, "/"); strings.HasSuffix(p, "/") && strings.Trim(p, "/") != "" {
		out = append(out, p+"/AWSLogs/"+account+"/fis/"+region+"/"+experimentID+"/")
	}
	return out
}

// startedActions are the names of the experiment's actions that started.
func startedActions(m map[string]fistypes.ExperimentAction) []string {
	var out []string
	for name, a := range m {
		if a.StartTime != nil {
			out = append(out, name)
		}
	}
	return out
}

// listLogs lists every log object under prefix, in key order.
func (a *Archiver) listLogs(ctx context.Context, bucket, prefix string) ([]logObject, error) {
	var objs []logObject
	p := s3.NewListObjectsV2Paginator(a.s3, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list logs s3://%s/%s: %w", bucket, prefix, awserr.Classify(err))
		}
		for _, o := range page.Contents {
			if o.Key == nil || strings.HasSuffix(*o.Key, "/") {
				continue
			}
			objs = append(objs, logObject{key: *o.Key, etag: aws.ToString(o.ETag), size: aws.ToInt64(o.Size)})
		}
	}
	slices.SortFunc(objs, func(x, y logObject) int { return strings.Compare(x.key, y.key) })
	return objs, nil
}

// ioConcurrency is how many S3 requests on log objects the archive has in
// flight at once, reading them and then copying them: S3's latency (tens of
// milliseconds to the first byte) rather than its bandwidth bounds one
// request after another.
const ioConcurrency = 16

// readObjects reads the log objects, up to ioConcurrency at once, and
// applies each to tl in key order, so that the timeline is the one reading
// them one after another gives. At most ioConcurrency objects are being
// read or waiting for their turn at any time. An object read holds (same
// key, size and ETag) is not read again. It returns what each object told,
// in key order.
func (a *Archiver) readObjects(ctx context.Context, bucket string, objects []logObject, tl *Timeline, read map[string]objectLog) ([]objectLog, error) {
	// The first failed read cancels the others at once.
	ctx, cancel := context.WithCancelCause(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(nil); wg.Wait() }() // nothing left running on return
	type result struct {
		log objectLog
		err error
	}
	results := make([]chan result, len(objects))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	slots := make(chan struct{}, ioConcurrency)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, o := range objects {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				lg, known := read[o.key]
				var err error
				if !known || lg.Size != o.size || lg.ETag != o.etag {
					lg, err = a.readLog(ctx, bucket, o, tl)
				}
				if err != nil {
					cancel(err)
				}
				results[i] <- result{lg, err}
			}()
		}
	}()
	out := make([]objectLog, 0, len(objects))
	for i := range objects {
		var r result
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
		<-slots
		if r.err != nil {
			// The first failure, not a read it cancelled.
			return nil, cmp.Or(context.Cause(ctx), r.err)
		}
		tl.apply(r.log)
		out = append(out, r.log)
	}
	return out, nil
}

// readLog reads and parses one log object for tl (without changing tl).
func (a *Archiver) readLog(ctx context.Context, bucket string, o logObject, tl *Timeline) (objectLog, error) {
	out, err := a.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &o.key})
	if err != nil {
		return objectLog{}, fmt.Errorf("get log s3://%s/%s: %w", bucket, o.key, awserr.Classify(err))
	}
	defer out.Body.Close()
	lg, err := tl.parse(out.Body)
	if err != nil {
		return objectLog{}, fmt.Errorf("parse log s3://%s/%s: %w", bucket, o.key, err)
	}
	lg.Key, lg.Size, lg.ETag = o.key, o.size, o.etag
	return lg, nil
}

// actions is FIS's view of the faults, sorted by name, times in UTC.
func actions(m map[string]fistypes.ExperimentAction) []gameday.ActionState {
	out := experiment.Actions(m)
	for i := range out {
		out[i].StartTime, out[i].EndTime = utc(out[i].StartTime), utc(out[i].EndTime)
	}
	return out
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// windows are the metric windows: "during" is the faults' actual run (the
// first action start to the last action end, else the experiment's), before
// and after extend by spec.report.window, and "after" stops at now less
// MetricSettle.
func windows(spec *gameday.Spec, run report.Run, now time.Time) report.Windows {
	var fs, fe time.Time
	for _, a := range run.Actions {
		if a.StartTime != nil && (fs.IsZero() || a.StartTime.Before(fs)) {
			fs = *a.StartTime
		}
		if a.EndTime != nil && a.EndTime.After(fe) {
			fe = *a.EndTime
		}
	}
	if fs.IsZero() {
		fs = run.StartedAt
	}
	if fe.IsZero() || fe.Before(fs) {
		fe = run.EndedAt
	}
	if fe.IsZero() || fe.Before(fs) {
		fe = now
	}
	before, after := spec.ReportWindow()
	ae := fe.Add(after)
	if settled := now.Add(-MetricSettle); ae.After(settled) {
		ae = settled
	}
	if ae.Before(fe) {
		ae = fe
	}
	return report.Windows{
		Before: report.Span{Start: fs.Add(-before), End: fs},
		During: report.Span{Start: fs, End: fe},
		After:  report.Span{Start: fe, End: ae},
	}
}
