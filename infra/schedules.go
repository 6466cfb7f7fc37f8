package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// GameDayFile is one validated GameDay file.
type GameDayFile struct {
	// Path is the file as named to the synth (messages use it).
	Path string
	// Text is the file as written; it is archived as spec.yaml.
	Text string
	Spec *gameday.Spec
}

// LoadGameDays reads and validates every *.yaml and *.yml file in dir, in
// name order. Any invalid file fails the whole load with every problem of
// every file, one per line, as `gameday validate` prints them. Two files
// with the same metadata.name are refused (names are unique per account and
// region).
func LoadGameDays(dir string) ([]GameDayFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read gameday directory: %w", err)
	}
	var names []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var files []GameDayFile
	var problems []error
	seen := map[string]string{}
	for _, n := range names {
		path := filepath.Join(dir, n)
		// Exactly as `gameday validate` reads and checks it, with its
		// FILE:LINE:COL: path: message lines.
		spec, data, err := validate.ReadFile(path)
		if err != nil {
			var ps gameday.Problems
			if !errors.As(err, &ps) {
				err = fmt.Errorf("read gameday: %w", err)
			}
			problems = append(problems, err)
			continue
		}
		if other, dup := seen[spec.Metadata.Name]; dup {
			problems = append(problems, fmt.Errorf("%s: metadata.name: %q is also the name of %s; GameDay names are unique per account and region", path, spec.Metadata.Name, other))
			continue
		}
		seen[spec.Metadata.Name] = path
		files = append(files, GameDayFile{Path: path, Text: string(data), Spec: spec})
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return files, nil
}

// ResolveGameDaysDir picks the GameDay directory: the one given, else
// gamedays/ if it exists, else examples/ (the demo), else none ("").
func ResolveGameDaysDir(given string) string {
	if given != "" {
		return given
	}
	for _, d := range []string{"gamedays", "examples"} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return ""
}

// RunInputJSON is the execution input a schedule sends: the validated
// GameDay, the file text, source "schedule".
func RunInputJSON(f GameDayFile) (string, error) {
	b, err := json.Marshal(gameday.RunInput{GameDay: f.Spec, SpecYAML: f.Text, Source: "schedule"})
	if err != nil {
		return "", fmt.Errorf("encode run input of %s: %w", f.Path, err)
	}
	return string(b), nil
}

// MaxExecutionInput is Step Functions' limit on an execution's input.
const MaxExecutionInput = 256 * 1024

// SchedulesProps configure the schedules.
type SchedulesProps struct {
	StateMachine awsstepfunctions.IStateMachine
	GameDays     []GameDayFile
	// DeadLetters keeps the starts Scheduler gave up on.
	DeadLetters awssqs.IQueue
}

// Schedules are the EventBridge Scheduler schedules of the GameDays that
// have a schedule, and the one role they share.
type Schedules interface {
	// Schedules maps a GameDay's name to its schedule.
	Schedules() map[string]awsscheduler.CfnSchedule
	// Role is nil when no GameDay has a schedule.
	Role() awsiam.Role
}

type schedules struct {
	byName map[string]awsscheduler.CfnSchedule
	role   awsiam.Role
}

func (s *schedules) Schedules() map[string]awsscheduler.CfnSchedule { return s.byName }
func (s *schedules) Role() awsiam.Role                              { return s.role }

// NewSchedules creates one schedule per GameDay with a schedule: its
// expression and time zone, enabled as the file says, starting the state
// machine with the GameDay as input through a role that may start only this
// state machine.
func NewSchedules(scope constructs.Construct, id string, p SchedulesProps) (Schedules, error) {
	out := &schedules{byName: map[string]awsscheduler.CfnSchedule{}}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	for _, f := range p.GameDays {
		sch := f.Spec.Spec.Schedule
		if sch == nil {
			continue
		}
		if out.role == nil {
			out.role = awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
				AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
					Conditions: &map[string]any{
						"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
					},
				}),
				Description: jsii.String("gameday: lets EventBridge Scheduler start the gameday state machine, and nothing else"),
			})
			out.role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("StartGameDay"),
				Actions:   jsii.Strings("states:StartExecution"),
				Resources: &[]*string{p.StateMachine.StateMachineArn()},
			}))
			if p.DeadLetters != nil {
				out.role.AddToPrincipalPolicy(sendTo(p.DeadLetters))
			}
		}
		input, err := RunInputJSON(f)
		if err != nil {
			return nil, err
		}
		if len(input) > MaxExecutionInput {
			return nil, fmt.Errorf("schedule %s: the execution input is %d bytes, above Step Functions' %d", f.Path, len(input), MaxExecutionInput)
		}
		state := "ENABLED"
		if !sch.ScheduleEnabled() {
			state = "DISABLED"
		}
		name := f.Spec.Metadata.Name
		props := &awsscheduler.CfnScheduleProps{
			Description:        jsii.String(truncate("gameday "+name+": "+f.Spec.Metadata.Description, 512)),
			ScheduleExpression: jsii.String(sch.Expression),
			FlexibleTimeWindow: &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
			State:              jsii.String(state),
			Target: &awsscheduler.CfnSchedule_TargetProperty{
				Arn:     p.StateMachine.StateMachineArn(),
				RoleArn: out.role.RoleArn(),
				Input:   jsii.String(input),
				// A GameDay that cannot start on time is better skipped than
				// run hours late: retry for at most an hour.
				RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{
					MaximumEventAgeInSeconds: jsii.Number(3600),
					MaximumRetryAttempts:     jsii.Number(10),
				},
			},
		}
		if p.DeadLetters != nil {
			props.Target.(*awsscheduler.CfnSchedule_TargetProperty).DeadLetterConfig = &awsscheduler.CfnSchedule_DeadLetterConfigProperty{Arn: p.DeadLetters.QueueArn()}
		}
		if sch.Timezone != "" {
			props.ScheduleExpressionTimezone = jsii.String(sch.Timezone)
		}
		out.byName[name] = awsscheduler.NewCfnSchedule(c, jsii.String(name), props)
	}
	return out, nil
}

// truncate keeps at most n runes of s.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
