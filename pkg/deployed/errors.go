package deployed

import (
	"errors"

	"github.com/aws/smithy-go"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// apiError is an AWS API error that gameday knows: it reads as the
// service's code and message only (not the SDK's operation, status and
// request id, which a user of the CLI does not need on the one error line),
// and unwraps to both the sentinel and the original error.
type apiError struct {
	sentinel error
	err      error
	text     string
}

func (e *apiError) Error() string   { return e.text }
func (e *apiError) Unwrap() []error { return []error{e.sentinel, e.err} }

// classify maps the AWS errors of the calls this package makes (Step
// Functions, CloudFormation, S3) to gameday's sentinels (awserr.Sentinel),
// keeping the original in the chain, and shortens an API error's text for
// the CLI's one error line; callers check the result with errors.Is. A
// call AWS did not answer (ErrUnavailable without an API error) keeps its
// text; errors of no kind awserr knows are returned unchanged.
func classify(err error) error {
	var ae smithy.APIError
	sentinel := awserr.Sentinel(err)
	switch {
	case sentinel == nil:
		return err
	case !errors.As(err, &ae):
		return &apiError{sentinel: sentinel, err: err, text: err.Error()}
	}
	text := ae.ErrorCode()
	if m := ae.ErrorMessage(); m != "" {
		text += ": " + m
	}
	return &apiError{sentinel: sentinel, err: err, text: text}
}

// classifyStack is classify for DescribeStacks, where CloudFormation
// answers a stack that does not exist with a ValidationError
// (awserr.IsStackNotFound).
func classifyStack(err error) error {
	var ae smithy.APIError
	if awserr.IsStackNotFound(err) && errors.As(err, &ae) {
		return &apiError{sentinel: gameday.ErrNotFound, err: err, text: ae.ErrorMessage()}
	}
	return classify(err)
}
