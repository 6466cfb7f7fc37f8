package archive

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Waiting for the FIS logs: the step answers a pending result (not an
// error) so that it can hand the next try a cursor of what it has read; the
// state machine waits and runs it again.
const (
	// MaxWaits is how many pending answers the step gives: past them it
	// fails with LogsNotReady (the state machine's Catch takes over).
	MaxWaits = 8
	// firstWait, waitBackoff and maxWait space the tries: 30, 45, 67, 101,
	// 151, 227, 300 and 300 s, about 20 minutes in all, longer than the
	// default 15-minute LogWaitLimit past which the step archives what
	// there is.
	firstWait   = 30
	waitBackoff = 1.5
	maxWait     = 300
	// maxCursorBytes bounds the cursor in the state (Step Functions allows
	// 256 KiB for the whole state): objects past it are read again on the
	// next try.
	maxCursorBytes = 64 << 10
)

// WaitSeconds is the wait before the try after pending answer attempt (1
// for the first).
func WaitSeconds(attempt int) int {
	return int(min(firstWait*math.Pow(waitBackoff, float64(attempt-1)), maxWait))
}

// logCursor is what the step read of the FIS logs before answering
// pending: each object's key, size and ETag and what it told the timeline.
// A try reads only the listed objects the cursor does not hold (any key, so
// an object delivered late with a key that sorts earlier is read too) and
// applies them all in key order, so that the timeline is the one a single
// read of every object gives.
type logCursor struct {
	Objects []objectLog `json:"objects"`
}

// logsNotReady is the LogsNotReady error of a try that read the logs, with
// what it read.
type logsNotReady struct {
	err  error
	logs []objectLog
}

func (e *logsNotReady) Error() string { return e.err.Error() }
func (e *logsNotReady) Unwrap() error { return e.err }

// cursorOf is the cursor a previous pending answer handed this try, by key;
// nil when there is none or it cannot be read (every object is read).
func cursorOf(st gameday.RunState) map[string]objectLog {
	if st.Archive == nil || st.Archive.Pending == nil || len(st.Archive.Pending.Cursor) == 0 {
		return nil
	}
	var c logCursor
	if err := json.Unmarshal(st.Archive.Pending.Cursor, &c); err != nil {
		return nil
	}
	out := make(map[string]objectLog, len(c.Objects))
	for _, o := range c.Objects {
		out[o.Key] = o
	}
	return out
}

// encodeCursor is the cursor of logs, within maxCursorBytes.
func encodeCursor(logs []objectLog) json.RawMessage {
	c := logCursor{Objects: make([]objectLog, 0, len(logs))}
	size := 0
	for _, o := range logs {
		b, err := json.Marshal(o)
		if err != nil || size+len(b) > maxCursorBytes {
			continue // read again next time
		}
		size += len(b) + 1
		c.Objects = append(c.Objects, o)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil
	}
	return b
}

// pending turns a LogsNotReady error into a pending answer while waits
// remain, with the cursor of what this try read (or the one it was handed,
// when it read nothing). Any other error, or LogsNotReady past MaxWaits, is
// returned as is.
func pending(ctx context.Context, st gameday.RunState, err error) (gameday.ArchiveResult, error) {
	if gameday.ErrorName(err) != gameday.ErrNameLogsNotReady {
		return gameday.ArchiveResult{}, err
	}
	attempt := 1
	var cursor json.RawMessage
	if st.Archive != nil && st.Archive.Pending != nil {
		attempt = st.Archive.Pending.Attempt + 1
		cursor = st.Archive.Pending.Cursor
	}
	if attempt > MaxWaits {
		return gameday.ArchiveResult{}, err
	}
	var nr *logsNotReady
	if errors.As(err, &nr) {
		cursor = encodeCursor(nr.logs)
	}
	p := &gameday.ArchivePending{Reason: err.Error(), Attempt: attempt, WaitSeconds: WaitSeconds(attempt), Cursor: cursor}
	slog.InfoContext(ctx, "archive pending", "experimentId", st.Start.ExperimentID, "reason", p.Reason, "attempt", attempt, "waitSeconds", p.WaitSeconds)
	return gameday.ArchiveResult{ExperimentID: st.Start.ExperimentID, Pending: p}, nil
}
