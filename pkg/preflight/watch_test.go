package preflight

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/cwmetrics/cwmetricstest"
	"github.com/gameday-dev/gameday/pkg/experiment/experimenttest"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
)

// listedAccount is an account's metrics: the staged alarm's, the SLO's,
// a load balancer's and a table's, with the metric math alarm's inputs.
func listedAccount(exact bool) *cwmetricstest.Metrics {
	l := &cwmetricstest.Metrics{Exact: exact}
	l.Add("SockShop", "ErrorRate", "service=front-end")
	l.Add("SockShop", "ErrorRate", "service=carts", "pod=carts-1")
	l.Add(sloMetric[0], sloMetric[1], sloMetric[2])
	l.Add("SockShop", "Requests", "service=front-end")
	for _, m := range []string{"RequestCount", "TargetResponseTime", "HealthyHostCount"} {
		l.Add("AWS/ApplicationELB", m, "LoadBalancer=app/shop/1")
	}
	l.Add("AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName=orders")
	return l
}

func dims(kv ...string) []cwtypes.Dimension {
	var out []cwtypes.Dimension
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// slo makes existing-slo-alarm (the stop condition given by ARN) watch
// namespace/name with dims, treating missing data as treat.
func slo(cw *fakeCloudWatch, ns, name, treat string, kv ...string) {
	a := cw.Alarms["existing-slo-alarm"]
	a.Namespace, a.MetricName, a.Dimensions, a.TreatMissingData = aws.String(ns), aws.String(name), dims(kv...), aws.String(treat)
}

// mathSLO makes existing-slo-alarm metric math over queries.
func mathSLO(cw *fakeCloudWatch, treat string, qs ...cwtypes.MetricDataQuery) {
	a := cw.Alarms["existing-slo-alarm"]
	a.Namespace, a.MetricName, a.Dimensions, a.TreatMissingData, a.Metrics = nil, nil, nil, aws.String(treat), qs
}

func stat(id, ns, name string, kv ...string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: dims(kv...)}, Period: aws.Int32(60), Stat: aws.String("Sum")}}
}

func expr(id, e string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), Expression: aws.String(e), ReturnData: aws.Bool(true)}
}

// composite replaces existing-slo-alarm by a composite alarm with rule;
// other alarms it names are added, each watching a metric (ns/name/k=v,
// "" for the SLO's).
func composite(cw *fakeCloudWatch, rule string, children map[string][]string) {
	delete(cw.Alarms, "existing-slo-alarm")
	cw.addComposite("existing-slo-alarm", rule, cwtypes.StateValueOk)
	for n, m := range children {
		if len(m) == 1 && m[0] == "composite" {
			continue
		}
		cw.add(n, cwtypes.StateValueOk)
		if len(m) > 0 {
			a := cw.Alarms[n]
			a.Namespace, a.MetricName, a.Dimensions = aws.String(m[0]), aws.String(m[1]), dims(m[2:]...)
		}
	}
}

func sparsePolicy(ms ...policy.SparseMetric) *policy.Policy {
	return &policy.Policy{Metadata: policy.Metadata{Name: "staging"}, Spec: policy.Rules{SparseMetrics: ms}}
}

// TestPreflightWatched covers what the stop-condition alarms watch: each
// refusal names the alarm, the metric with its dimensions and what to fix
// (testdata/watched.golden keeps them whole), nothing is staged before a
// refusal, and what is only reported reaches the result's notes.
func TestPreflightWatched(t *testing.T) {
	const stagedTypo = "gameday-carts-latency-front-end-errors watches SockShop/ErrRate (service=front-end)"
	tests := []struct {
		name      string
		setup     func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec)
		wantErr   string              // step error name; "" passes
		wantInMsg []string            // in the refusal
		wantNotes map[string][]string // by alarm, in order
	}{
		{name: "every metric listed"},
		{name: "every metric listed, ListMetrics matching dimensions exactly", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			cw.Listed = listedAccount(true)
		}},
		{name: "staged alarm: metric name typo", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			spec.Spec.StopConditions[0].Alarm.Metric.Name = "ErrRate"
		}, wantInMsg: []string{stagedTypo, "the alarm treats missing data as notBreaching", "never stop the experiment", "spec.stopConditions", "sparseMetrics", "15 minutes"}},
		{name: "staged alarm: dimension typo", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			spec.Spec.StopConditions[0].Alarm.Metric.Dimensions = map[string]string{"service": "frontend"}
		}, wantInMsg: []string{"SockShop/ErrorRate (service=frontend)"}},
		{name: "staged alarm: namespace typo", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			spec.Spec.StopConditions[0].Alarm.Metric.Namespace = "Sockshop"
		}, wantInMsg: []string{"Sockshop/ErrorRate (service=front-end)"}},
		{name: "staged alarm: listed only with another dimension too", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			spec.Spec.StopConditions[0].Alarm.Metric.Dimensions = map[string]string{"service": "carts"}
		}, wantInMsg: []string{"SockShop/ErrorRate (service=carts)"}},
		{name: "staged alarm treating missing data as breaching: the state check judges it", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			spec.Spec.StopConditions[0].Alarm.Metric.Name = "ErrRate"
			spec.Spec.StopConditions[0].Alarm.TreatMissingData = "breaching"
		}},
		{name: "alarm by ARN: wrong load balancer", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			slo(cw, "AWS/ApplicationELB", "RequestCount", "notBreaching", "LoadBalancer", "app/shop/2")
		}, wantInMsg: []string{"stop-condition alarm existing-slo-alarm watches AWS/ApplicationELB/RequestCount (LoadBalancer=app/shop/2)", "fix the metric of alarm existing-slo-alarm in CloudWatch"}},
		{name: "alarm by ARN ignoring missing data", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			slo(cw, "SockShop", "Availabilty", "ignore", "service", "front-end")
		}, wantInMsg: []string{"SockShop/Availabilty", "treats missing data as ignore"}},
		{name: "alarm by ARN on DynamoDB, which always ignores missing data", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			slo(cw, "AWS/DynamoDB", "ConsumedReadCapacityUnits", "breaching", "TableName", "order")
		}, wantInMsg: []string{"AWS/DynamoDB/ConsumedReadCapacityUnits (TableName=order)", "as every alarm on AWS/DynamoDB does"}},
		{name: "alarm by ARN treating missing data as missing: the state check judges it", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			slo(cw, "SockShop", "Availabilty", "missing", "service", "front-end")
		}},
		{name: "alarm by ARN without TreatMissingData (missing): the state check judges it", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			slo(cw, "SockShop", "Availabilty", "", "service", "front-end")
		}},
		{name: "metric math, every metric listed", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			mathSLO(cw, "notBreaching", stat("e", "SockShop", "ErrorRate", "service", "front-end"), stat("r", "SockShop", "Requests", "service", "front-end"), expr("rate", "e/r"))
		}},
		{name: "metric math with one metric missing", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			mathSLO(cw, "notBreaching", stat("e", "SockShop", "Errors", "service", "front-end"), stat("r", "SockShop", "Requests", "service", "front-end"), expr("rate", "e/r"))
		}, wantInMsg: []string{"existing-slo-alarm watches SockShop/Errors (service=front-end) (metric math query e)"}},
		{name: "metric math of a search: reported, not judged", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			mathSLO(cw, "notBreaching", expr("s", `MAX(SEARCH('{SockShop,service} MetricName="ErrorRate"', 'Average', 60))`))
		}, wantNotes: map[string][]string{"existing-slo-alarm": {"stop-condition alarm existing-slo-alarm reads no metric of its own (metric math of a SEARCH or Metrics Insights query): whether its metrics exist is not judged"}}},
		{name: "the same alarm named twice: its note once", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			spec.Spec.StopConditions = append(spec.Spec.StopConditions, spec.Spec.StopConditions[1])
			mathSLO(cw, "notBreaching", expr("s", `MAX(SEARCH('{SockShop,service} MetricName="ErrorRate"', 'Average', 60))`))
		}, wantNotes: map[string][]string{"existing-slo-alarm": {"stop-condition alarm existing-slo-alarm reads no metric of its own (metric math of a SEARCH or Metrics Insights query): whether its metrics exist is not judged"}}},
		{name: "metric math reading another account: reported, not judged", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			q := stat("e", "SockShop", "Errors", "service", "front-end")
			q.AccountId = aws.String("999999999999")
			mathSLO(cw, "notBreaching", q, expr("x", "e*1"))
		}, wantNotes: map[string][]string{"existing-slo-alarm": {"stop-condition alarm existing-slo-alarm watches SockShop/Errors (service=front-end) (metric math query e) of account 999999999999: not judged (ListMetrics lists this account's metrics)"}}},
		{name: "composite: every alarm it names watches a listed metric", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			composite(cw, `ALARM("slo-errors") OR ALARM(slo-latency)`, map[string][]string{"slo-errors": nil, "slo-latency": {"AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", "app/shop/1"}})
		}},
		{name: "composite naming an alarm on a missing metric", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			composite(cw, `ALARM("slo-errors") OR ALARM("`+alarmARN("slo-latency")+`")`, map[string][]string{"slo-errors": nil, "slo-latency": {"AWS/ApplicationELB", "TargetResponseTme", "LoadBalancer", "app/shop/1"}})
		}, wantInMsg: []string{"stop-condition alarm existing-slo-alarm names alarm slo-latency, which watches AWS/ApplicationELB/TargetResponseTme (LoadBalancer=app/shop/1)"}},
		{name: "composite of a composite naming an alarm on a missing metric", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			composite(cw, `AT_LEAST(1, ALARM, (inner, slo-errors))`, map[string][]string{"slo-errors": nil, "inner": {"composite"}, "slo-latency": {"AWS/ApplicationELB", "TargetResponseTme", "LoadBalancer", "app/shop/1"}})
			cw.addComposite("inner", `ALARM(slo-latency) AND NOT ALARM(existing-slo-alarm)`, cwtypes.StateValueOk)
		}, wantInMsg: []string{"stop-condition alarm existing-slo-alarm (composite, through inner) names alarm slo-latency, which watches AWS/ApplicationELB/TargetResponseTme"}},
		{name: "composite naming an alarm that does not exist: reported, not judged", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			composite(cw, `ALARM(slo-errors) OR ALARM(gone)`, map[string][]string{"slo-errors": nil})
		}, wantNotes: map[string][]string{"existing-slo-alarm": {"stop-condition alarm existing-slo-alarm names alarm gone, which does not exist in this account and region: not judged"}}},
		{name: "composite naming no alarm: reported, not judged", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			composite(cw, `FALSE`, nil)
		}, wantNotes: map[string][]string{"existing-slo-alarm": {"stop-condition alarm existing-slo-alarm is a composite alarm whose rule (FALSE) names no alarm: not judged"}}},
		{name: "sparse metric the policy names in any dimensions, its load balancer publishing", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			slo(cw, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "notBreaching", "LoadBalancer", "app/shop/1")
			p.Policy = sparsePolicy(policy.SparseMetric{Namespace: "AWS/ApplicationELB", Name: "HTTPCode_Target_5XX_Count"})
		}, wantNotes: map[string][]string{"existing-slo-alarm": {"stop-condition alarm existing-slo-alarm watches AWS/ApplicationELB/HTTPCode_Target_5XX_Count (LoadBalancer=app/shop/1); CloudWatch does not list it (no data reported in the past two weeks): accepted as sparse by the policy staging (sparseMetrics); the alarm can fire only once the metric is published"}}},
		{name: "sparse metric the policy names in any dimensions, on a load balancer that publishes nothing", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			slo(cw, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "notBreaching", "LoadBalancer", "app/shop/2")
			p.Policy = sparsePolicy(policy.SparseMetric{Namespace: "AWS/ApplicationELB", Name: "HTTPCode_Target_5XX_Count"})
		}, wantInMsg: []string{"no metric of AWS/ApplicationELB has exactly the dimensions (LoadBalancer=app/shop/2)", "policy staging lets HTTPCode_Target_5XX_Count be sparse"}},
		{name: "sparse metric the policy names exactly", setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			spec.Spec.StopConditions[0].Alarm.Metric = gameday.Metric{Namespace: "SockShop", Name: "PaymentFailures", Dimensions: map[string]string{"service": "payment"}, Stat: "Sum", Period: 60}
			p.Policy = sparsePolicy(policy.SparseMetric{Namespace: "SockShop", Name: "PaymentFailures", Dimensions: map[string]string{"service": "payment"}})
		}, wantNotes: map[string][]string{staged: {"stop-condition alarm " + staged + " watches SockShop/PaymentFailures (service=payment); CloudWatch does not list it (no data reported in the past two weeks): accepted as sparse by the policy staging (sparseMetrics); the alarm can fire only once the metric is published"}}},
		{name: "sparse metric the policy names exactly, in other dimensions", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			spec.Spec.StopConditions[0].Alarm.Metric = gameday.Metric{Namespace: "SockShop", Name: "PaymentFailures", Dimensions: map[string]string{"service": "paymnet"}, Stat: "Sum", Period: 60}
			p.Policy = sparsePolicy(policy.SparseMetric{Namespace: "SockShop", Name: "PaymentFailures", Dimensions: map[string]string{"service": "payment"}})
		}, wantInMsg: []string{"SockShop/PaymentFailures (service=paymnet)"}},
		{name: "sparse metric the policy does not name (the file cannot)", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			slo(cw, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "notBreaching", "LoadBalancer", "app/shop/1")
			p.Policy = sparsePolicy(policy.SparseMetric{Namespace: "AWS/ApplicationELB", Name: "HTTPCode_ELB_5XX_Count"})
		}, wantInMsg: []string{"AWS/ApplicationELB/HTTPCode_Target_5XX_Count (LoadBalancer=app/shop/1)"}},
		{name: "an ARN of another region is the state check's refusal, whatever the alarm of that name here watches", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			spec.Spec.StopConditions[1].AlarmARN = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:existing-slo-alarm"
			slo(cw, "SockShop", "Availabilty", "notBreaching", "service", "front-end")
		}, wantInMsg: []string{"existing-slo-alarm (arn:aws:cloudwatch:eu-west-1:123456789012:alarm:existing-slo-alarm) does not exist in this account and region"}},
		{name: "a missing ARN alarm is the state check's refusal", wantErr: gameday.ErrNamePreflightFailed, setup: func(cw *fakeCloudWatch, p *Preflight, spec *gameday.Spec) {
			delete(cw.Alarms, "existing-slo-alarm")
		}, wantInMsg: []string{"existing-slo-alarm (" + existingARN + ") does not exist"}},
	}
	var golden strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cw := &fakeCloudWatch{NewState: cwtypes.StateValueOk, Listed: listedAccount(false)}
			cw.add("existing-slo-alarm", cwtypes.StateValueOk)
			f := &experimenttest.FIS{}
			p := newPreflight(cw, f)
			p.Where.Account = account
			spec := testSpec()
			if tt.setup != nil {
				tt.setup(cw, p, spec)
			}
			got, err := p.Handle(context.Background(), gameday.RunState{RunInput: gameday.RunInput{GameDay: spec}})
			if gameday.ErrorName(err) != tt.wantErr && !(err == nil && tt.wantErr == "") {
				t.Fatalf("Handle() error = %v (%s), want %q", err, gameday.ErrorName(err), tt.wantErr)
			}
			if err != nil {
				for _, s := range tt.wantInMsg {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("refusal %q\ndoes not say %q", err, s)
					}
				}
				if len(cw.Puts) != 0 && strings.Contains(err.Error(), "CloudWatch does not list") {
					t.Errorf("%d alarms staged before the refusal, want none", len(cw.Puts))
				}
				fmt.Fprintf(&golden, "%s [%s]\n  %s\n", tt.name, gameday.ErrorName(err), err)
				return
			}
			var notes map[string][]string
			for _, r := range got.Alarms {
				if len(r.Notes) > 0 {
					if notes == nil {
						notes = map[string][]string{}
					}
					notes[r.Name] = r.Notes
				}
			}
			if diff := cmp.Diff(tt.wantNotes, notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
			if len(cw.Puts) != 1 || f.Count("StartExperiment") > 0 {
				t.Errorf("passed with %d alarm puts, want 1, and nothing started", len(cw.Puts))
			}
		})
	}
	checkGolden(t, "watched.golden", golden.String())
}

// TestPreflightListMetricsFails: a ListMetrics that fails is an error the
// state machine retries (Throttled, AWSUnavailable), never a pass, and
// nothing is staged; once CloudWatch answers, the run goes on.
func TestPreflightListMetricsFails(t *testing.T) {
	tests := []struct {
		code     string
		sentinel error
		wantName string
	}{
		{"Throttling", gameday.ErrThrottled, gameday.ErrNameThrottled},
		{"ThrottlingException", gameday.ErrThrottled, gameday.ErrNameThrottled},
		{"ServiceUnavailable", gameday.ErrUnavailable, gameday.ErrNameUnavailable},
		{"InvalidParameterValue", nil, gameday.ErrNameInternal},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			cw := &fakeCloudWatch{NewState: cwtypes.StateValueOk, Listed: listedAccount(false)}
			cw.add("existing-slo-alarm", cwtypes.StateValueOk)
			cw.Listed.Errs = map[string][]error{"ListMetrics": {experimenttest.APIError(tt.code)}}
			p := newPreflight(cw, &experimenttest.FIS{})
			_, err := run(context.Background(), p)
			if err == nil {
				t.Fatal("Handle() passed although ListMetrics failed")
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("Handle() error = %v, want errors.Is %v", err, tt.sentinel)
			}
			if got := gameday.ErrorName(err); got != tt.wantName {
				t.Errorf("ErrorName = %s, want %s (%v)", got, tt.wantName, err)
			}
			if !strings.Contains(err.Error(), "list metrics SockShop/ErrorRate (service=front-end)") {
				t.Errorf("error %q does not name the metric", err)
			}
			if len(cw.Puts) != 0 {
				t.Errorf("%d alarms staged, want none", len(cw.Puts))
			}
			if _, err := run(context.Background(), p); err != nil {
				t.Errorf("the retry: Handle() error = %v, want a pass", err)
			}
		})
	}
}

func TestRuleAlarms(t *testing.T) {
	tests := []struct {
		rule string
		want []string
	}{
		{`ALARM(CPUUtilizationTooHigh) AND ALARM(DiskReadOpsTooHigh)`, []string{"CPUUtilizationTooHigh", "DiskReadOpsTooHigh"}},
		{`ALARM("a b") OR NOT OK("c") AND INSUFFICIENT_DATA(d)`, []string{"a b", "c", "d"}},
		{`(ALARM("` + alarmARN("by-arn") + `") OR ALARM(x)) AND TRUE`, []string{"by-arn", "x"}},
		{`AT_LEAST(2, ALARM, (a, "b", c)) OR AT_LEAST(60%, !OK, (a, d))`, []string{"a", "b", "c", "d"}},
		{`FALSE`, nil},
		{`ALARM("quote \"inside\"")`, []string{`quote "inside"`}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ruleAlarms(tt.rule)); diff != "" {
			t.Errorf("ruleAlarms(%s) (-want +got):\n%s", tt.rule, diff)
		}
	}
}
