// Command infra is gameday's CDK app: one stack per account and region
// (cdk.json context "gameday"), each from the GameDay files of its
// directory, validated at synth. `make synth` runs it with CDK_OUTDIR;
// `make deploy` and `make diff` through the pinned CDK CLI. It is the only
// place that reads the environment and the context.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	cfg, err := ParseConfig(app.Node().TryGetContext(jsii.String("gameday")))
	if err != nil {
		return err
	}
	if s, ok := app.Node().TryGetContext(jsii.String("gamedaysDir")).(string); ok && s != "" {
		cfg.GameDaysDir = s
	}
	if s, ok := app.Node().TryGetContext(jsii.String("assetsDir")).(string); ok && s != "" {
		cfg.AssetsDir = s
	}
	deployments := cfg.Deployments
	if len(deployments) == 0 {
		// The CLI's current account and region (unset outside the CLI:
		// the stack is then environment-agnostic).
		deployments = []Deployment{{
			StackName: deploy.DefaultStackName,
			Account:   os.Getenv("CDK_DEFAULT_ACCOUNT"),
			Region:    os.Getenv("CDK_DEFAULT_REGION"),
		}}
	}
	for _, d := range deployments {
		if err := addStack(app, cfg, d); err != nil {
			return err
		}
	}
	app.Synth(nil)
	return nil
}

func addStack(app awscdk.App, cfg Config, d Deployment) error {
	s := cfg.Defaults.merge(d.Settings)
	props, err := s.Props()
	if err != nil {
		return fmt.Errorf("stack %s: %w", d.Name(), err)
	}
	dir := s.GameDaysDir
	if dir == "" {
		dir = ResolveGameDaysDir(cfg.GameDaysDir)
	}
	if props.Policy, err = LoadPolicy(s.Policy); err != nil {
		return fmt.Errorf("stack %s: %w", d.Name(), err)
	}
	if dir != "" {
		files, err := LoadGameDays(dir)
		if err != nil {
			return fmt.Errorf("stack %s: invalid GameDay files:\n%w", d.Name(), err)
		}
		props.GameDays = ForDeployment(files, d.Account, d.Region)
	}
	// Judged as preflight will judge them: the clusters of a policy that
	// names none are the deployment's eksClusters.
	var clusters []string
	for _, name := range s.EKSClusters {
		clusters = append(clusters, deploymentClusterARN(d, name))
	}
	maxExperiment := props.MaxExperimentTimeout
	if maxExperiment == 0 {
		maxExperiment = gameday.MaxMaxDuration
	}
	if err := CheckScheduled(props.GameDays, props.Policy.WithDefaults(clusters, maxExperiment), policy.Where{Account: d.Account, Region: d.Region}); err != nil {
		return fmt.Errorf("stack %s: scheduled GameDays outside the policy %s:\n%w", d.Name(), s.Policy, err)
	}
	props.AssetsDir = cfg.AssetsDir
	props.Env = stackEnv(d.Account, d.Region)
	stack, err := NewGameDayStack(app, d.Name(), props)
	if err != nil {
		return fmt.Errorf("stack %s: %w", d.Name(), err)
	}
	ApplyNag(stack.Stack)
	return nil
}
