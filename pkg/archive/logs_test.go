package archive

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/report"
)

// recordGen is an io.Reader that writes n FIS log records on the fly, so that
// nothing but the parser holds them: an experiment-start, n-3 records that
// cycle through target-resolution-end pages of one target (with 20 resolved
// targets each), action errors and action starts, then an action-end and the
// experiment-end.
type recordGen struct {
	n, i    int
	buf     []byte
	written int64
	// sample, when set, is called every 10,000 records.
	sample func()
}

func (g *recordGen) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.i >= g.n {
			return 0, io.EOF
		}
		g.buf = g.record(g.i)
		g.i++
		if g.sample != nil && g.i%10_000 == 0 {
			g.sample()
		}
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	g.written += int64(n)
	return n, nil
}

var targets20 = func() string {
	var b strings.Builder
	for i := range 20 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"arn":"arn:aws:eks:ap-northeast-1:123456789012:cluster/c%03d"}`, i)
	}
	return b.String()
}()

func (g *recordGen) record(i int) []byte {
	ts := t0.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339)
	switch {
	case i == 0:
		return fmt.Appendf(nil, `{"id":"EXP1","log_type":"experiment-start","event_timestamp":"%s","version":"2","details":{"experiment_state":{"status":"initiating","reason":""}}}`+"\n", ts)
	case i == g.n-2:
		return fmt.Appendf(nil, `{"id":"EXP1","log_type":"action-end","event_timestamp":"%s","version":"2","details":{"action_name":"a0","action_state":{"status":"completed","reason":"done"}}}`+"\n", ts)
	case i == g.n-1:
		return fmt.Appendf(nil, `{"id":"EXP1","log_type":"experiment-end","event_timestamp":"%s","version":"2","details":{"experiment_state":{"status":"completed","reason":"Experiment completed."}}}`+"\n", ts)
	}
	switch i % 4 {
	case 0:
		return fmt.Appendf(nil, `{"id":"EXP1","log_type":"action-error","event_timestamp":"%s","version":"2","details":{"action_name":"a%d","error_information":"error %d"}}`+"\n", ts, i%7, i)
	case 1:
		return fmt.Appendf(nil, `{"id":"EXP1","log_type":"action-start","event_timestamp":"%s","version":"2","details":{"action_name":"a%d"}}`+"\n", ts, i)
	}
	return fmt.Appendf(nil, `{"id":"EXP1","log_type":"target-resolution-end","event_timestamp":"%s","version":"2","details":{"target_name":"t","target_type":"aws:eks:cluster","page":%d,"total_pages":100000,"resolved_targets":[%s]}}`+"\n", ts, i, targets20)
}

// TestTimelineConstantMemory streams 200,000 records (about 150 MB of JSON
// lines) through the parser and samples the live heap every 10,000 records:
// it must stay within a few MiB of where it started, and the timeline within
// its bounds.
func TestTimelineConstantMemory(t *testing.T) {
	const n = 200_000
	var base, peak runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)
	var peakHeap uint64
	g := &recordGen{n: n, sample: func() {
		runtime.GC()
		runtime.ReadMemStats(&peak)
		peakHeap = max(peakHeap, peak.HeapAlloc)
	}}
	tl := &Timeline{}
	if err := tl.Read(g); err != nil {
		t.Fatal(err)
	}
	growth := int64(peakHeap) - int64(base.HeapAlloc)
	t.Logf("read %d records, %d MB; live heap grew at most %d KiB; kept %d events, dropped %d",
		tl.Records(), g.written>>20, growth>>10, len(tl.Events()), tl.Dropped())
	if g.written < 100<<20 {
		t.Fatalf("generator wrote %d bytes, want > 100 MiB for the test to mean anything", g.written)
	}
	if growth > 8<<20 {
		t.Errorf("live heap grew by %d KiB while parsing, want < 8 MiB (constant memory)", growth>>10)
	}
	if tl.Records() != n {
		t.Errorf("records = %d, want %d", tl.Records(), n)
	}
	if !tl.Complete() {
		t.Error("experiment-end not seen")
	}
	// The bound, plus the one target's resolution event.
	if got := len(tl.Events()); got != DefaultMaxEvents+1 {
		t.Errorf("kept %d events, want the bound %d and the target's", got, DefaultMaxEvents+1)
	}
}

// TestTimelineAllocsPerRecord bounds allocations per record, so that the
// parser's cost grows linearly with the log, not faster.
func TestTimelineAllocsPerRecord(t *testing.T) {
	const n = 2_000
	allocs := testing.AllocsPerRun(3, func() {
		tl := &Timeline{}
		if err := tl.Read(&recordGen{n: n}); err != nil {
			t.Fatal(err)
		}
	})
	perRecord := allocs / n
	t.Logf("%.1f allocations per record", perRecord)
	if perRecord > 40 {
		t.Errorf("%.1f allocations per record, want <= 40", perRecord)
	}
}

// TestTimelineEvents reads records shaped as the FIS guide's examples
// ("Experiment logging for AWS FIS", Example log records): the count and
// status of a target in its target-resolution-detail, its resolved targets
// in target-resolution-end pages, an action-error's reason in action_state.
func TestTimelineEvents(t *testing.T) {
	const arn = `{"arn":"arn:aws:ec2:us-east-1:123456789012:instance/i-0f7ee2abffc330de5"}`
	lines := []string{
		`{"id":"E","log_type":"experiment-start","event_timestamp":"2026-03-10T10:00:00Z","version":"2","details":{"experiment_template_id":"EXT1","experiment_start_time":"2026-03-10T10:00:00Z"}}`,
		`{"id":"E","log_type":"target-resolution-start","event_timestamp":"2026-03-10T10:00:01Z","version":"2","details":{"target_resolution_start_time":"2026-03-10T10:00:01Z","target_name":"Pods"}}`,
		// Pods: page 2 of its -end records (page 1 not delivered yet), then
		// the -detail, whose count is the target's.
		`{"id":"E","log_type":"target-resolution-end","event_timestamp":"2026-03-10T10:00:07Z","version":"2","details":{"target_resolution_end_time":"2026-03-10T10:00:07Z","target_name":"Pods","target_type":"aws:eks:pod","resolved_targets":[` + arn + `,` + arn + `],"page":2,"total_pages":2}}`,
		`{"id":"E","log_type":"target-resolution-detail","event_timestamp":"2026-03-10T10:00:06Z","version":"2","details":{"target_resolution_end_time":"2026-03-10T10:00:06Z","target_name":"Pods","target_type":"aws:eks:pod","account_id":"123456789012","resolved_targets_count":3,"status":"completed"}}`,
		// Cluster: resolution failed, with error_information.
		`{"id":"E","log_type":"target-resolution-detail","event_timestamp":"2026-03-10T10:00:05Z","version":"2","details":{"target_resolution_end_time":"2026-03-10T10:00:05Z","target_name":"Cluster","target_type":"aws:eks:cluster","account_id":"123456789012","resolved_targets_count":0,"status":"failed","error_information":"no aws:eks:cluster resources found"}}`,
		`{"id":"E","log_type":"target-resolution-end","event_timestamp":"2026-03-10T10:00:05Z","version":"2","details":{"target_resolution_end_time":"2026-03-10T10:00:05Z","target_name":"Cluster","target_type":"aws:eks:cluster","resolved_targets":[],"page":1,"total_pages":1,"error_information":"no aws:eks:cluster resources found"}}`,
		// Nodes: -end pages only (its -detail not delivered): counted from the pages.
		`{"id":"E","log_type":"target-resolution-end","event_timestamp":"2026-03-10T10:00:08Z","version":"2","details":{"target_name":"Nodes","target_type":"aws:ec2:instance","resolved_targets":[` + arn + `,` + arn + `],"page":1,"total_pages":2}}`,
		`{"id":"E","log_type":"target-resolution-end","event_timestamp":"2026-03-10T10:00:08Z","version":"2","details":{"target_name":"Nodes","target_type":"aws:ec2:instance","resolved_targets":[` + arn + `],"page":2,"total_pages":2}}`,
		// Subnets: -end pages only, one with error_information.
		`{"id":"E","log_type":"target-resolution-end","event_timestamp":"2026-03-10T10:00:09Z","version":"2","details":{"target_name":"Subnets","target_type":"aws:ec2:subnet","resolved_targets":[],"page":1,"total_pages":1,"error_information":"subnets not found"}}`,
		`{"id":"E","log_type":"action-start","event_timestamp":"2026-03-10T10:00:30Z","version":"2","details":{"action_name":"a","action_id":"aws:ebs:pause-volume-io","action_start_time":"2026-03-10T10:00:30Z","action_targets":{"Volumes":"v"}}}`,
		// The guide's action-error: the reason in action_state.
		`{"id":"E","log_type":"action-error","event_timestamp":"2026-03-10T10:00:40Z","version":"2","details":{"action_name":"a","action_id":"aws:ebs:pause-volume-io","account_id":"123456789012","action_state":{"status":"failed","reason":"Target volumes must be attached to a Nitro instance."}}}`,
		// An action-error with error_information only.
		`{"id":"E","log_type":"action-error","event_timestamp":"2026-03-10T10:00:41Z","version":"2","details":{"action_name":"a","error_information":"pods not found"}}`,
		`{"id":"E","log_type":"action-end","event_timestamp":"2026-03-10T10:01:00Z","version":"2","details":{"action_name":"a","action_id":"aws:ebs:pause-volume-io","action_end_time":"2026-03-10T10:01:00Z","action_state":{"status":"failed","reason":"Target volumes must be attached to a Nitro instance."}}}`,
		``,
		`garbage`,
		`{"no":"type"}`,
		`{"id":"E","log_type":"experiment-end","event_timestamp":"2026-03-10T10:01:05Z","version":"2","details":{"experiment_end_time":"2026-03-10T10:01:05Z","experiment_state":{"status":"failed","reason":"Action a failed."}}}`,
		// A duplicate experiment-end (same record delivered twice) is kept once.
		`{"id":"E","log_type":"experiment-end","event_timestamp":"2026-03-10T10:01:05Z","version":"2","details":{"experiment_end_time":"2026-03-10T10:01:05Z","experiment_state":{"status":"failed","reason":"Action a failed."}}}`,
	}
	tl := &Timeline{}
	if err := tl.Read(strings.NewReader(strings.Join(lines, "\n"))); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl.Events() {
		got = append(got, e.At.Format("15:04:05")+" "+report.EventText(e))
	}
	want := []string{
		"10:00:00 experiment-start",
		"10:00:05 target-resolution-end Cluster (failed): no aws:eks:cluster resources found",
		"10:00:07 target-resolution-end Pods (completed): 3 targets resolved",
		"10:00:08 target-resolution-end Nodes (completed): 3 targets resolved",
		"10:00:09 target-resolution-end Subnets (failed): subnets not found",
		"10:00:30 action-start a",
		"10:00:40 action-error a (failed): Target volumes must be attached to a Nitro instance.",
		"10:00:41 action-error a: pods not found",
		"10:01:00 action-end a (failed): Target volumes must be attached to a Nitro instance.",
		"10:01:05 experiment-end (failed): Action a failed.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	if gotN := []int{tl.Records(), tl.Malformed()}; !cmp.Equal(gotN, []int{15, 2}) {
		t.Errorf("[records malformed] = %v, want [15 2]", gotN)
	}
	end, ok := tl.End()
	if !ok || end.State != "failed" {
		t.Errorf("End() = %+v, %v; want the failed experiment-end", end, ok)
	}
}

func TestTimelineErrorStormKeepsEnds(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"id":"E","log_type":"action-start","event_timestamp":"2026-03-10T10:00:00Z","version":"2","details":{"action_name":"a"}}` + "\n")
	for i := range 5000 {
		fmt.Fprintf(&b, `{"id":"E","log_type":"action-error","event_timestamp":"2026-03-10T10:00:01Z","version":"2","details":{"action_name":"a","error_information":"e%d"}}`+"\n", i)
	}
	b.WriteString(`{"id":"E","log_type":"action-end","event_timestamp":"2026-03-10T10:00:02Z","version":"2","details":{"action_name":"a","action_state":{"status":"failed"}}}` + "\n")
	b.WriteString(`{"id":"E","log_type":"experiment-end","event_timestamp":"2026-03-10T10:00:03Z","version":"2","details":{"experiment_state":{"status":"failed"}}}` + "\n")
	tl := &Timeline{}
	if err := tl.Read(strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	ev := tl.Events()
	if got := len(ev); got != 1+maxErrorEvents+2 {
		t.Errorf("kept %d events, want %d", got, 1+maxErrorEvents+2)
	}
	if last := ev[len(ev)-1]; last.Type != LogExperimentEnd {
		t.Errorf("last event = %s, want experiment-end", last.Type)
	}
	if got, want := tl.Dropped(), 5000-maxErrorEvents; got != want {
		t.Errorf("dropped = %d, want %d", got, want)
	}
}

func TestTimelineReadsTestdata(t *testing.T) {
	tl := &Timeline{}
	for _, f := range []string{"testdata/start.log", "testdata/end.log"} {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		err = tl.Read(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if !tl.Complete() || tl.Records() != 7 || tl.Malformed() != 1 {
		t.Errorf("complete=%v records=%d malformed=%d, want true 7 1", tl.Complete(), tl.Records(), tl.Malformed())
	}
}
