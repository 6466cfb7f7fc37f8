package main

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
)

// arns builds the ARNs the grants name, from the stack's tokens.
type arns struct{ partition, region, account string }

func arnsOf(stack awscdk.Stack) arns {
	return arns{*stack.Partition(), *stack.Region(), *stack.Account()}
}

func (a arns) fis(resource string) string {
	return fmt.Sprintf("arn:%s:fis:%s:%s:%s", a.partition, a.region, a.account, resource)
}

func (a arns) alarm(name string) string {
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", a.partition, a.region, a.account, name)
}

func (a arns) executions(stateMachine string) string {
	return fmt.Sprintf("arn:%s:states:%s:%s:execution:%s:*", a.partition, a.region, a.account, stateMachine)
}

func (a arns) stateMachine(name string) string {
	return fmt.Sprintf("arn:%s:states:%s:%s:stateMachine:%s", a.partition, a.region, a.account, name)
}

func (a arns) eventBus(name string) string {
	return fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", a.partition, a.region, a.account, name)
}

// ownership is the tag conditions that keep each step on its own state
// machine's FIS resources. They compare values: a template must carry
// gameday:state-machine equal to this state machine's ARN, an experiment
// gameday:execution-arn naming one of its executions. A step may set those
// tags only on a resource that has none yet (one it is creating), so no
// role can claim a resource it may not already touch.
type ownership struct {
	onTemplates, taggingNewTemplates, onExperiments, taggingNewExperiments map[string]any
}

func ownershipOf(stateMachineARN, executions string) ownership {
	smTag, execTag := deploy.TagStateMachine, deploy.TagExecution
	return ownership{
		onTemplates: map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/" + smTag: stateMachineARN}},
		taggingNewTemplates: map[string]any{
			"StringEquals": map[string]any{"aws:RequestTag/" + smTag: stateMachineARN},
			"Null":         map[string]any{"aws:ResourceTag/" + smTag: "true"},
		},
		onExperiments: map[string]any{"StringLike": map[string]any{"aws:ResourceTag/" + execTag: executions}},
		taggingNewExperiments: map[string]any{
			"StringLike": map[string]any{"aws:RequestTag/" + execTag: executions},
			"Null":       map[string]any{"aws:ResourceTag/" + execTag: "true"},
		},
	}
}

// grants is what the step grants name: this stack's ARNs and the
// ownership conditions.
type grants struct {
	s                                  *GameDayStack
	a                                  arns
	experiments, templates, executions string
	table                              string
	own                                ownership
}

// grantSteps gives each Lambda the least it needs. Wildcards are limited to
// what AWS cannot scope further, and each is explained in nag.go.
func grantSteps(stack awscdk.Stack, s *GameDayStack, fisRole awsiam.IRole, p GameDayStackProps, pol *policy.Policy, stateMachine string) {
	a := arnsOf(stack)
	g := grants{
		s: s, a: a,
		experiments: a.fis("experiment/*"), templates: a.fis("experiment-template/*"), executions: a.executions(stateMachine),
		table: *s.LeaseTable.TableArn(),
	}
	g.own = ownershipOf(a.stateMachine(stateMachine), g.executions)
	g.preflight()
	g.start(fisRole, pol)
	s.Functions[deploy.PollExperiment].Allow("GetExperiments", []string{"fis:GetExperiment"}, []string{g.experiments}, g.own.onExperiments)
	for _, name := range []deploy.Function{deploy.StopExperiment, deploy.Guard, deploy.Sweeper} {
		fn := s.Functions[name]
		fn.Allow("ListExperiments", []string{"fis:ListExperiments"}, []string{"*"}, nil)
		fn.Allow("StopExperiments", []string{"fis:GetExperiment", "fis:StopExperiment"}, []string{g.experiments}, g.own.onExperiments)
	}
	g.archive(p.LogPrefix)
	s.Functions[deploy.Guard].Allow("Leases", []string{"dynamodb:Scan", "dynamodb:DeleteItem"}, []string{g.table}, nil)
	g.sweeper()
	g.notify()

	for name, kinds := range map[deploy.Function][]int{
		deploy.Preflight:       {wildList, wildFIS, wildStagedAlarms, wildReadAlarms},
		deploy.StartExperiment: {wildList, wildFIS, wildExecutions},
		deploy.Sweeper:         {wildList, wildFIS, wildExecutions},
		deploy.PollExperiment:  {wildFIS},
		deploy.StopExperiment:  {wildList, wildFIS},
		deploy.Guard:           {wildList, wildFIS},
		deploy.Archive:         {wildList, wildFIS, wildReadAlarms, wildObjects},
	} {
		suppressStepWildcards(s.Functions[name].Role(), string(name), kinds...)
	}
}

func (g grants) preflight() {
	pre := g.s.Functions[deploy.Preflight]
	stagedAlarms := g.a.alarm(strings.TrimSuffix(gameday.AlarmPrefix(""), "-") + "*") // gameday-*
	pre.Allow("StageAlarms", []string{"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"}, []string{stagedAlarms}, nil)
	// Stop conditions may name any existing alarm by ARN: read only.
	pre.Allow("ReadAlarms", []string{"cloudwatch:DescribeAlarms"}, []string{g.a.alarm("*")}, nil)
	// Whether the metrics the stop conditions watch exist: an alarm on a
	// metric with no data that treats missing data as notBreaching can
	// never fire. ListMetrics takes no resource-level permission.
	pre.Allow("ListMetrics", []string{"cloudwatch:ListMetrics"}, []string{"*"}, nil)
	pre.Allow("ListFIS", []string{"fis:ListExperiments", "fis:ListExperimentTemplates"}, []string{"*"}, nil)
	pre.Allow("SafetyLever", []string{"fis:GetSafetyLever"}, []string{g.a.fis("safety-lever/*")}, nil)
	pre.Allow("Lease", []string{"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"}, []string{g.table}, nil)
}

func (g grants) start(fisRole awsiam.IRole, pol *policy.Policy) {
	start := g.s.Functions[deploy.StartExperiment]
	start.Allow("ListTemplates", []string{"fis:ListExperimentTemplates"}, []string{"*"}, nil)
	// A template may hold only the FIS actions the policy allows.
	var actions []string
	for _, id := range pol.ActionIDs() {
		actions = append(actions, g.a.fis("action/"+id))
	}
	start.Allow("CreateTemplates", []string{"fis:CreateExperimentTemplate"}, append([]string{g.templates}, actions...), g.own.taggingNewTemplates)
	start.Allow("TagNewTemplates", []string{"fis:TagResource"}, []string{g.templates}, g.own.taggingNewTemplates)
	start.Allow("UpdateTemplates", []string{"fis:UpdateExperimentTemplate", "fis:GetExperimentTemplate", "fis:DeleteExperimentTemplate", "fis:TagResource"}, []string{g.templates}, g.own.onTemplates)
	// Whether IAM also authorizes an update on the template's actions, as
	// it does a create, FIS's documentation does not make plain. Granting
	// it on the policy's actions alone is right either way: if it does,
	// an update works and can hold no other action; if not, this grants
	// nothing. Actions carry no tags, so this statement has no condition.
	if len(actions) > 0 {
		start.Allow("UpdateTemplateActions", []string{"fis:UpdateExperimentTemplate"}, actions, nil)
	}
	start.Allow("StartFromTemplates", []string{"fis:StartExperiment"}, []string{g.templates}, g.own.onTemplates)
	start.Allow("StartExperiments", []string{"fis:StartExperiment", "fis:TagResource"}, []string{g.experiments}, g.own.taggingNewExperiments)
	// After the start: is the execution still running? If not, stop what
	// was just started (only experiments gameday tagged).
	start.Allow("DescribeOwnExecution", []string{"states:DescribeExecution"}, []string{g.executions}, nil)
	start.Allow("StopJustStarted", []string{"fis:StopExperiment"}, []string{g.experiments}, g.own.onExperiments)
	start.Allow("PassFisRole", []string{"iam:PassRole"}, []string{*fisRole.RoleArn()},
		map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "fis.amazonaws.com"}})
}

func (g grants) archive(logPrefix string) {
	arc := g.s.Functions[deploy.Archive]
	logObjects := *g.s.Buckets.LogBucket().ArnForObjects(jsii.String(logPrefix + "*"))
	archiveObjects := *g.s.Buckets.ArchiveBucket().ArnForObjects(jsii.String(deploy.ArchiveRoot + "*"))
	arc.Allow("GetExperiments", []string{"fis:GetExperiment"}, []string{g.experiments}, g.own.onExperiments)
	arc.Allow("ListFisLogs", []string{"s3:ListBucket"}, []string{*g.s.Buckets.LogBucket().BucketArn()},
		map[string]any{"StringLike": map[string]any{"s3:prefix": []string{logPrefix + "*"}}})
	arc.Allow("ReadFisLogs", []string{"s3:GetObject"}, []string{logObjects}, nil)
	// ListBucket lets a re-run find that summary.json does not exist yet:
	// without it S3 answers 403, not 404.
	arc.Allow("ListArchive", []string{"s3:ListBucket"}, []string{*g.s.Buckets.ArchiveBucket().BucketArn()},
		map[string]any{"StringLike": map[string]any{"s3:prefix": []string{deploy.ArchiveRoot + "*"}}})
	arc.Allow("WriteArchive", []string{"s3:GetObject", "s3:PutObject"}, []string{archiveObjects}, nil)
	// ListMetrics tells a check with no datapoints whether its metric
	// exists at all in the account (the verdict's hint).
	arc.Allow("ReadMetrics", []string{"cloudwatch:GetMetricData", "cloudwatch:ListMetrics"}, []string{"*"}, nil)
	arc.Allow("ReadAlarmHistory", []string{"cloudwatch:DescribeAlarmHistory"}, []string{g.a.alarm("*")}, nil)
}

func (g grants) sweeper() {
	sweeper := g.s.Functions[deploy.Sweeper]
	// It marks an experiment it has reported stuck, to report it once.
	sweeper.Allow("MarkReported", []string{"fis:TagResource"}, []string{g.experiments}, map[string]any{
		"StringLike":                g.own.onExperiments["StringLike"],
		"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []string{deploy.TagStuckReported}},
	})
	sweeper.Allow("Leases", []string{"dynamodb:Scan", "dynamodb:DeleteItem"}, []string{g.table}, nil)
	sweeper.Allow("DescribeExecutions", []string{"states:DescribeExecution"}, []string{g.executions}, nil)
	sweeper.Allow("Publish", []string{"sns:Publish"}, []string{*g.s.Notifications.Topic().TopicArn()}, nil)
	sweeper.Allow("EncryptForTopic", []string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{*g.s.Notifications.Key().KeyArn()}, nil)
}

func (g grants) notify() {
	notify := g.s.Functions[deploy.Notify]
	notify.Allow("ReleaseLease", []string{"dynamodb:DeleteItem"}, []string{g.table}, nil)
	notify.Allow("Publish", []string{"sns:Publish"}, []string{*g.s.Notifications.Topic().TopicArn()}, nil)
	notify.Allow("EncryptForTopic", []string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{*g.s.Notifications.Key().KeyArn()}, nil)
	notify.Allow("PutEvents", []string{"events:PutEvents"}, []string{g.a.eventBus(deploy.DefaultEventBusName)}, nil)
}
