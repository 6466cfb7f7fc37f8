package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/gameday-dev/gameday/pkg/awsfake"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/handlers/preflightfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

func TestNew(t *testing.T) {
	full := deploy.Env{
		AccountID: "123456789012", FISRoleARN: "arn:aws:iam::123456789012:role/gameday-fis",
		LogBucket: "logs", ArchiveBucket: "archive", LeaseTable: "leases", ExecutionTimeout: 13 * time.Hour,
		StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:gameday",
	}
	without := func(clear func(*deploy.Env)) deploy.Env {
		e := full
		clear(&e)
		return e
	}
	tests := []struct {
		name    string
		fn      deploy.Function
		env     deploy.Env
		region  string
		wantErr string // substring; "" means success
	}{
		{name: "preflight", fn: deploy.Preflight, env: full, region: "us-east-1"},
		{name: "preflight needs ACCOUNT_ID", fn: deploy.Preflight, env: without(func(e *deploy.Env) { e.AccountID = "" }), region: "us-east-1", wantErr: deploy.KeyAccountID},
		{name: "preflight reads the deployed policy", fn: deploy.Preflight, env: deploy.Env{AccountID: "123456789012", LeaseTable: "leases", ExecutionTimeout: time.Hour,
			Policy: `{"apiVersion":"gameday/v1alpha1","kind":"GameDayPolicy","metadata":{"name":"p"},"spec":{"namespaces":["shop"]}}`}, region: "us-east-1"},
		{name: "preflight refuses a bad policy", fn: deploy.Preflight, env: deploy.Env{AccountID: "123456789012", LeaseTable: "leases", ExecutionTimeout: time.Hour,
			Policy: `{"apiVersion":"gameday/v1alpha1","kind":"GameDayPolicy","metadata":{"name":"p"},"spec":{"namespace":["shop"]}}`}, region: "us-east-1", wantErr: deploy.KeyPolicy},
		{name: "start", fn: deploy.StartExperiment, env: full, region: "us-east-1"},
		{name: "start needs FIS_ROLE_ARN", fn: deploy.StartExperiment, env: without(func(e *deploy.Env) { e.FISRoleARN = "" }), region: "us-east-1", wantErr: deploy.KeyFISRoleARN},
		{name: "start needs LOG_BUCKET", fn: deploy.StartExperiment, env: without(func(e *deploy.Env) { e.LogBucket = "" }), region: "us-east-1", wantErr: deploy.KeyLogBucket},
		{name: "start needs a region", fn: deploy.StartExperiment, env: full, wantErr: deploy.KeyRegion},
		{name: "start takes AWS_REGION", fn: deploy.StartExperiment, env: deploy.Env{
			AccountID: "123456789012", FISRoleARN: "r", LogBucket: "b", Region: "eu-west-1"}},
		{name: "poll needs nothing", fn: deploy.PollExperiment, region: "us-east-1"},
		{name: "stop needs nothing", fn: deploy.StopExperiment, region: "us-east-1"},
		{name: "preflight needs LEASE_TABLE", fn: deploy.Preflight, env: without(func(e *deploy.Env) { e.LeaseTable = "" }), region: "us-east-1", wantErr: deploy.KeyLeaseTable},
		{name: "preflight needs EXECUTION_TIMEOUT", fn: deploy.Preflight, env: without(func(e *deploy.Env) { e.ExecutionTimeout = 0 }), region: "us-east-1", wantErr: deploy.KeyExecutionTimeout},
		{name: "guard", fn: deploy.Guard, env: full, region: "us-east-1"},
		{name: "guard needs LEASE_TABLE", fn: deploy.Guard, env: without(func(e *deploy.Env) { e.LeaseTable = "" }), region: "us-east-1", wantErr: deploy.KeyLeaseTable},
		{name: "sweeper", fn: deploy.Sweeper, env: full, region: "us-east-1"},
		{name: "sweeper needs STATE_MACHINE_ARN", fn: deploy.Sweeper, env: without(func(e *deploy.Env) { e.StateMachineARN = "" }), region: "us-east-1", wantErr: deploy.KeyStateMachineARN},
		{name: "archive", fn: deploy.Archive, env: full, region: "us-east-1"},
		{name: "archive needs ARCHIVE_BUCKET", fn: deploy.Archive, env: without(func(e *deploy.Env) { e.ArchiveBucket = "" }), region: "us-east-1", wantErr: deploy.KeyArchiveBucket},
		{name: "archive needs ACCOUNT_ID", fn: deploy.Archive, env: without(func(e *deploy.Env) { e.AccountID = "" }), region: "us-east-1", wantErr: deploy.KeyAccountID},
		{name: "notify", fn: deploy.Notify, env: full, region: "us-east-1"},
		{name: "notify needs LEASE_TABLE", fn: deploy.Notify, env: without(func(e *deploy.Env) { e.LeaseTable = "" }), region: "us-east-1", wantErr: deploy.KeyLeaseTable},
		{name: "unknown", fn: "deploy", env: full, region: "us-east-1", wantErr: "unknown handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := awsfake.Config("http://127.0.0.1:1")
			cfg.Region = tt.region
			h, err := New(context.Background(), tt.fn, step.Config{AWS: cfg, Env: tt.env})
			if tt.wantErr == "" {
				if err != nil || h == nil {
					t.Fatalf("New(%s) = %v, %v", tt.fn, h, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New(%s) error = %v, want one naming %s", tt.fn, err, tt.wantErr)
			}
		})
	}
	t.Run("every name is known", func(t *testing.T) {
		for _, fn := range workflow.Functions {
			if !slices.Contains(deploy.Functions, fn) {
				t.Errorf("the state machine invokes %s, which is not among %v", fn, deploy.Functions)
			}
		}
		for _, fn := range deploy.Functions {
			_, err := New(context.Background(), fn, step.Config{AWS: awsfake.Config("http://127.0.0.1:1"), Env: full})
			if err != nil {
				t.Errorf("New(%s): %v", fn, err)
			}
		}
	})
}

// TestPreflightValidator: preflight validates with the validator it is
// given, else with gameday.Check.
func TestPreflightValidator(t *testing.T) {
	bad := gameday.RunState{RunInput: gameday.RunInput{GameDay: &gameday.Spec{TypeMeta: gameday.TypeMeta{APIVersion: gameday.APIVersion, Kind: gameday.Kind}, Metadata: gameday.Metadata{Name: "Not_A_DNS_Label"}}}}
	payload, err := json.Marshal(bad)
	if err != nil {
		t.Fatal(err)
	}
	env := deploy.Env{AccountID: "123456789012", LeaseTable: "leases", ExecutionTimeout: time.Hour}
	invoke := func(validate func(*gameday.Spec) error) messages.InvokeResponse_Error {
		t.Helper()
		h, err := preflightfn.New(context.Background(), step.Config{AWS: awsfake.Config("http://127.0.0.1:1"), Env: env, Validate: validate})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.Invoke(context.Background(), payload)
		var ie messages.InvokeResponse_Error
		errors.As(err, &ie)
		return ie
	}
	if ie := invoke(nil); ie.Type != gameday.ErrNameInvalidGameDay {
		t.Errorf("default validation: errorType %q (%s), want %s", ie.Type, ie.Message, gameday.ErrNameInvalidGameDay)
	}
	refuse := errors.New("refused by the given validator")
	if ie := invoke(func(*gameday.Spec) error { return refuse }); ie.Type != gameday.ErrNameInvalidGameDay || !strings.Contains(ie.Message, refuse.Error()) {
		t.Errorf("given validator: errorType %q (%s), want %s naming %q", ie.Type, ie.Message, gameday.ErrNameInvalidGameDay, refuse)
	}
}
