package gameday

import (
	"errors"
	"fmt"
)

// Error names the state machine matches in Retry and Catch. They are the
// errorType of the Lambda's error response, so they must not change.
const (
	ErrNamePreflightFailed   = "PreflightFailed"       // refused to start; nothing was started
	ErrNameInvalidGameDay    = "InvalidGameDay"        // the GameDay failed validation
	ErrNameInvalidInput      = "InvalidInput"          // the execution input carries more than a GameDay (the first states refuse it)
	ErrNamePolicyViolation   = "PolicyViolation"       // preflight: the GameDay is outside the deployment's policy; nothing was started
	ErrNameExperimentTimeout = "ExperimentTimeout"     // past timeouts.experiment
	ErrNameThrottled         = "Throttled"             // AWS throttled us past the SDK's retries
	ErrNameUnavailable       = "AWSUnavailable"        // an AWS service failed (5xx) or did not answer, past the SDK's retries
	ErrNameNotTerminal       = "ExperimentNotTerminal" // stop could not confirm a terminal state yet
	ErrNameLogsNotReady      = "LogsNotReady"          // archive: experiment-end not delivered yet
	ErrNameAlarmsPending     = "AlarmsPending"         // preflight: a stop-condition alarm is still INSUFFICIENT_DATA
	ErrNameInternal          = "GameDayError"          // anything else
)

// StepError is an error with a stable name for the state machine.
type StepError struct {
	Name string
	Err  error
}

func (e *StepError) Error() string { return e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// NewStepError names err.
func NewStepError(name string, format string, args ...any) error {
	return &StepError{Name: name, Err: fmt.Errorf(format, args...)}
}

// ErrorName is the stable name of err, the errorType the state machine
// sees: the outermost StepError's; else ErrNameThrottled for AWS throttling
// that outlived the SDK's retries (ErrThrottled in the chain), or
// ErrNameUnavailable for an AWS server error, or a call AWS did not
// answer, that did (ErrUnavailable);
// else ErrNameInternal. It is the one place that names a step's error.
func ErrorName(err error) string {
	var se *StepError
	switch {
	case errors.As(err, &se):
		return se.Name
	case errors.Is(err, ErrThrottled):
		return ErrNameThrottled
	case errors.Is(err, ErrUnavailable):
		return ErrNameUnavailable
	}
	return ErrNameInternal
}

// Sentinels that pkg/awserr maps AWS error codes to (checked with errors.Is).
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrThrottled = errors.New("throttled")
	ErrQuota     = errors.New("service quota exceeded")
	// ErrUnavailable is a server error (HTTP 5xx), or no answer at all (the
	// connection reset, refused or closed, an attempt timed out): the
	// service or the way to it failed, not the request, so the same
	// request may well work a little later.
	ErrUnavailable = errors.New("service unavailable")
)
