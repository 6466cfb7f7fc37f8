package experiment

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Classify maps an AWS API error to gameday's sentinels (ErrNotFound,
// ErrConflict, ErrThrottled, ErrQuota), keeping the original error in the
// chain. Errors that are not AWS API errors, or whose code means nothing to
// gameday, are returned unchanged. It is the one place that reads FIS error
// codes; other packages check the result with errors.Is.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err
	}
	var sentinel error
	switch ae.ErrorCode() {
	case "ResourceNotFoundException", "ResourceNotFound", "NotFoundException":
		sentinel = gameday.ErrNotFound
	case "ConflictException":
		sentinel = gameday.ErrConflict
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown":
		sentinel = gameday.ErrThrottled
	case "ServiceQuotaExceededException", "LimitExceededException":
		sentinel = gameday.ErrQuota
	default:
		return err
	}
	if errors.Is(err, sentinel) {
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}
