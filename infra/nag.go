package main

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// stepWildcard is one kind of wildcard resource the Lambdas' policies need,
// with why it cannot be narrower. cdk-nag's AwsSolutions-IAM5 is
// suppressed for exactly these, on the Lambda roles only.
type stepWildcard struct {
	regex, reason string
}

// The kinds of wildcard, by key into stepWildcards.
const (
	wildList         = iota // Resource::*
	wildFIS                 // fis experiment/*, experiment-template/*, action/*, safety-lever/*
	wildStagedAlarms        // alarm:gameday-*
	wildReadAlarms          // alarm:*
	wildObjects             // objects under the log and archive prefixes
	wildExecutions          // execution:<state machine>:*
)

// arnHead matches "arn:PARTITION:SERVICE:REGION:ACCOUNT:" as cdk-nag
// renders it: each part a literal or a pseudo parameter such as
// <AWS::Region>.
func arnHead(service string) string {
	return `arn:(<AWS::Partition>|aws[a-z-]*):` + service + `:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\d{12}):`
}

var stepWildcards = []stepWildcard{
	{`^Resource::\*$`, "Resource::* for fis:ListExperiments, fis:ListExperimentTemplates and cloudwatch:GetMetricData and cloudwatch:ListMetrics, which support no resource-level permissions"},
	{`^Resource::` + arnHead("fis") + `(experiment|experiment-template|action|safety-lever)\/\*$`,
		"fis experiment/*, experiment-template/*, action/*, safety-lever/*: FIS generates experiment and template IDs at run time; the statements that change anything are limited to gameday's own resources by tag conditions (gameday:name, gameday:execution-arn)"},
	{`^Resource::` + arnHead("cloudwatch") + `alarm:gameday-\*$`, "alarm:gameday-*: preflight creates and updates only the alarms it stages, all named gameday-<gameday>-<alarm>"},
	{`^Resource::` + arnHead("cloudwatch") + `alarm:\*$`, "alarm:*, read only (DescribeAlarms, DescribeAlarmHistory): a GameDay's stop conditions may name any existing alarm by ARN"},
	{`^Resource::<GameDay(FisLog|Archive)Bucket[^>]*\.Arn>\/.*\*$`, "bucket objects: only under the FIS log prefix and the archive's gamedays/ prefix only; keys hold experiment IDs known at run time"},
	{`^Resource::` + arnHead("states") + `execution:[A-Za-z0-9_-]+:\*$`, "execution:<this stack's state machine>:*, read only (DescribeExecution): execution names are chosen at start time"},
}

// suppressStepWildcards suppresses AwsSolutions-IAM5 on a Lambda role for
// the given kinds of stepWildcards only; any other wildcard still fails.
func suppressStepWildcards(role awsiam.Role, fn string, kinds ...int) {
	applies := make([]any, 0, len(kinds))
	reasons := make([]string, 0, len(kinds))
	for _, k := range kinds {
		w := stepWildcards[k]
		applies = append(applies, &cdknag.RegexAppliesTo{Regex: jsii.String("/" + w.regex + "/")})
		reasons = append(reasons, w.reason)
	}
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("The " + fn + " Lambda's wildcards: " + strings.Join(reasons, "; ") + "."),
		AppliesTo: &applies,
	}}, jsii.Bool(true))
}
