package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gameday-dev/gameday/pkg/archive"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/localrun"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/fissim"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// Archive is one archive case: the archive step against the naive
// approach, on the same logs in the simulator's S3.
type Archive struct {
	Records       int     `json:"records"`
	Objects       int     `json:"objects"`
	LatencyMs     int     `json:"latencyMs"`
	Seconds       float64 `json:"seconds"`
	RecordsPerSec float64 `json:"recordsPerSecond"`
	PeakMB        float64 `json:"peakMB"`
	NaiveSeconds  float64 `json:"naiveSeconds"`
	NaivePeakMB   float64 `json:"naivePeakMB"`
	Speedup       float64 `json:"speedup"`
}

// recordsPerObject: FIS cuts an object per delivery interval; a busy
// experiment's objects hold about this many records here.
const recordsPerObject = 1000

const (
	benchAccount = "123456789012"
	benchRegion  = "us-east-1"
	benchExpID   = "EXPbench00000001"
	// benchExecutionARN is the execution the archive runs for, which the
	// experiment's execution tag names.
	benchExecutionARN = "arn:aws:states:us-east-1:123456789012:execution:gameday:bench"
	logBucket         = "bench-fis-logs"
	archBucket        = "bench-archive"
	// Targets per target-resolution-end page.
	targetsPerPage = 20
)

// fisLogs writes n FIS schema v2 records of one experiment: its start,
// target resolution spanning many pages, one action, its end, split into
// objects of recordsPerObject at FIS's key layout.
func fisLogs(n int, start time.Time) map[string][]byte {
	rec := func(at time.Time, typ string, details map[string]any) []byte {
		b, _ := json.Marshal(fissim.Record{ID: benchExpID, LogType: typ, EventTimestamp: at.UTC().Format(time.RFC3339), Version: fissim.LogSchemaVersion, Details: details})
		return append(b, '\n')
	}
	pages := n - 6
	var lines [][]byte
	lines = append(lines, rec(start, "experiment-start", map[string]any{
		"experiment_template_id": "EXTbench", "experiment_start_time": start.Format(time.RFC3339)}))
	lines = append(lines, rec(start, "target-resolution-start", map[string]any{
		"target_resolution_start_time": start.Format(time.RFC3339), "target_name": "Pods"}))
	for p := 1; p <= pages; p++ {
		var targets []map[string]any
		for i := range targetsPerPage {
			targets = append(targets, map[string]any{"arn": fmt.Sprintf("arn:aws:eks:%s:%s:pod/sandbox/sock-shop/carts-%d-%d", benchRegion, benchAccount, p, i)})
		}
		lines = append(lines, rec(start.Add(time.Second), "target-resolution-end", map[string]any{
			"target_resolution_end_time": start.Add(time.Second).Format(time.RFC3339),
			"target_name":                "Pods", "target_type": "aws:eks:pod", "page": p, "total_pages": pages, "resolved_targets": targets}))
	}
	lines = append(lines,
		rec(start.Add(time.Second), "target-resolution-detail", map[string]any{
			"target_resolution_end_time": start.Add(time.Second).Format(time.RFC3339), "target_name": "Pods", "target_type": "aws:eks:pod",
			"account_id": benchAccount, "resolved_targets_count": pages * targetsPerPage, "status": "completed"}),
		rec(start.Add(5*time.Second), "action-start", map[string]any{
			"action_name": "wait", "action_id": "aws:fis:wait", "action_start_time": start.Add(5 * time.Second).Format(time.RFC3339)}),
		rec(start.Add(3*time.Minute), "action-end", map[string]any{
			"action_name": "wait", "action_id": "aws:fis:wait", "action_end_time": start.Add(3 * time.Minute).Format(time.RFC3339),
			"action_state": map[string]any{"status": "completed", "reason": "Action was completed."}}),
		rec(start.Add(3*time.Minute+5*time.Second), "experiment-end", map[string]any{
			"experiment_end_time": start.Add(3*time.Minute + 5*time.Second).Format(time.RFC3339),
			"experiment_state":    map[string]any{"status": "completed", "reason": "Experiment completed."}}))
	objects := map[string][]byte{}
	for i := 0; i < len(lines); i += recordsPerObject {
		var buf bytes.Buffer
		for _, l := range lines[i:min(i+recordsPerObject, len(lines))] {
			buf.Write(l)
		}
		key := fissim.LogKey(localrunLogPrefix, benchAccount, benchRegion, benchExpID, start.Add(time.Duration(i)*time.Millisecond), fmt.Sprintf("%08d", i))
		objects[key] = buf.Bytes()
	}
	return objects
}

const localrunLogPrefix = "fis-logs"

// completedFIS is the experiment's final state, as GetExperiment gives it.
type completedFIS struct{ start, end time.Time }

func (c completedFIS) GetExperiment(ctx context.Context, in *fis.GetExperimentInput, _ ...func(*fis.Options)) (*fis.GetExperimentOutput, error) {
	return &fis.GetExperimentOutput{Experiment: &fistypes.Experiment{
		Id: in.Id, ExperimentTemplateId: aws.String("EXTbench"),
		Tags:      map[string]string{deploy.TagExecution: benchExecutionARN}, // started by the bench's execution
		State:     &fistypes.ExperimentState{Status: fistypes.ExperimentStatusCompleted, Reason: aws.String("Experiment completed.")},
		StartTime: aws.Time(c.start), EndTime: aws.Time(c.end),
		Actions: map[string]fistypes.ExperimentAction{"wait": {ActionId: aws.String("aws:fis:wait"),
			State:     &fistypes.ExperimentActionState{Status: fistypes.ExperimentActionStatusCompleted},
			StartTime: aws.Time(c.start.Add(5 * time.Second)), EndTime: aws.Time(c.start.Add(3 * time.Minute))}},
	}}, nil
}

// peak samples the Go heap in use every 2 ms until stop, returning the
// peak above the level at its start, in MB.
func peak() (stop func() float64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var top atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > top.Load() {
				top.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		<-finished
		if top.Load() < base {
			return 0
		}
		return float64(top.Load()-base) / 1e6
	}
}

func measureArchive(ctx context.Context, sizes []int, latencies []time.Duration) ([]Archive, error) {
	spec, err := validate.File("bench.yaml", []byte(waitGameDay("3m", 3*time.Minute)))
	if err != nil {
		return nil, err
	}
	var out []Archive
	for _, latency := range latencies {
		for _, n := range sizes {
			fmt.Fprintf(os.Stderr, "bench: archive %d records, %v per S3 request ...\n", n, latency)
			a, err := archiveCase(ctx, spec, n, latency)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}

func archiveCase(ctx context.Context, spec *gameday.Spec, n int, latency time.Duration) (Archive, error) {
	a := Archive{Records: n, LatencyMs: int(latency.Milliseconds())}
	dir, err := os.MkdirTemp("", "gameday-bench-s3-")
	if err != nil {
		return a, err
	}
	defer os.RemoveAll(dir)
	// On disk, so that the stored logs are not counted in the heap.
	srv, err := sim.New(sim.Options{DataDir: dir, S3Latency: latency})
	if err != nil {
		return a, err
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return a, err
	}
	defer srv.Close()
	cfg := localrun.AWSConfig(srv)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true; o.DisableLogOutputChecksumValidationSkipped = true })
	for _, b := range []string{logBucket, archBucket, archBucket + "-naive"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			return a, err
		}
	}
	start := srv.Clock().Now().Add(-time.Hour).Truncate(time.Second).UTC()
	objects := fisLogs(n, start)
	a.Objects = len(objects)
	for k, body := range objects {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(logBucket), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
			return a, err
		}
	}
	objects = nil

	arch := archive.New(archive.Config{
		LogBucket: logBucket, LogPrefix: localrunLogPrefix, ArchiveBucket: archBucket,
		AccountID: benchAccount, Region: benchRegion,
	}, s3c, completedFIS{start: start, end: start.Add(3*time.Minute + 5*time.Second)}, cloudwatch.NewFromConfig(cfg), srv.Clock().Now)
	st := gameday.RunState{
		RunInput:  gameday.RunInput{GameDay: spec},
		Execution: gameday.Execution{ARN: benchExecutionARN, Name: "bench"},
		Start:     &gameday.StartResult{ExperimentID: benchExpID, StartedAt: start},
	}
	stop := peak()
	t0 := time.Now()
	res, err := arch.Handle(ctx, st)
	a.Seconds = time.Since(t0).Seconds()
	a.PeakMB = stop()
	if err != nil {
		return a, fmt.Errorf("archive %d records: %w", n, err)
	}
	if res.Pending != nil {
		return a, fmt.Errorf("archive %d records: pending: %s", n, res.Pending.Reason)
	}
	if res.Skipped != "" || !res.LogsComplete {
		return a, fmt.Errorf("archive %d records: logs not complete (%s)", n, res.Skipped)
	}
	a.RecordsPerSec = float64(n) / a.Seconds

	stop = peak()
	t0 = time.Now()
	err = naive(ctx, s3c, n)
	a.NaiveSeconds = time.Since(t0).Seconds()
	a.NaivePeakMB = stop()
	if err != nil {
		return a, err
	}
	if a.Seconds > 0 {
		a.Speedup = a.NaiveSeconds / a.Seconds
	}
	return a, nil
}

// naive is the obvious archive: list, GET each object whole, unmarshal every
// record, PUT a copy; it checks it read every record.
func naive(ctx context.Context, s3c *s3.Client, want int) error {
	p := s3.NewListObjectsV2Paginator(s3c, &s3.ListObjectsV2Input{Bucket: aws.String(logBucket), Prefix: aws.String(localrunLogPrefix + "/")})
	got := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(logBucket), Key: o.Key})
			if err != nil {
				return err
			}
			body, err := io.ReadAll(obj.Body)
			obj.Body.Close()
			if err != nil {
				return err
			}
			for _, line := range bytes.Split(bytes.TrimSpace(body), []byte("\n")) {
				var r map[string]any
				if err := json.Unmarshal(line, &r); err != nil {
					return err
				}
				got++
			}
			if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(archBucket + "-naive"), Key: o.Key, Body: bytes.NewReader(body)}); err != nil {
				return err
			}
		}
	}
	if got != want {
		return fmt.Errorf("naive archive read %d records, want %d", got, want)
	}
	return nil
}

func archiveTable(as []Archive) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Archive: FIS schema v2 logs in the simulator's S3 (%d records per object), the archive step against the naive GET-unmarshal-PUT\n", recordsPerObject)
	fmt.Fprintf(&b, "%8s %7s %6s %9s %11s %8s | %9s %8s | %7s\n", "records", "objects", "lat ms", "step s", "records/s", "peak MB", "naive s", "peak MB", "speedup")
	for _, a := range as {
		fmt.Fprintf(&b, "%8d %7d %6d %9.2f %11.0f %8.1f | %9.2f %8.1f | %6.1fx\n", a.Records, a.Objects, a.LatencyMs, a.Seconds, a.RecordsPerSec, a.PeakMB, a.NaiveSeconds, a.NaivePeakMB, a.Speedup)
	}
	return b.String()
}
