package preflight

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// classify maps a CloudWatch API error to gameday's sentinels, keeping the
// original in the chain: the one place that reads CloudWatch error codes.
// (FIS errors go through experiment.Classify.)
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err
	}
	var sentinel error
	switch ae.ErrorCode() {
	case "ResourceNotFound", "ResourceNotFoundException":
		sentinel = gameday.ErrNotFound
	case "ConcurrentModificationException", "ConflictException":
		sentinel = gameday.ErrConflict
	case "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded":
		sentinel = gameday.ErrThrottled
	case "LimitExceeded", "LimitExceededException", "LimitExceededFault":
		sentinel = gameday.ErrQuota
	default:
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}
