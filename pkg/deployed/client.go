package deployed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// Client starts, follows and reports GameDay runs on a deployed stack. One
// *sfn.Client fills Starter, Executions and Lister; one *s3.Client fills
// Objects and Keys. A field a command does not use may be nil.
type Client struct {
	Stack      *StackResolver
	Starter    StartExecutionAPI
	Executions DescribeExecutionAPI
	Lister     sfn.ListExecutionsAPIClient
	Objects    GetObjectAPI
	Keys       s3.ListObjectsV2APIClient
	// Now is the client's clock (default time.Now), for execution names and
	// follow lines when Step Functions' answers carry no Date.
	Now func() time.Time
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// ExecutionARN turns a run, given as an execution ARN or as an execution
// name, into the execution's ARN. Only a name needs the state machine.
func (c *Client) ExecutionARN(ctx context.Context, run string) (string, error) {
	if strings.HasPrefix(run, "arn:") {
		a, err := arn.Parse(run)
		if parts := strings.Split(a.Resource, ":"); err != nil || a.Service != "states" || len(parts) != 3 || parts[0] != "execution" {
			return "", fmt.Errorf("%s is not a Step Functions execution ARN (arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME)", run)
		}
		return run, nil
	}
	if err := checkExecutionName(run); err != nil {
		return "", err
	}
	sm, err := c.Stack.StateMachine(ctx)
	if err != nil {
		return "", err
	}
	return executionARN(sm, run)
}

// executionARN is the ARN of the execution name of state machine sm:
// arn:aws:states:R:A:stateMachine:SM becomes arn:aws:states:R:A:execution:SM:NAME.
func executionARN(sm, name string) (string, error) {
	a, err := arn.Parse(sm)
	kind, machine, ok := strings.Cut(a.Resource, ":")
	if err != nil || a.Service != "states" || kind != "stateMachine" || !ok || machine == "" || strings.Contains(machine, ":") {
		return "", fmt.Errorf("%s is not a Step Functions state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)", sm)
	}
	a.Resource = "execution:" + machine + ":" + name
	return a.String(), nil
}

// checkExecutionName checks a name as Step Functions does: 1 to 80
// characters, none of them whitespace, brackets, wildcards, punctuation
// Step Functions refuses, or control characters.
func checkExecutionName(name string) error {
	if name == "" || len(name) > 80 {
		return fmt.Errorf("execution name %q: want 1 to 80 characters", name)
	}
	for _, r := range name {
		if r <= 0x20 || (r >= 0x7f && r <= 0x9f) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return fmt.Errorf("execution name %q: %q is not allowed in an execution name", name, r)
		}
	}
	return nil
}
