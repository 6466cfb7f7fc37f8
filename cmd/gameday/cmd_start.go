package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/deployed"
)

// startCmd is `gameday start`.
type startCmd struct {
	sf     stackFlags
	follow bool
	dirs   string
}

func (c *startCmd) define(fs *flag.FlagSet) {
	c.sf.register(fs)
	fs.BoolVar(&c.follow, "follow", false, "follow the run until it ends, as 'gameday status --follow', and exit with its outcome (below)")
	fs.StringVar(&c.dirs, "dirs", strings.Join(deployed.DefaultDirs, ","), "comma-separated `directories` where a NAME is looked up (by metadata.name)")
}

func (c *startCmd) run(ctx context.Context, e *env, args []string) error {
	file, err := gameDayFile(args[0], strings.Split(c.dirs, ","))
	if err != nil {
		return err
	}
	// The file first: its problems need no AWS account.
	spec, data, err := loadGameDayFile(e, file, nil)
	if err != nil {
		return err
	}
	client, err := e.stack(ctx, &c.sf)
	if err != nil {
		return err
	}
	s, err := client.StartValid(ctx, spec, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "started %s (GameDay %s, file %s)\n", s.Name, s.GameDay, file)
	fmt.Fprintf(e.stdout, "execution: %s\n", s.ARN)
	if !c.follow {
		fmt.Fprintf(e.stdout, "follow it: gameday status --follow %s%s\n", s.Name, c.sf.repeat())
		return nil
	}
	return followRun(ctx, e, client, s.Name, deployed.DefaultInterval, &c.sf)
}

// stackFlags are the flags of the commands that use a deployed stack.
type stackFlags struct {
	stack, stateMachine, bucket, region, profile string
}

// stackArgs is the usage of the stack flags most used, for the usage
// lines of the commands that register stackFlags.
const stackArgs = "[--stack S] [--region R] [--profile P]"

func (f *stackFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.stack, "stack", "", "CloudFormation `stack` whose outputs name the state machine and the archive bucket (default "+deploy.DefaultStackName+", then "+deploy.StackName("ACCOUNT", "REGION")+")")
	fs.StringVar(&f.stateMachine, "state-machine-arn", "", "the gameday state machine's `ARN` (default: the stack's "+deploy.OutputStateMachineARN+" output)")
	fs.StringVar(&f.bucket, "archive-bucket", "", "the archive `bucket` (default: the run's own record, else the stack's "+deploy.OutputArchiveBucket+" output)")
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
// configuration chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL...) and
// the flags.
func newDeployed(ctx context.Context, f *stackFlags) (*deployed.Client, error) {
	var opts []func(*config.LoadOptions) error
	if f.region != "" {
		opts = append(opts, config.WithRegion(f.region))
	}
	if f.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(f.profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set AWS_REGION, or pass --region or a --profile with a region")
	}
	// Fail on missing credentials here, in words, rather than inside the
	// first call's error chain.
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("no usable AWS credentials: run aws configure or aws sso login, or pass --profile (%w)", err)
	}
	sfnClient := sfn.NewFromConfig(cfg)
	// A local endpoint (AWS_ENDPOINT_URL, for example gameday sim) serves
	// S3 with path-style addressing.
	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.BaseEndpoint != nil
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

// gameDayFile is the file `gameday start` runs: the argument when it is a
// file (or looks like a path), else the file under dirs whose
// metadata.name it is.
func gameDayFile(arg string, dirs []string) (string, error) {
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		return arg, nil
	}
	if ext := filepath.Ext(arg); strings.ContainsRune(arg, filepath.Separator) || strings.ContainsRune(arg, '/') || ext == ".yaml" || ext == ".yml" {
		return "", fmt.Errorf("%s: no such file", arg)
	}
	return deployed.FindGameDay(os.DirFS("."), dirs, arg)
}

// followRun follows a run, a line per change, until it ends (exit with the
// run's outcome, report.ExitCode) or ctx ends (Ctrl-C: the run goes on;
// exit 130).
func followRun(ctx context.Context, e *env, c *deployed.Client, run string, every time.Duration, sf *stackFlags) error {
	last, err := c.Follow(ctx, run, every, func(r *deployed.Run) {
		at := time.Now()
		if c.Now != nil {
			at = c.Now()
		}
		_ = deployed.WriteChange(e.stdout, at, r)
	})
	name := run
	if last != nil {
		name = last.Name
	}
	if err != nil && ctx.Err() != nil {
		e.errorf("stopped following %s; the run goes on: gameday status --follow %s%s", name, name, sf.repeat())
		return &exitError{code: exitInterrupted}
	}
	if err != nil {
		return err
	}
	if last.Archive != nil && last.Archive.Prefix != "" {
		fmt.Fprintf(e.stdout, "report: gameday report %s%s\n", name, sf.repeat())
	}
	return runOutcome(last.Status, verdictOf(last.Archive))
}
