package deploy

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Tags gameday puts on the FIS resources it creates. The stack's IAM
// conditions compare their values, so a step may touch only the templates
// and experiments of its own state machine.
const (
	// TagName is the GameDay's name (templates, experiments, alarms).
	TagName = "gameday:name"
	// TagDigest is the digest of the GameDay a template was rendered from.
	TagDigest = "gameday:spec-digest"
	// TagExecution is the ARN of the execution that started an experiment.
	TagExecution = "gameday:execution-arn"
	// TagStateMachine is the ARN of the state machine whose executions
	// create and start a template.
	TagStateMachine = "gameday:state-machine"
	// TagStuckReported marks an experiment the sweeper has reported as
	// stuck in stopping (its value is when), so that it is reported once,
	// however many sweeps find it. It is the one tag the sweeper may set.
	TagStuckReported = "gameday:stuck-reported"
)

// TemplateTag reports whether k is a tag gameday sets on every template
// itself (not one of the GameDay's metadata.tags).
func TemplateTag(k string) bool {
	return k == TagName || k == TagDigest || k == TagStateMachine
}

// StateMachineName is the name of the stack's state machine. It is fixed,
// not generated, so that IAM conditions and the sweeper can name the
// state machine and its executions without a reference to it (the state
// machine references the functions whose roles would name it: a cycle).
func StateMachineName(stack string) string { return stack + "-run" }

// StateMachineOf is the state machine of an execution:
// arn:P:states:R:A:execution:NAME:ID gives arn:P:states:R:A:stateMachine:NAME.
func StateMachineOf(executionARN string) (string, error) {
	a, err := arn.Parse(executionARN)
	if err != nil {
		return "", fmt.Errorf("execution ARN %q: %w", executionARN, err)
	}
	parts := strings.Split(a.Resource, ":")
	if a.Service != "states" || len(parts) != 3 || parts[0] != "execution" || parts[1] == "" || parts[2] == "" {
		return "", fmt.Errorf("%q is not a Step Functions execution ARN (arn:PARTITION:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME)", executionARN)
	}
	a.Resource = "stateMachine:" + parts[1]
	return a.String(), nil
}

// ExecutionPrefix is what every execution ARN of a state machine starts
// with: arn:P:states:R:A:stateMachine:NAME gives arn:P:states:R:A:execution:NAME:.
func ExecutionPrefix(stateMachineARN string) (string, error) {
	a, err := arn.Parse(stateMachineARN)
	name, ok := strings.CutPrefix(a.Resource, "stateMachine:")
	if err != nil || a.Service != "states" || !ok || name == "" || strings.Contains(name, ":") {
		return "", fmt.Errorf("%q is not a Step Functions state machine ARN (arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME)", stateMachineARN)
	}
	a.Resource = "execution:" + name + ":"
	return a.String(), nil
}
