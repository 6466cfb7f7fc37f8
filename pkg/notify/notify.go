// Package notify is the notify step: it tells people and systems how a run
// ended. It publishes a short text (GameDay, verdict, where the summary is)
// to the stack's SNS topic when one is configured, and puts a
// "GameDay Completed" event (source gameday, detail = the summary's key
// fields) on an EventBridge bus. Ending both branches of the state machine,
// it also gives the run's lease back.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// The event gameday puts on the bus.
const (
	EventSource     = "gameday"
	EventDetailType = "GameDay Completed"
)

// SNSAPI publishes to a topic. *sns.Client satisfies it.
type SNSAPI interface {
	Publish(ctx context.Context, params *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// EventsAPI puts events on a bus. *eventbridge.Client satisfies it.
type EventsAPI interface {
	PutEvents(ctx context.Context, params *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var (
	_ SNSAPI    = (*sns.Client)(nil)
	_ EventsAPI = (*eventbridge.Client)(nil)
)

// Config is the notify step's deployment facts.
type Config struct {
	// TopicARN is the SNS topic (TOPIC_ARN); empty means no SNS message.
	TopicARN string
	// EventBusName is the EventBridge bus (EVENT_BUS_NAME; default
	// deploy.DefaultEventBusName).
	EventBusName string
}

// Releaser gives a run's lease back; *lease.Table satisfies it.
type Releaser interface {
	Release(ctx context.Context, gameday, owner string) (bool, error)
}

// Notifier is the notify step.
type Notifier struct {
	cfg    Config
	sns    SNSAPI
	events EventsAPI
	// Leases, when set, is the run lease table: the notify step ends both
	// branches of the state machine, so it gives the run's lease back
	// before it tells anyone the run ended.
	Leases Releaser
}

// New returns the notify step. sns may be nil when cfg.TopicARN is empty.
func New(cfg Config, snsc SNSAPI, events EventsAPI) *Notifier {
	if cfg.EventBusName == "" {
		cfg.EventBusName = deploy.DefaultEventBusName
	}
	return &Notifier{cfg: cfg, sns: snsc, events: events}
}

// Result is what the notify step did.
type Result struct {
	// MessageID is the SNS message id; empty when no topic is configured.
	MessageID string `json:"messageId,omitempty"`
	// EventID is the EventBridge event id.
	EventID  string `json:"eventId"`
	EventBus string `json:"eventBus"`
	Verdict  string `json:"verdict"`
	// Lease says what became of the run's lease: released, not held (the
	// guard or the sweeper released it, or preflight never took it) or
	// why it could not be released (the sweeper will).
	Lease string `json:"lease,omitempty"`
}

// Detail is the "GameDay Completed" event's detail: the summary's key fields.
type Detail struct {
	GameDay        string               `json:"gameday"`
	ExecutionARN   string               `json:"executionArn"`
	ExperimentID   string               `json:"experimentId,omitempty"`
	State          gameday.State        `json:"state,omitempty"`
	Verdict        string               `json:"verdict"`
	VerdictReason  string               `json:"verdictReason,omitempty"`
	Hypothesis     string               `json:"hypothesis,omitempty"`
	StoppedByAlarm string               `json:"stoppedByAlarm,omitempty"`
	LogsComplete   bool                 `json:"logsComplete"`
	Archive        string               `json:"archive,omitempty"`
	Summary        string               `json:"summary,omitempty"`
	Report         string               `json:"report,omitempty"`
	Skipped        string               `json:"skipped,omitempty"`
	Error          *gameday.CaughtError `json:"error,omitempty"`
	// StopError says the cleanup could not confirm the experiment stopped.
	StopError *gameday.CaughtError `json:"stopError,omitempty"`
}

// verdictFailed is the verdict of a run with no archive result (the archive
// step failed or never ran), as report.VerdictFailed.
const verdictFailed = "failed"

// DetailOf is the event detail of a run.
func DetailOf(st gameday.RunState) Detail {
	d := Detail{ExecutionARN: st.Execution.ARN, Error: st.Error, StopError: st.StopError}
	if st.GameDay != nil {
		d.GameDay = st.GameDay.Metadata.Name
	}
	if st.Start != nil {
		d.ExperimentID = st.Start.ExperimentID
	}
	if a := st.Archive; a != nil {
		d.State, d.Verdict, d.VerdictReason = a.State, a.Verdict, a.VerdictReason
		d.Hypothesis, d.StoppedByAlarm, d.LogsComplete, d.Skipped = a.Hypothesis, a.StoppedByAlarm, a.LogsComplete, a.Skipped
		if a.ExperimentID != "" {
			d.ExperimentID = a.ExperimentID
		}
		if a.URI != "" {
			d.Archive = a.URI
			d.Summary = strings.TrimSuffix(a.URI, "/") + "/summary.md"
			d.Report = strings.TrimSuffix(a.URI, "/") + "/report.html"
		}
	}
	if d.Verdict == "" {
		d.Verdict = verdictFailed
	}
	if d.VerdictReason == "" && st.Error != nil {
		d.VerdictReason = "the orchestration caught " + st.Error.Error
	}
	return d
}

// Subject is the SNS subject: "GameDay <name>: <verdict>", cut as SNS
// takes it (deploy.CutSubject).
func Subject(d Detail) string {
	return deploy.CutSubject("GameDay " + d.GameDay + ": " + d.Verdict)
}

// Message is the SNS message: a few lines a person reads in a mail or chat.
func Message(d Detail) string {
	var b strings.Builder
	fmt.Fprintf(&b, "GameDay %s: %s\n", d.GameDay, strings.ToUpper(d.Verdict))
	if d.VerdictReason != "" {
		fmt.Fprintf(&b, "%s.\n", d.VerdictReason)
	}
	b.WriteString("\n")
	if d.ExperimentID != "" {
		fmt.Fprintf(&b, "Experiment: %s (%s)\n", d.ExperimentID, d.State)
	}
	if d.Hypothesis != "" {
		fmt.Fprintf(&b, "Hypothesis: %s\n", d.Hypothesis)
	}
	if d.StoppedByAlarm != "" {
		fmt.Fprintf(&b, "Stopped by alarm: %s\n", d.StoppedByAlarm)
	}
	if d.Error != nil {
		fmt.Fprintf(&b, "Error: %s: %s\n", d.Error.Error, firstLine(d.Error.Cause))
	}
	if d.StopError != nil {
		fmt.Fprintf(&b, "WARNING: the experiment was not confirmed stopped (%s: %s); the sweeper keeps looking at it and reports it if it stays stopping.\n",
			d.StopError.Error, firstLine(d.StopError.Cause))
	}
	if d.Skipped != "" {
		fmt.Fprintf(&b, "Archive: none (%s)\n", d.Skipped)
	}
	if d.Summary != "" {
		fmt.Fprintf(&b, "Summary: %s\n", d.Summary)
		fmt.Fprintf(&b, "Report: %s\n", d.Report)
		if link := consoleLink(d.Archive); link != "" {
			fmt.Fprintf(&b, "Console: %s\n", link)
		}
		if !d.LogsComplete {
			b.WriteString("Warning: the FIS logs are incomplete (no experiment-end record in time).\n")
		}
	}
	fmt.Fprintf(&b, "Execution: %s\n", d.ExecutionARN)
	return b.String()
}

// consoleLink is the S3 console page of an s3://bucket/prefix/ URI.
func consoleLink(uri string) string {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return ""
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	return "https://console.aws.amazon.com/s3/buckets/" + url.PathEscape(bucket) + "?prefix=" + url.QueryEscape(prefix)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Handle is the notify step.
func (n *Notifier) Handle(ctx context.Context, st gameday.RunState) (Result, error) {
	d := DetailOf(st)
	res := Result{EventBus: n.cfg.EventBusName, Verdict: d.Verdict, Lease: n.release(ctx, d)}
	if n.cfg.TopicARN != "" {
		if n.sns == nil {
			return Result{}, errors.New("notify: a topic is configured but no SNS client")
		}
		out, err := n.sns.Publish(ctx, &sns.PublishInput{
			TopicArn: aws.String(n.cfg.TopicARN),
			Subject:  aws.String(Subject(d)),
			Message:  aws.String(Message(d)),
		})
		if err != nil {
			return Result{}, fmt.Errorf("publish to %s: %w", n.cfg.TopicARN, awserr.Classify(err))
		}
		res.MessageID = aws.ToString(out.MessageId)
	}
	detail, err := json.Marshal(d)
	if err != nil {
		return Result{}, fmt.Errorf("encode event detail: %w", err)
	}
	entry := ebtypes.PutEventsRequestEntry{
		Source:       aws.String(EventSource),
		DetailType:   aws.String(EventDetailType),
		Detail:       aws.String(string(detail)),
		EventBusName: aws.String(n.cfg.EventBusName),
	}
	if d.ExecutionARN != "" {
		entry.Resources = []string{d.ExecutionARN}
	}
	out, err := n.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry}})
	if err != nil {
		return Result{}, fmt.Errorf("put event on %s: %w", n.cfg.EventBusName, awserr.Classify(err))
	}
	if out.FailedEntryCount > 0 || len(out.Entries) == 0 || out.Entries[0].EventId == nil {
		var code, msg string
		if len(out.Entries) > 0 {
			code, msg = aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage)
		}
		return Result{}, fmt.Errorf("put event on %s: %w", n.cfg.EventBusName, awserr.Classify(&smithy.GenericAPIError{Code: code, Message: msg}))
	}
	res.EventID = aws.ToString(out.Entries[0].EventId)
	slog.InfoContext(ctx, "notified", "gameday", d.GameDay, "verdict", d.Verdict, "eventId", res.EventID, "messageId", res.MessageID)
	return res, nil
}

// release gives the run's lease back. A failure does not stop the
// notification: the guard (for a failed run) or the sweeper (always) frees
// a lease whose execution has ended.
func (n *Notifier) release(ctx context.Context, d Detail) string {
	if n.Leases == nil || d.GameDay == "" || d.ExecutionARN == "" {
		return ""
	}
	ok, err := n.Leases.Release(ctx, d.GameDay, d.ExecutionARN)
	switch {
	case err != nil:
		slog.WarnContext(ctx, "lease not released; the sweeper will release it", "gameday", d.GameDay, "executionArn", d.ExecutionARN, "err", err)
		return "not released: " + err.Error()
	case ok:
		return "released"
	}
	return "not held"
}
