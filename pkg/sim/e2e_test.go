package sim_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// cartsDelay is the walkthrough's template: NetworkChaos adding 90 ms to
// carts for 180 s, logs to fis-logs.
func cartsDelay(clusterARN, alarmARN, duration string) *fis.CreateExperimentTemplateInput {
	spec := map[string]any{
		"action": "delay", "mode": "all",
		"selector": map[string]any{"namespaces": []string{"sock-shop"}, "labelSelectors": map[string]string{"name": "carts"}},
		"delay":    map[string]any{"latency": "90ms"},
	}
	if duration != "" {
		spec["duration"] = duration
	}
	b, _ := json.Marshal(spec)
	stop := types.CreateExperimentTemplateStopConditionInput{Source: aws.String("none")}
	if alarmARN != "" {
		stop = types.CreateExperimentTemplateStopConditionInput{Source: aws.String("aws:cloudwatch:alarm"), Value: aws.String(alarmARN)}
	}
	return &fis.CreateExperimentTemplateInput{
		ClientToken:    aws.String("carts-delay"),
		Description:    aws.String("sock-shop-carts-latency"),
		RoleArn:        aws.String(role),
		StopConditions: []types.CreateExperimentTemplateStopConditionInput{stop},
		Targets: map[string]types.CreateExperimentTemplateTargetInput{
			"cluster": {ResourceType: aws.String("aws:eks:cluster"), ResourceArns: []string{clusterARN}, SelectionMode: aws.String("ALL")},
		},
		Actions: map[string]types.CreateExperimentTemplateActionInput{
			"carts-delay": {
				ActionId: aws.String("aws:eks:inject-kubernetes-custom-resource"),
				Parameters: map[string]string{
					"kubernetesApiVersion": "chaos-mesh.org/v1alpha1", "kubernetesKind": "NetworkChaos",
					"kubernetesNamespace": "default", "kubernetesSpec": string(b), "maxDuration": "PT4M",
				},
				Targets: map[string]string{"Cluster": "cluster"},
			},
		},
		LogConfiguration: &types.CreateExperimentTemplateLogConfigurationInput{
			LogSchemaVersion: aws.Int32(2),
			S3Configuration:  &types.ExperimentTemplateS3LogConfigurationInput{BucketName: aws.String("fis-logs"), Prefix: aws.String("fis/")},
		},
	}
}

// await advances the simulated clock a second at a time until the
// experiment's status is done, and fails past limit of simulated time.
// startFrom creates a template from in and starts an experiment from it
// with the client token; it returns the experiment's id.
func startFrom(t *testing.T, api *fis.Client, in *fis.CreateExperimentTemplateInput, token string) string {
	t.Helper()
	ctx := context.Background()
	tmpl, err := api.CreateExperimentTemplate(ctx, in)
	if err != nil {
		t.Fatalf("create template: %v", err)
	}
	exp, err := api.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: tmpl.ExperimentTemplate.Id, ClientToken: aws.String(token)})
	if err != nil {
		t.Fatalf("start experiment: %v", err)
	}
	return *exp.Experiment.Id
}

func await(t *testing.T, api *fis.Client, clock *simtest.Clock, id string, limit time.Duration, done func(types.ExperimentStatus) bool) *types.Experiment {
	t.Helper()
	var exp *types.Experiment
	clock.Until(t, time.Second, limit, "experiment "+id, func() bool {
		out, err := api.GetExperiment(context.Background(), &fis.GetExperimentInput{Id: aws.String(id)})
		if err != nil {
			t.Fatalf("GetExperiment: %v", err)
		}
		exp = out.Experiment
		return done(exp.State.Status)
	})
	return exp
}

func terminal(s types.ExperimentStatus) bool {
	switch s {
	case types.ExperimentStatusCompleted, types.ExperimentStatusStopped, types.ExperimentStatusFailed, types.ExperimentStatusCancelled:
		return true
	}
	return false
}

// TestWalkthrough runs the carts-delay experiment end to end on a manual
// clock: it runs and completes, carts latency rises while it runs, the chaos
// is removed, and the FIS logs land at the documented keys with
// experiment-end last.
func TestWalkthrough(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, cfg, clock := simtest.NewManual(t, sim.Options{Seed: 7})
		ctx := context.Background()
		api := fis.NewFromConfig(cfg)
		s3c := s3Client(cfg)
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("fis-logs")}); err != nil {
			t.Fatal(err)
		}
		tmpl, err := api.CreateExperimentTemplate(ctx, cartsDelay(s.ClusterARN(), "", "180s"))
		if err != nil {
			t.Fatal(err)
		}
		wall := time.Now() // the bubble's clock: it moves only if something waits on a timer
		exp, err := api.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: tmpl.ExperimentTemplate.Id, ClientToken: aws.String("walkthrough")})
		if err != nil {
			t.Fatal(err)
		}
		id := *exp.Experiment.Id
		await(t, api, clock, id, 10*time.Minute, func(st types.ExperimentStatus) bool { return st == types.ExperimentStatusRunning })
		clock.Until(t, time.Second, time.Minute, "chaos applied", func() bool { return len(s.ActiveChaos()) > 0 })
		if got := s.ActiveChaos(); len(got) != 1 {
			t.Errorf("chaos while running = %v, want the one NetworkChaos", got)
		}
		if got := s.ActiveExperiments(); len(got) != 1 || got[0] != id {
			t.Errorf("active experiments = %v, want [%s]", got, id)
		}
		end := await(t, api, clock, id, 30*time.Minute, terminal)
		took := time.Since(wall)
		if end.State.Status != types.ExperimentStatusCompleted {
			t.Fatalf("state %s (%s), want completed", end.State.Status, aws.ToString(end.State.Reason))
		}
		a := end.Actions["carts-delay"]
		if d := a.EndTime.Sub(*a.StartTime); d < 180*time.Second || d > 200*time.Second {
			t.Errorf("action ran %v of simulated time, want about 180s", d)
		}
		if took != 0 {
			t.Errorf("the 180 s fault waited %v on wall-clock timers, want none: only the manual clock moves", took)
		}
		if got := s.ActiveChaos(); len(got) != 0 {
			t.Errorf("chaos left after completion: %v", got)
		}

		// Carts latency during the fault is above the latency before it.
		cw := cloudwatch.NewFromConfig(cfg)
		p99 := func(service string, from, to time.Time) float64 {
			out, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(from), EndTime: aws.Time(to),
				MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m"), MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{Namespace: aws.String("SockShop"), MetricName: aws.String("Latency"),
						Dimensions: []cwtypes.Dimension{{Name: aws.String("service"), Value: aws.String(service)}}},
					Period: aws.Int32(60), Stat: aws.String("p99"),
				}}},
			})
			if err != nil {
				t.Fatalf("GetMetricData: %v", err)
			}
			var m float64
			for _, v := range out.MetricDataResults[0].Values {
				m = max(m, v)
			}
			return m
		}
		// Let the period holding the fault's end be published.
		if ahead := a.EndTime.Add(2 * time.Minute).Sub(s.Clock().Now()); ahead > 0 {
			clock.Advance(ahead)
		}
		// Carts is delayed; orders, which calls carts, slows down with it.
		for _, svc := range []string{"carts", "orders"} {
			before := p99(svc, a.StartTime.Add(-10*time.Minute), a.StartTime.Add(-time.Minute))
			during := p99(svc, a.StartTime.Add(time.Minute), *a.EndTime)
			t.Logf("%s p99: %.0f ms before, %.0f ms during", svc, before, during)
			if before <= 0 || during < before+50 {
				t.Errorf("%s p99 %.0f ms during the fault vs %.0f ms before: want about 90 ms more", svc, during, before)
			}
		}

		// Logs land LogDelay (2 simulated minutes) after their records.
		prefix := "fis/AWSLogs/123456789012/fis/us-east-1/" + id + "/"
		keyRE := regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `\d{4}/\d{2}/\d{2}/123456789012_awsfislogs_us-east-1_` + id + `_\d{12}Z_[0-9a-f]+\.log$`)
		type object struct {
			key      string
			modified time.Time
			body     []byte
		}
		var objects []object
		clock.Until(t, time.Second, 25*time.Minute, "experiment-end delivered", func() bool {
			objects = nil
			out, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("fis-logs"), Prefix: aws.String(prefix)})
			if err != nil {
				t.Fatal(err)
			}
			ended := false
			for _, o := range out.Contents {
				got, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("fis-logs"), Key: o.Key})
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(got.Body)
				got.Body.Close()
				objects = append(objects, object{*o.Key, *o.LastModified, b})
				ended = ended || bytes.Contains(b, []byte(`"experiment-end"`))
			}
			return ended
		})
		if len(objects) == 0 {
			t.Fatal("no FIS log object in s3://fis-logs/" + prefix)
		}
		sort.SliceStable(objects, func(i, j int) bool { return objects[i].modified.Before(objects[j].modified) })
		var types []string
		for _, o := range objects {
			if !keyRE.MatchString(o.key) {
				t.Errorf("key %s does not follow FIS's layout", o.key)
			}
			sc := bufio.NewScanner(bytes.NewReader(o.body))
			for sc.Scan() {
				var r struct {
					LogType string `json:"log_type"`
				}
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					t.Fatalf("%s: %v", o.key, err)
				}
				types = append(types, r.LogType)
			}
		}
		want := "experiment-start target-resolution-start target-resolution-detail target-resolution-end action-start action-end experiment-end"
		if got := strings.Join(types, " "); got != want {
			t.Errorf("log records in delivery order:\n got %s\nwant %s", got, want)
		}
		last := objects[len(objects)-1]
		if last.modified.Before(*end.EndTime) {
			t.Errorf("the last object landed at %v, before the experiment ended at %v", last.modified, end.EndTime)
		}
	})
}

// TestStopConditionAlarm: an alarm set to ALARM stops the experiment that
// names it as a stop condition, with FIS's reason, and removes its chaos.
func TestStopConditionAlarm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, cfg, clock := simtest.NewManual(t, sim.Options{})
		ctx := context.Background()
		cw := cloudwatch.NewFromConfig(cfg)
		if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String("front-end-errors"), Namespace: aws.String("SockShop"), MetricName: aws.String("ErrorRate"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("service"), Value: aws.String("front-end")}},
			Statistic:  cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(2),
			Threshold: aws.Float64(50), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		}); err != nil {
			t.Fatal(err)
		}
		alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"front-end-errors"}})
		if err != nil || len(alarms.MetricAlarms) != 1 {
			t.Fatalf("DescribeAlarms: %v", err)
		}
		alarmARN := *alarms.MetricAlarms[0].AlarmArn
		api := fis.NewFromConfig(cfg)
		id := startFrom(t, api, cartsDelay(s.ClusterARN(), alarmARN, ""), "stop")
		await(t, api, clock, id, 10*time.Minute, func(st types.ExperimentStatus) bool { return st == types.ExperimentStatusRunning })
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("front-end-errors"),
			StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("game day test")}); err != nil {
			t.Fatal(err)
		}
		end := await(t, api, clock, id, 10*time.Minute, terminal)
		if want := "Experiment stopped by stop condition " + alarmARN; end.State.Status != types.ExperimentStatusStopped || aws.ToString(end.State.Reason) != want {
			t.Errorf("state %s (%q), want stopped (%q)", end.State.Status, aws.ToString(end.State.Reason), want)
		}
		if got := s.ActiveChaos(); len(got) != 0 {
			t.Errorf("chaos left after the stop: %v", got)
		}
	})
}

// TestTargetResolutionFailures: an unknown cluster fails the experiment at
// initiating; a selector that matches no pod (no selector.namespaces, CR in
// default) fails the action with Chaos Mesh's reason.
func TestTargetResolutionFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, cfg, clock := simtest.NewManual(t, sim.Options{})
		api := fis.NewFromConfig(cfg)

		in := cartsDelay("arn:aws:eks:us-east-1:123456789012:cluster/prod", "", "60s")
		in.LogConfiguration = nil
		id := startFrom(t, api, in, "prod")
		end := await(t, api, clock, id, 10*time.Minute, terminal)
		if end.State.Status != types.ExperimentStatusFailed || !strings.Contains(aws.ToString(end.State.Reason), "cluster/prod") {
			t.Errorf("unknown cluster: %s (%q), want failed naming the cluster", end.State.Status, aws.ToString(end.State.Reason))
		}

		in = cartsDelay(s.ClusterARN(), "", "60s")
		in.ClientToken = aws.String("no-namespace")
		in.LogConfiguration = nil
		a := in.Actions["carts-delay"]
		a.Parameters["kubernetesSpec"] = `{"action":"delay","mode":"one","selector":{"labelSelectors":{"name":"carts"}},"delay":{"latency":"90ms"},"duration":"60s"}`
		in.Actions["carts-delay"] = a
		id = startFrom(t, api, in, "nons")
		end = await(t, api, clock, id, 10*time.Minute, terminal)
		act := end.Actions["carts-delay"]
		if end.State.Status != types.ExperimentStatusFailed || act.State.Status != types.ExperimentActionStatusFailed ||
			!strings.Contains(aws.ToString(act.State.Reason), "no pod is selected") {
			t.Errorf("no pod selected: experiment %s, action %s (%q)", end.State.Status, act.State.Status, aws.ToString(act.State.Reason))
		}
		if got := s.ActiveChaos(); len(got) != 0 {
			t.Errorf("chaos left: %v", got)
		}
	})
}

// TestAlarmFromMetricsStopsExperiment closes the whole loop: the fault raises
// carts latency in the Sock Shop's metrics, CloudWatch evaluates the alarm
// into ALARM from those metrics, and FIS stops the experiment.
func TestAlarmFromMetricsStopsExperiment(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, cfg, clock := simtest.NewManual(t, sim.Options{})
		ctx := context.Background()
		cw := cloudwatch.NewFromConfig(cfg)
		if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String("carts-latency"), Namespace: aws.String("SockShop"), MetricName: aws.String("Latency"),
			Dimensions:        []cwtypes.Dimension{{Name: aws.String("service"), Value: aws.String("carts")}},
			ExtendedStatistic: aws.String("p99"), Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(400), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
			TreatMissingData: aws.String("notBreaching"),
		}); err != nil {
			t.Fatal(err)
		}
		alarmARN := "arn:aws:cloudwatch:us-east-1:123456789012:alarm:carts-latency"
		// Before the fault the alarm evaluates to OK from the steady metrics.
		clock.Until(t, time.Second, 25*time.Minute, "alarm OK before the fault", func() bool {
			out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"carts-latency"}})
			if err != nil {
				t.Fatal(err)
			}
			return out.MetricAlarms[0].StateValue == cwtypes.StateValueOk
		})
		in := cartsDelay(s.ClusterARN(), alarmARN, "")
		in.LogConfiguration = nil
		a := in.Actions["carts-delay"]
		a.Parameters["kubernetesSpec"] = strings.Replace(a.Parameters["kubernetesSpec"], `"90ms"`, `"800ms"`, 1)
		in.Actions["carts-delay"] = a
		api := fis.NewFromConfig(cfg)
		id := startFrom(t, api, in, "slow")
		end := await(t, api, clock, id, 30*time.Minute, terminal)
		if want := "Experiment stopped by stop condition " + alarmARN; end.State.Status != types.ExperimentStatusStopped || aws.ToString(end.State.Reason) != want {
			t.Fatalf("state %s (%q), want stopped (%q)", end.State.Status, aws.ToString(end.State.Reason), want)
		}
		t.Logf("stopped after %v of simulated time; carts-delay %s from %v", end.EndTime.Sub(*end.StartTime), end.Actions["carts-delay"].State.Status, end.Actions["carts-delay"].StartTime)
		if d := end.EndTime.Sub(*end.StartTime); d >= 4*time.Minute {
			t.Errorf("stopped after %v: the alarm did not cut the 4-minute fault short", d)
		}
		hist, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("carts-latency"), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate})
		if err != nil {
			t.Fatal(err)
		}
		var toAlarm bool
		for _, h := range hist.AlarmHistoryItems {
			toAlarm = toAlarm || strings.Contains(aws.ToString(h.HistorySummary), "to ALARM")
		}
		if !toAlarm {
			t.Errorf("no transition to ALARM in the alarm's history: %d items", len(hist.AlarmHistoryItems))
		}
		if got := s.ActiveChaos(); len(got) != 0 {
			t.Errorf("chaos left: %v", got)
		}
	})
}
