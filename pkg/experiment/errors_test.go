package experiment

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gameday-dev/gameday/pkg/experiment/experimenttest"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

func TestClassify(t *testing.T) {
	plain := errors.New("dial tcp: connection refused")
	tests := []struct {
		name string
		err  error
		want error // sentinel expected with errors.Is; nil: unchanged
	}{
		{"not found", experimenttest.APIError("ResourceNotFoundException"), gameday.ErrNotFound},
		{"conflict", experimenttest.APIError("ConflictException"), gameday.ErrConflict},
		{"throttling", experimenttest.APIError("ThrottlingException"), gameday.ErrThrottled},
		{"too many requests", experimenttest.APIError("TooManyRequestsException"), gameday.ErrThrottled},
		{"quota", experimenttest.APIError("ServiceQuotaExceededException"), gameday.ErrQuota},
		{"wrapped", fmt.Errorf("operation error FIS: GetExperiment: %w", experimenttest.APIError("ResourceNotFoundException")), gameday.ErrNotFound},
		{"validation stays", experimenttest.APIError("ValidationException"), nil},
		{"not an API error", plain, nil},
	}
	sentinels := []error{gameday.ErrNotFound, gameday.ErrConflict, gameday.ErrThrottled, gameday.ErrQuota}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err)
			if !errors.Is(got, tt.err) {
				t.Errorf("Classify(%v) = %v, lost the original error", tt.err, got)
			}
			for _, s := range sentinels {
				if is, want := errors.Is(got, s), s == tt.want; is != want {
					t.Errorf("errors.Is(Classify(%v), %v) = %v, want %v", tt.err, s, is, want)
				}
			}
		})
	}
	if Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
}
