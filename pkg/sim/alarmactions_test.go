package sim_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// An alarm's SNS action reaches the topic only when the topic policy
// admits cloudwatch.amazonaws.com for this account's alarms.
func TestAlarmActionsObeyTheTopicPolicy(t *testing.T) {
	srv, cfg := simtest.New(t, sim.Options{})
	ctx := context.Background()
	snsc, cw := sns.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg)
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alarms")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(topic.TopicArn)
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("errors"), Namespace: aws.String("App"), MetricName: aws.String("Errors"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		ActionsEnabled:     aws.Bool(true), AlarmActions: []string{arn},
	}); err != nil {
		t.Fatal(err)
	}
	flip := func() {
		t.Helper()
		for _, st := range []cwtypes.StateValue{cwtypes.StateValueOk, cwtypes.StateValueAlarm} {
			if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("errors"), StateValue: st, StateReason: aws.String("test")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	policy := func(account string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"AllowCloudWatchAlarms","Effect":"Allow",` +
			`"Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"` + arn + `",` +
			`"Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"},"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:us-east-1:` + account + `:alarm:*"}}}]}`
	}
	tests := []struct {
		name        string
		policy      string
		wantMessage bool
	}{
		{name: "the default policy admits no service", wantMessage: false},
		{name: "another account's alarms only", policy: policy("210987654321"), wantMessage: false},
		{name: "this account's alarms", policy: policy(srv.Account()), wantMessage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.policy != "" {
				if _, err := snsc.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(tt.policy)}); err != nil {
					t.Fatal(err)
				}
			}
			before, refusedBefore := len(srv.SNS().Messages()), len(srv.SNS().Refusals())
			flip()
			delivered := len(srv.SNS().Messages()) - before
			refused := len(srv.SNS().Refusals()) - refusedBefore
			if tt.wantMessage && (delivered != 1 || refused != 0) || !tt.wantMessage && (delivered != 0 || refused != 1) {
				t.Errorf("delivered %d, refused %d; want the ALARM notification %s", delivered, refused, map[bool]string{true: "delivered", false: "refused"}[tt.wantMessage])
			}
		})
	}
	got, err := snsc.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: topic.TopicArn})
	if err != nil || got.Attributes["Policy"] != policy(srv.Account()) {
		t.Errorf("GetTopicAttributes Policy = %q, %v", got.Attributes["Policy"], err)
	}
}
