package handlers

import (
	"fmt"

	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/notify"
)

// Environment variables the handlers read (through the lookup given to New;
// the stack sets them on each Lambda, the local runner passes a map).
const (
	// EnvFISRoleARN is the FIS experiment role (start-experiment).
	EnvFISRoleARN = "FIS_ROLE_ARN"
	// EnvLogBucket is the bucket FIS logs to (start-experiment, archive).
	EnvLogBucket = "LOG_BUCKET"
	// EnvLogPrefix is the key prefix of FIS logs; default DefaultLogPrefix.
	EnvLogPrefix = "LOG_PREFIX"
	// EnvArchiveBucket is the archive bucket (archive).
	EnvArchiveBucket = "ARCHIVE_BUCKET"
	// EnvAccountID is the account the stack runs in, for ARNs
	// (preflight, start-experiment, archive).
	EnvAccountID = "ACCOUNT_ID"
	// EnvRegion is set by Lambda; the aws.Config's region wins when set.
	EnvRegion = "AWS_REGION"
	// EnvTopicARN is the SNS topic of notify (optional).
	EnvTopicARN = "TOPIC_ARN"
	// EnvEventBusName is notify's event bus; default DefaultEventBusName.
	EnvEventBusName = "EVENT_BUS_NAME"
	// EnvLogWaitLimit is how long archive waits for experiment-end (a Go
	// duration); default DefaultLogWaitLimit.
	EnvLogWaitLimit = "LOG_WAIT_LIMIT"
)

// Defaults of the optional variables.
const (
	DefaultLogPrefix    = fistemplate.DefaultLogPrefix
	DefaultEventBusName = notify.DefaultEventBus
	DefaultLogWaitLimit = "15m"
)

// env reads variables through a lookup function.
type env struct {
	lookup func(string) (string, bool)
}

// newEnv reads through lookup; a nil lookup finds nothing.
func newEnv(lookup func(string) (string, bool)) env {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	return env{lookup: lookup}
}

// required is the variable's value; a missing or empty one is an error
// naming it.
func (e env) required(name string) (string, error) {
	v, ok := e.lookup(name)
	if !ok || v == "" {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}

// optional is the variable's value, or def when it is missing or empty.
func (e env) optional(name, def string) string {
	if v, ok := e.lookup(name); ok && v != "" {
		return v
	}
	return def
}
