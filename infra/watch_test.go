package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// TestLeaseTable: on demand, point-in-time recovery, encrypted, TTL on the
// lease's expiry, keyed by GameDay, its logical ID pinned.
func TestLeaseTable(t *testing.T) {
	s := fullStack(t)
	tables := s.resources("AWS::DynamoDB::Table")
	tbl, ok := tables[LogicalIDLeaseTable]
	if !ok || len(tables) != 1 {
		t.Fatalf("tables %v, want only %s", slices.Collect(maps.Keys(tables)), LogicalIDLeaseTable)
	}
	p := tbl["Properties"].(map[string]any)
	got := map[string]any{
		"BillingMode": p["BillingMode"], "KeySchema": p["KeySchema"],
		"PointInTimeRecoverySpecification": p["PointInTimeRecoverySpecification"],
		"SSESpecification":                 p["SSESpecification"], "TimeToLiveSpecification": p["TimeToLiveSpecification"],
	}
	want := map[string]any{
		"BillingMode":                      "PAY_PER_REQUEST",
		"KeySchema":                        []any{map[string]any{"AttributeName": "gameday", "KeyType": "HASH"}},
		"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
		"SSESpecification":                 map[string]any{"SSEEnabled": true},
		"TimeToLiveSpecification":          map[string]any{"AttributeName": "expiresAt", "Enabled": true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lease table (-want +got):\n%s", diff)
	}
}

// TestLeaseGrants: each role reaches the lease table with only what it
// does, and nothing else may.
func TestLeaseGrants(t *testing.T) {
	s := fullStack(t)
	table := map[string]any{"Fn::GetAtt": []any{LogicalIDLeaseTable, "Arn"}}
	want := map[deploy.Function][]string{
		deploy.Preflight: {"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"},
		deploy.Notify:    {"dynamodb:DeleteItem"},
		deploy.Guard:     {"dynamodb:DeleteItem", "dynamodb:Scan"},
		deploy.Sweeper:   {"dynamodb:DeleteItem", "dynamodb:Scan"},
	}
	for _, spec := range functionSpecs {
		pol := policyOf(t, s, spec.name.ID()+"Role")
		var got []string
		for _, st := range pol.statements {
			for _, a := range st.Actions {
				if !strings.HasPrefix(a, "dynamodb:") {
					continue
				}
				got = append(got, a)
				if !cmp.Equal(st.Resources, []any{table}) {
					t.Errorf("%s: %s on %v, want only the lease table", spec.name, a, st.Resources)
				}
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff(want[spec.name], got); diff != "" {
			t.Errorf("%s: DynamoDB actions (-want +got):\n%s", spec.name, diff)
		}
	}
	execs := "arn:aws:states:us-east-1:123456789012:execution:GameDayTest-run:*" // the test stack is GameDayTest
	for _, fn := range []deploy.Function{deploy.StartExperiment, deploy.Sweeper} {
		got := policyOf(t, s, fn.ID()+"Role").resourcesOf("states:DescribeExecution")
		if len(got) != 1 || flat(got[0]) != execs {
			t.Errorf("%s: states:DescribeExecution on %v, want %s", fn, got, execs)
		}
	}
}

// TestSweepAndGuardNet: the sweeper runs every 5 minutes with retries and
// a dead-letter queue, and after every guard invocation; the guard has
// retries, a dead-letter queue and an alarm on its errors; every GameDay
// schedule has a dead-letter queue.
func TestSweepAndGuardNet(t *testing.T) {
	s := fullStack(t)
	sweeper := map[string]any{"Fn::GetAtt": []any{logicalID(t, s, "AWS::Lambda::Function", "SweeperFunction"), "Arn"}}
	guardDLQ := map[string]any{"Fn::GetAtt": []any{logicalID(t, s, "AWS::SQS::Queue", "SweepGuardDeadLetters"), "Arn"}}
	scheduleDLQ := map[string]any{"Fn::GetAtt": []any{logicalID(t, s, "AWS::SQS::Queue", "SweepScheduleDeadLetters"), "Arn"}}
	must(t, "sweeper schedule", func() {
		s.template.HasResourceProperties(jsii.String("AWS::Scheduler::Schedule"), props(map[string]any{
			"ScheduleExpression": "rate(5 minutes)",
			"State":              "ENABLED",
			"Target": objectLike(map[string]any{
				"Arn":              sweeper,
				"DeadLetterConfig": map[string]any{"Arn": scheduleDLQ},
				"RetryPolicy":      map[string]any{"MaximumEventAgeInSeconds": 300, "MaximumRetryAttempts": 3},
			}),
		}))
	})
	for id, r := range s.resources("AWS::Scheduler::Schedule") {
		target := r["Properties"].(map[string]any)["Target"].(map[string]any)
		if !cmp.Equal(target["DeadLetterConfig"], map[string]any{"Arn": scheduleDLQ}) {
			t.Errorf("schedule %s has no dead-letter queue: %v", id, target["DeadLetterConfig"])
		}
	}
	must(t, "guard destinations", func() {
		s.template.HasResourceProperties(jsii.String("AWS::Lambda::EventInvokeConfig"), props(map[string]any{
			"FunctionName":         map[string]any{"Ref": logicalID(t, s, "AWS::Lambda::Function", "GuardFunction")},
			"MaximumRetryAttempts": 2,
			"DestinationConfig": map[string]any{
				"OnSuccess": map[string]any{"Destination": sweeper},
				"OnFailure": map[string]any{"Destination": sweeper},
			},
		}))
	})
	must(t, "guard rule dead letters", func() {
		s.template.HasResourceProperties(jsii.String("AWS::Events::Rule"), props(map[string]any{
			"Targets": []any{objectLike(map[string]any{
				"DeadLetterConfig": map[string]any{"Arn": guardDLQ},
				"RetryPolicy":      map[string]any{"MaximumEventAgeInSeconds": 7200, "MaximumRetryAttempts": 8},
			})},
		}))
	})
	if got := policyOf(t, s, "GuardRole").resourcesOf("lambda:InvokeFunction"); !cmp.Equal(got, []any{sweeper}) {
		t.Errorf("the guard may invoke %v, want only the sweeper (its destination)", got)
	}
	topic := map[string]any{"Ref": logicalID(t, s, "AWS::SNS::Topic", "NotificationsTopic")}
	alarms := map[string]bool{}
	for _, r := range s.resources("AWS::CloudWatch::Alarm") {
		p := r["Properties"].(map[string]any)
		if !cmp.Equal(p["AlarmActions"], []any{topic}) {
			t.Errorf("alarm %v does not notify the topic: %v", p["AlarmDescription"], p["AlarmActions"])
		}
		switch {
		case p["MetricName"] == "Errors":
			alarms["guard errors"] = true
		case p["MetricName"] == "ApproximateNumberOfMessagesVisible":
			alarms["dead letters "+flat(p["Dimensions"])] = true
		}
	}
	if len(alarms) != 3 {
		t.Errorf("alarms %v, want the guard's errors and one per dead-letter queue", alarms)
	}
}

// TestTopicAdmitsCloudWatch: the topic policy lets CloudWatch alarms of
// this account publish, and nobody else.
func TestTopicAdmitsCloudWatch(t *testing.T) {
	s := fullStack(t)
	topic := "<" + logicalID(t, s, "AWS::SNS::Topic", "NotificationsTopic") + ">" // as flatAll writes a Ref
	var found bool
	for _, r := range s.resources("AWS::SNS::TopicPolicy") {
		doc := r["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, st := range doc["Statement"].([]any) {
			m := st.(map[string]any)
			if m["Sid"] != "AllowCloudWatchAlarms" {
				continue
			}
			found = true
			want := map[string]any{
				"Sid": "AllowCloudWatchAlarms", "Effect": "Allow", "Action": "sns:Publish",
				"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
				"Resource":  topic,
				"Condition": map[string]any{
					"StringEquals": map[string]any{"aws:SourceAccount": "123456789012"},
					"ArnLike":      map[string]any{"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"},
				},
			}
			if diff := cmp.Diff(want, flatAll(m)); diff != "" {
				t.Errorf("topic policy statement (-want +got):\n%s", diff)
			}
		}
	}
	if !found {
		t.Fatal("the topic policy has no statement for CloudWatch alarms")
	}
	publishThroughSimulator(t, s)
}

// publishThroughSimulator installs the synthesized topic policy on a topic
// of the simulator and has an alarm of the simulated account (the
// template's) fire into it: the simulator's SNS evaluates the policy as
// SNS does, so the notification arrives only if the policy admits it.
func publishThroughSimulator(t *testing.T, s *synthesized) {
	srv, cfg := simtest.New(t, sim.Options{})
	ctx := context.Background()
	topicRef := logicalID(t, s, "AWS::SNS::Topic", "NotificationsTopic")
	var doc map[string]any
	for _, r := range s.resources("AWS::SNS::TopicPolicy") {
		doc = flatAll(r["Properties"].(map[string]any)["PolicyDocument"].(map[string]any))
	}
	snsc, cw := sns.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg)
	for _, withPolicy := range []bool{false, true} {
		name := fmt.Sprintf("alarms-%v", withPolicy)
		out, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		arn := aws.ToString(out.TopicArn)
		if withPolicy {
			var b strings.Builder
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false) // keep flatAll's <Ref> readable to replace
			if err := enc.Encode(doc); err != nil {
				t.Fatal(err)
			}
			policy := strings.ReplaceAll(b.String(), `"<`+topicRef+`>"`, `"`+arn+`"`)
			if _, err := snsc.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: out.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)}); err != nil {
				t.Fatalf("set the synthesized policy: %v", err)
			}
		}
		if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(name), Namespace: aws.String("AWS/States"), MetricName: aws.String("ExecutionsFailed"),
			Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, ActionsEnabled: aws.Bool(true), AlarmActions: []string{arn},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("a run failed")}); err != nil {
			t.Fatal(err)
		}
		var got int
		for _, m := range srv.SNS().Messages() {
			if m.TopicARN == arn {
				got++
			}
		}
		if want := map[bool]int{false: 0, true: 1}[withPolicy]; got != want {
			t.Errorf("topic with the synthesized policy %v: %d alarm notifications delivered, want %d (refused: %+v)", withPolicy, got, want, srv.SNS().Refusals())
		}
	}
}
