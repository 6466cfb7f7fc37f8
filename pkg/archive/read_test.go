package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
)

// slowS3 delays each GetObject by delay(key) and counts the reads in flight.
type slowS3 struct {
	*fakeS3
	delay    func(key string) time.Duration
	fail     string // GetObject of this key fails
	inFlight atomic.Int32
	mu       sync.Mutex
	peak     int32
}

func (s *slowS3) GetObject(ctx context.Context, in *s3.GetObjectInput, opt ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	s.mu.Lock()
	s.peak = max(s.peak, n)
	s.mu.Unlock()
	select {
	case <-time.After(s.delay(*in.Key)):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if *in.Key == s.fail {
		return nil, errors.New("connection reset")
	}
	return s.fakeS3.GetObject(ctx, in, opt...)
}

// stormObjects are n log objects whose records exercise every bound of the
// timeline across objects: action starts and errors past MaxEvents and
// maxErrorEvents, target pages, detail records, malformed lines, events at
// the same time (ties broken by reading order), and the ends.
func stormObjects(n int) map[string]string {
	objs := map[string]string{}
	rec := func(b *strings.Builder, typ, details string, sec int) {
		fmt.Fprintf(b, `{"id":"E","log_type":%q,"event_timestamp":"2026-03-10T10:%02d:%02dZ","version":"2","details":{%s}}`+"\n", typ, sec/60, sec%60, details)
	}
	for i := range n {
		var b strings.Builder
		if i == 0 {
			rec(&b, LogExperimentStart, `"experiment_state":{"status":"initiating"}`, 0)
		}
		for j := range 40 {
			rec(&b, LogActionStart, fmt.Sprintf(`"action_name":"a%d-%d"`, i, j), 1)
			rec(&b, LogActionError, fmt.Sprintf(`"action_name":"a%d-%d","error_information":"e%d"`, i, j, j), 2)
			rec(&b, LogTargetResolutionDetail, `"target_name":"Pods","page":1,"resolved_targets":[{"arn":"x"}]`, 3)
		}
		// Pages of a few targets, one page given twice, a detail record and
		// error_information among them, and more targets than are tracked.
		for page := 1; page <= 5; page++ {
			errInf := ""
			if page == 3 && i%3 == 0 {
				errInf = fmt.Sprintf(`,"error_information":"page error %d"`, i)
			}
			rec(&b, LogTargetResolutionEnd, fmt.Sprintf(`"target_name":"T%d","page":%d,"total_pages":5,"total_resolved_targets_count":%d,"resolved_targets":[%s]%s`,
				i%3, page+i%2, 10+i, strings.Repeat(`{"arn":"x"},`, page)+`{"arn":"y"}`, errInf), 4+i%5)
			if page == 2 {
				rec(&b, LogTargetResolutionDetail, fmt.Sprintf(`"target_name":"T%d","resolved_targets_count":%d,"status":"completed"%s`,
					i%3, i, map[bool]string{true: `,"error_information":"detail error"`}[i%4 == 1]), 4)
			}
		}
		// A target whose first error_information comes from the detail
		// record between its pages (even objects) or from its second page.
		rec(&b, LogTargetResolutionEnd, fmt.Sprintf(`"target_name":"E%d","page":1,"resolved_targets":[{"arn":"e"}]`, i), 5)
		if i%2 == 0 {
			rec(&b, LogTargetResolutionDetail, fmt.Sprintf(`"target_name":"E%d","status":"failed","error_information":"detail says"`, i), 5)
		}
		rec(&b, LogTargetResolutionEnd, fmt.Sprintf(`"target_name":"E%d","page":2,"error_information":"page says","resolved_targets":[]`, i), 5)
		for k := range 2 {
			rec(&b, LogTargetResolutionEnd, fmt.Sprintf(`"target_name":"U%d-%d","page":1,"resolved_targets":[{"arn":"z"}]`, i, k), 5)
		}
		b.WriteString("not json\n")
		rec(&b, LogActionEnd, fmt.Sprintf(`"action_name":"a%d-0","action_state":{"status":"completed"}`, i), 5)
		if i == n-1 {
			rec(&b, LogExperimentEnd, `"experiment_state":{"status":"completed"}`, 6)
		}
		objs[fmt.Sprintf("logs/%03d.log", i)] = b.String()
	}
	return objs
}

// readEach is the timeline of objects read record by record, without
// parse's summing up: the reference parse and apply must match.
func readEach(t *testing.T, objs map[string]string, keys []logObject, maxEvents int) *Timeline {
	t.Helper()
	tl := &Timeline{MaxEvents: maxEvents}
	for _, o := range keys {
		for _, line := range strings.Split(objs[o.key], "\n") {
			if line == "" {
				continue
			}
			var rec record
			if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.LogType == "" {
				tl.malformed++
				continue
			}
			tl.add(&rec)
		}
	}
	return tl
}

// TestReadObjectsConcurrentlyInOrder reads objects whose reads finish in
// reverse order, several at once, and wants the timeline that reading them
// one after another gives.
func TestReadObjectsConcurrentlyInOrder(t *testing.T) {
	const n = 40
	objs := stormObjects(n)
	fake := newFakeS3()
	var keys []logObject
	for k, body := range objs {
		fake.put("logs", k, []byte(body))
	}
	for i := range n {
		k := fmt.Sprintf("logs/%03d.log", i)
		keys = append(keys, logObject{key: k, size: int64(len(objs[k]))})
	}
	want := readEach(t, objs, keys, 150)
	slow := &slowS3{fakeS3: fake, delay: func(key string) time.Duration {
		var i int
		fmt.Sscanf(key, "logs/%03d.log", &i)
		return time.Duration(n-i) * time.Millisecond // the later the key, the sooner it is read
	}}
	a := New(Config{ArchiveBucket: "archive"}, slow, nil, nil, nil)
	got := &Timeline{MaxEvents: 150}
	logs, err := a.readObjects(context.Background(), "logs", keys, got, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Events(), got.Events()); diff != "" {
		t.Errorf("events differ from a sequential read (-want +got):\n%s", diff)
	}
	gotN := []int{got.Records(), got.Malformed(), got.Dropped()}
	if wantN := []int{want.Records(), want.Malformed(), want.Dropped()}; !cmp.Equal(gotN, wantN) {
		t.Errorf("[records malformed dropped] = %v, want %v", gotN, wantN)
	}
	if want.Dropped() == 0 || !got.Complete() || len(want.targets) != maxTargets {
		t.Errorf("dropped = %d, complete = %v, %d targets: the test must reach the bounds and the end", want.Dropped(), got.Complete(), len(want.targets))
	}
	// What the events do not show of the targets.
	for name, w := range want.targets {
		g := got.targets[name]
		if g == nil || !cmp.Equal(*w, *g, cmp.AllowUnexported(target{})) {
			t.Errorf("target %s = %+v, want %+v", name, g, w)
		}
	}
	if len(logs) != n || logs[0].Key != keys[0].key || logs[n-1].Key != keys[n-1].key {
		t.Errorf("returned %d object logs, want %d in key order", len(logs), n)
	}
	if slow.peak < 2 || slow.peak > ioConcurrency {
		t.Errorf("peak reads in flight = %d, want 2..%d", slow.peak, ioConcurrency)
	}
}

// TestReadObjectsStopsOnError fails one read among many slow ones: the error
// names the object, and no read is left running.
func TestReadObjectsStopsOnError(t *testing.T) {
	objs := stormObjects(60)
	fake := newFakeS3()
	var keys []logObject
	for i := range 60 {
		k := fmt.Sprintf("logs/%03d.log", i)
		fake.put("logs", k, []byte(objs[k]))
		keys = append(keys, logObject{key: k})
	}
	slow := &slowS3{fakeS3: fake, fail: "logs/005.log", delay: func(key string) time.Duration {
		if key == "logs/005.log" {
			return 0
		}
		return time.Second
	}}
	a := New(Config{ArchiveBucket: "archive"}, slow, nil, nil, nil)
	start := time.Now()
	_, err := a.readObjects(context.Background(), "logs", keys, &Timeline{}, nil)
	if err == nil || !strings.Contains(err.Error(), "s3://logs/logs/005.log") {
		t.Fatalf("err = %v, want the failed read of logs/005.log", err)
	}
	if n := slow.inFlight.Load(); n != 0 {
		t.Errorf("%d reads still in flight after readObjects returned", n)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("readObjects took %v: it waited for the reads in flight instead of cancelling them", d)
	}
}
