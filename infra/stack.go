package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/policy"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// GameDayStackProps configure one deployment of gameday (one account and
// region). Zero values take the defaults below.
type GameDayStackProps struct {
	awscdk.StackProps
	// AssetsDir holds each Lambda's <name>/bootstrap; default "dist".
	AssetsDir string
	// GameDays are the validated GameDay files; those with a schedule get
	// an EventBridge Scheduler schedule.
	GameDays []GameDayFile
	// MaxExperimentTimeout is the longest experiment timeout a run started
	// by hand may have; default 12h (FIS's own limit per action). The
	// execution timeout covers it and every scheduled GameDay's, plus
	// WorkflowMargin.
	MaxExperimentTimeout time.Duration
	// LogPrefix is where FIS writes in the log bucket; default "fis-logs/".
	LogPrefix string
	// LogWaitLimit is how long the archive waits for FIS's experiment-end
	// record; default 15m.
	LogWaitLimit time.Duration
	// LogRetentionDays applies to Lambda and state machine logs; default 90.
	// Must be one CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, 120,
	// 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).
	LogRetentionDays int
	// FISLogExpirationDays is how long raw FIS logs and S3 access logs are
	// kept; default 90 (the archive keeps its own copy).
	FISLogExpirationDays int
	// ArchiveObjectLockDays > 0 locks archived objects in compliance mode
	// for that many days; default 0 (off). It cannot be undone.
	ArchiveObjectLockDays int
	// ArchiveNoncurrentDays is how long overwritten archive versions are
	// kept; default 365.
	ArchiveNoncurrentDays int
	// NotificationEmail, when set, is subscribed to the topic.
	NotificationEmail string
	// EKSClusters are the names of the clusters GameDays target: the FIS
	// role gets an EKS access entry in each, mapped to KubernetesGroup.
	// Empty: no access entries, and the role may describe any cluster.
	EKSClusters []string
	// KubernetesGroup is the group of the access entries; default
	// "gameday-fis".
	KubernetesGroup string
	// Policy is the deployment's policy (required): preflight judges every
	// GameDay against it, and IAM says what it can of it (the FIS action
	// ids a template may hold, the clusters the FIS role may describe).
	// Its clusters default to EKSClusters, its maxExperimentDuration to
	// MaxExperimentTimeout.
	Policy *policy.Policy
}

// WorkflowMargin is added to the longest experiment timeout to make the
// execution timeout (workflow.Margin).
const WorkflowMargin = workflow.Margin

func (p *GameDayStackProps) defaults() {
	if p.AssetsDir == "" {
		p.AssetsDir = "dist"
	}
	if p.MaxExperimentTimeout == 0 {
		p.MaxExperimentTimeout = 12 * time.Hour
	}
	if p.LogPrefix == "" {
		p.LogPrefix = deploy.DefaultLogPrefix
	}
	if p.LogWaitLimit == 0 {
		p.LogWaitLimit = deploy.DefaultLogWaitLimit
	}
	if p.LogRetentionDays == 0 {
		p.LogRetentionDays = 90
	}
	if p.FISLogExpirationDays == 0 {
		p.FISLogExpirationDays = 90
	}
	if p.ArchiveNoncurrentDays == 0 {
		p.ArchiveNoncurrentDays = 365
	}
	if p.KubernetesGroup == "" {
		p.KubernetesGroup = DefaultKubernetesGroup
	}
}

// ExecutionTimeout is the state machine's execution timeout: the longest of
// MaxExperimentTimeout and every GameDay's experiment timeout, plus
// WorkflowMargin, in whole seconds.
func ExecutionTimeout(maxExperiment time.Duration, gamedays []GameDayFile) int {
	longest := maxExperiment
	for _, f := range gamedays {
		longest = max(longest, f.Spec.ExperimentTimeout())
	}
	return workflow.TimeoutSeconds(longest)
}

var retentions = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}

// GameDayStack is the deployed stack and its parts, for tests and outputs.
type GameDayStack struct {
	awscdk.Stack
	Buckets   Buckets
	Functions map[deploy.Function]GoFunction
	Workflow  Workflow
	Schedules Schedules
	// Dashboards are the GameDays' CloudWatch dashboards, by GameDay name.
	Dashboards    map[string]awscloudwatch.CfnDashboard
	Notifications Notifications
	// Policy is the policy deployed, its defaults filled.
	Policy     *policy.Policy
	LeaseTable awsdynamodb.Table
	Sweep      Sweep
	files      []GameDayFile
}

// gameDays are the GameDays the stack was built with.
func (s *GameDayStack) gameDays() []GameDayFile { return s.files }

// functionSpecs are the Lambdas, each with its description and size.
var functionSpecs = []struct {
	name        deploy.Function
	description string
	timeout     time.Duration
	memory      int
}{
	{deploy.Preflight, "gameday: validate, stage stop-condition alarms and check it is safe to start", time.Minute, 256},
	{deploy.StartExperiment, "gameday: create or update the FIS template and start the experiment", time.Minute, 256},
	{deploy.PollExperiment, "gameday: look at the experiment once", time.Minute, 256},
	{deploy.StopExperiment, "gameday: stop the experiment and confirm it ended", time.Minute, 256},
	{deploy.Archive, "gameday: archive FIS logs, spec and template; write the summary and report", 5 * time.Minute, 1024},
	{deploy.Notify, "gameday: publish the outcome of a run", time.Minute, 256},
	{deploy.Guard, "gameday: stop the experiment of a run that ended without cleaning up", time.Minute, 256},
	{deploy.Sweeper, "gameday: every 5 minutes, stop experiments whose execution no longer runs, free their leases, report stuck ones", 2 * time.Minute, 256},
}

// NewGameDayStack builds the whole deployment.
func NewGameDayStack(scope constructs.Construct, id string, p GameDayStackProps) (*GameDayStack, error) {
	retention, err := p.check()
	if err != nil {
		return nil, fmt.Errorf("build stack: %w", err)
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &p.StackProps)
	out := &GameDayStack{Stack: stack, Functions: map[deploy.Function]GoFunction{}, files: p.GameDays}
	var clusterARNs []string
	for _, name := range p.EKSClusters {
		clusterARNs = append(clusterARNs, *clusterARN(stack, name))
	}
	timeout := ExecutionTimeout(p.MaxExperimentTimeout, p.GameDays)
	deployed, policyJSON, err := deployedPolicy(p.Policy, clusterARNs, p.MaxExperimentTimeout, timeout)
	if err != nil {
		return nil, fmt.Errorf("build stack: %w", err)
	}
	out.Policy = deployed

	out.Buckets = NewBuckets(stack, "Buckets", BucketsProps{
		LogPrefix:             p.LogPrefix,
		LogExpirationDays:     p.FISLogExpirationDays,
		ArchiveObjectLockDays: p.ArchiveObjectLockDays,
		ArchiveNoncurrentDays: p.ArchiveNoncurrentDays,
	})
	fisRole := NewFISRole(stack, "FisExperimentRole", FISRoleProps{LogBucket: out.Buckets.LogBucket(), Policy: deployed})
	out.Notifications = NewNotifications(stack, "Notifications", NotificationsProps{Email: p.NotificationEmail})
	AllowCloudWatchAlarms(out.Notifications.Topic())
	out.LeaseTable = NewLeaseTable(stack, "LeaseTable")

	// The state machine's name is fixed so that the start step may be
	// allowed to describe its executions, and the sweeper told its ARN,
	// without a reference (the state machine references the steps).
	smName := deploy.StateMachineName(*stack.StackName())
	env := out.functionEnv(p, stepSettings{policyJSON: policyJSON, timeout: timeout, fisRole: fisRole, stateMachine: smName})
	if err := out.addFunctions(p, env, retention); err != nil {
		return nil, err
	}
	grantSteps(stack, out, fisRole, p, deployed, smName)
	if err := out.addWorkflow(smName, timeout, retention); err != nil {
		return nil, err
	}
	if err := out.addAroundRuns(p, fisRole); err != nil {
		return nil, err
	}
	out.addOutputs(p, fisRole)
	return out, nil
}

// check fills p's defaults, checks what CDK would not, and returns the log
// retention p asks for.
func (p *GameDayStackProps) check() (awslogs.RetentionDays, error) {
	p.defaults()
	retention, ok := retentions[p.LogRetentionDays]
	if !ok {
		return "", fmt.Errorf("log retention of %d days is not one CloudWatch Logs offers", p.LogRetentionDays)
	}
	if p.ArchiveObjectLockDays < 0 {
		return "", errors.New("archive object lock days must not be negative")
	}
	if p.StackProps.Description == nil {
		p.StackProps.Description = jsii.String("gameday: serverless chaos-engineering GameDays with AWS FIS")
	}
	if p.Policy == nil {
		return "", errors.New("no policy: every deployment has one (GameDayStackProps.Policy)")
	}
	return retention, nil
}

// stepSettings are what the Lambdas' environments take from the rest of
// the stack.
type stepSettings struct {
	policyJSON   string
	timeout      int // the execution timeout, in seconds
	fisRole      awsiam.IRole
	stateMachine string // its name
}

// functionEnv is each Lambda's environment.
func (s *GameDayStack) functionEnv(p GameDayStackProps, set stepSettings) map[deploy.Function]deploy.Env {
	account, leaseTable := *s.Stack.Account(), *s.LeaseTable.TableName()
	logBucket, logPrefix := *s.Buckets.LogBucket().BucketName(), p.LogPrefix
	topic := *s.Notifications.Topic().TopicArn()
	return map[deploy.Function]deploy.Env{
		deploy.Preflight: {
			AccountID: account, Policy: set.policyJSON, LeaseTable: leaseTable,
			ExecutionTimeout: time.Duration(set.timeout) * time.Second,
		},
		deploy.StartExperiment: {
			AccountID: account, FISRoleARN: *set.fisRole.RoleArn(), LogBucket: logBucket, LogPrefix: logPrefix,
		},
		deploy.Archive: {
			AccountID: account, ArchiveBucket: *s.Buckets.ArchiveBucket().BucketName(),
			LogBucket: logBucket, LogPrefix: logPrefix, LogWaitLimit: p.LogWaitLimit,
			Dashboards: DashboardNames(p.GameDays),
		},
		deploy.Notify: {TopicARN: topic, EventBusName: deploy.DefaultEventBusName, LeaseTable: leaseTable},
		deploy.Guard:  {LeaseTable: leaseTable},
		deploy.Sweeper: {
			LeaseTable: leaseTable, TopicARN: topic,
			StateMachineARN: arnsOf(s.Stack).stateMachine(set.stateMachine),
		},
	}
}

// addFunctions adds every Lambda of functionSpecs with its environment.
func (s *GameDayStack) addFunctions(p GameDayStackProps, env map[deploy.Function]deploy.Env, retention awslogs.RetentionDays) error {
	for _, spec := range functionSpecs {
		if err := env[spec.name].Check(spec.name); err != nil {
			return fmt.Errorf("build stack: function %s: %w", spec.name, err)
		}
		fn, err := NewGoFunction(s.Stack, spec.name.ID(), GoFunctionProps{
			Name: string(spec.name), AssetsDir: p.AssetsDir, Description: spec.description,
			Environment: jsiiStrings(env[spec.name].Vars()), Timeout: awscdk.Duration_Seconds(jsii.Number(spec.timeout.Seconds())),
			MemoryMiB: spec.memory, LogRetention: retention,
		})
		if err != nil {
			return err
		}
		s.Functions[spec.name] = fn
	}
	return nil
}

// addWorkflow adds the state machine named name, invoking the steps.
func (s *GameDayStack) addWorkflow(name string, timeout int, retention awslogs.RetentionDays) error {
	invoked := map[deploy.Function]awslambda.IFunction{}
	for _, fn := range workflow.Functions {
		invoked[fn] = s.Functions[fn].Function()
	}
	wf, err := NewWorkflow(s.Stack, "Workflow", WorkflowProps{
		Name:           name,
		Functions:      invoked,
		TimeoutSeconds: timeout,
		LogRetention:   retention,
	})
	if err != nil {
		return err
	}
	s.Workflow = wf
	return nil
}

// addAroundRuns adds what surrounds the runs of the state machine: the
// sweep and the guard of runs that ended without cleaning up, the
// schedules, the dashboards, the alarm on failed executions and the EKS
// access entries.
func (s *GameDayStack) addAroundRuns(p GameDayStackProps, fisRole awsiam.IRole) error {
	stack, sm := s.Stack, s.Workflow.StateMachine()
	sweeper, guard := s.Functions[deploy.Sweeper], s.Functions[deploy.Guard]
	s.Sweep = NewSweep(stack, "Sweep", SweeperProps{
		Sweeper: sweeper.Function(), Guard: guard.Function(), Topic: s.Notifications.Topic(),
	})
	guard.Allow("InvokeSweeper", []string{"lambda:InvokeFunction"}, []string{*sweeper.Function().FunctionArn()}, nil)
	var err error
	if s.Schedules, err = NewSchedules(stack, "Schedules", SchedulesProps{StateMachine: sm, GameDays: p.GameDays, DeadLetters: s.Sweep.ScheduleDeadLetters()}); err != nil {
		return err
	}
	if s.Dashboards, err = NewDashboards(stack, "GameDayDashboards", DashboardsProps{GameDays: p.GameDays}); err != nil {
		return err
	}
	NewGuard(stack, "GuardRule", GuardProps{StateMachine: sm, Guard: guard.Function(), DeadLetters: s.Sweep.GuardDeadLetters()})
	NewExecutionAlarm(stack, "ExecutionsFailedAlarm", sm, s.Notifications.Topic())
	NewAccessEntries(stack, "AccessEntries", fisRole, p.EKSClusters, p.KubernetesGroup)
	return nil
}

// addOutputs adds the stack outputs the CLI reads (deploy.Outputs).
func (s *GameDayStack) addOutputs(p GameDayStackProps, fisRole awsiam.IRole) {
	outputs := deploy.Outputs{
		StateMachineARN: *s.Workflow.StateMachine().StateMachineArn(),
		ArchiveBucket:   *s.Buckets.ArchiveBucket().BucketName(),
		LogBucket:       *s.Buckets.LogBucket().BucketName(),
		TopicARN:        *s.Notifications.Topic().TopicArn(),
		FISRoleARN:      *fisRole.RoleArn(),
	}
	// In key order: the template is the same at every synth.
	byKey := outputs.Map()
	for _, name := range slices.Sorted(maps.Keys(byKey)) {
		awscdk.NewCfnOutput(s.Stack, jsii.String(name), &awscdk.CfnOutputProps{Value: jsii.String(byKey[name])})
	}
	if names := DashboardNames(p.GameDays); names != "" {
		awscdk.NewCfnOutput(s.Stack, jsii.String(deploy.OutputDashboards), &awscdk.CfnOutputProps{Value: jsii.String(names)})
	}
}

// jsiiStrings is m with jsii string values (nil when empty).
func jsiiStrings(m map[string]string) map[string]*string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = jsii.String(v)
	}
	return out
}

// ApplyNag runs cdk-nag's AwsSolutions pack on the stack at synth.
func ApplyNag(stack awscdk.Stack) {
	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}
