// Package archive is the archive step: once the experiment has ended it waits
// (through the state machine's retries, never by sleeping) for FIS to deliver
// the experiment-end log record, copies every FIS log object of the
// experiment server-side into the archive bucket, reads the steady-state
// metrics and the stop-condition alarm history, and writes spec.yaml,
// template.json, summary.json, summary.md and report.html (contract §3, §4).
// Running it again for the same experiment writes the same keys with the
// same bytes.
package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/goccy/go-yaml"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
)

// Defaults of Config.
const (
	DefaultLogPrefix    = fistemplate.DefaultLogPrefix
	DefaultLogWaitLimit = 15 * time.Minute
	// MetricSettle is how long CloudWatch is given to publish a period: the
	// after window ends at least this long before the archive's time, so
	// that a re-run does not find datapoints the first run could not see.
	MetricSettle = 2 * time.Minute
)

// Files of an archive, under its prefix.
const (
	FileSpec     = "spec.yaml"
	FileTemplate = "template.json"
	FileSummary  = "summary.json"
	FileMarkdown = "summary.md"
	FileReport   = "report.html"
	DirLogs      = "logs/"
)

// SkippedNothingStarted is ArchiveResult.Skipped when the run started no
// experiment.
const SkippedNothingStarted = "nothing was started: the run has no experiment to archive"

// Config is the archive step's deployment facts (from the environment, read
// in main).
type Config struct {
	// LogBucket and LogPrefix are where FIS delivers the experiment logs
	// (LOG_BUCKET, LOG_PREFIX; the prefix defaults to fis-logs/). When
	// LogBucket is empty the experiment's own log configuration is used.
	LogBucket string
	LogPrefix string
	// ArchiveBucket receives the archive (ARCHIVE_BUCKET).
	ArchiveBucket string
	// AccountID and Region locate the FIS logs and name the alarms' ARNs
	// (ACCOUNT_ID, AWS_REGION).
	AccountID string
	Region    string
	// LogWaitLimit is how long after the experiment's end the step keeps
	// answering LogsNotReady (LOG_WAIT_LIMIT; default 15m). Past it, the
	// archive completes with logsComplete false.
	LogWaitLimit time.Duration
	// Render renders the GameDay into the template request exactly as the
	// start step sent it. Nil means fistemplate.Render with LogBucket,
	// LogPrefix, AccountID and Region (and the default role).
	Render func(*gameday.Spec) (*fis.CreateExperimentTemplateInput, error)
	// AwaitAfterWindow, when set, makes the step also answer LogsNotReady
	// until the after window (spec.report.window.after past the faults'
	// end, plus MetricSettle) is over, within the same LogWaitLimit, so that
	// the after phase is judged on a full window. Off: the after window is
	// cut at the archive's time, as the contract's default.
	AwaitAfterWindow bool
}

// Archiver is the archive step.
type Archiver struct {
	cfg Config
	s3  S3API
	fis FISAPI
	cw  CloudWatchAPI
	now func() time.Time
}

// New returns the archive step. now is the clock (nil means time.Now).
func New(cfg Config, s3c S3API, fisc FISAPI, cw CloudWatchAPI, now func() time.Time) *Archiver {
	if cfg.LogPrefix == "" {
		cfg.LogPrefix = DefaultLogPrefix
	}
	if cfg.LogWaitLimit <= 0 {
		cfg.LogWaitLimit = DefaultLogWaitLimit
	}
	if now == nil {
		now = time.Now
	}
	if cfg.Render == nil {
		o := fistemplate.Options{LogBucket: cfg.LogBucket, LogPrefix: cfg.LogPrefix, Account: cfg.AccountID, Region: cfg.Region}
		cfg.Render = func(s *gameday.Spec) (*fis.CreateExperimentTemplateInput, error) { return fistemplate.Render(s, o) }
	}
	return &Archiver{cfg: cfg, s3: s3c, fis: fisc, cw: cw, now: now}
}

// Prefix is the archive prefix of a run:
// gamedays/<name>/<UTC start 2006-01-02T15-04-05Z>_<experimentId>/.
func Prefix(name string, start time.Time, experimentID string) string {
	return "gamedays/" + name + "/" + start.UTC().Format("2006-01-02T15-04-05Z") + "_" + experimentID + "/"
}

// LogPrefix is where FIS writes an experiment's logs:
// <prefix>AWSLogs/<account>/fis/<region>/<experiment-id>/.
func LogPrefix(prefix, account, region, experimentID string) string {
	p := strings.TrimSuffix(prefix, "/")
	if p != "" {
		p += "/"
	}
	return p + "AWSLogs/" + account + "/fis/" + region + "/" + experimentID + "/"
}

// logObject is one FIS log object.
type logObject struct {
	key  string
	size int64
}

// Handle is the archive step.
func (a *Archiver) Handle(ctx context.Context, st gameday.RunState) (gameday.ArchiveResult, error) {
	if st.Start == nil || st.Start.ExperimentID == "" {
		slog.InfoContext(ctx, "archive skipped", "reason", SkippedNothingStarted)
		return gameday.ArchiveResult{Verdict: report.VerdictFailed, Skipped: SkippedNothingStarted}, nil
	}
	spec := st.GameDay
	if spec == nil {
		return gameday.ArchiveResult{}, gameday.NewStepError(gameday.ErrNameInvalidGameDay, "archive: the run carries no gameday")
	}
	id := st.Start.ExperimentID
	out, err := a.fis.GetExperiment(ctx, &fis.GetExperimentInput{Id: &id})
	if err != nil {
		return gameday.ArchiveResult{}, fmt.Errorf("get experiment %s: %w", id, awserr.Classify(err))
	}
	exp := out.Experiment
	if exp == nil || exp.State == nil {
		return gameday.ArchiveResult{}, fmt.Errorf("get experiment %s: no state in the answer", id)
	}
	state := gameday.State(exp.State.Status)
	if !state.Terminal() {
		return gameday.ArchiveResult{}, gameday.NewStepError(gameday.ErrNameLogsNotReady, "experiment %s is still %s: its logs are not final", id, state)
	}
	now := a.now().UTC()
	startedAt := st.Start.StartedAt
	if exp.StartTime != nil {
		startedAt = *exp.StartTime
	}
	startedAt = startedAt.UTC()
	var endedAt time.Time
	if exp.EndTime != nil {
		endedAt = exp.EndTime.UTC()
	}
	acts := actions(exp.Actions)
	if a.cfg.AwaitAfterWindow {
		// Before reading the logs: while the after window is not over the
		// step answers LogsNotReady whatever they hold, so its retries need
		// not read them again each time.
		if err := a.afterWindowPending(spec, acts, startedAt, endedAt, now); err != nil {
			return gameday.ArchiveResult{}, err
		}
	}

	logBucket, logPrefix := a.logLocation(exp)
	objects, err := a.listLogs(ctx, logBucket, logPrefix)
	if err != nil {
		return gameday.ArchiveResult{}, err
	}
	tl := &Timeline{}
	var bytesTotal int64
	for _, o := range objects {
		if err := a.readLog(ctx, logBucket, o.key, tl); err != nil {
			return gameday.ArchiveResult{}, err
		}
		bytesTotal += o.size
	}
	if !tl.Complete() {
		ended := endedAt
		if ended.IsZero() {
			ended = now
		}
		if waited := now.Sub(ended); waited < a.cfg.LogWaitLimit {
			return gameday.ArchiveResult{}, gameday.NewStepError(gameday.ErrNameLogsNotReady,
				"no experiment-end record yet under s3://%s/%s (%d objects); the experiment ended %s ago, waiting up to %s",
				logBucket, logPrefix, len(objects), waited.Round(time.Second), a.cfg.LogWaitLimit)
		}
		slog.WarnContext(ctx, "archive without experiment-end", "experimentId", id, "objects", len(objects), "logWaitLimit", a.cfg.LogWaitLimit.String())
	}

	prefix := Prefix(spec.Metadata.Name, startedAt, id)
	for _, o := range objects {
		if err := a.copyLog(ctx, logBucket, o.key, prefix+DirLogs+o.key); err != nil {
			return gameday.ArchiveResult{}, err
		}
	}

	run := report.Run{
		Spec:                 spec,
		ExecutionARN:         st.Execution.ARN,
		ExperimentID:         id,
		ExperimentTemplateID: aws.ToString(exp.ExperimentTemplateId),
		State:                state,
		StopReason:           aws.ToString(exp.State.Reason),
		StartedAt:            startedAt,
		EndedAt:              endedAt,
		Actions:              acts,
		Timeline:             tl.Events(),
		Error:                st.Error,
		Logs: report.Logs{
			Objects:         len(objects),
			Bytes:           bytesTotal,
			Records:         tl.Records(),
			ArchivedTo:      "s3://" + a.cfg.ArchiveBucket + "/" + prefix + DirLogs,
			Complete:        tl.Complete(),
			TimelineDropped: tl.Dropped(),
		},
	}
	if run.ExperimentTemplateID == "" {
		run.ExperimentTemplateID = st.Start.ExperimentTemplateID
	}
	// The windows' "now" is the first archive's: a re-run reproduces it
	// instead of widening the after window, so that the same run always
	// gives the same bytes.
	asOf, err := a.previousAsOf(ctx, prefix)
	if err != nil {
		return gameday.ArchiveResult{}, err
	}
	if asOf.IsZero() || asOf.After(now) {
		asOf = now
	}
	run.Windows = windows(spec, run, asOf)
	if run.Metrics, err = a.metrics(ctx, spec, run.Windows); err != nil {
		return gameday.ArchiveResult{}, err
	}
	if run.Alarms, err = a.alarms(ctx, spec, st.Preflight, startedAt, endedAt, now); err != nil {
		return gameday.ArchiveResult{}, err
	}
	summary := report.Summarize(run)

	files, err := a.documents(st, run, summary)
	if err != nil {
		return gameday.ArchiveResult{}, err
	}
	for _, f := range files {
		if err := a.put(ctx, prefix+f.name, f.contentType, f.body); err != nil {
			return gameday.ArchiveResult{}, err
		}
	}
	res := gameday.ArchiveResult{
		URI:           "s3://" + a.cfg.ArchiveBucket + "/" + prefix,
		Bucket:        a.cfg.ArchiveBucket,
		Prefix:        prefix,
		State:         state,
		Verdict:       summary.Verdict,
		LogsComplete:  tl.Complete(),
		ExperimentID:  id,
		Hypothesis:    summary.Hypothesis.Verdict,
		VerdictReason: summary.VerdictReason,
	}
	if summary.StoppedByAlarm != nil {
		res.StoppedByAlarm = *summary.StoppedByAlarm
	}
	slog.InfoContext(ctx, "archived", "experimentId", id, "uri", res.URI, "verdict", res.Verdict,
		"logObjects", len(objects), "logRecords", tl.Records(), "logsComplete", res.LogsComplete)
	return res, nil
}

// afterWindowPending is a LogsNotReady error while the after window is not
// over yet and the experiment ended less than LogWaitLimit ago.
func (a *Archiver) afterWindowPending(spec *gameday.Spec, acts []gameday.ActionState, startedAt, endedAt, now time.Time) error {
	w := windows(spec, report.Run{StartedAt: startedAt, EndedAt: endedAt, Actions: acts}, now)
	_, after := spec.ReportWindow()
	ready := w.During.End.Add(after).Add(MetricSettle)
	if endedAt.IsZero() || !now.Before(ready) || now.Sub(endedAt) >= a.cfg.LogWaitLimit {
		return nil
	}
	return gameday.NewStepError(gameday.ErrNameLogsNotReady,
		"waiting for the after window's metrics until %s (the experiment ended %s ago, waiting up to %s)",
		ready.Format(time.RFC3339), now.Sub(endedAt).Round(time.Second), a.cfg.LogWaitLimit)
}

// previousAsOf is the time an archive already written under prefix was made
// as of (as far as its windows tell), or zero when there is none.
func (a *Archiver) previousAsOf(ctx context.Context, prefix string) (time.Time, error) {
	key := prefix + FileSummary
	out, err := a.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &a.cfg.ArchiveBucket, Key: &key})
	if err != nil {
		if err = awserr.Classify(err); errors.Is(err, gameday.ErrNotFound) {
			return time.Time{}, nil
		}
		return time.Time{}, fmt.Errorf("get s3://%s/%s: %w", a.cfg.ArchiveBucket, key, err)
	}
	defer out.Body.Close()
	var prev struct {
		Windows report.Windows `json:"windows"`
	}
	if err := json.NewDecoder(out.Body).Decode(&prev); err != nil {
		return time.Time{}, nil // not ours or damaged: rewrite it from scratch
	}
	if prev.Windows.After.End.IsZero() {
		return time.Time{}, nil
	}
	// windows ends the after window MetricSettle before the archive's time
	// (or earlier): adding it back gives a time that yields the same windows.
	return prev.Windows.After.End.Add(MetricSettle), nil
}

// logLocation is the bucket and prefix of the experiment's FIS logs: the
// configured bucket, or the experiment's own S3 log configuration.
func (a *Archiver) logLocation(exp *fistypes.Experiment) (bucket, prefix string) {
	bucket, prefix = a.cfg.LogBucket, a.cfg.LogPrefix
	if bucket == "" && exp.LogConfiguration != nil && exp.LogConfiguration.S3Configuration != nil {
		bucket = aws.ToString(exp.LogConfiguration.S3Configuration.BucketName)
		prefix = aws.ToString(exp.LogConfiguration.S3Configuration.Prefix)
	}
	return bucket, LogPrefix(prefix, a.cfg.AccountID, a.cfg.Region, aws.ToString(exp.Id))
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
			objs = append(objs, logObject{key: *o.Key, size: aws.ToInt64(o.Size)})
		}
	}
	slices.SortFunc(objs, func(x, y logObject) int { return strings.Compare(x.key, y.key) })
	return objs, nil
}

// readLog streams one log object into the timeline.
func (a *Archiver) readLog(ctx context.Context, bucket, key string, tl *Timeline) error {
	out, err := a.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return fmt.Errorf("get log s3://%s/%s: %w", bucket, key, awserr.Classify(err))
	}
	defer out.Body.Close()
	if err := tl.Read(out.Body); err != nil {
		return fmt.Errorf("parse log s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// copyLog copies one log object server-side into the archive.
func (a *Archiver) copyLog(ctx context.Context, bucket, key, dst string) error {
	src := bucket + "/" + escapeKey(key)
	_, err := a.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &a.cfg.ArchiveBucket, Key: &dst, CopySource: &src})
	if err != nil {
		return fmt.Errorf("copy log s3://%s/%s: %w", bucket, key, awserr.Classify(err))
	}
	return nil
}

// escapeKey URL-encodes a key for CopySource, keeping its slashes.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

func (a *Archiver) put(ctx context.Context, key, contentType string, body []byte) error {
	_, err := a.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &a.cfg.ArchiveBucket,
		Key:           &key,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   &contentType,
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", a.cfg.ArchiveBucket, key, awserr.Classify(err))
	}
	return nil
}

type file struct {
	name, contentType string
	body              []byte
}

// documents renders the archive's five documents.
func (a *Archiver) documents(st gameday.RunState, run report.Run, s report.Summary) ([]file, error) {
	specYAML := []byte(st.SpecYAML)
	if len(specYAML) == 0 {
		b, err := yaml.Marshal(st.GameDay)
		if err != nil {
			return nil, fmt.Errorf("encode spec.yaml: %w", err)
		}
		specYAML = b
	}
	in, err := a.cfg.Render(st.GameDay)
	if err != nil {
		return nil, fmt.Errorf("render template: %w", err)
	}
	tmpl, err := fistemplate.JSON(in)
	if err != nil {
		return nil, err
	}
	js, err := report.JSON(s)
	if err != nil {
		return nil, err
	}
	page, err := report.HTML(run, s)
	if err != nil {
		return nil, err
	}
	return []file{
		{FileSpec, "application/yaml", specYAML},
		{FileTemplate, "application/json", tmpl},
		{FileSummary, "application/json", js},
		{FileMarkdown, "text/markdown; charset=utf-8", report.Markdown(s)},
		{FileReport, "text/html; charset=utf-8", page},
	}, nil
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
