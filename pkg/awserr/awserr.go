// Package awserr classifies AWS API errors for the whole of gameday: it is
// the one place that reads service error codes. Each kind of error has its
// set of codes (across the services gameday calls: FIS, CloudWatch, S3,
// Step Functions, CloudFormation, SNS, EventBridge, DynamoDB) and its
// sentinel in pkg/gameday (ErrNotFound, ErrConflict, ErrThrottled,
// ErrQuota, ErrUnavailable); Classify puts the sentinel in the error's chain and callers
// test it with errors.Is (IsNotFound also reads the code of an error not
// classified). A call AWS did not answer at all (the connection reset,
// refused or closed, an attempt timed out) past the SDK's retries is
// ErrUnavailable too. Which step error name the state machine sees is
// decided by gameday.ErrorName, not here.
package awserr

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// The codes of each kind, as the services spell them.
var (
	notFoundCodes = codes(
		"ResourceNotFoundException", "ResourceNotFound", "NotFoundException", "NotFound", // FIS, CloudWatch, SNS, EventBridge
		"NoSuchKey", "NoSuchBucket", // S3
		"ExecutionDoesNotExist", "StateMachineDoesNotExist", // Step Functions
	)
	conflictCodes  = codes("ConflictException", "ConcurrentModificationException", "ExecutionAlreadyExists")
	throttledCodes = codes(
		"ThrottlingException", "Throttling", "Throttled", "TooManyRequestsException",
		"RequestLimitExceeded", "RequestThrottled", "SlowDown",
		"ProvisionedThroughputExceededException", // DynamoDB
	)
	// unavailableCodes are the server errors: AWS's common InternalFailure
	// and ServiceUnavailable, S3's and SNS's InternalError, DynamoDB's
	// InternalServerError; any other 5xx answer counts too (Sentinel).
	unavailableCodes = codes(
		"InternalFailure", "ServiceUnavailable", "InternalError", "InternalServerError",
		"InternalServerException", "ServiceUnavailableException",
	)
	quotaCodes = codes(
		"ServiceQuotaExceededException", "LimitExceededException", "LimitExceeded", "LimitExceededFault",
		"ExecutionLimitExceeded",
	)
)

// kinds pairs each code set with its sentinel.
var kinds = []struct {
	sentinel error
	codes    map[string]bool
}{
	{gameday.ErrNotFound, notFoundCodes},
	{gameday.ErrConflict, conflictCodes},
	{gameday.ErrThrottled, throttledCodes},
	{gameday.ErrQuota, quotaCodes},
	{gameday.ErrUnavailable, unavailableCodes},
}

func codes(cs ...string) map[string]bool {
	m := make(map[string]bool, len(cs))
	for _, c := range cs {
		m[c] = true
	}
	return m
}

// Sentinel is the sentinel of err's AWS error code, or nil when err is not
// an AWS error or its code is of no kind gameday knows. An answer with an
// HTTP status of 500 or above whose code is of no kind (a service may name
// its server errors its own way) is ErrUnavailable; so is no answer
// (unanswered).
func Sentinel(err error) error {
	var ae smithy.APIError
	answered := errors.As(err, &ae)
	if answered {
		code := ae.ErrorCode()
		for _, k := range kinds {
			if k.codes[code] {
				return k.sentinel
			}
		}
	}
	// The SDK wraps a failed send in a response error too, of status 0.
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() > 0 {
		if re.HTTPStatusCode() >= 500 {
			return gameday.ErrUnavailable
		}
		answered = true
	}
	if !answered && unanswered(err) {
		return gameday.ErrUnavailable
	}
	return nil
}

// unanswered reports whether err is a call that got no answer from AWS: a
// failure to send the request or to read the answer that the SDK retries
// as a connection error (retry.RetryableConnectionError: the request's
// smithyhttp.RequestSendError, a connection reset, refused or closed (EOF),
// a dial, TLS or response timeout, a temporary network error), the SDK's
// retries spent. Not a cancelled call: the caller's context cancelled or
// past its deadline (the Lambda's) is no answer gameday waited for. A name
// that does not resolve is no connection error either (a wrong endpoint).
func unanswered(err error) bool {
	if cancelled(err) {
		return false
	}
	return retry.RetryableConnectionError{}.IsErrorRetryable(err) == aws.TrueTernary
}

// cancelled reports whether err is the caller's context ending: the SDK
// marks a call whose context ended (smithy.CanceledError,
// aws.RequestCanceledError, as retry.NoRetryCanceledError reads them), and
// a body read after it fails with the context's own error. That error is
// looked for itself, not with errors.Is: a net timeout (a dial's) says it
// is context.DeadlineExceeded too.
func cancelled(err error) bool {
	if (retry.NoRetryCanceledError{}).IsErrorRetryable(err) == aws.FalseTernary {
		return true
	}
	return inChain(err, func(e error) bool { return e == context.Canceled || e == context.DeadlineExceeded })
}

// inChain reports whether f holds for err or an error it wraps.
func inChain(err error, f func(error) bool) bool {
	if err == nil {
		return false
	}
	if f(err) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return inChain(u.Unwrap(), f)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if inChain(e, f) {
				return true
			}
		}
	}
	return false
}

// Classify returns err with the sentinel of its kind in the chain (the
// original error kept, its text first prefixed by the sentinel's). An
// error of no known kind, or already classified, is returned unchanged.
func Classify(err error) error {
	s := Sentinel(err)
	if s == nil || errors.Is(err, s) {
		return err
	}
	return fmt.Errorf("%w: %w", s, err)
}

// IsNotFound reports whether err is, or has a code meaning, not found.
func IsNotFound(err error) bool {
	return errors.Is(err, gameday.ErrNotFound) || Sentinel(err) == gameday.ErrNotFound
}

// IsInvalid reports whether the service refused the request as invalid
// (ValidationException). FIS answers StopExperiment on an ended experiment
// with ConflictException or, as it may, ValidationException: callers that
// stop read the experiment back on either (docs/fidelity.md). It has no
// sentinel: an invalid request is otherwise a plain error.
func IsInvalid(err error) bool { return hasCode(err, "ValidationException") }

// IsStackNotFound reports whether err is CloudFormation's answer to
// DescribeStacks for a stack that does not exist: a ValidationError, not a
// not-found code (and the only ValidationError DescribeStacks gives for a
// well-formed stack name).
func IsStackNotFound(err error) bool { return hasCode(err, "ValidationError") }

func hasCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
