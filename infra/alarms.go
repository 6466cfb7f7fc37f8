package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NotificationsProps configure the topic.
type NotificationsProps struct {
	// Email, when set, is subscribed to the topic (it must confirm).
	Email string
}

// Notifications is the encrypted SNS topic of gameday's notifications and
// alarms.
type Notifications interface {
	Topic() awssns.Topic
	Key() awskms.Key
}

type notifications struct {
	topic awssns.Topic
	key   awskms.Key
}

func (n *notifications) Topic() awssns.Topic { return n.topic }
func (n *notifications) Key() awskms.Key     { return n.key }

// NewNotifications creates the topic, encrypted with its own rotating KMS
// key that CloudWatch alarms may use, TLS enforced, with the optional
// e-mail subscription.
func NewNotifications(scope constructs.Construct, id string, p NotificationsProps) Notifications {
	c := constructs.NewConstruct(scope, jsii.String(id))
	key := awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("gameday: encrypts the notifications topic"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(7)),
	})
	// CloudWatch publishes alarm notifications to an encrypted topic only
	// if the key lets it.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Stack_Of(c).Account()},
		},
	}), jsii.Bool(false))
	topic := awssns.NewTopic(c, jsii.String("Topic"), &awssns.TopicProps{
		DisplayName: jsii.String("gameday"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	if p.Email != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(p.Email), nil))
	}
	return &notifications{topic: topic, key: key}
}

// NewExecutionAlarm alarms (into the topic) when any execution of the state
// machine fails, times out or is aborted.
func NewExecutionAlarm(scope constructs.Construct, id string, sm awsstepfunctions.IStateMachine, topic awssns.ITopic) awscloudwatch.Alarm {
	period := awscdk.Duration_Minutes(jsii.Number(5))
	opts := &awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}
	expr := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("failed + timedOut + aborted"),
		Label:      jsii.String("Failed, timed-out and aborted executions"),
		Period:     period,
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"failed":   sm.MetricFailed(opts),
			"timedOut": sm.MetricTimedOut(opts),
			"aborted":  sm.MetricAborted(opts),
		},
	})
	return alarmOnAny(scope, id, expr, "a GameDay run failed, timed out or was aborted; see the execution and its archive", topic)
}

// alarmOnAny alarms into the topic as soon as one period of metric counts
// at least one (a failure, an error, a message left undelivered); no data
// is no trouble.
func alarmOnAny(scope constructs.Construct, id string, metric awscloudwatch.IMetric, trouble string, topic awssns.ITopic) awscloudwatch.Alarm {
	alarm := awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
		Metric:             metric,
		AlarmDescription:   jsii.String("gameday: " + trouble),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
	return alarm
}
