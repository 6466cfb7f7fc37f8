package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/gameday-dev/gameday/pkg/lease"
	"github.com/gameday-dev/gameday/pkg/sweeper"
)

// LogicalIDLeaseTable pins the lease table's logical ID: renaming the
// construct must not replace the table under a running GameDay.
const LogicalIDLeaseTable = "GameDayLeaseTable"

// NewLeaseTable is the run lease table: one item per GameDay, keyed by
// lease.AttrGameDay, on demand, with point-in-time recovery, encrypted with
// an AWS managed key, expired items deleted by TTL on lease.AttrExpiresAt.
func NewLeaseTable(scope constructs.Construct, id string) awsdynamodb.Table {
	t := awsdynamodb.NewTable(scope, jsii.String(id), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(lease.AttrGameDay), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption:          awsdynamodb.TableEncryption_AWS_MANAGED,
		TimeToLiveAttribute: jsii.String(lease.AttrExpiresAt),
		// Leases live for one run; a table deleted with the stack loses
		// nothing a later deployment needs.
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	t.Node().DefaultChild().(awsdynamodb.CfnTable).OverrideLogicalId(jsii.String(LogicalIDLeaseTable))
	return t
}

// newDeadLetterQueue is an encrypted, TLS-only queue that keeps what could
// not be delivered for 14 days, with an alarm into the topic as soon as
// anything lands in it.
func newDeadLetterQueue(scope constructs.Construct, id, what string, topic awssns.ITopic) awssqs.Queue {
	q := awssqs.NewQueue(scope, jsii.String(id), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(q, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-SQS3"),
		Reason: jsii.String("This queue is itself a dead-letter queue (of the guard or of EventBridge Scheduler), which cdk-nag cannot see; an alarm fires on its first message."),
	}}, jsii.Bool(true))
	visible := q.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum"),
	})
	alarmOnAny(scope, id+"Alarm", visible, what+" could not be delivered and waits in a dead-letter queue; read it and act", topic)
	return q
}

// sendTo lets EventBridge Scheduler dead-letter into q: sqs:SendMessage
// only (GrantSendMessages would add two read actions it does not use).
func sendTo(q awssqs.IQueue) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("DeadLetter"),
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: &[]*string{q.QueueArn()},
	})
}

// SweeperProps configure the sweeper's schedule and the guard's safety net.
type SweeperProps struct {
	Sweeper awslambda.IFunction
	Guard   awslambda.IFunction
	Topic   awssns.ITopic
}

// Sweep is the sweeper's schedule and the dead-letter queues.
type Sweep interface {
	Schedule() awsscheduler.CfnSchedule
	// GuardDeadLetters keeps guard events EventBridge could not deliver and
	// guard invocations that failed for good.
	GuardDeadLetters() awssqs.Queue
	// ScheduleDeadLetters keeps schedule invocations that failed for good.
	ScheduleDeadLetters() awssqs.Queue
}

type sweep struct {
	schedule              awsscheduler.CfnSchedule
	guardDLQ, scheduleDLQ awssqs.Queue
}

func (s *sweep) Schedule() awsscheduler.CfnSchedule { return s.schedule }
func (s *sweep) GuardDeadLetters() awssqs.Queue     { return s.guardDLQ }
func (s *sweep) ScheduleDeadLetters() awssqs.Queue  { return s.scheduleDLQ }

// NewSweep runs the sweeper every sweeper.DefaultEvery through EventBridge
// Scheduler (retried, then dead-lettered), and after every guard
// invocation, successful or not (the guard's Lambda destinations); the
// guard gets retries, a dead-letter queue and an alarm on its errors.
func NewSweep(scope constructs.Construct, id string, p SweeperProps) Sweep {
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	out := &sweep{
		guardDLQ:    newDeadLetterQueue(c, "GuardDeadLetters", "a guard invocation", p.Topic),
		scheduleDLQ: newDeadLetterQueue(c, "ScheduleDeadLetters", "a scheduled invocation (a GameDay's start or a sweep)", p.Topic),
	}
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
		}),
		Description: jsii.String("gameday: lets EventBridge Scheduler invoke the sweeper, and nothing else"),
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("InvokeSweeper"),
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: &[]*string{p.Sweeper.FunctionArn()},
	}))
	role.AddToPrincipalPolicy(sendTo(out.scheduleDLQ))
	minutes := int(sweeper.DefaultEvery.Minutes())
	out.schedule = awsscheduler.NewCfnSchedule(c, jsii.String("Schedule"), &awsscheduler.CfnScheduleProps{
		Description:        jsii.String("gameday: the sweeper, the dead man's switch that stops experiments nothing watches"),
		ScheduleExpression: jsii.String(fmt.Sprintf("rate(%d minutes)", minutes)),
		FlexibleTimeWindow: &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
		State:              jsii.String("ENABLED"),
		Target: &awsscheduler.CfnSchedule_TargetProperty{
			Arn:     p.Sweeper.FunctionArn(),
			RoleArn: role.RoleArn(),
			Input:   jsii.String(`{"source":"aws.scheduler"}`),
			// The next sweep comes within one period: retrying longer
			// than that only piles sweeps up.
			RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{
				MaximumEventAgeInSeconds: jsii.Number(minutes * 60),
				MaximumRetryAttempts:     jsii.Number(3),
			},
			DeadLetterConfig: &awsscheduler.CfnSchedule_DeadLetterConfigProperty{Arn: out.scheduleDLQ.QueueArn()},
		},
	})

	// The guard: Lambda retries a failed asynchronous invocation twice,
	// then dead-letters it; either way the sweeper runs next.
	awslambda.NewCfnEventInvokeConfig(c, jsii.String("GuardInvokeConfig"), &awslambda.CfnEventInvokeConfigProps{
		FunctionName:             p.Guard.FunctionName(),
		Qualifier:                jsii.String("$LATEST"),
		MaximumRetryAttempts:     jsii.Number(2),
		MaximumEventAgeInSeconds: jsii.Number(3600),
		DestinationConfig: &awslambda.CfnEventInvokeConfig_DestinationConfigProperty{
			OnSuccess: &awslambda.CfnEventInvokeConfig_OnSuccessProperty{Destination: p.Sweeper.FunctionArn()},
			OnFailure: &awslambda.CfnEventInvokeConfig_OnFailureProperty{Destination: p.Sweeper.FunctionArn()},
		},
	})
	errors := p.Guard.MetricErrors(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum")})
	alarmOnAny(c, "GuardErrorsAlarm", errors, "the guard failed; the sweeper stops what it left within one sweep, but look at why", p.Topic)
	return out
}

// AllowCloudWatchAlarms lets CloudWatch alarms of this account publish to
// the topic (without this statement, the alarms' notifications are never
// delivered): principal cloudwatch.amazonaws.com, only for alarms of this
// account and region.
func AllowCloudWatchAlarms(topic awssns.ITopic) {
	stack := awscdk.Stack_Of(topic)
	a := arnsOf(stack)
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			"ArnLike":      map[string]any{"aws:SourceArn": a.alarm("*")},
		},
	}))
}
