package awserr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

func apiErr(code string) error {
	return fmt.Errorf("operation X: %w", &smithy.GenericAPIError{Code: code, Message: "m"})
}

func TestClassify(t *testing.T) {
	sentinels := []error{gameday.ErrNotFound, gameday.ErrConflict, gameday.ErrThrottled, gameday.ErrQuota, gameday.ErrUnavailable}
	tests := []struct {
		code string
		want error // nil: unchanged
	}{
		{"ResourceNotFoundException", gameday.ErrNotFound},
		{"NoSuchKey", gameday.ErrNotFound},
		{"ExecutionDoesNotExist", gameday.ErrNotFound},
		{"ConflictException", gameday.ErrConflict},
		{"ExecutionAlreadyExists", gameday.ErrConflict},
		{"ConcurrentModificationException", gameday.ErrConflict},
		{"ThrottlingException", gameday.ErrThrottled},
		{"Throttling", gameday.ErrThrottled},
		{"Throttled", gameday.ErrThrottled},
		{"RequestThrottled", gameday.ErrThrottled},
		{"SlowDown", gameday.ErrThrottled},
		{"TooManyRequestsException", gameday.ErrThrottled},
		{"ServiceQuotaExceededException", gameday.ErrQuota},
		{"LimitExceeded", gameday.ErrQuota},
		{"ExecutionLimitExceeded", gameday.ErrQuota},
		{"InternalFailure", gameday.ErrUnavailable},
		{"ServiceUnavailable", gameday.ErrUnavailable},
		{"InternalError", gameday.ErrUnavailable},
		{"InternalServerError", gameday.ErrUnavailable},
		{"ValidationException", nil},
		{"AccessDeniedException", nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			in := apiErr(tt.code)
			got := Classify(in)
			if !errors.Is(got, in) {
				t.Errorf("Classify(%v) = %v, lost the original error", in, got)
			}
			var ae smithy.APIError
			if !errors.As(got, &ae) || ae.ErrorCode() != tt.code {
				t.Errorf("Classify(%v) lost the API error", in)
			}
			for _, s := range sentinels {
				if is, want := errors.Is(got, s), s == tt.want; is != want {
					t.Errorf("errors.Is(Classify(%s), %v) = %v, want %v", tt.code, s, is, want)
				}
			}
			if tt.want == nil && got != in {
				t.Errorf("Classify(%s) = %v, want it unchanged", tt.code, got)
			}
			if again := Classify(got); again != got {
				t.Errorf("Classify twice = %v, want %v", again, got)
			}
		})
	}
	if Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
	plain := errors.New("dial tcp: refused")
	if Classify(plain) != plain || Sentinel(plain) != nil {
		t.Error("a non-API error was classified")
	}
}

// TestServerErrors: an answer of 500 or more is ErrUnavailable whatever a
// service names its code, unless the code is of a kind (S3's 503 SlowDown
// is throttling); a 4xx of no kind stays unclassified.
func TestServerErrors(t *testing.T) {
	answer := func(status int, code string) error {
		return fmt.Errorf("operation X: %w", &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      &smithy.GenericAPIError{Code: code, Message: "m"},
		})
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"502 of no kind", answer(502, "BadGateway"), gameday.ErrUnavailable},
		{"500 InternalFailure", answer(500, "InternalFailure"), gameday.ErrUnavailable},
		{"503 SlowDown", answer(503, "SlowDown"), gameday.ErrThrottled},
		{"400 of no kind", answer(400, "ValidationException"), nil},
		{"404 not found", answer(404, "NoSuchKey"), gameday.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sentinel(tt.err); got != tt.want {
				t.Errorf("Sentinel = %v, want %v", got, tt.want)
			}
			if tt.want != nil && !errors.Is(Classify(tt.err), tt.want) {
				t.Errorf("Classify(%v) is not %v", tt.err, tt.want)
			}
		})
	}
}

func TestIs(t *testing.T) {
	// classifiedAs tells the kinds that callers test with errors.Is after
	// Classify.
	classifiedAs := func(sentinel error) func(error) bool {
		return func(err error) bool { return errors.Is(Classify(err), sentinel) }
	}
	tests := []struct {
		name string
		is   func(error) bool
		yes  []error
		no   []error
	}{
		{"IsNotFound", IsNotFound, []error{apiErr("NoSuchBucket"), fmt.Errorf("x: %w", gameday.ErrNotFound)}, []error{apiErr("ThrottlingException"), nil}},
		{"conflict", classifiedAs(gameday.ErrConflict), []error{apiErr("ConflictException")}, []error{apiErr("NoSuchKey")}},
		{"throttled", classifiedAs(gameday.ErrThrottled), []error{apiErr("SlowDown"), Classify(apiErr("Throttling"))}, []error{apiErr("ConflictException")}},
		{"quota", classifiedAs(gameday.ErrQuota), []error{apiErr("LimitExceededException")}, []error{errors.New("LimitExceededException")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, err := range tt.yes {
				if !tt.is(err) {
					t.Errorf("%s(%v) = false, want true", tt.name, err)
				}
			}
			for _, err := range tt.no {
				if tt.is(err) {
					t.Errorf("%s(%v) = true, want false", tt.name, err)
				}
			}
		})
	}
}

func TestIsInvalid(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{apiErr("ValidationException"), true},
		{Classify(apiErr("ValidationException")), true},
		{apiErr("ConflictException"), false},
		{errors.New("ValidationException"), false}, // a string is not a code
		{nil, false},
	} {
		if got := IsInvalid(tt.err); got != tt.want {
			t.Errorf("IsInvalid(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestIsStackNotFound(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{apiErr("ValidationError"), true}, // CloudFormation's "Stack with id X does not exist"
		{fmt.Errorf("describe stack: %w", apiErr("ValidationError")), true},
		{apiErr("ValidationException"), false},
		{apiErr("ResourceNotFoundException"), false},
		{errors.New("ValidationError"), false},
		{nil, false},
	} {
		if got := IsStackNotFound(tt.err); got != tt.want {
			t.Errorf("IsStackNotFound(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
