package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// FISRoleProps configure the FIS experiment role.
type FISRoleProps struct {
	// LogBucket receives the experiments' logs.
	LogBucket awss3.IBucket
	// Clusters are the names of the EKS clusters experiments may target;
	// empty means any cluster of the account and region.
	Clusters []string
}

// NewFISRole creates the role FIS assumes to run gameday's experiments:
// trusted by fis.amazonaws.com for this account's experiments only, allowed
// to set up S3 log delivery to the log bucket and to describe the target
// clusters. What it may do inside a cluster is Kubernetes RBAC (see
// `gameday rbac` and the optional EKS access entries).
func NewFISRole(scope constructs.Construct, id string, p FISRoleProps) awsiam.Role {
	stack := awscdk.Stack_Of(scope)
	principal := awsiam.NewServicePrincipal(jsii.String("fis.amazonaws.com"), &awsiam.ServicePrincipalOpts{
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			"ArnLike": map[string]any{
				"aws:SourceArn": fmt.Sprintf("arn:%s:fis:%s:%s:experiment/*", *stack.Partition(), *stack.Region(), *stack.Account()),
			},
		},
	})
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		AssumedBy:   principal,
		Description: jsii.String("gameday: the role AWS FIS assumes to run gameday's experiments"),
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("LogDelivery"),
		Actions: jsii.Strings("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
			"logs:DeleteLogDelivery", "logs:ListLogDeliveries"),
		Resources: jsii.Strings("*"),
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("LogBucketPolicy"),
		Actions:   jsii.Strings("s3:GetBucketPolicy", "s3:PutBucketPolicy"),
		Resources: jsii.Strings(*p.LogBucket.BucketArn()),
	}))
	clusters := []*string{}
	for _, name := range p.Clusters {
		clusters = append(clusters, clusterARN(stack, name))
	}
	suppress := []*cdknag.NagPackSuppression{}
	reasons := "Resource::*: the CloudWatch Logs vended log delivery actions FIS needs to write its logs to S3 support no resource-level permissions."
	appliesTo := []any{"Resource::*"}
	if len(clusters) == 0 {
		clusters = append(clusters, clusterARN(stack, "*"))
		appliesTo = append(appliesTo, &cdknag.RegexAppliesTo{Regex: jsii.String("/^Resource::" + arnHead("eks") + `cluster\/\*$/`)})
		reasons += " cluster/*: no clusters were named in props, so experiments may describe any EKS cluster of this account and region (read only)."
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("TargetClusters"),
		Actions:   jsii.Strings("eks:DescribeCluster"),
		Resources: &clusters,
	}))
	suppress = append(suppress, &cdknag.NagPackSuppression{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String(reasons),
		AppliesTo: &appliesTo,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &suppress, jsii.Bool(true))
	return role
}

func clusterARN(stack awscdk.Stack, name string) *string {
	return jsii.String(fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", *stack.Partition(), *stack.Region(), *stack.Account(), name))
}
