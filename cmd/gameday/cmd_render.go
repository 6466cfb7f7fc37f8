package main

import (
	"context"
	"flag"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// renderCmd is `gameday render`.
type renderCmd struct {
	o fistemplate.Options
}

func (c *renderCmd) define(fs *flag.FlagSet) {
	fs.StringVar(&c.o.RoleARN, "role-arn", "", "FIS experiment role `ARN`: the deployed stack's "+deploy.OutputFISRoleARN+" output (default the placeholder "+fistemplate.RoleARNPlaceholder+")")
	fs.StringVar(&c.o.LogBucket, "log-bucket", "", "S3 `bucket` for FIS logs: the deployed stack's "+deploy.OutputLogBucket+" output (default the placeholder "+fistemplate.LogBucketPlaceholder+")")
	fs.StringVar(&c.o.LogPrefix, "log-prefix", "", "key `prefix` of FIS logs (default "+deploy.DefaultLogPrefix+")")
	fs.StringVar(&c.o.Account, "account", "", "AWS account `ID` (default: the cluster ARN's)")
	fs.StringVar(&c.o.Region, "region", "", "AWS `region` (default: the cluster ARN's)")
}

func (c *renderCmd) run(_ context.Context, e *env, args []string) error {
	o := c.o
	err := checkDeploymentFlags(o.Account, o.Region, o.RoleARN)
	if err == nil && o.LogBucket != "" && !bucketName.MatchString(o.LogBucket) {
		err = fmt.Errorf("--log-bucket %q is not an S3 bucket name: use 3 to 63 lower-case letters, digits, '.' and '-'", o.LogBucket)
	}
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	s, _, err := loadGameDayFile(e, args[0], nil)
	if err != nil {
		return err
	}
	in, err := fistemplate.Render(s, o)
	if err != nil {
		printProblems(e, args[0], err)
		return errReported
	}
	warnElsewhere(e, s, o)
	b, err := fistemplate.JSON(in)
	if err != nil {
		return err
	}
	if _, err := e.stdout.Write(b); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

var (
	accountID  = regexp.MustCompile(`^\d{12}$`)
	regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	iamRoleARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
)

// checkDeploymentFlags checks the --account, --region and --role-arn values
// a template or an access entry is made for; empty values are defaults.
func checkDeploymentFlags(account, region, roleARN string) error {
	switch {
	case account != "" && !accountID.MatchString(account):
		return fmt.Errorf("--account %q is not an AWS account ID: give its 12 digits, for example 123456789012", account)
	case region != "" && !regionName.MatchString(region):
		return fmt.Errorf("--region %q is not an AWS region name: give one such as us-east-1", region)
	case roleARN != "" && !iamRoleARN.MatchString(roleARN):
		return fmt.Errorf("--role-arn %q is not an IAM role ARN: give one such as arn:aws:iam::123456789012:role/gameday-fis", roleARN)
	}
	return nil
}

// warnElsewhere warns when the target cluster is in another account or
// region than the one the template is rendered for (FIS targets resources
// of the experiment's own account and region), or when neither the cluster
// nor the flags say which account and region, or which role and log bucket
// of the stack, so that the template holds placeholders.
func warnElsewhere(e *env, s *gameday.Spec, o fistemplate.Options) {
	if o.RoleARN == "" || o.LogBucket == "" {
		fmt.Fprintf(e.stderr, "gameday: warning: without --role-arn and --log-bucket the template has %s and %s placeholders; pass the deployed stack's outputs of those names to render it as it will be sent\n",
			fistemplate.RoleARNPlaceholder, fistemplate.LogBucketPlaceholder)
	}
	a, err := arn.Parse(s.Spec.Target.Cluster)
	if err != nil {
		if o.Account == "" || o.Region == "" {
			fmt.Fprintln(e.stderr, "gameday: warning: spec.target names the cluster by clusterName, so the template has <account> and <region> placeholders; pass --account and --region to render it as it will be sent")
		}
		return
	}
	region, account := a.Region, a.AccountID
	if (o.Region != "" && o.Region != region) || (o.Account != "" && o.Account != account) {
		fmt.Fprintf(e.stderr, "gameday: warning: the target cluster is in account %s, region %s, but the template is rendered for account %s, region %s; FIS can only target a cluster in the experiment's own account and region\n",
			account, region, orDefault(o.Account, account), orDefault(o.Region, region))
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
