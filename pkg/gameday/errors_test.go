package gameday

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorName(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"step error", NewStepError(ErrNameLogsNotReady, "not yet"), ErrNameLogsNotReady},
		{"wrapped step error", fmt.Errorf("archive: %w", NewStepError(ErrNamePreflightFailed, "alarm")), ErrNamePreflightFailed},
		{"throttled", fmt.Errorf("get experiment: %w", fmt.Errorf("%w: rate exceeded", ErrThrottled)), ErrNameThrottled},
		{"unavailable", fmt.Errorf("put object: %w", fmt.Errorf("%w: internal error", ErrUnavailable)), ErrNameUnavailable},
		{"a step error's own name wins over throttling", &StepError{Name: ErrNameNotTerminal, Err: ErrThrottled}, ErrNameNotTerminal},
		{"not found is internal", fmt.Errorf("x: %w", ErrNotFound), ErrNameInternal},
		{"anything else", errors.New("boom"), ErrNameInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorName(tt.err); got != tt.want {
				t.Errorf("ErrorName(%v) = %s, want %s", tt.err, got, tt.want)
			}
		})
	}
}
