package deploy

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFunctionID(t *testing.T) {
	tests := []struct {
		fn   Function
		want string
	}{
		{Preflight, "Preflight"},
		{StartExperiment, "StartExperiment"},
		{PollExperiment, "PollExperiment"},
		{Guard, "Guard"},
		{Sweeper, "Sweeper"},
	}
	for _, tt := range tests {
		t.Run(string(tt.fn), func(t *testing.T) {
			if got := tt.fn.ID(); got != tt.want {
				t.Errorf("ID() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStackName(t *testing.T) {
	if got, want := StackName("123456789012", "eu-west-1"), "GameDay-123456789012-eu-west-1"; got != want {
		t.Errorf("StackName() = %q, want %q", got, want)
	}
}

var full = Env{
	AccountID: "123456789012", Region: "eu-west-1", FISRoleARN: "arn:aws:iam::123456789012:role/r",
	LogBucket: "logs", LogPrefix: "p/", ArchiveBucket: "archive", ArchiveLocation: "/home/sre/out", TopicARN: "arn:aws:sns:eu-west-1:123456789012:t",
	EventBusName: "bus", LogWaitLimit: 20 * time.Minute, Dashboards: "carts,orders",
	Policy:     `{"kind":"GameDayPolicy"}`,
	LeaseTable: "leases", ExecutionTimeout: 13 * time.Hour, StateMachineARN: "arn:aws:states:eu-west-1:123456789012:stateMachine:m",
}

func lookupOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestEnvRoundTrip: what the stack sets (Vars) is what a Lambda reads
// (LoadEnv), field for field, and every field of Env has its variable.
func TestEnvRoundTrip(t *testing.T) {
	vars := full.Vars()
	if n := reflect.TypeFor[Env]().NumField(); len(vars) != n {
		t.Errorf("Vars() has %d variables, Env has %d fields: a field without a key", len(vars), n)
	}
	got, err := LoadEnv(lookupOf(vars))
	if err != nil {
		t.Fatalf("LoadEnv() error = %v", err)
	}
	if diff := cmp.Diff(got, full); diff != "" {
		t.Errorf("LoadEnv(Vars()) (-got +want):\n%s", diff)
	}
	if v := (Env{AccountID: "1"}).Vars(); len(v) != 1 || v[KeyAccountID] != "1" {
		t.Errorf("Vars() of one field = %v, want only %s", v, KeyAccountID)
	}
}

func TestLoadEnvBadDuration(t *testing.T) {
	for _, key := range []string{KeyLogWaitLimit, KeyExecutionTimeout} {
		for _, v := range []string{"15", "-1m", "0s", "soon"} {
			_, err := LoadEnv(lookupOf(map[string]string{key: v}))
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("LoadEnv(%s=%q) error = %v, want one naming %s", key, v, err, key)
			}
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		fn      Function
		env     Env
		wantErr string
	}{
		{name: "preflight complete", fn: Preflight, env: Env{AccountID: "1", LeaseTable: "l", ExecutionTimeout: time.Hour}},
		{name: "preflight without account", fn: Preflight, env: Env{}, wantErr: "environment variable ACCOUNT_ID is not set"},
		{name: "preflight without lease table", fn: Preflight, env: Env{AccountID: "1", ExecutionTimeout: time.Hour}, wantErr: "environment variable LEASE_TABLE is not set"},
		{name: "preflight without execution timeout", fn: Preflight, env: Env{AccountID: "1", LeaseTable: "l"}, wantErr: "environment variable EXECUTION_TIMEOUT is not set"},
		{name: "guard without lease table", fn: Guard, env: Env{}, wantErr: "environment variable LEASE_TABLE is not set"},
		{name: "sweeper without state machine", fn: Sweeper, env: Env{LeaseTable: "l"}, wantErr: "environment variable STATE_MACHINE_ARN is not set"},
		{name: "start without role", fn: StartExperiment, env: Env{AccountID: "1", LogBucket: "b"}, wantErr: "environment variable FIS_ROLE_ARN is not set"},
		{name: "start without log bucket", fn: StartExperiment, env: Env{AccountID: "1", FISRoleARN: "r"}, wantErr: "environment variable LOG_BUCKET is not set"},
		{name: "archive without bucket", fn: Archive, env: Env{AccountID: "1"}, wantErr: "environment variable ARCHIVE_BUCKET is not set"},
		{name: "poll needs nothing", fn: PollExperiment, env: Env{}},
		{name: "notify needs only the lease table", fn: Notify, env: Env{LeaseTable: "l"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.env.Check(tt.fn)
			if got := errText(err); got != tt.wantErr {
				t.Errorf("Check() error = %q, want %q", got, tt.wantErr)
			}
		})
	}
	for _, fn := range Functions {
		if err := full.Check(fn); err != nil {
			t.Errorf("Check(%s) of a full environment = %v", fn, err)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	got := Env{}.WithDefaults()
	want := Env{LogPrefix: DefaultLogPrefix, EventBusName: DefaultEventBusName, LogWaitLimit: DefaultLogWaitLimit}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("WithDefaults() (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(full.WithDefaults(), full); diff != "" {
		t.Errorf("WithDefaults() changed set fields (-got +want):\n%s", diff)
	}
}

func TestOutputsRoundTrip(t *testing.T) {
	o := Outputs{StateMachineARN: "arn:sm", ArchiveBucket: "a", LogBucket: "l", TopicARN: "arn:t", FISRoleARN: "arn:r"}
	m := o.Map()
	if n := reflect.TypeFor[Outputs]().NumField(); len(m) != n {
		t.Errorf("Map() has %d outputs, Outputs has %d fields", len(m), n)
	}
	if m[OutputStateMachineARN] != "arn:sm" || m[OutputArchiveBucket] != "a" {
		t.Errorf("Map() = %v", m)
	}
	m["Unrelated"] = "x"
	if diff := cmp.Diff(ParseOutputs(m), o); diff != "" {
		t.Errorf("ParseOutputs(Map()) (-got +want):\n%s", diff)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRunFolder(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("JST", 9*3600))
	if got, want := RunFolder("gd", start, "EXP1"), "gamedays/gd/2026-01-01T18-04-05Z_EXP1/"; got != want {
		t.Errorf("RunFolder = %q, want %q", got, want)
	}
}
