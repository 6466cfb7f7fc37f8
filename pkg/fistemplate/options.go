// Package fistemplate turns a GameDay into the FIS CreateExperimentTemplate
// request that will be sent: one aws:eks:inject-kubernetes-custom-resource
// action per Chaos Mesh or Litmus fault, raw FIS actions passed through, stop
// conditions, S3 logging and tags. It is pure: no AWS calls, and the same
// GameDay and Options always give the same bytes.
package fistemplate

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/gameday-dev/gameday/pkg/deploy"
)

// Defaults of Options.
const (
	DefaultPartition = "aws"
	// placeholders used when the account or region is unknown, so that a
	// render with no flags still shows where they go.
	accountPlaceholder = "<account>"
	regionPlaceholder  = "<region>"
	// RoleARNPlaceholder and LogBucketPlaceholder stand for the deployed
	// stack's FIS role and log bucket, which CloudFormation names: the
	// stack's outputs (deploy.OutputFISRoleARN, deploy.OutputLogBucket)
	// say them.
	RoleARNPlaceholder   = "<" + deploy.OutputFISRoleARN + ">"
	LogBucketPlaceholder = "<" + deploy.OutputLogBucket + ">"
)

// Options are the deployment facts a template needs besides the GameDay.
// Every field may be empty: Render fills the defaults (see WithDefaults).
type Options struct {
	// RoleARN is the FIS experiment role; default RoleARNPlaceholder.
	RoleARN string
	// LogBucket receives FIS logs; default LogBucketPlaceholder.
	LogBucket string
	// LogPrefix is the key prefix of FIS logs; default
	// deploy.DefaultLogPrefix.
	LogPrefix string
	// Account and Region are where the experiment runs. When empty they are
	// taken from the GameDay's cluster ARN, or left as <account>/<region>
	// placeholders.
	Account string
	Region  string
	// Partition defaults to the region's partition (aws, aws-cn, aws-us-gov).
	Partition string
}

// WithDefaults returns o with every empty field filled. clusterARN (may be
// empty) supplies the account and region when o has none.
func (o Options) WithDefaults(clusterARN string) Options {
	if a, err := arn.Parse(clusterARN); err == nil {
		if o.Account == "" {
			o.Account = a.AccountID
		}
		if o.Region == "" {
			o.Region = a.Region
		}
		if o.Partition == "" && o.Region == a.Region {
			o.Partition = a.Partition
		}
	}
	if o.Account == "" {
		o.Account = accountPlaceholder
	}
	if o.Region == "" {
		o.Region = regionPlaceholder
	}
	if o.Partition == "" {
		o.Partition = partitionOf(o.Region)
	}
	if o.LogPrefix == "" {
		o.LogPrefix = deploy.DefaultLogPrefix
	}
	if o.RoleARN == "" {
		o.RoleARN = RoleARNPlaceholder
	}
	if o.LogBucket == "" {
		o.LogBucket = LogBucketPlaceholder
	}
	return o
}

// partitionOf is the AWS partition of a region.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return DefaultPartition
}

// FromEnv are the deployment facts of the Lambda fn (for ARNs and, in
// start-experiment, the template) from its environment, which has every
// variable fn needs (deploy.Env.Check), and its region.
func FromEnv(fn deploy.Function, env deploy.Env, region string) Options {
	o := Options{Account: env.AccountID, Region: region}
	if fn == deploy.StartExperiment {
		o.RoleARN, o.LogBucket, o.LogPrefix = env.FISRoleARN, env.LogBucket, env.LogPrefix
	}
	return o
}

// AlarmARN is the ARN of the CloudWatch alarm alarmName in o's account and
// region.
func AlarmARN(o Options, alarmName string) string {
	o = o.WithDefaults("")
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", o.Partition, o.Region, o.Account, alarmName)
}

// ClusterARN is the ARN of the EKS cluster name in o's account and region.
func ClusterARN(o Options, name string) string {
	o = o.WithDefaults("")
	return fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", o.Partition, o.Region, o.Account, name)
}
