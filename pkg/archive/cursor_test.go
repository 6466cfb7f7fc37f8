package archive

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// readCounter counts GetObject calls by key.
type readCounter struct {
	*fakeS3
	mu    sync.Mutex
	reads map[string]int
}

func (c *readCounter) GetObject(ctx context.Context, in *s3.GetObjectInput, opt ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	c.mu.Lock()
	c.reads[*in.Key]++
	c.mu.Unlock()
	return c.fakeS3.GetObject(ctx, in, opt...)
}

func (c *readCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.reads
	c.reads = map[string]int{}
	return r
}

// The cursor test's objects: start.log first; a middle object and, on the
// second try, a late object whose key sorts before every other (FIS
// documents no delivery order) and end.log.
var (
	keyStart  = logKey("202603101000", "a1b2c3")
	keyMiddle = logKey("202603101002", "m1m2m3")
	keyLate   = logKey("202603100959", "l1l2l3")
	keyEnd    = logKey("202603101004", "d4e5f6")
	middleLog = `{"id":"EXPaaaa1111","log_type":"action-error","event_timestamp":"2026-03-10T10:01:00Z","version":"2","details":{"action_name":"carts-delay","error_information":"pod restarted"}}` + "\n"
	lateLog   = `{"id":"EXPaaaa1111","log_type":"action-error","event_timestamp":"2026-03-10T10:01:00Z","version":"2","details":{"action_name":"carts-delay","error_information":"delivered late"}}` + "\n" +
		`{"id":"EXPaaaa1111","log_type":"target-resolution-detail","event_timestamp":"2026-03-10T10:00:06Z","version":"2","details":{"target_name":"Cluster-Target-1","page":1,"resolved_targets":[]}}` + "\n"
)

func putFile(t *testing.T, s *fakeS3, file, key string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s.put(logBucket, key, b)
}

// pendingFirstTry archives start.log and the middle object: the first try
// finds no experiment-end and must answer pending with a cursor. It returns
// the archiver, its S3 (counting reads; the first try's are not taken yet)
// and the second try's state, which carries that answer.
func pendingFirstTry(t *testing.T) (*Archiver, *readCounter, gameday.RunState) {
	t.Helper()
	s3f := &readCounter{fakeS3: newFakeS3(), reads: map[string]int{}}
	putFile(t, s3f.fakeS3, "testdata/start.log", keyStart)
	s3f.put(logBucket, keyMiddle, []byte(middleLog))
	a := newArchiver(s3f.fakeS3, fisExperiment(fistypes.ExperimentStatusCompleted, ""), &fakeCW{metric: latency(steady)}, at(5))
	a.s3 = s3f
	st := runState()
	first, err := a.Handle(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if first.Pending == nil || len(first.Pending.Cursor) == 0 {
		t.Fatalf("first try = %+v, want pending with a cursor", first)
	}
	st.Archive = &first
	return a, s3f, st
}

// TestPendingRetryReadsOnlyNewObjects: the first try finds no
// experiment-end and answers pending with a cursor; the second, handed
// that answer, reads only the objects delivered since (one of them with a
// key that sorts before those already read) and writes the archive a
// single read of every object writes, byte for byte.
func TestPendingRetryReadsOnlyNewObjects(t *testing.T) {
	a, s3f, st := pendingFirstTry(t)
	if got, want := s3f.take(), map[string]int{keyStart: 1, keyMiddle: 1}; !cmp.Equal(got, want) {
		t.Errorf("first try read %v, want %v", got, want)
	}

	s3f.put(logBucket, keyLate, []byte(lateLog))
	putFile(t, s3f.fakeS3, "testdata/end.log", keyEnd)
	second, err := a.Handle(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if second.Pending != nil || !second.LogsComplete {
		t.Fatalf("second try = %+v (pending %+v), want the complete archive", second, second.Pending)
	}
	reads := s3f.take()
	delete(reads, wantPrefix+FileSummary) // the archive's own summary, read to keep its windows
	if want := map[string]int{keyLate: 1, keyEnd: 1}; !cmp.Equal(reads, want) {
		t.Errorf("second try read %v, want only the new objects %v", reads, want)
	}

	// The same logs archived in one go, without a cursor.
	fresh := newFakeS3()
	for _, k := range []string{keyStart, keyMiddle, keyLate, keyEnd} {
		fresh.put(logBucket, k, []byte(s3f.snapshot(logBucket)[k]))
	}
	b := newArchiver(fresh, fisExperiment(fistypes.ExperimentStatusCompleted, ""), &fakeCW{metric: latency(steady)}, at(5))
	whole, err := b.Handle(context.Background(), runState())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(whole, second); diff != "" {
		t.Errorf("result differs from a single read (-single +cursor):\n%s", diff)
	}
	if diff := cmp.Diff(fresh.snapshot(arcBucket), s3f.snapshot(arcBucket)); diff != "" {
		t.Errorf("archive differs from a single read (-single +cursor):\n%s", diff)
	}
	if sum := summaryOf(t, s3f.fakeS3); sum.Logs.Objects != 4 || !strings.Contains(fmt.Sprint(sum.Timeline), "delivered late") {
		t.Errorf("summary has %d objects, timeline %v: want 4 objects and the late object's error", sum.Logs.Objects, sum.Timeline)
	}
}

// TestPendingCursorRereadsChangedObject: an object the cursor holds whose
// size changed since is read again.
func TestPendingCursorRereadsChangedObject(t *testing.T) {
	a, s3f, st := pendingFirstTry(t)
	s3f.take()
	s3f.put(logBucket, keyMiddle, []byte(middleLog+middleLog))
	second, err := a.Handle(context.Background(), st)
	if err != nil || second.Pending == nil {
		t.Fatalf("second try = %+v, %v; want pending", second, err)
	}
	if got, want := s3f.take(), map[string]int{keyMiddle: 1}; !cmp.Equal(got, want) {
		t.Errorf("second try read %v, want %v", got, want)
	}
	if second.Pending.Attempt != 2 || second.Pending.WaitSeconds != 45 {
		t.Errorf("second pending answer: attempt %d, wait %d s; want 2, 45", second.Pending.Attempt, second.Pending.WaitSeconds)
	}
}

// TestPendingPastMaxWaits: after MaxWaits pending answers the step fails
// with LogsNotReady, so that the state machine's Catch ends the wait.
func TestPendingPastMaxWaits(t *testing.T) {
	s3f := newFakeS3()
	deliver(t, s3f, false)
	a := newArchiver(s3f, fisExperiment(fistypes.ExperimentStatusCompleted, ""), &fakeCW{metric: latency(steady)}, at(5))
	st := runState()
	var waits []int
	for range MaxWaits {
		res, err := a.Handle(context.Background(), st)
		if err != nil || res.Pending == nil {
			t.Fatalf("try %d = %+v, %v; want pending", len(waits)+1, res, err)
		}
		waits = append(waits, res.Pending.WaitSeconds)
		st.Archive = &res
	}
	if want := []int{30, 45, 67, 101, 151, 227, 300, 300}; !cmp.Equal(waits, want) {
		t.Errorf("waits = %v, want %v", waits, want)
	}
	_, err := a.Handle(context.Background(), st)
	if name := gameday.ErrorName(err); err == nil || name != gameday.ErrNameLogsNotReady {
		t.Errorf("try %d: error %v (%s), want LogsNotReady", MaxWaits+1, err, name)
	}
}

// TestCursorBounded: a cursor of many objects stays within maxCursorBytes
// and keeps what fits.
func TestCursorBounded(t *testing.T) {
	var logs []objectLog
	for i := range 2000 {
		logs = append(logs, objectLog{Key: fmt.Sprintf("%s%06d.log", logDir, i), Size: 1 << 20, Records: 1000,
			Kept: []keptRecord{{At: 3, Record: record{LogType: LogActionStart, EventTimestamp: "2026-03-10T10:00:30Z", Details: details{ActionName: "a"}}}}})
	}
	b := encodeCursor(logs)
	if len(b) > maxCursorBytes+64 {
		t.Errorf("cursor of %d bytes, want at most about %d", len(b), maxCursorBytes)
	}
	got := cursorOf(gameday.RunState{Archive: &gameday.ArchiveResult{Pending: &gameday.ArchivePending{Cursor: b}}})
	if len(got) < 100 || len(got) >= len(logs) {
		t.Errorf("cursor holds %d objects, want some hundreds of %d", len(got), len(logs))
	}
	if o := got[logs[0].Key]; !cmp.Equal(o, logs[0]) {
		t.Errorf("cursor's first object = %+v, want %+v", o, logs[0])
	}
}
