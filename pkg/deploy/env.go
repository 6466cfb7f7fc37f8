package deploy

import (
	"fmt"
	"strings"
	"time"
)

// Names of the environment variables, for messages and documentation; code
// sets and reads the fields of Env.
const (
	KeyAccountID        = "ACCOUNT_ID"
	KeyRegion           = "AWS_REGION"
	KeyFISRoleARN       = "FIS_ROLE_ARN"
	KeyLogBucket        = "LOG_BUCKET"
	KeyLogPrefix        = "LOG_PREFIX"
	KeyArchiveBucket    = "ARCHIVE_BUCKET"
	KeyArchiveLocation  = "ARCHIVE_LOCATION"
	KeyTopicARN         = "TOPIC_ARN"
	KeyEventBusName     = "EVENT_BUS_NAME"
	KeyLogWaitLimit     = "LOG_WAIT_LIMIT"
	KeyDashboards       = "DASHBOARDS"
	KeyLeaseTable       = "LEASE_TABLE"
	KeyExecutionTimeout = "EXECUTION_TIMEOUT"
	KeyStateMachineARN  = "STATE_MACHINE_ARN"
	KeyPolicy           = "GAMEDAY_POLICY"
)

// Defaults of the optional variables (see WithDefaults).
const (
	DefaultLogPrefix    = "fis-logs/"
	DefaultEventBusName = "default"
	DefaultLogWaitLimit = 15 * time.Minute
)

// Env is the environment of gameday's Lambdas: the stack sets it on each
// function (the fields that function reads), the local runner passes it
// whole, and each functions/<name>/main.go reads it with LoadEnv. An empty
// field is an unset variable.
type Env struct {
	// AccountID is the account the stack runs in, for ARNs (preflight,
	// start-experiment, archive).
	AccountID string
	// Region is set by Lambda itself (the stack must not set it); an
	// aws.Config's region wins over it.
	Region string
	// FISRoleARN is the FIS experiment role (start-experiment).
	FISRoleARN string
	// LogBucket and LogPrefix are where FIS logs (start-experiment,
	// archive); LogPrefix defaults to DefaultLogPrefix.
	LogBucket string
	LogPrefix string
	// ArchiveBucket receives the archives (archive).
	ArchiveBucket string
	// ArchiveLocation is where people find the archive bucket's objects
	// afterwards, as the report names them (archive): unset, s3://<bucket>;
	// a local run sets the folder it downloads the archive into, since the
	// simulator's bucket is gone once the run ends.
	ArchiveLocation string
	// TopicARN is notify's SNS topic; empty: no message.
	TopicARN string
	// EventBusName is notify's event bus; default DefaultEventBusName.
	EventBusName string
	// LogWaitLimit is how long the archive waits for experiment-end (a Go
	// duration such as 15m); default DefaultLogWaitLimit.
	LogWaitLimit time.Duration
	// Policy is the deployment's policy as JSON (policy.Policy.JSON, its
	// defaults filled at synth) that preflight judges every GameDay
	// against; the stack always sets it. Empty (a local run without
	// --policy): preflight checks no policy.
	Policy string
	// LeaseTable is the DynamoDB table of run leases (preflight, notify,
	// guard, sweeper).
	LeaseTable string
	// ExecutionTimeout is the state machine's execution timeout, a Go
	// duration such as 13h (preflight: a lease lasts this long past the
	// execution's start, plus lease.Slack).
	ExecutionTimeout time.Duration
	// StateMachineARN is this stack's state machine (sweeper).
	StateMachineARN string
	// Dashboards names, comma-separated, the GameDays the stack built a
	// CloudWatch dashboard for (archive: the report links to it).
	Dashboards string
}

// DashboardList is Dashboards as a list.
func (e Env) DashboardList() []string {
	if e.Dashboards == "" {
		return nil
	}
	return strings.Split(e.Dashboards, ",")
}

// strings pairs each text variable with its field: the one place a key
// meets its field.
func (e *Env) strings() []binding {
	return []binding{
		{KeyAccountID, &e.AccountID}, {KeyRegion, &e.Region}, {KeyFISRoleARN, &e.FISRoleARN},
		{KeyLogBucket, &e.LogBucket}, {KeyLogPrefix, &e.LogPrefix}, {KeyArchiveBucket, &e.ArchiveBucket},
		{KeyArchiveLocation, &e.ArchiveLocation},
		{KeyTopicARN, &e.TopicARN}, {KeyEventBusName, &e.EventBusName}, {KeyDashboards, &e.Dashboards},
		{KeyPolicy, &e.Policy},
		{KeyLeaseTable, &e.LeaseTable}, {KeyStateMachineARN, &e.StateMachineARN},
	}
}

// needs lists the variables each function cannot start without (the
// region is needed too, but Lambda sets it).
var needs = map[Function][]string{
	Preflight:       {KeyAccountID, KeyLeaseTable, KeyExecutionTimeout},
	StartExperiment: {KeyAccountID, KeyFISRoleARN, KeyLogBucket},
	Archive:         {KeyAccountID, KeyArchiveBucket},
	Notify:          {KeyLeaseTable},
	Guard:           {KeyLeaseTable},
	Sweeper:         {KeyLeaseTable, KeyStateMachineARN},
}

// LoadEnv reads every variable of Env through lookup (os.LookupEnv in a
// Lambda). An empty value is an unset variable; a LOG_WAIT_LIMIT that is
// not a positive duration is an error naming it.
func LoadEnv(lookup func(string) (string, bool)) (Env, error) {
	var e Env
	for _, v := range e.strings() {
		*v.val, _ = lookup(v.key)
	}
	for _, v := range e.durations() {
		if s, _ := lookup(v.key); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return e, fmt.Errorf("environment variable %s: %q is not a positive Go duration such as %s", v.key, s, v.example)
			}
			*v.val = d
		}
	}
	return e, nil
}

// durationBinding pairs a duration variable with its field.
type durationBinding struct {
	key, example string
	val          *time.Duration
}

// durations pairs each duration variable with its field.
func (e *Env) durations() []durationBinding {
	return []durationBinding{
		{KeyLogWaitLimit, "15m", &e.LogWaitLimit}, {KeyExecutionTimeout, "13h", &e.ExecutionTimeout},
	}
}

// Vars are the variables e sets, for the stack's function environments:
// no entry for an empty field.
func (e Env) Vars() map[string]string {
	out := toMap(e.strings(), false)
	for _, v := range e.durations() {
		if *v.val > 0 {
			out[v.key] = v.val.String()
		}
	}
	return out
}

// Check is nil when e has every variable fn needs, else an error naming
// the first one missing.
func (e Env) Check(fn Function) error {
	set := e.Vars()
	for _, key := range needs[fn] {
		if set[key] == "" {
			return fmt.Errorf("environment variable %s is not set", key)
		}
	}
	return nil
}

// WithDefaults fills the optional variables that are unset.
func (e Env) WithDefaults() Env {
	if e.LogPrefix == "" {
		e.LogPrefix = DefaultLogPrefix
	}
	if e.EventBusName == "" {
		e.EventBusName = DefaultEventBusName
	}
	if e.LogWaitLimit <= 0 {
		e.LogWaitLimit = DefaultLogWaitLimit
	}
	return e
}
