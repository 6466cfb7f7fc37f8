package archive

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
)

const (
	account   = "123456789012"
	region    = "ap-northeast-1"
	expID     = "EXPaaaa1111"
	logBucket = "fis-logs-bucket"
	arcBucket = "archive-bucket"
)

var t0 = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

func at(min float64) time.Time { return t0.Add(time.Duration(min * float64(time.Minute))) }

func f64(v float64) *float64 { return &v }

func testSpec() *gameday.Spec {
	return &gameday.Spec{
		TypeMeta: gameday.TypeMeta{APIVersion: gameday.APIVersion, Kind: gameday.Kind},
		Metadata: gameday.Metadata{Name: "sock-shop-carts-latency"},
		Spec: gameday.Body{
			Target: gameday.Target{Cluster: "arn:aws:eks:ap-northeast-1:123456789012:cluster/sandbox"},
			Hypothesis: gameday.Hypothesis{
				Description: "Carts gets slower; no other service is affected.",
				SteadyState: []gameday.SteadyCheck{{
					Name:   "orders-latency",
					Metric: gameday.Metric{Namespace: "SockShop", Name: "Latency", Dimensions: map[string]string{"service": "orders"}, Stat: "p99", Period: 60},
					Expect: gameday.Expect{Below: f64(300)},
				}},
			},
			Faults: []gameday.Fault{{
				Name: "carts-delay",
				ChaosMesh: &gameday.CustomResource{
					TypeMeta: gameday.TypeMeta{APIVersion: "chaos-mesh.org/v1alpha1", Kind: "NetworkChaos"},
					Metadata: gameday.ObjectMeta{Namespace: "default"},
					Spec: map[string]any{
						"action":   "delay",
						"mode":     "one",
						"selector": map[string]any{"namespaces": []any{"sock-shop"}, "labelSelectors": map[string]any{"name": "carts"}},
						"delay":    map[string]any{"latency": "90ms"},
						"duration": "180s",
					},
				},
			}},
			StopConditions: []gameday.StopCondition{{Alarm: &gameday.AlarmSpec{
				Name:       "front-end-errors",
				Metric:     gameday.Metric{Namespace: "SockShop", Name: "ErrorRate", Stat: "Average", Period: 60},
				Comparison: "GreaterThanThreshold", Threshold: 5, EvaluationPeriods: 2,
			}}},
		},
	}
}

func runState() gameday.RunState {
	return gameday.RunState{
		RunInput:  gameday.RunInput{GameDay: testSpec(), SpecYAML: "apiVersion: gameday/v1alpha1\nkind: GameDay\n"},
		Execution: gameday.Execution{ARN: execARN, Name: "run-1"},
		Start: &gameday.StartResult{ExperimentID: expID, ExperimentTemplateID: "EXTbbbb2222", StartedAt: at(0), Deadline: at(30),
			Template: json.RawMessage(`{"actions": {"carts-delay": {"actionId": "aws:eks:inject-kubernetes-custom-resource"}}, "roleArn": "arn:aws:iam::123456789012:role/r"}`)},
	}
}

const execARN = "arn:aws:states:ap-northeast-1:123456789012:execution:gameday:run-1"

// fisExperiment is the experiment FIS reports: ended at 10:04 in state.
func fisExperiment(state fistypes.ExperimentStatus, reason string) fakeFIS {
	return func(_ context.Context, in *fis.GetExperimentInput) (*fis.GetExperimentOutput, error) {
		if aws.ToString(in.Id) != expID {
			return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException"}
		}
		e := &fistypes.Experiment{
			Id: aws.String(expID), ExperimentTemplateId: aws.String("EXTbbbb2222"),
			Tags:      map[string]string{deploy.TagExecution: execARN},
			State:     &fistypes.ExperimentState{Status: state, Reason: aws.String(reason)},
			StartTime: aws.Time(at(0)),
			Actions: map[string]fistypes.ExperimentAction{
				"carts-delay": {State: &fistypes.ExperimentActionState{Status: fistypes.ExperimentActionStatusCompleted}, StartTime: aws.Time(at(0.5)), EndTime: aws.Time(at(3.5))},
			},
		}
		if state != fistypes.ExperimentStatusRunning {
			e.EndTime = aws.Time(at(4))
		}
		return &fis.GetExperimentOutput{Experiment: e}, nil
	}
}

var logDir = "fis-logs/AWSLogs/" + account + "/fis/" + region + "/" + expID + "/2026/03/10/"

func logKey(stamp, hash string) string {
	return logDir + account + "_awsfislogs_" + region + "_" + expID + "_" + stamp + "Z_" + hash + ".log"
}

// deliver puts the test logs in the log bucket: the start object, and the
// end object (with experiment-end) when withEnd.
func deliver(t *testing.T, s *fakeS3, withEnd bool) {
	t.Helper()
	for _, f := range []struct{ file, key string }{
		{"testdata/start.log", logKey("202603101000", "a1b2c3")},
		{"testdata/end.log", logKey("202603101004", "d4e5f6")},
	} {
		if f.file == "testdata/end.log" && !withEnd {
			continue
		}
		b, err := os.ReadFile(f.file)
		if err != nil {
			t.Fatal(err)
		}
		s.put(logBucket, f.key, b)
	}
	// Another experiment's log must not be picked up.
	s.put(logBucket, "fis-logs/AWSLogs/"+account+"/fis/"+region+"/EXPother/2026/03/10/x.log", []byte(`{"id":"EXPother","log_type":"experiment-end","event_timestamp":"2026-03-10T09:00:00Z","version":"2","details":{}}`+"\n"))
}

// latency answers GetMetricData with one datapoint a minute at v(minute).
func latency(v func(min int) float64) func(in *cloudwatch.GetMetricDataInput) *cloudwatch.GetMetricDataOutput {
	return func(in *cloudwatch.GetMetricDataInput) *cloudwatch.GetMetricDataOutput {
		r := cwtypes.MetricDataResult{Id: in.MetricDataQueries[0].Id, StatusCode: cwtypes.StatusCodeComplete}
		for ts := in.StartTime.Truncate(time.Minute); !ts.After(*in.EndTime); ts = ts.Add(time.Minute) {
			if ts.Before(*in.StartTime) {
				continue
			}
			r.Timestamps = append(r.Timestamps, ts)
			r.Values = append(r.Values, v(int(ts.Sub(t0)/time.Minute)))
		}
		return &cloudwatch.GetMetricDataOutput{MetricDataResults: []cwtypes.MetricDataResult{r}}
	}
}

func steady(int) float64 { return 120 }

func newArchiver(s *fakeS3, f experiment.GetExperimentAPI, cw *fakeCW, now time.Time) *Archiver {
	return New(Config{LogBucket: logBucket, ArchiveBucket: arcBucket, AccountID: account, Region: region}, s, f, cw, func() time.Time { return now })
}

const wantPrefix = "gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_" + expID + "/"

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func summaryOf(t *testing.T, s *fakeS3) report.Summary {
	t.Helper()
	var sum report.Summary
	if err := json.Unmarshal([]byte(s.snapshot(arcBucket)[wantPrefix+FileSummary]), &sum); err != nil {
		t.Fatalf("decode summary.json: %v", err)
	}
	return sum
}

func TestHandleArchivesACompletedRun(t *testing.T) {
	s3f := newFakeS3()
	deliver(t, s3f, true)
	cw := &fakeCW{metric: latency(steady)}
	a := newArchiver(s3f, fisExperiment(fistypes.ExperimentStatusCompleted, "Experiment completed."), cw, at(20))

	got, err := a.Handle(context.Background(), runState())
	if err != nil {
		t.Fatal(err)
	}
	want := gameday.ArchiveResult{
		URI: "s3://" + arcBucket + "/" + wantPrefix, Bucket: arcBucket, Prefix: wantPrefix,
		State: gameday.StateCompleted, Verdict: report.VerdictPassed, LogsComplete: true,
		ExperimentID: expID, Hypothesis: report.ResultHeld,
		VerdictReason: "the experiment completed and every check held",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result mismatch (-want +got):\n%s", diff)
	}
	wantKeys := []string{
		wantPrefix + DirLogs + logKey("202603101000", "a1b2c3"),
		wantPrefix + DirLogs + logKey("202603101004", "d4e5f6"),
		wantPrefix + FileReport,
		wantPrefix + FileSpec,
		wantPrefix + FileSummary,
		wantPrefix + FileMarkdown,
		wantPrefix + FileTemplate,
	}
	snap := s3f.snapshot(arcBucket)
	if diff := cmp.Diff(wantKeys, keys(snap)); diff != "" {
		t.Errorf("archive keys mismatch (-want +got):\n%s", diff)
	}
	// Logs are copied byte for byte; spec.yaml is the file as run.
	src := s3f.snapshot(logBucket)
	for _, k := range []string{logKey("202603101000", "a1b2c3"), logKey("202603101004", "d4e5f6")} {
		if snap[wantPrefix+DirLogs+k] != src[k] {
			t.Errorf("copy of %s differs from the original", k)
		}
	}
	if s3f.calls["CopyObject"] != 2 {
		t.Errorf("CopyObject calls = %d, want 2 (server-side copies)", s3f.calls["CopyObject"])
	}
	if got := snap[wantPrefix+FileSpec]; got != runState().SpecYAML {
		t.Errorf("spec.yaml = %q, want the run's SpecYAML", got)
	}
	var tmpl map[string]any
	if err := json.Unmarshal([]byte(snap[wantPrefix+FileTemplate]), &tmpl); err != nil {
		t.Errorf("template.json is not JSON: %v", err)
	} else if _, ok := tmpl["actions"].(map[string]any)["carts-delay"]; !ok {
		t.Errorf("template.json has no carts-delay action: %s", snap[wantPrefix+FileTemplate])
	}

	sum := summaryOf(t, s3f)
	type brief struct {
		Verdict, Hypothesis string
		State               gameday.State
		Records, Objects    int
		Complete            bool
		Timeline            []string
		Checks              []string
		StopConditions      []string
	}
	gotBrief := brief{Verdict: sum.Verdict, Hypothesis: sum.Hypothesis.Verdict, State: sum.State, Records: sum.Logs.Records, Objects: sum.Logs.Objects, Complete: sum.Logs.Complete}
	for _, e := range sum.Timeline {
		gotBrief.Timeline = append(gotBrief.Timeline, e.At.Format("15:04:05")+" "+report.EventText(e))
	}
	for _, c := range sum.Hypothesis.Checks {
		gotBrief.Checks = append(gotBrief.Checks, string(c.Phase)+" "+c.Result)
	}
	for _, sc := range sum.StopConditions {
		gotBrief.StopConditions = append(gotBrief.StopConditions, sc.Alarm+" "+sc.ARN)
	}
	wantBrief := brief{
		Verdict: report.VerdictPassed, Hypothesis: report.ResultHeld, State: gameday.StateCompleted,
		Records: 7, Objects: 2, Complete: true,
		Timeline: []string{
			"10:00:00 experiment-start",
			"10:00:06 target-resolution-end Cluster-Target-1 (completed): 1 target resolved",
			"10:00:30 action-start carts-delay",
			"10:03:30 action-end carts-delay (completed): Action was completed.",
			"10:04:00 experiment-end (completed): Experiment completed.",
		},
		Checks:         []string{"before held", "during held", "after held"},
		StopConditions: []string{"gameday-sock-shop-carts-latency-front-end-errors arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:gameday-sock-shop-carts-latency-front-end-errors"},
	}
	if diff := cmp.Diff(wantBrief, gotBrief); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}

	// One GetMetricData over before-start .. after-end, with the check's stat.
	if len(cw.metricInputs) != 1 {
		t.Fatalf("GetMetricData calls = %d, want 1", len(cw.metricInputs))
	}
	in := cw.metricInputs[0]
	q := in.MetricDataQueries[0].MetricStat
	gotQ := []string{in.StartTime.Format(time.RFC3339), in.EndTime.Format(time.RFC3339), aws.ToString(q.Stat), aws.ToString(q.Metric.Namespace), aws.ToString(q.Metric.MetricName), aws.ToString(q.Metric.Dimensions[0].Name) + "=" + aws.ToString(q.Metric.Dimensions[0].Value)}
	wantQ := []string{"2026-03-10T09:50:30Z", "2026-03-10T10:13:30Z", "p99", "SockShop", "Latency", "service=orders"}
	if diff := cmp.Diff(wantQ, gotQ); diff != "" {
		t.Errorf("GetMetricData query mismatch (-want +got):\n%s", diff)
	}
	// Alarm history: StateUpdate items over the charts' range (the
	// metric windows), which holds the experiment's.
	if len(cw.historyInputs) != 1 {
		t.Fatalf("DescribeAlarmHistory calls = %d, want 1", len(cw.historyInputs))
	}
	h := cw.historyInputs[0]
	gotH := []string{aws.ToString(h.AlarmName), string(h.HistoryItemType), h.StartDate.Format(time.RFC3339), h.EndDate.Format(time.RFC3339)}
	wantH := []string{"gameday-sock-shop-carts-latency-front-end-errors", "StateUpdate", "2026-03-10T09:50:30Z", "2026-03-10T10:13:30Z"}
	if diff := cmp.Diff(wantH, gotH); diff != "" {
		t.Errorf("DescribeAlarmHistory input mismatch (-want +got):\n%s", diff)
	}
}

// TestHandleIsIdempotent archives twice: the second run, even later (when
// more of the after window has data), writes the same keys with the same bytes.
func TestHandleIsIdempotent(t *testing.T) {
	s3f := newFakeS3()
	deliver(t, s3f, true)
	exp := fisExperiment(fistypes.ExperimentStatusCompleted, "Experiment completed.")
	first, err := newArchiver(s3f, exp, &fakeCW{metric: latency(steady)}, at(8)).Handle(context.Background(), runState())
	if err != nil {
		t.Fatal(err)
	}
	before := s3f.snapshot(arcBucket)
	cw := &fakeCW{metric: latency(steady)}
	second, err := newArchiver(s3f, exp, cw, at(40)).Handle(context.Background(), runState())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cw.metricInputs[0].EndTime.Format(time.RFC3339), "2026-03-10T10:06:00Z"; got != want { // 10:08 less MetricSettle
		t.Errorf("second run read metrics up to %s, want the first run's %s", got, want)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second result differs (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(before, s3f.snapshot(arcBucket)); diff != "" {
		t.Errorf("second run changed the archive (-first +second):\n%s", diff)
	}
}

func TestHandleWaitsForLogs(t *testing.T) {
	tests := []struct {
		name         string
		state        fistypes.ExperimentStatus
		withEnd      bool
		now          time.Time
		wantPending  bool
		wantComplete bool
	}{
		{"experiment-end delivered", fistypes.ExperimentStatusCompleted, true, at(5), false, true},
		{"not delivered, ended 1 minute ago", fistypes.ExperimentStatusCompleted, false, at(5), true, false},
		{"not delivered, ended 14m59s ago", fistypes.ExperimentStatusCompleted, false, at(18.99), true, false},
		{"not delivered, past the 15m limit: partial archive", fistypes.ExperimentStatusCompleted, false, at(19), false, false},
		{"experiment still running", fistypes.ExperimentStatusRunning, true, at(5), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s3f := newFakeS3()
			deliver(t, s3f, tt.withEnd)
			a := newArchiver(s3f, fisExperiment(tt.state, ""), &fakeCW{metric: latency(steady)}, tt.now)
			got, err := a.Handle(context.Background(), runState())
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantPending {
				if got.Pending == nil || got.Pending.Attempt != 1 || got.Pending.WaitSeconds != 30 || got.URI != "" {
					t.Fatalf("Handle = %+v (pending %+v), want the first pending answer, to wait 30 s", got, got.Pending)
				}
				if n := len(s3f.snapshot(arcBucket)); n != 0 {
					t.Errorf("archive has %d objects while waiting for logs, want none", n)
				}
				return
			}
			if got.Pending != nil {
				t.Fatalf("Handle pending: %+v, want the archive", got.Pending)
			}
			if got.LogsComplete != tt.wantComplete {
				t.Errorf("LogsComplete = %v, want %v", got.LogsComplete, tt.wantComplete)
			}
			sum := summaryOf(t, s3f)
			if sum.Logs.Complete != tt.wantComplete {
				t.Errorf("summary logs.complete = %v, want %v", sum.Logs.Complete, tt.wantComplete)
			}
			wantObjects := 1
			if tt.withEnd {
				wantObjects = 2
			}
			if sum.Logs.Objects != wantObjects {
				t.Errorf("summary logs.objects = %d, want %d", sum.Logs.Objects, wantObjects)
			}
		})
	}
}

// TestHandleAfterFailedStop: in the cleanup branch, after the stop step
// failed, the archive waits only for an experiment that FIS is stopping or
// that has ended; one still active is an error at once (not a pending
// answer), so that the run ends and the guard stops it.
func TestHandleAfterFailedStop(t *testing.T) {
	tests := []struct {
		name        string
		state       fistypes.ExperimentStatus
		wantErr     bool
		wantPending bool
	}{
		{"running: no wait, the run ends", fistypes.ExperimentStatusRunning, true, false},
		{"initiating: no wait, the run ends", fistypes.ExperimentStatusInitiating, true, false},
		{"stopping: waits for it to end", fistypes.ExperimentStatusStopping, false, true},
		{"ended meanwhile: archived", fistypes.ExperimentStatusStopped, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s3f := newFakeS3()
			deliver(t, s3f, true)
			a := newArchiver(s3f, fisExperiment(tt.state, ""), &fakeCW{metric: latency(steady)}, at(5))
			st := runState()
			st.Error = &gameday.CaughtError{Error: "Runtime.ExitError", Cause: "poll crashed"}
			st.StopError = &gameday.CaughtError{Error: gameday.ErrNameInternal, Cause: "InternalServerException"}
			got, err := a.Handle(context.Background(), st)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Handle = %+v, %v; want an error: %v", got, err, tt.wantErr)
			}
			if err != nil {
				if name := gameday.ErrorName(err); name == gameday.ErrNameLogsNotReady || !strings.Contains(err.Error(), "stop step failed") {
					t.Errorf("error %s %q, want one saying the stop step failed, not %s", name, err, gameday.ErrNameLogsNotReady)
				}
				return
			}
			if (got.Pending != nil) != tt.wantPending {
				t.Errorf("pending = %+v, want pending: %v", got.Pending, tt.wantPending)
			}
		})
	}
}

func TestHandleLogWaitLimitConfigurable(t *testing.T) {
	s3f := newFakeS3()
	deliver(t, s3f, false)
	a := New(Config{LogBucket: logBucket, ArchiveBucket: arcBucket, AccountID: account, Region: region, LogWaitLimit: 2 * time.Minute},
		s3f, fisExperiment(fistypes.ExperimentStatusCompleted, ""), &fakeCW{}, func() time.Time { return at(6.5) })
	got, err := a.Handle(context.Background(), runState())
	if err != nil {
		t.Fatal(err)
	}
	if got.LogsComplete {
		t.Error("LogsComplete = true with no experiment-end record")
	}
}

// TestHandleForeignExperiment: $.start naming an experiment another
// execution started (or one without the tag) archives nothing of it.
func TestHandleForeignExperiment(t *testing.T) {
	for _, owner := range []string{"arn:aws:states:ap-northeast-1:123456789012:execution:gameday:other", ""} {
		s3f := newFakeS3()
		st := runState()
		st.Execution.ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:gameday:crafted"
		if owner == "" {
			st.Execution.ARN = execARN
		}
		get := fisExperiment(fistypes.ExperimentStatusCompleted, "done")
		a := newArchiver(s3f, fakeFIS(func(ctx context.Context, in *fis.GetExperimentInput) (*fis.GetExperimentOutput, error) {
			out, err := get(ctx, in)
			if err == nil && owner == "" {
				out.Experiment.Tags = nil
			}
			return out, err
		}), &fakeCW{}, at(20))
		got, err := a.Handle(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		want := gameday.ArchiveResult{Verdict: report.VerdictFailed, Skipped: SkippedForeign}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("owner %q: result mismatch (-want +got):\n%s", owner, diff)
		}
		if n := s3f.calls["PutObject"] + s3f.calls["CopyObject"] + s3f.calls["ListObjectsV2"]; n != 0 {
			t.Errorf("owner %q: %d S3 calls, want none", owner, n)
		}
	}
}

func TestHandleNothingStarted(t *testing.T) {
	s3f := newFakeS3()
	st := runState()
	st.Start = nil
	st.Error = &gameday.CaughtError{Error: "GameDayError", Cause: "create template: access denied"}
	a := newArchiver(s3f, fakeFIS(func(context.Context, *fis.GetExperimentInput) (*fis.GetExperimentOutput, error) {
		t.Error("GetExperiment called although nothing was started")
		return nil, errors.New("unexpected")
	}), &fakeCW{}, at(20))
	got, err := a.Handle(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	want := gameday.ArchiveResult{Verdict: report.VerdictFailed, Skipped: SkippedNothingStarted}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result mismatch (-want +got):\n%s", diff)
	}
	if len(s3f.calls) != 0 {
		t.Errorf("S3 calls %v, want none", s3f.calls)
	}
}

// TestHandleStartDiedAfterStarting: every start attempt died after FIS had
// started the experiment, so the run has no $.start; the cleanup's stop
// step found the experiment by the execution's tag and stopped it. The
// archive keeps that run's evidence (logs, summary, report) all the same,
// without template.json, which only the start step records.
func TestHandleStartDiedAfterStarting(t *testing.T) {
	s3f := newFakeS3()
	deliver(t, s3f, true)
	a := newArchiver(s3f, fisExperiment(fistypes.ExperimentStatusStopped, "Experiment stopped by user."), &fakeCW{metric: latency(steady)}, at(20))
	st := runState()
	st.Start = nil
	st.Error = &gameday.CaughtError{Error: "Sandbox.Timedout", Cause: "Task timed out after 60.00 seconds"}
	st.Stop = &gameday.StopResult{ExperimentID: expID, State: gameday.StateStopped, Reason: "Experiment stopped by user."}
	got, err := a.Handle(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if got.Skipped != "" || got.URI != "s3://"+arcBucket+"/"+wantPrefix || got.ExperimentID != expID || got.Verdict != report.VerdictFailed {
		t.Errorf("result %+v, want the experiment archived at %s, verdict failed", got, wantPrefix)
	}
	snap := s3f.snapshot(arcBucket)
	for _, f := range []string{FileSummary, FileMarkdown, FileReport, FileSpec, DirLogs + logKey("202603101004", "d4e5f6")} {
		if _, ok := snap[wantPrefix+f]; !ok {
			t.Errorf("archive has no %s", f)
		}
	}
	if _, ok := snap[wantPrefix+FileTemplate]; ok {
		t.Errorf("archive has a %s, but the start step recorded none", FileTemplate)
	}
}

func TestHandleStoppedByAlarm(t *testing.T) {
	s3f := newFakeS3()
	deliver(t, s3f, true)
	cw := &fakeCW{
		metric: latency(func(m int) float64 {
			if m >= 1 && m <= 3 {
				return 450
			}
			return 120
		}),
		history: func(in *cloudwatch.DescribeAlarmHistoryInput) *cloudwatch.DescribeAlarmHistoryOutput {
			return &cloudwatch.DescribeAlarmHistoryOutput{AlarmHistoryItems: []cwtypes.AlarmHistoryItem{{
				AlarmName:       in.AlarmName,
				HistoryItemType: cwtypes.HistoryItemTypeStateUpdate,
				Timestamp:       aws.Time(at(2)),
				HistorySummary:  aws.String("Alarm updated from OK to ALARM"),
				HistoryData:     aws.String(`{"version":"1.0","oldState":{"stateValue":"OK","stateReason":"fine"},"newState":{"stateValue":"ALARM","stateReason":"Threshold Crossed"}}`),
			}}}
		},
	}
	a := newArchiver(s3f, fisExperiment(fistypes.ExperimentStatusStopped, "Experiment stopped by stop condition."), cw, at(20))
	got, err := a.Handle(context.Background(), runState())
	if err != nil {
		t.Fatal(err)
	}
	gotV := []string{got.Verdict, got.StoppedByAlarm, got.Hypothesis}
	wantV := []string{report.VerdictStoppedByAlarm, "gameday-sock-shop-carts-latency-front-end-errors", report.ResultRefuted}
	if diff := cmp.Diff(wantV, gotV); diff != "" {
		t.Errorf("[verdict stoppedByAlarm hypothesis] mismatch (-want +got):\n%s", diff)
	}
	sum := summaryOf(t, s3f)
	if len(sum.StopConditions) != 1 || !sum.StopConditions[0].WentIntoAlarm {
		t.Errorf("stopConditions = %+v, want the alarm to have gone into ALARM", sum.StopConditions)
	}
}

func TestHandleCaughtErrorIsFailed(t *testing.T) {
	s3f := newFakeS3()
	deliver(t, s3f, true)
	st := runState()
	st.Error = &gameday.CaughtError{Error: gameday.ErrNameExperimentTimeout, Cause: "past the deadline"}
	a := newArchiver(s3f, fisExperiment(fistypes.ExperimentStatusStopped, "Experiment stopped by user."), &fakeCW{metric: latency(steady)}, at(20))
	got, err := a.Handle(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if got.Verdict != report.VerdictFailed {
		t.Errorf("verdict = %s, want failed", got.Verdict)
	}
	if !strings.Contains(s3f.snapshot(arcBucket)[wantPrefix+FileMarkdown], "ExperimentTimeout") {
		t.Error("summary.md does not mention the caught error")
	}
}

// TestHandleKeepsTheFailure: once the cleanup branch has archived the run
// as failed, the run's own archive step, answering late (after its Task
// gave up on it), does not replace that summary with one that says how
// the experiment went as if the run had not failed; the cleanup's archive
// does replace the run's own.
func TestHandleKeepsTheFailure(t *testing.T) {
	exp := fisExperiment(fistypes.ExperimentStatusCompleted, "Experiment completed.")
	failed := runState()
	failed.Error = &gameday.CaughtError{Error: "States.Timeout", Cause: "the archive step timed out"}

	s3f := newFakeS3()
	deliver(t, s3f, true)
	if _, err := newArchiver(s3f, exp, &fakeCW{metric: latency(steady)}, at(20)).Handle(context.Background(), failed); err != nil {
		t.Fatal(err)
	}
	before := s3f.snapshot(arcBucket)
	_, err := newArchiver(s3f, exp, &fakeCW{metric: latency(steady)}, at(40)).Handle(context.Background(), runState())
	if err == nil || !strings.Contains(err.Error(), "States.Timeout") {
		t.Errorf("the late archive returned %v, want an error naming the failure the archive records", err)
	}
	if diff := cmp.Diff(before, s3f.snapshot(arcBucket)); diff != "" {
		t.Errorf("the late archive changed the failed run's archive (-before +after):\n%s", diff)
	}
	if got := summaryOf(t, s3f).Verdict; got != report.VerdictFailed {
		t.Errorf("verdict = %s, want failed", got)
	}

	s3f = newFakeS3()
	deliver(t, s3f, true)
	if _, err := newArchiver(s3f, exp, &fakeCW{metric: latency(steady)}, at(20)).Handle(context.Background(), runState()); err != nil {
		t.Fatal(err)
	}
	if _, err := newArchiver(s3f, exp, &fakeCW{metric: latency(steady)}, at(40)).Handle(context.Background(), failed); err != nil {
		t.Fatal(err)
	}
	if got := summaryOf(t, s3f).Verdict; got != report.VerdictFailed {
		t.Errorf("verdict after the cleanup's archive = %s, want failed", got)
	}
}

func TestHandleErrors(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*fakeS3, *gameday.RunState) experiment.GetExperimentAPI
		wantName string
		wantIs   error
	}{
		{"S3 throttling", func(s *fakeS3, _ *gameday.RunState) experiment.GetExperimentAPI {
			s.listErr = &smithy.GenericAPIError{Code: "SlowDown", Message: "Please reduce your request rate."}
			return fisExperiment(fistypes.ExperimentStatusCompleted, "")
		}, gameday.ErrNameThrottled, gameday.ErrThrottled},
		{"FIS throttling", func(*fakeS3, *gameday.RunState) experiment.GetExperimentAPI {
			return fakeFIS(func(context.Context, *fis.GetExperimentInput) (*fis.GetExperimentOutput, error) {
				return nil, &smithy.GenericAPIError{Code: "ThrottlingException"}
			})
		}, gameday.ErrNameThrottled, gameday.ErrThrottled},
		{"experiment not found", func(_ *fakeS3, st *gameday.RunState) experiment.GetExperimentAPI {
			st.Start.ExperimentID = "EXPgone"
			return fisExperiment(fistypes.ExperimentStatusCompleted, "")
		}, gameday.ErrNameInternal, gameday.ErrNotFound},
		{"no gameday", func(_ *fakeS3, st *gameday.RunState) experiment.GetExperimentAPI {
			st.GameDay = nil
			return fisExperiment(fistypes.ExperimentStatusCompleted, "")
		}, gameday.ErrNameInvalidGameDay, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s3f := newFakeS3()
			deliver(t, s3f, true)
			st := runState()
			f := tt.mutate(s3f, &st)
			_, err := newArchiver(s3f, f, &fakeCW{}, at(20)).Handle(context.Background(), st)
			if err == nil {
				t.Fatal("Handle succeeded, want an error")
			}
			if got := gameday.ErrorName(err); got != tt.wantName {
				t.Errorf("error name = %s (%v), want %s", got, err, tt.wantName)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
		})
	}
}

func TestWindows(t *testing.T) {
	spec := testSpec()
	run := report.Run{StartedAt: at(0), EndedAt: at(4), Actions: []gameday.ActionState{{Name: "a", StartTime: ptr(at(0.5)), EndTime: ptr(at(3.5))}}}
	tests := []struct {
		name string
		run  report.Run
		now  time.Time
		want report.Windows
	}{
		{"after window complete", run, at(20), report.Windows{
			Before: report.Span{Start: at(-9.5), End: at(0.5)}, During: report.Span{Start: at(0.5), End: at(3.5)}, After: report.Span{Start: at(3.5), End: at(13.5)}}},
		{"after window clamped to now less MetricSettle", run, at(7), report.Windows{
			Before: report.Span{Start: at(-9.5), End: at(0.5)}, During: report.Span{Start: at(0.5), End: at(3.5)}, After: report.Span{Start: at(3.5), End: at(5)}}},
		{"after window empty right after the end", run, at(4), report.Windows{
			Before: report.Span{Start: at(-9.5), End: at(0.5)}, During: report.Span{Start: at(0.5), End: at(3.5)}, After: report.Span{Start: at(3.5), End: at(3.5)}}},
		{"no action times: the experiment's", report.Run{StartedAt: at(0), EndedAt: at(4)}, at(20), report.Windows{
			Before: report.Span{Start: at(-10), End: at(0)}, During: report.Span{Start: at(0), End: at(4)}, After: report.Span{Start: at(4), End: at(14)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, windows(spec, tt.run, tt.now)); diff != "" {
				t.Errorf("windows mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestSpecYAMLFromGameDay(t *testing.T) {
	s3f := newFakeS3()
	deliver(t, s3f, true)
	st := runState()
	st.SpecYAML = ""
	if _, err := newArchiver(s3f, fisExperiment(fistypes.ExperimentStatusCompleted, ""), &fakeCW{}, at(20)).Handle(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	got := s3f.snapshot(arcBucket)[wantPrefix+FileSpec]
	for _, want := range []string{"name: sock-shop-carts-latency", "carts-delay", "kind: NetworkChaos"} {
		if !strings.Contains(got, want) {
			t.Errorf("spec.yaml lacks %q:\n%s", want, got)
		}
	}
}

func TestLogPrefix(t *testing.T) {
	tests := []struct{ prefix, want string }{
		{"fis-logs/", "fis-logs/AWSLogs/1/fis/r/EXP1/"},
		{"fis-logs", "fis-logs/AWSLogs/1/fis/r/EXP1/"},
		{"", "AWSLogs/1/fis/r/EXP1/"},
	}
	for _, tt := range tests {
		if got := LogPrefix(tt.prefix, "1", "r", "EXP1"); got != tt.want {
			t.Errorf("LogPrefix(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
	if got, want := escapeKey("a b/c+d/e.log"), "a%20b/c+d/e.log"; got != want {
		t.Errorf("escapeKey = %q, want %q", got, want)
	}
}

func TestHandleAwaitAfterWindow(t *testing.T) {
	// The fault ends at 10:03:30, the after window is 10m, MetricSettle 2m:
	// the after window is ready at 10:15:30; the limit is 15m past the
	// experiment's end at 10:04.
	tests := []struct {
		name         string
		now          time.Time
		limit        time.Duration
		wantPending  bool
		wantAfterEnd time.Time
	}{
		{"within the after window: wait", at(10), 0, true, time.Time{}},
		{"one second before ready: wait", at(15.49), 0, true, time.Time{}},
		{"after window over: archive it whole", at(15.5), 0, false, at(13.5)},
		{"past the wait limit: archive, after window cut", at(6.5), 2 * time.Minute, false, at(4.5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s3f := newFakeS3()
			deliver(t, s3f, true)
			a := New(Config{LogBucket: logBucket, ArchiveBucket: arcBucket, AccountID: account, Region: region, AwaitAfterWindow: true, LogWaitLimit: tt.limit},
				s3f, fisExperiment(fistypes.ExperimentStatusCompleted, ""), &fakeCW{metric: latency(steady)}, func() time.Time { return tt.now })
			res, err := a.Handle(context.Background(), runState())
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantPending {
				if res.Pending == nil {
					t.Fatalf("Handle = %+v, want a pending answer", res)
				}
				// Waiting for the window, the step does not read the logs.
				if n := s3f.calls["ListObjectsV2"] + s3f.calls["GetObject"]; n != 0 {
					t.Errorf("%d S3 reads while waiting for the after window, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := summaryOf(t, s3f).Windows.After.End; !got.Equal(tt.wantAfterEnd) {
				t.Errorf("after window ends %s, want %s", got.Format(time.RFC3339), tt.wantAfterEnd.Format(time.RFC3339))
			}
		})
	}
}

// TestArchiveLocation: the report names where the archive is found
// afterwards: the archive bucket, or, as ARCHIVE_LOCATION says (a local
// run: the folder it downloads into), that place; only the input differs.
// The step's result keeps the bucket's URI, which the CLI reads from.
func TestArchiveLocation(t *testing.T) {
	tests := []struct {
		name, location, want string
	}{
		{"deployed", "", "s3://" + arcBucket + "/" + wantPrefix + DirLogs},
		{"local folder", "/home/sre/out", "/home/sre/out/" + wantPrefix + DirLogs},
		{"trailing slash", "/home/sre/out/", "/home/sre/out/" + wantPrefix + DirLogs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s3f := newFakeS3()
			deliver(t, s3f, true)
			a := New(Config{LogBucket: logBucket, ArchiveBucket: arcBucket, Location: tt.location, AccountID: account, Region: region},
				s3f, fisExperiment(fistypes.ExperimentStatusCompleted, "Experiment completed."), &fakeCW{metric: latency(steady)}, func() time.Time { return at(20) })
			res, err := a.Handle(context.Background(), runState())
			if err != nil {
				t.Fatal(err)
			}
			if got := summaryOf(t, s3f).Logs.ArchivedTo; got != tt.want {
				t.Errorf("summary.json logs.archivedTo = %q, want %q", got, tt.want)
			}
			snap := s3f.snapshot(arcBucket)
			for _, f := range []string{FileMarkdown, FileReport} {
				if !strings.Contains(snap[wantPrefix+f], tt.want) {
					t.Errorf("%s does not name %s", f, tt.want)
				}
			}
			if got, want := res.URI, "s3://"+arcBucket+"/"+wantPrefix; got != want {
				t.Errorf("result URI = %q, want %q", got, want)
			}
		})
	}
}
