package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gameday-dev/gameday/pkg/awsenv"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/deployed"
)

// stackFlags are the flags of the commands that use a deployed stack.
type stackFlags struct {
	stack, stateMachine, bucket, region, profile string
}

// stackArgs is the usage of the stack flags most used, for the usage
// lines of the commands that register stackFlags.
const stackArgs = "[--stack S] [--region R] [--profile P]"

// register defines the stack flags of the commands that start or read
// executions: the archive's and --state-machine-arn.
func (f *stackFlags) register(fs *flag.FlagSet) {
	f.registerArchive(fs)
	fs.StringVar(&f.stateMachine, "state-machine-arn", "", "the gameday state machine's `ARN` (default: the stack's "+deploy.OutputStateMachineARN+" output)")
}

// registerArchive defines the stack flags of the commands that read only
// the archive bucket (list, history): no --state-machine-arn, which they
// would not use.
func (f *stackFlags) registerArchive(fs *flag.FlagSet) {
	fs.StringVar(&f.stack, "stack", "", "CloudFormation `stack` whose outputs name the state machine and the archive bucket (default "+deploy.DefaultStackName+", then "+deploy.StackName("ACCOUNT", "REGION")+")")
	fs.StringVar(&f.bucket, "archive-bucket", "", "the archive `bucket` (default: for one run, the bucket its execution recorded; else the stack's "+deploy.OutputArchiveBucket+" output)")
	fs.StringVar(&f.region, "region", "", "AWS `region` (default: AWS_REGION or the profile's)")
	fs.StringVar(&f.profile, "profile", "", "AWS shared config `profile` (default: AWS_PROFILE)")
}

// repeat is the flags to repeat in a suggested command, so that it talks
// to the same stack.
func (f *stackFlags) repeat() string {
	var b strings.Builder
	for _, kv := range [][2]string{{"stack", f.stack}, {"state-machine-arn", f.stateMachine}, {"archive-bucket", f.bucket}, {"region", f.region}, {"profile", f.profile}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " --%s %s", kv[0], kv[1])
		}
	}
	return b.String()
}

// newDeployed makes the client of a deployed stack from the default AWS
// configuration chain and the flags.
func newDeployed(ctx context.Context, f *stackFlags) (*deployed.Client, error) {
	cfg, err := loadAWSConfig(ctx, f.region, f.profile)
	if err != nil {
		return nil, err
	}
	// Fail on missing credentials here, in words, rather than inside the
	// first call's error chain.
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("no usable AWS credentials: run aws configure or aws sso login, or pass --profile (%w)", err)
	}
	sfnClient := sfn.NewFromConfig(cfg)
	// A local endpoint (gameday sim, however it is set: AWS_ENDPOINT_URL,
	// AWS_ENDPOINT_URL_S3, a profile's endpoint_url) serves S3 with
	// path-style addressing. o.BaseEndpoint is the client's resolved
	// endpoint, the service's own included, where cfg's is the general one.
	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = o.BaseEndpoint != nil
		// Objects FIS or a copy wrote may carry no checksum to validate: no warning.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	r := &deployed.StackResolver{
		API:             cloudformation.NewFromConfig(cfg),
		Names:           []string{deploy.DefaultStackName},
		StateMachineARN: f.stateMachine,
		ArchiveBucket:   f.bucket,
	}
	if f.stack != "" {
		r.Names = []string{f.stack}
	} else {
		r.MoreNames = func(ctx context.Context) ([]string, error) {
			id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				return nil, fmt.Errorf("get caller identity: %w", err)
			}
			return []string{deploy.StackName(aws.ToString(id.Account), cfg.Region)}, nil
		}
	}
	return &deployed.Client{
		Stack: r, Starter: sfnClient, Executions: sfnClient, Lister: sfnClient,
		Objects: s3Client, Keys: s3Client,
	}, nil
}

// loadAWSConfig loads the default AWS configuration chain (AWS_PROFILE,
// AWS_REGION, AWS_ENDPOINT_URL...) with the --region and --profile flags of
// the commands that call AWS, and requires a region. Each attempt's waits
// on AWS are bounded as the Lambdas' are (awsenv.HTTPClient), so a call
// AWS never answers is retried, and then an error, not a CLI that hangs.
func loadAWSConfig(ctx context.Context, region, profile string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithHTTPClient(awsenv.HTTPClient(deploy.AWSWait))}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load aws config: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: set AWS_REGION, or pass --region or a --profile with a region")
	}
	return cfg, nil
}
