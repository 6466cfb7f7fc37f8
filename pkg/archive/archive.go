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
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
)

const (
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

// SkippedForeign is ArchiveResult.Skipped when $.start names an experiment
// that this execution did not start (its execution tag names another, or
// none): the archive reads only its own execution's experiment.
const SkippedForeign = "the experiment in $.start was not started by this execution: nothing of it is read or archived"

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
	// Location is where people find the archive bucket's objects
	// afterwards, as the report names them (ARCHIVE_LOCATION): the run's
	// folder is Location/<prefix>. Empty: s3://<ArchiveBucket>.
	Location string
	// AccountID and Region locate the FIS logs and name the alarms' ARNs
	// (ACCOUNT_ID, AWS_REGION).
	AccountID string
	Region    string
	// LogWaitLimit is how long after the experiment's end the step keeps
	// answering LogsNotReady (LOG_WAIT_LIMIT; default 15m). Past it, the
	// archive completes with logsComplete false.
	LogWaitLimit time.Duration
	// AwaitAfterWindow, when set, makes the step also answer LogsNotReady
	// until the after window (spec.report.window.after past the faults'
	// end, plus MetricSettle) is over, within the same LogWaitLimit, so that
	// the after phase is judged on a full window. Off: the after window is
	// cut at the archive's time, as the contract's default.
	AwaitAfterWindow bool
	// Dashboards are the GameDays the stack built a CloudWatch dashboard
	// for (DASHBOARDS): the report links a run of one of them to it.
	Dashboards []string
}

// location is where the report says the archive is: Location, else the
// archive bucket.
func (c Config) location() string {
	if c.Location != "" {
		return strings.TrimSuffix(c.Location, "/")
	}
	return "s3://" + c.ArchiveBucket
}

// Archiver is the archive step.
type Archiver struct {
	cfg Config
	s3  S3API
	fis experiment.GetExperimentAPI
	cw  CloudWatchAPI
	now func() time.Time
}

// New returns the archive step. now is the clock (nil means time.Now).
func New(cfg Config, s3c S3API, fisc experiment.GetExperimentAPI, cw CloudWatchAPI, now func() time.Time) *Archiver {
	if cfg.LogPrefix == "" {
		cfg.LogPrefix = deploy.DefaultLogPrefix
	}
	if cfg.LogWaitLimit <= 0 {
		cfg.LogWaitLimit = deploy.DefaultLogWaitLimit
	}
	if now == nil {
		now = time.Now
	}
	return &Archiver{cfg: cfg, s3: s3c, fis: fisc, cw: cw, now: now}
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

// Handle is the archive step: it gathers the run's evidence (gather.go),
// then writes the archive (write.go).
func (a *Archiver) Handle(ctx context.Context, st gameday.RunState) (gameday.ArchiveResult, error) {
	if (st.Start == nil || st.Start.ExperimentID == "") && st.Stop != nil && st.Stop.ExperimentID != "" {
		// Every start attempt died after FIS had started the experiment:
		// the cleanup's stop step found it by the execution's tag. Its
		// logs and metrics are the run's evidence all the same; only
		// template.json, which the start step records, is missing.
		st.Start = &gameday.StartResult{ExperimentID: st.Stop.ExperimentID}
	}
	if st.Start == nil || st.Start.ExperimentID == "" {
		slog.InfoContext(ctx, "archive skipped", "reason", SkippedNothingStarted)
		return gameday.ArchiveResult{Verdict: report.VerdictFailed, Skipped: SkippedNothingStarted}, nil
	}
	if st.GameDay == nil {
		return gameday.ArchiveResult{}, gameday.NewStepError(gameday.ErrNameInvalidGameDay, "archive: the run carries no gameday")
	}
	ev, err := a.gather(ctx, st)
	var foreign *foreignError
	if errors.As(err, &foreign) {
		slog.WarnContext(ctx, "archive skipped", "reason", SkippedForeign, "experimentId", foreign.id, "experimentExecution", foreign.owner, "executionArn", st.Execution.ARN)
		return gameday.ArchiveResult{Verdict: report.VerdictFailed, Skipped: SkippedForeign}, nil
	}
	if err != nil {
		return pending(ctx, st, err)
	}
	return a.write(ctx, st, ev)
}
