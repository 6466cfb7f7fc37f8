package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awseks"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// DefaultKubernetesGroup is the Kubernetes group the FIS role is mapped to;
// `gameday rbac` binds its Role to this group.
const DefaultKubernetesGroup = "gameday-fis"

// NewAccessEntries maps the FIS role to group in each named cluster with an
// EKS access entry (the cluster's authentication mode must include API).
// What the group may do is Kubernetes RBAC: apply `gameday rbac FILE`.
func NewAccessEntries(scope constructs.Construct, id string, role awsiam.IRole, clusters []string, group string) []awseks.CfnAccessEntry {
	if len(clusters) == 0 {
		return nil
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	var out []awseks.CfnAccessEntry
	for _, name := range clusters {
		out = append(out, awseks.NewCfnAccessEntry(c, jsii.String(name), &awseks.CfnAccessEntryProps{
			ClusterName:      jsii.String(name),
			PrincipalArn:     role.RoleArn(),
			KubernetesGroups: jsii.Strings(group),
			Type:             jsii.String("STANDARD"),
		}))
	}
	return out
}
