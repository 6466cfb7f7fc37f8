package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
)

// FISRoleProps configure the FIS experiment role.
type FISRoleProps struct {
	// LogBucket receives the experiments' logs.
	LogBucket awss3.IBucket
	// Policy is the deployed policy (defaults filled): the role may describe
	// its clusters, and only when it allows custom resources.
	Policy *policy.Policy
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
	suppress := []*cdknag.NagPackSuppression{}
	reasons := "Resource::*: the CloudWatch Logs vended log delivery actions FIS needs to write its logs to S3 support no resource-level permissions."
	appliesTo := []any{"Resource::*"}
	// The clusters the policy lets faults target, and only when it allows
	// a custom resource at all: the role gets nothing the policy does not
	// need.
	clusters := []*string{}
	if slices.Contains(p.Policy.ActionIDs(), gameday.ActionInjectCustomResource) {
		for _, c := range p.Policy.Spec.Clusters {
			clusters = append(clusters, jsii.String(c))
			if strings.Contains(c, "*") {
				appliesTo = append(appliesTo, "Resource::"+c)
				reasons += " " + c + ": the deployment's policy lets faults target the clusters this pattern names (read only)."
			}
		}
	}
	if len(clusters) > 0 {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("TargetClusters"),
			Actions:   jsii.Strings("eks:DescribeCluster"),
			Resources: &clusters,
		}))
	}
	if slices.Contains(p.Policy.ActionIDs(), fisactions.TerminateNodegroupInstances) {
		appliesTo, reasons = grantNodeGroups(role, p.Policy.Spec.Clusters, appliesTo, reasons)
	}
	suppress = append(suppress, &cdknag.NagPackSuppression{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String(reasons),
		AppliesTo: &appliesTo,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &suppress, jsii.Bool(true))
	return role
}

// grantNodeGroups lets FIS run aws:eks:terminate-nodegroup-instances on
// the node groups of the policy's clusters, with what the FIS actions
// reference and AWS's AWSFaultInjectionSimulatorEKSAccess policy give it:
// describe the node group, find its instances, terminate them. IAM bounds
// the terminations too: only instances EKS tagged as one of the policy's
// clusters' (eks:cluster-name, set on every managed node group instance).
func grantNodeGroups(role awsiam.Role, clusters []string, appliesTo []any, reasons string) ([]any, string) {
	var nodeGroups, instances []*string
	var names []string
	for _, c := range clusters {
		parsed, err := arn.Parse(c)
		if err != nil || !strings.HasPrefix(parsed.Resource, "cluster/") {
			continue // the policy refuses such a cluster; nothing to grant
		}
		name := strings.TrimPrefix(parsed.Resource, "cluster/")
		parsed.Resource = "nodegroup/" + name + "/*"
		nodeGroups = append(nodeGroups, jsii.String(parsed.String()))
		names = append(names, name)
		appliesTo = append(appliesTo, "Resource::"+parsed.String())
		// The cluster's instances are in its region and account.
		parsed.Service, parsed.Resource = "ec2", "instance/*"
		if !slices.ContainsFunc(instances, func(s *string) bool { return *s == parsed.String() }) {
			instances = append(instances, jsii.String(parsed.String()))
			appliesTo = append(appliesTo, "Resource::"+parsed.String())
		}
	}
	if len(names) == 0 {
		return appliesTo, reasons
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("TargetNodeGroups"),
		Actions:   jsii.Strings("eks:DescribeNodegroup"),
		Resources: &nodeGroups,
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FindNodeGroupInstances"),
		Actions:   jsii.Strings("ec2:DescribeInstances"),
		Resources: jsii.Strings("*"),
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("TerminateNodeGroupInstances"),
		Actions:    jsii.Strings("ec2:TerminateInstances"),
		Resources:  &instances,
		Conditions: &map[string]any{"StringLike": map[string]any{"aws:ResourceTag/eks:cluster-name": names}},
	}))
	reasons += " Node groups and their instances: aws:eks:terminate-nodegroup-instances, which the policy allows, needs them; the node groups are the policy's clusters', the instances those EKS tagged as one of them (ec2:DescribeInstances supports no resource-level permissions)."
	return appliesTo, reasons
}

func clusterARN(stack awscdk.Stack, name string) *string {
	return jsii.String(fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", *stack.Partition(), *stack.Region(), *stack.Account(), name))
}
