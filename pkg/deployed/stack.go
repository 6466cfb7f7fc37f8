package deployed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Stack is what the CLI needs from a deployed stack.
type Stack struct {
	Name    string
	Status  string
	Outputs deploy.Outputs
	// Dashboards are the GameDays with a CloudWatch dashboard in the stack
	// (its output deploy.OutputDashboards).
	Dashboards []string
}

// StackResolver finds the state machine and the archive bucket: from the
// values given (flags) or else from the outputs of the first stack of Names
// (then MoreNames) that exists. It calls DescribeStacks at most once per
// stack name, and only when a value is not given.
type StackResolver struct {
	API DescribeStacksAPI
	// Names are the stacks to look for, in order.
	Names []string
	// MoreNames, if set, gives further names to try when none of Names
	// exists (the CLI derives GameDay-<account>-<region> from STS).
	MoreNames func(ctx context.Context) ([]string, error)
	// StateMachineARN and ArchiveBucket win over the stack's outputs.
	StateMachineARN string
	ArchiveBucket   string

	stack *Stack
}

// StateMachine returns the state machine's ARN.
func (r *StackResolver) StateMachine(ctx context.Context) (string, error) {
	return r.value(ctx, r.StateMachineARN, func(o deploy.Outputs) string { return o.StateMachineARN },
		deploy.OutputStateMachineARN, "--state-machine-arn")
}

// Bucket returns the archive bucket's name.
func (r *StackResolver) Bucket(ctx context.Context) (string, error) {
	return r.value(ctx, r.ArchiveBucket, func(o deploy.Outputs) string { return o.ArchiveBucket },
		deploy.OutputArchiveBucket, "--archive-bucket")
}

// value is given when set, else the stack's output (key), which must be
// there; flag is the one that would give it.
func (r *StackResolver) value(ctx context.Context, given string, output func(deploy.Outputs) string, key, flag string) (string, error) {
	if given != "" {
		return given, nil
	}
	s, err := r.Stack(ctx)
	if err != nil {
		return "", err
	}
	if v := output(s.Outputs); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("stack %s (%s) has no output %s: deploy gameday's stack (make deploy) or pass %s", s.Name, s.Status, key, flag)
}

// Stack describes the first stack of Names (then MoreNames) that exists.
func (r *StackResolver) Stack(ctx context.Context) (*Stack, error) {
	if r.stack != nil {
		return r.stack, nil
	}
	if r.API == nil {
		return nil, errors.New("no stack to read outputs from: pass --stack, or --state-machine-arn and --archive-bucket")
	}
	tried := r.Names
	s, err := r.first(ctx, r.Names)
	if errors.Is(err, gameday.ErrNotFound) && r.MoreNames != nil {
		more, merr := r.MoreNames(ctx)
		if merr != nil {
			return nil, fmt.Errorf("find gameday stack: %w", merr)
		}
		tried = append(append([]string(nil), tried...), more...)
		s, err = r.first(ctx, more)
	}
	if errors.Is(err, gameday.ErrNotFound) {
		return nil, fmt.Errorf("find gameday stack: %w: none of %s exists in this account and region; name it with --stack, or pass --state-machine-arn and --archive-bucket",
			gameday.ErrNotFound, strings.Join(tried, ", "))
	}
	if err != nil {
		return nil, err
	}
	r.stack = s
	return s, nil
}

func (r *StackResolver) first(ctx context.Context, names []string) (*Stack, error) {
	for _, name := range names {
		out, err := r.API.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		if err = classifyStack(err); errors.Is(err, gameday.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("describe stack %s: %w", name, err)
		}
		if len(out.Stacks) == 0 {
			continue
		}
		st := out.Stacks[0]
		outputs := make(map[string]string, len(st.Outputs))
		for _, o := range st.Outputs {
			outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
		}
		s := &Stack{Name: aws.ToString(st.StackName), Status: string(st.StackStatus), Outputs: deploy.ParseOutputs(outputs)}
		if v := outputs[deploy.OutputDashboards]; v != "" {
			s.Dashboards = strings.Split(v, ",")
		}
		return s, nil
	}
	return nil, gameday.ErrNotFound
}

// DashboardURL is the console URL of the run's GameDay's CloudWatch
// dashboard, or "" when the stack built none for it (or is not known: the
// state machine was given by flag).
func (c *Client) DashboardURL(ctx context.Context, r *Run) string {
	if r.GameDay == "" || c.Stack == nil || c.Stack.API == nil {
		return ""
	}
	s, err := c.Stack.Stack(ctx)
	if err != nil || !slices.Contains(s.Dashboards, r.GameDay) {
		return ""
	}
	a, err := arn.Parse(r.ARN)
	if err != nil || a.Region == "" {
		return ""
	}
	return gameday.DashboardURL(a.Region, r.GameDay)
}
