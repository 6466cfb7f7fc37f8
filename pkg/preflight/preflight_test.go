package preflight

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/awsfake"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment/experimenttest"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/golden"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const existingARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:existing-slo-alarm"

func testSpec() *gameday.Spec {
	return &gameday.Spec{
		TypeMeta: gameday.TypeMeta{APIVersion: gameday.APIVersion, Kind: gameday.Kind},
		Metadata: gameday.Metadata{Name: "carts-latency", Tags: map[string]string{"env": "staging"}},
		Spec: gameday.Body{
			StopConditions: []gameday.StopCondition{
				{Alarm: &gameday.AlarmSpec{
					Name:       "front-end-errors",
					Metric:     gameday.Metric{Namespace: "SockShop", Name: "ErrorRate", Dimensions: map[string]string{"service": "front-end"}, Stat: "Average", Period: 60},
					Comparison: "GreaterThanThreshold", Threshold: 5, EvaluationPeriods: 2,
				}},
				{AlarmARN: existingARN},
			},
		},
	}
}

const staged = "gameday-carts-latency-front-end-errors"

func run(ctx context.Context, p *Preflight) (gameday.PreflightResult, error) {
	return p.Handle(ctx, gameday.RunState{RunInput: gameday.RunInput{GameDay: testSpec()}})
}

func newPreflight(cw *fakeCloudWatch, f *experimenttest.FIS) *Preflight {
	return &Preflight{CloudWatch: cw, FIS: f, Validate: func(*gameday.Spec) error { return nil },
		AlarmARN: alarmARN, Now: func() time.Time { return t0 }}
}

func TestPreflightPasses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(cw *fakeCloudWatch, f *experimenttest.FIS)
	}{
		{name: "alarms OK, no lever, nothing running", setup: func(cw *fakeCloudWatch, f *experimenttest.FIS) {}},
		{name: "lever disengaged", setup: func(cw *fakeCloudWatch, f *experimenttest.FIS) {
			f.Lever = &fistypes.SafetyLeverState{Status: fistypes.SafetyLeverStatusDisengaged}
		}},
		{name: "four active experiments of other GameDays, ended ones of this one", setup: func(cw *fakeCloudWatch, f *experimenttest.FIS) {
			for i := range 4 {
				f.AddExperiment(fmt.Sprintf("EXP-other-%d", i), fistypes.ExperimentStatusRunning, map[string]string{deploy.TagName: "other"})
			}
			f.AddExperiment("EXP-old", fistypes.ExperimentStatusCompleted, map[string]string{deploy.TagName: "carts-latency"})
			f.AddExperiment("EXP-older", fistypes.ExperimentStatusStopped, map[string]string{deploy.TagName: "carts-latency"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cw := &fakeCloudWatch{NewState: cwtypes.StateValueOk}
			cw.add("existing-slo-alarm", cwtypes.StateValueOk)
			f := &experimenttest.FIS{}
			tt.setup(cw, f)
			nExp := len(f.Experiments)
			got, err := run(context.Background(), newPreflight(cw, f))
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			want := gameday.PreflightResult{
				Alarms: []gameday.AlarmRef{
					{Name: staged, ARN: alarmARN(staged), State: "OK", Staged: true},
					{Name: "existing-slo-alarm", ARN: existingARN, State: "OK"},
				},
				CheckedAt: t0,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Handle() mismatch (-want +got):\n%s", diff)
			}
			if len(cw.Puts) != 1 || aws.ToString(cw.Puts[0].AlarmName) != staged {
				t.Errorf("PutMetricAlarm calls = %d, want one for %s", len(cw.Puts), staged)
			}
			// One page for what existing-slo-alarm watches, before
			// staging; two for the states after.
			if cw.Pages != 3 {
				t.Errorf("DescribeAlarms pages = %d, want 3 (the paginator reads them all)", cw.Pages)
			}
			if len(f.Experiments) != nExp || len(f.Templates) != 0 || f.Count("StartExperiment") > 0 {
				t.Error("preflight created a template or started an experiment")
			}
		})
	}
}

// TestPreflightRefuses covers every refusal; the messages are kept in
// testdata/refusals.golden (go test -update rewrites it).
func TestPreflightRefuses(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight)
		wantName  string
		wantPuts  int
		wantInMsg []string
	}{
		{name: "invalid gameday", wantName: gameday.ErrNameInvalidGameDay, wantPuts: 0,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				p.Validate = func(*gameday.Spec) error {
					return errors.New("carts.yaml:12:7: spec.faults[0].chaosMesh.spec.selectr: unknown field")
				}
			}, wantInMsg: []string{"selectr"}},
		{name: "safety lever engaged", wantName: gameday.ErrNamePreflightFailed, wantPuts: 0,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				f.Lever = &fistypes.SafetyLeverState{Status: fistypes.SafetyLeverStatusEngaged, Reason: aws.String("incident INC-42")}
			}, wantInMsg: []string{"safety lever is engaged", "INC-42"}},
		{name: "quota of active experiments", wantName: gameday.ErrNamePreflightFailed, wantPuts: 0,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				for i, st := range []fistypes.ExperimentStatus{"pending", "initiating", "running", "stopping", "running"} {
					f.AddExperiment(fmt.Sprintf("EXP-other-%d", i), st, map[string]string{deploy.TagName: "other"})
				}
			}, wantInMsg: []string{"already has 5 active", "EXP-other-0", "EXP-other-4"}},
		{name: "same gameday running, by tag", wantName: gameday.ErrNamePreflightFailed, wantPuts: 0,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				f.AddExperiment("EXP-mine", fistypes.ExperimentStatusRunning, map[string]string{deploy.TagName: "carts-latency"})
			}, wantInMsg: []string{"EXP-mine", "carts-latency", "still running"}},
		{name: "same gameday running, by template", wantName: gameday.ErrNamePreflightFailed, wantPuts: 0,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				f.AddTemplate("EXT-mine", map[string]string{deploy.TagName: "carts-latency"})
				e := f.AddExperiment("EXP-console", fistypes.ExperimentStatusInitiating, nil)
				e.ExperimentTemplateId = aws.String("EXT-mine")
			}, wantInMsg: []string{"EXP-console", "still initiating"}},
		{name: "alarm in ALARM", wantName: gameday.ErrNamePreflightFailed, wantPuts: 1,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				cw.Alarms["existing-slo-alarm"].StateValue = cwtypes.StateValueAlarm
			}, wantInMsg: []string{"existing-slo-alarm is in ALARM", "Threshold Crossed"}},
		{name: "alarm missing", wantName: gameday.ErrNamePreflightFailed, wantPuts: 1,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				delete(cw.Alarms, "existing-slo-alarm")
			}, wantInMsg: []string{"existing-slo-alarm (" + existingARN + ") does not exist"}},
		{name: "alarm ARN of another region", wantName: gameday.ErrNamePreflightFailed, wantPuts: 1,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				cw.Alarms["existing-slo-alarm"].AlarmArn = aws.String("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:existing-slo-alarm")
			}, wantInMsg: []string{"does not exist in this account and region"}},
		{name: "staged alarm ARN differs from the template's", wantName: gameday.ErrNamePreflightFailed, wantPuts: 1,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				p.AlarmARN = func(n string) string { return "arn:aws:cloudwatch:us-east-1:999999999999:alarm:" + n }
			}, wantInMsg: []string{"999999999999", "ACCOUNT_ID"}},
		{name: "staged alarm still INSUFFICIENT_DATA", wantName: gameday.ErrNameAlarmsPending, wantPuts: 1,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				cw.NewState = cwtypes.StateValueInsufficientData
			}, wantInMsg: []string{staged, "INSUFFICIENT_DATA"}},
		{name: "ALARM wins over INSUFFICIENT_DATA", wantName: gameday.ErrNamePreflightFailed, wantPuts: 1,
			setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, p *Preflight) {
				cw.NewState = cwtypes.StateValueInsufficientData
				cw.Alarms["existing-slo-alarm"].StateValue = cwtypes.StateValueAlarm
			}, wantInMsg: []string{"in ALARM"}},
	}
	var golden strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cw := &fakeCloudWatch{NewState: cwtypes.StateValueOk}
			cw.add("existing-slo-alarm", cwtypes.StateValueOk)
			f := &experimenttest.FIS{}
			p := newPreflight(cw, f)
			tt.setup(cw, f, p)
			nExp, nTmpl := len(f.Experiments), len(f.Templates)
			_, err := run(context.Background(), p)
			if err == nil {
				t.Fatal("Handle() error = nil, want a refusal")
			}
			if got := gameday.ErrorName(err); got != tt.wantName {
				t.Errorf("ErrorName = %s, want %s (%v)", got, tt.wantName, err)
			}
			for _, s := range tt.wantInMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not say %q", err, s)
				}
			}
			if len(cw.Puts) != tt.wantPuts {
				t.Errorf("PutMetricAlarm calls = %d, want %d", len(cw.Puts), tt.wantPuts)
			}
			if len(f.Experiments) != nExp || len(f.Templates) != nTmpl || f.Count("StartExperiment") > 0 {
				t.Error("preflight created a template or started an experiment")
			}
			fmt.Fprintf(&golden, "%s [%s]\n  %s\n", tt.name, gameday.ErrorName(err), err)
		})
	}
	checkGolden(t, "refusals.golden", golden.String())
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), []byte(got))
}

func TestPreflightAWSErrors(t *testing.T) {
	tests := []struct {
		name     string
		cwFail   map[string]error
		fisFail  map[string]error
		sentinel error
	}{
		{name: "put alarm throttled", cwFail: map[string]error{"PutMetricAlarm": experimenttest.APIError("Throttling")}, sentinel: gameday.ErrThrottled},
		{name: "describe alarms throttled", cwFail: map[string]error{"DescribeAlarms": experimenttest.APIError("ThrottlingException")}, sentinel: gameday.ErrThrottled},
		{name: "alarm quota", cwFail: map[string]error{"PutMetricAlarm": experimenttest.APIError("LimitExceeded")}, sentinel: gameday.ErrQuota},
		{name: "list experiments throttled", fisFail: map[string]error{"ListExperiments": experimenttest.APIError("ThrottlingException")}, sentinel: gameday.ErrThrottled},
		{name: "safety lever throttled", fisFail: map[string]error{"GetSafetyLever": experimenttest.APIError("ThrottlingException")}, sentinel: gameday.ErrThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cw := &fakeCloudWatch{NewState: cwtypes.StateValueOk, Fail: tt.cwFail}
			cw.add("existing-slo-alarm", cwtypes.StateValueOk)
			f := &experimenttest.FIS{Recorder: awsfake.Recorder{Fail: tt.fisFail}}
			_, err := run(context.Background(), newPreflight(cw, f))
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("Handle() error = %v, want errors.Is %v", err, tt.sentinel)
			}
			// Throttling is named for the state machine's retrier; the
			// rest is a GameDayError.
			wantName := gameday.ErrNameInternal
			if tt.sentinel == gameday.ErrThrottled {
				wantName = gameday.ErrNameThrottled
			}
			if gameday.ErrorName(err) != wantName {
				t.Errorf("ErrorName = %s, want %s", gameday.ErrorName(err), wantName)
			}
		})
	}
}

func TestAlarmInput(t *testing.T) {
	spec := testSpec()
	a := &gameday.AlarmSpec{
		Name:        "orders-p99",
		Description: "p99 of orders",
		Metric: gameday.Metric{Namespace: "SockShop", Name: "Latency", Stat: "p99",
			Dimensions: map[string]string{"service": "orders", "az": "a"}, Period: 60},
		Comparison: "GreaterThanThreshold", Threshold: 300, EvaluationPeriods: 3, DatapointsToAlarm: 2,
		TreatMissingData: "breaching",
	}
	got := AlarmInput(spec, a)
	want := &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("gameday-carts-latency-orders-p99"), AlarmDescription: aws.String("p99 of orders"),
		ActionsEnabled: aws.Bool(false), Namespace: aws.String("SockShop"), MetricName: aws.String("Latency"),
		Period: aws.Int32(60), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		Threshold: aws.Float64(300), EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(2),
		TreatMissingData: aws.String("breaching"), ExtendedStatistic: aws.String("p99"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("az"), Value: aws.String("a")}, {Name: aws.String("service"), Value: aws.String("orders")}},
		Tags:       []cwtypes.Tag{{Key: aws.String("env"), Value: aws.String("staging")}, {Key: aws.String(deploy.TagName), Value: aws.String("carts-latency")}},
	}
	if diff := cmp.Diff(want, got, cmpIgnoreUnexported()); diff != "" {
		t.Errorf("AlarmInput() mismatch (-want +got):\n%s", diff)
	}

	// Defaults: a standard statistic, datapoints = evaluation periods,
	// missing data not breaching.
	d := AlarmInput(spec, spec.Spec.StopConditions[0].Alarm)
	if d.Statistic != cwtypes.StatisticAverage || d.ExtendedStatistic != nil {
		t.Errorf("Average: Statistic = %q, ExtendedStatistic = %v", d.Statistic, d.ExtendedStatistic)
	}
	if aws.ToInt32(d.DatapointsToAlarm) != 2 || aws.ToString(d.TreatMissingData) != "notBreaching" {
		t.Errorf("defaults: DatapointsToAlarm = %d, TreatMissingData = %q", aws.ToInt32(d.DatapointsToAlarm), aws.ToString(d.TreatMissingData))
	}
}
