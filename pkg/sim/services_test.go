package sim_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/sfnsim"
	"github.com/gameday-dev/gameday/pkg/sim/simcheck"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// TestServicesAgainstBotocore runs testdata/services.py: boto3 calls the
// CloudWatch (awsJson1_0; the Go SDK's CBOR is checked by cwsim's tests), Step Functions, DynamoDB,
// SNS, EventBridge, CloudFormation and STS operations gameday makes, the
// ways it makes them and the ways they fail, and checks each answer against
// botocore's model of the service: a success's body against the output
// shape, an error's code against the errors the model lists for the
// operation and the errors common to every AWS API, its status against the
// error shape's. The test then checks which error each failing call got.
func TestServicesAgainstBotocore(t *testing.T) {
	simcheck.Boto3(t)
	s, _ := simtest.New(t, sim.Options{})
	machine := s.StepFunctions().CreateStateMachine(sfnsim.StateMachine{Name: "gameday-ops",
		Run: func(ctx context.Context, _ sfnsim.Start, _ func(sfnsim.Event)) sfnsim.Result {
			<-ctx.Done()
			return sfnsim.Result{Status: "ABORTED"}
		}})
	s.CloudFormation().DeclareStack("gameday-ops", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		map[string]string{"StateMachineArn": machine, "ArchiveBucket": "gameday-archive"})
	simcheck.Track(t, filepath.Join("fissim", "testdata")) // services.py imports botocore_shapes.py from there
	out := simcheck.Python(t, nil, filepath.Join("testdata", "services.py"), s.URL(), machine)
	wantErr := map[string]string{
		"put alarm, period 7":                "InvalidParameterValue",
		"put alarm, namespace 256":           "InvalidParameterValue",
		"put alarm, metric name 256":         "InvalidParameterValue",
		"describe alarms, bad token":         "InvalidNextToken",
		"describe alarms, MaxRecords 101":    "InvalidParameterValue",
		"get metric data, bad token":         "InvalidNextToken",
		"alarm history, bad token":           "InvalidNextToken",
		"start execution again, other input": "ExecutionAlreadyExists",
		"start execution, bad name":          "InvalidName",
		"start execution, bad input":         "InvalidExecutionInput",
		"start execution, unknown machine":   "StateMachineDoesNotExist",
		"describe execution, unknown":        "ExecutionDoesNotExist",
		"describe execution, not an ARN":     "InvalidArn",
		"list executions, bad token":         "InvalidToken",
		"list executions, maxResults 1001":   "ValidationException",
		"list executions, unknown machine":   "StateMachineDoesNotExist",
		"execution history, unknown":         "ExecutionDoesNotExist",
		"describe state machine, unknown":    "StateMachineDoesNotExist",
		"create table again":                 "ResourceInUseException",
		"take lease again":                   "ConditionalCheckFailedException",
		"read lease, no table":               "ResourceNotFoundException",
		"release lease, other holder":        "ConditionalCheckFailedException",
		"publish, no topic":                  "NotFound",
		"describe stacks, none":              "ValidationError", // CloudFormation's answer for a stack that does not exist
	}
	simcheck.Expect(t, out, wantErr)
}
