package archive_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/archive"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/fissim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

const (
	simAccount   = "123456789012"
	simLogBucket = "gameday-fis-logs"
	simArchive   = "gameday-archive"
)

// simRun is one experiment of the walkthrough GameDay run to its end in the
// simulator, with the clients the archive step uses.
type simRun struct {
	srv   *sim.Server
	clock *simtest.Clock
	s3    *s3.Client
	fis   *fis.Client
	cw    *cloudwatch.Client
	opts  fistemplate.Options
	state gameday.RunState
}

// startWalkthrough runs examples/sock-shop-carts-latency.yaml in the
// simulator (its stop-condition alarm staged, the template created as the
// start step would) and waits for the experiment to end.
func startWalkthrough(t *testing.T, o sim.Options) *simRun {
	t.Helper()
	return startWalkthroughWith(t, o, nil, nil)
}

// startWalkthroughWith is startWalkthrough with the GameDay file edited by
// edit (when not nil), calling running once the experiment runs.
func startWalkthroughWith(t *testing.T, o sim.Options, edit func(string) string, running func(r *simRun)) *simRun {
	t.Helper()
	ctx := context.Background()
	srv, cfg, clock := simtest.NewManual(t, o)
	r := &simRun{
		srv:   srv,
		clock: clock,
		s3:    s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		fis:   fis.NewFromConfig(cfg),
		cw:    cloudwatch.NewFromConfig(cfg),
	}
	for _, b := range []string{simLogBucket, simArchive} {
		if _, err := r.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("create bucket %s: %v", b, err)
		}
	}
	data, err := os.ReadFile("../../examples/sock-shop-carts-latency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	specYAML := strings.Replace(string(data), "arn:aws:eks:us-east-1:123456789012:cluster/sandbox", srv.ClusterARN(), 1)
	if edit != nil {
		specYAML = edit(specYAML)
	}
	spec, err := gameday.Parse("sock-shop-carts-latency.yaml", []byte(specYAML))
	if err != nil {
		t.Fatal(err)
	}
	r.opts = fistemplate.Options{Account: simAccount, Region: cfg.Region, RoleARN: "arn:aws:iam::" + simAccount + ":role/gameday-fis", LogBucket: simLogBucket}
	for _, sc := range spec.Spec.StopConditions {
		a := sc.Alarm
		dims := []cwtypes.Dimension{}
		for k, v := range a.Metric.Dimensions {
			dims = append(dims, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(v)})
		}
		_, err := r.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(spec.AlarmName(a)), Namespace: aws.String(a.Metric.Namespace), MetricName: aws.String(a.Metric.Name),
			Dimensions: dims, Statistic: cwtypes.Statistic(a.Metric.Stat), Period: aws.Int32(a.Metric.Period),
			ComparisonOperator: cwtypes.ComparisonOperator(a.Comparison), Threshold: aws.Float64(a.Threshold),
			EvaluationPeriods: aws.Int32(a.EvaluationPeriods), TreatMissingData: aws.String("notBreaching"),
		})
		if err != nil {
			t.Fatalf("stage alarm: %v", err)
		}
	}
	in, err := fistemplate.Render(spec, r.opts)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := fistemplate.JSON(in)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := r.fis.CreateExperimentTemplate(ctx, in)
	if err != nil {
		t.Fatalf("create template: %v", err)
	}
	execARN := "arn:aws:states:" + cfg.Region + ":" + simAccount + ":execution:gameday:sim-run-1"
	start, err := r.fis.StartExperiment(ctx, &fis.StartExperimentInput{
		ExperimentTemplateId: tmpl.ExperimentTemplate.Id, ClientToken: aws.String("sim-run-1"),
		Tags: map[string]string{deploy.TagExecution: execARN}, // as the start step tags it
	})
	if err != nil {
		t.Fatalf("start experiment: %v", err)
	}
	id := aws.ToString(start.Experiment.Id)
	r.state = gameday.RunState{
		RunInput:  gameday.RunInput{GameDay: spec, SpecYAML: specYAML, Source: "local"},
		Execution: gameday.Execution{ARN: execARN, Name: "sim-run-1"},
		Start: &gameday.StartResult{ExperimentID: id, ExperimentTemplateID: aws.ToString(tmpl.ExperimentTemplate.Id),
			StartedAt: aws.ToTime(start.Experiment.StartTime), Template: sent},
	}
	clock.Until(t, time.Second, time.Hour, "experiment "+id+" ended", func() bool {
		out, err := r.fis.GetExperiment(ctx, &fis.GetExperimentInput{Id: &id})
		if err != nil {
			t.Fatalf("get experiment: %v", err)
		}
		if gameday.State(out.Experiment.State.Status).Terminal() {
			t.Logf("experiment %s %s: %s", id, out.Experiment.State.Status, aws.ToString(out.Experiment.State.Reason))
			return true
		}
		if running != nil && out.Experiment.State.Status == "running" {
			running(r)
			running = nil
		}
		return false
	})
	return r
}

func (r *simRun) archiver(limit time.Duration) *archive.Archiver {
	return r.archiverWith(archive.Config{LogWaitLimit: limit})
}

// archiverWith is the archive step on the simulator with c's LogWaitLimit
// and AwaitAfterWindow.
func (r *simRun) archiverWith(c archive.Config) *archive.Archiver {
	return archive.New(archive.Config{
		LogBucket: simLogBucket, ArchiveBucket: simArchive, AccountID: simAccount, Region: r.opts.Region,
		LogWaitLimit: c.LogWaitLimit, AwaitAfterWindow: c.AwaitAfterWindow,
	}, r.s3, r.fis, r.cw, r.srv.Clock().Now)
}

// retry calls the archive step as the state machine does: while it
// answers pending, it lets the answer's WaitSeconds pass on the simulator's
// clock and calls the step again with the answer in its input; at most for
// limit of simulated time. It returns the last answer and how many were
// pending.
func retry(t *testing.T, clock *simtest.Clock, a *archive.Archiver, st gameday.RunState, limit time.Duration) (gameday.ArchiveResult, int) {
	t.Helper()
	deadline := clock.Now().Add(limit)
	pending := 0
	for {
		res, err := a.Handle(context.Background(), st)
		if err != nil {
			t.Fatalf("archive: %s: %v", gameday.ErrorName(err), err)
		}
		if res.Pending == nil {
			return res, pending
		}
		pending++
		if clock.Now().After(deadline) {
			t.Fatalf("archive still pending after %s: %s", limit, res.Pending.Reason)
		}
		clock.Advance(time.Duration(res.Pending.WaitSeconds) * time.Second)
		st.Archive = &res
	}
}

// bucket reads every object of a bucket.
func bucket(t *testing.T, c *s3.Client, name string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(name), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			out[*o.Key] = string(b)
		}
	}
	return out
}

// TestSimArchiveWaitsForLateLogs: FIS delivers the logs two simulated
// minutes after the end; the archive answers LogsNotReady until then, then
// archives everything, and a second run changes nothing.
func TestSimArchiveWaitsForLateLogs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if testing.Short() {
			t.Skip("runs the simulator")
		}
		r := startWalkthrough(t, sim.Options{LogDelay: 2 * time.Minute})
		a := r.archiver(15 * time.Minute)
		res, notReady := retry(t, r.clock, a, r.state, 30*time.Minute)
		if notReady == 0 {
			t.Error("the archive never answered LogsNotReady, although the logs come 2 simulated minutes late")
		}
		t.Logf("archived after %d LogsNotReady answers: %+v", notReady, res)
		if !res.LogsComplete || res.Skipped != "" || res.URI == "" {
			t.Fatalf("result %+v, want a complete archive", res)
		}
		logs := bucket(t, r.s3, simLogBucket)
		arc := bucket(t, r.s3, simArchive)
		for k, body := range logs {
			if got, ok := arc[res.Prefix+archive.DirLogs+k]; !ok || got != body {
				t.Errorf("log object %s not copied byte for byte into the archive", k)
			}
		}
		for _, f := range []string{archive.FileSpec, archive.FileTemplate, archive.FileSummary, archive.FileMarkdown, archive.FileReport} {
			if _, ok := arc[res.Prefix+f]; !ok {
				t.Errorf("archive has no %s", f)
			}
		}
		if got, want := len(arc), len(logs)+5; got != want {
			t.Errorf("archive has %d objects, want %d (every log object and five documents)", got, want)
		}
		var sum report.Summary
		if err := json.Unmarshal([]byte(arc[res.Prefix+archive.FileSummary]), &sum); err != nil {
			t.Fatal(err)
		}
		if sum.Logs.Objects != len(logs) || !sum.Logs.Complete || sum.Logs.Records == 0 {
			t.Errorf("summary logs = %+v, want %d objects, complete", sum.Logs, len(logs))
		}
		if sum.Verdict != res.Verdict || sum.ExperimentID != r.state.Start.ExperimentID {
			t.Errorf("summary verdict %s / experiment %s, want %s / %s", sum.Verdict, sum.ExperimentID, res.Verdict, r.state.Start.ExperimentID)
		}
		var types []string
		for _, e := range sum.Timeline {
			types = append(types, e.Type)
		}
		if len(types) == 0 || types[0] != "experiment-start" || types[len(types)-1] != "experiment-end" {
			t.Errorf("timeline %v, want experiment-start first and experiment-end last", types)
		}
		withData := 0
		for _, c := range sum.Hypothesis.Checks {
			if c.Value != nil {
				withData++
			}
		}
		if withData == 0 {
			t.Errorf("no check has data: %+v", sum.Hypothesis.Checks)
		}
		t.Logf("verdict %s (%s); %d log objects, %d records; %d/%d checks with data",
			sum.Verdict, sum.VerdictReason, sum.Logs.Objects, sum.Logs.Records, withData, len(sum.Hypothesis.Checks))

		// Twice: same keys, same bytes, even though simulated time went on.
		r.clock.Advance(time.Minute)
		again, err := a.Handle(context.Background(), r.state)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(res, again); diff != "" {
			t.Errorf("second result differs (-first +second):\n%s", diff)
		}
		if diff := cmp.Diff(arc, bucket(t, r.s3, simArchive)); diff != "" {
			t.Errorf("second run changed the archive (-first +second):\n%s", diff)
		}
	})
}

// TestSimArchivePartialPastLimit: the logs come far later than the wait
// limit; past it the archive completes with logsComplete false.
func TestSimArchivePartialPastLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if testing.Short() {
			t.Skip("runs the simulator")
		}
		r := startWalkthrough(t, sim.Options{LogDelay: 6 * time.Hour})
		res, notReady := retry(t, r.clock, r.archiver(time.Minute), r.state, 30*time.Minute)
		if notReady == 0 {
			t.Error("the archive never answered LogsNotReady before the limit")
		}
		if res.LogsComplete {
			t.Errorf("LogsComplete = true, want false (experiment-end never came)")
		}
		arc := bucket(t, r.s3, simArchive)
		if _, ok := arc[res.Prefix+archive.FileSummary]; !ok {
			t.Errorf("no summary.json in the partial archive: %v", keys(arc))
		}
		if !strings.Contains(arc[res.Prefix+archive.FileMarkdown], "Incomplete") {
			t.Error("summary.md does not say the logs are incomplete")
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestSimArchiveStoppedByAlarm: the stop-condition alarm goes into ALARM
// while the fault runs; FIS stops the experiment and the archive says
// stopped-by-alarm, from the alarm history read back from the simulator.
func TestSimArchiveStoppedByAlarm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if testing.Short() {
			t.Skip("runs the simulator")
		}
		const alarm = "gameday-sock-shop-carts-latency-front-end-errors"
		r := startWalkthroughWith(t, sim.Options{LogDelay: 30 * time.Second}, nil, func(r *simRun) {
			_, err := r.cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{
				AlarmName: aws.String(alarm), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("test: front end errors"),
			})
			if err != nil {
				t.Errorf("set alarm state: %v", err)
			}
		})
		res, _ := retry(t, r.clock, r.archiver(15*time.Minute), r.state, 30*time.Minute)
		if res.State != gameday.StateStopped || res.Verdict != report.VerdictStoppedByAlarm || res.StoppedByAlarm != alarm {
			t.Errorf("result %+v, want stopped, %s by %s", res, report.VerdictStoppedByAlarm, alarm)
		}
		var sum report.Summary
		if err := json.Unmarshal([]byte(bucket(t, r.s3, simArchive)[res.Prefix+archive.FileSummary]), &sum); err != nil {
			t.Fatal(err)
		}
		if len(sum.StopConditions) != 1 || !sum.StopConditions[0].WentIntoAlarm {
			t.Errorf("stopConditions = %+v, want the alarm to have gone into ALARM", sum.StopConditions)
		}
		if sum.StoppedByAlarm == nil || *sum.StoppedByAlarm != alarm {
			t.Errorf("stoppedByAlarm = %v, want %s", sum.StoppedByAlarm, alarm)
		}
	})
}

// TestSimArchiveAwaitsAfterWindow: with AwaitAfterWindow the archive waits
// for the after window (3 simulated minutes here, plus MetricSettle), and
// every check of every phase has data.
func TestSimArchiveAwaitsAfterWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if testing.Short() {
			t.Skip("runs the simulator")
		}
		r := startWalkthroughWith(t, sim.Options{LogDelay: 30 * time.Second},
			func(y string) string {
				return strings.Replace(y, "window: {before: 10m, after: 10m}", "window: {before: 10m, after: 3m}", 1)
			}, nil)
		res, notReady := retry(t, r.clock, r.archiverWith(archive.Config{AwaitAfterWindow: true}), r.state, time.Hour)
		var sum report.Summary
		if err := json.Unmarshal([]byte(bucket(t, r.s3, simArchive)[res.Prefix+archive.FileSummary]), &sum); err != nil {
			t.Fatal(err)
		}
		t.Logf("archived after %d LogsNotReady answers; after window %s..%s", notReady, sum.Windows.After.Start.Format(time.RFC3339), sum.Windows.After.End.Format(time.RFC3339))
		if got, want := sum.Windows.After.End.Sub(sum.Windows.After.Start), 3*time.Minute; got != want {
			t.Errorf("after window lasts %s, want %s", got, want)
		}
		for _, c := range sum.Hypothesis.Checks {
			if c.Value == nil {
				t.Errorf("check %s (%s) has no data", c.Name, c.Phase)
			}
		}
		if sum.Hypothesis.Verdict != report.ResultHeld || sum.Verdict != report.VerdictPassed {
			t.Errorf("hypothesis %s, verdict %s; want held, passed (%s)", sum.Hypothesis.Verdict, sum.Verdict, sum.VerdictReason)
		}
	})
}

// TestSimArchiveMistypedMetric: a steady-state check on a metric the account
// does not have (Latencyy; Latency without the dimension it is published
// with, which ListMetrics' dimension filters cannot tell from the
// published one: the old archive said it existed) makes the run
// inconclusive, never passed, and the reason names the check, the phase
// and the metric, and says that ListMetrics finds no such metric.
func TestSimArchiveMistypedMetric(t *testing.T) {
	for _, tt := range []struct{ name, metric, want string }{
		{"name", "{namespace: SockShop, name: Latencyy, dimensions: {service: orders}",
			"check orders-latency-p99 (before) had no datapoints for SockShop/Latencyy{service=orders} p99 (no such metric in the account: check the namespace, name and dimensions)"},
		{"dimension left out", "{namespace: SockShop, name: Latency",
			"check orders-latency-p99 (before) had no datapoints for SockShop/Latency p99 (no such metric in the account: check the namespace, name and dimensions)"},
	} {
		t.Run(tt.name, func(t *testing.T) { simArchiveMistypedMetric(t, tt.metric, tt.want) })
	}
}

func simArchiveMistypedMetric(t *testing.T, metric, want string) {
	synctest.Test(t, func(t *testing.T) {
		if testing.Short() {
			t.Skip("runs the simulator")
		}
		r := startWalkthroughWith(t, sim.Options{LogDelay: 30 * time.Second}, func(s string) string {
			return strings.Replace(s, "{namespace: SockShop, name: Latency, dimensions: {service: orders}", metric, 1)
		}, nil)
		res, _ := retry(t, r.clock, r.archiver(15*time.Minute), r.state, 30*time.Minute)
		if res.Verdict != report.VerdictInconclusive || res.Hypothesis != report.ResultInconclusive {
			t.Errorf("verdict %s, hypothesis %s; want %s, %s (%s)", res.Verdict, res.Hypothesis, report.VerdictInconclusive, report.ResultInconclusive, res.VerdictReason)
		}
		if !strings.Contains(res.VerdictReason, want) {
			t.Errorf("reason %q\ndoes not contain %q", res.VerdictReason, want)
		}
		md := bucket(t, r.s3, simArchive)[res.Prefix+archive.FileMarkdown]
		if !strings.Contains(md, "**Verdict: inconclusive.**") {
			t.Errorf("summary.md does not say inconclusive:\n%s", md)
		}
	})
}

// TestSimArchiveLogVariants: the archive finds every log object and waits
// for the whole log, whichever way FIS joins a prefix ending in "/" and in
// whatever order the objects land (the experiment-end object first).
func TestSimArchiveLogVariants(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	for _, tt := range []struct {
		name       string
		v          fissim.Variants
		wantDouble bool // keys carry prefix//AWSLogs
	}{
		{"prefix/ in order", fissim.Variants{}, false},
		{"prefix// in order", fissim.Variants{LogPrefixJoin: fissim.LogPrefixVerbatim}, true},
		{"prefix/ end first", fissim.Variants{LogOrder: fissim.LogEndFirst}, false},
		{"prefix// end first", fissim.Variants{LogPrefixJoin: fissim.LogPrefixVerbatim, LogOrder: fissim.LogEndFirst}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := startWalkthrough(t, sim.Options{LogDelay: 30 * time.Second, FIS: tt.v})
				res, notReady := retry(t, r.clock, r.archiver(15*time.Minute), r.state, time.Hour)
				t.Logf("archived after %d LogsNotReady answers", notReady)
				if !res.LogsComplete {
					t.Fatalf("result %+v, want a complete archive", res)
				}
				logs := bucket(t, r.s3, simLogBucket)
				arc := bucket(t, r.s3, simArchive)
				if len(logs) < 2 {
					t.Fatalf("%d log objects, want several (the variant needs objects to reorder)", len(logs))
				}
				for k, body := range logs {
					if got := strings.Contains(k, "//AWSLogs/"); got != tt.wantDouble {
						t.Errorf("log key %s: double slash %v, want %v", k, got, tt.wantDouble)
					}
					if got, ok := arc[res.Prefix+archive.DirLogs+k]; !ok || got != body {
						t.Errorf("log object %s not in the archive", k)
					}
				}
				var sum report.Summary
				if err := json.Unmarshal([]byte(arc[res.Prefix+archive.FileSummary]), &sum); err != nil {
					t.Fatal(err)
				}
				if sum.Logs.Objects != len(logs) || len(sum.Timeline) == 0 || sum.Timeline[0].Type != "experiment-start" {
					t.Errorf("summary has %d log objects (want %d) and timeline %v, want experiment-start first", sum.Logs.Objects, len(logs), sum.Timeline)
				}
			})
		})
	}
}

// TestSimArchiveFailureRecords: runs that fail at target resolution and in
// an action; the report's timeline says why, from the records as the FIS
// guide shows them (status and error_information in
// target-resolution-detail, the reason of an action-error in action_state).
func TestSimArchiveFailureRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	otherCluster := regexp.MustCompile(`cluster/[A-Za-z0-9-]+`)
	tests := []struct {
		name string
		edit func(string) string
		want []*regexp.Regexp
	}{
		{
			name: "target does not resolve",
			edit: func(s string) string { return otherCluster.ReplaceAllString(s, "cluster/no-such-cluster") },
			want: []*regexp.Regexp{
				regexp.MustCompile(`^target-resolution-end \S+ \(failed\): Target resolution failed .*no-such-cluster`),
				regexp.MustCompile(`^experiment-end \(failed\)`),
			},
		},
		{
			name: "action fails",
			edit: func(s string) string {
				return strings.Replace(s, "labelSelectors: {name: carts}", "labelSelectors: {name: no-such-pod}", 1)
			},
			want: []*regexp.Regexp{
				regexp.MustCompile(`^target-resolution-end \S+ \(completed\): 1 target resolved$`),
				regexp.MustCompile(`^action-error carts-delay \(failed\): .*no pod is selected`),
				regexp.MustCompile(`^action-end carts-delay \(failed\): .*no pod is selected`),
				regexp.MustCompile(`^experiment-end \(failed\)`),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := startWalkthroughWith(t, sim.Options{LogDelay: 10 * time.Second}, tt.edit, nil)
				res, _ := retry(t, r.clock, r.archiver(15*time.Minute), r.state, 30*time.Minute)
				var sum report.Summary
				if err := json.Unmarshal([]byte(bucket(t, r.s3, simArchive)[res.Prefix+archive.FileSummary]), &sum); err != nil {
					t.Fatal(err)
				}
				var lines []string
				for _, e := range sum.Timeline {
					lines = append(lines, report.EventText(e))
				}
				// Each wanted line, in order.
				i := 0
				for _, l := range lines {
					if i < len(tt.want) && tt.want[i].MatchString(l) {
						i++
					}
				}
				if i < len(tt.want) {
					t.Errorf("timeline has no line matching %s (after the earlier ones):\n%s", tt.want[i], strings.Join(lines, "\n"))
				}
			})
		})
	}
}
