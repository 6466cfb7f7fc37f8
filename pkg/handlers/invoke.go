package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// ErrorType is the errorType the state machine sees for err: its StepError
// name, Throttled for AWS throttling that outlived the SDK's retries, else
// GameDayError.
func ErrorType(err error) string {
	name := gameday.ErrorName(err)
	if name == gameday.ErrNameInternal && errors.Is(err, gameday.ErrThrottled) {
		return gameday.ErrNameThrottled
	}
	return name
}

// step wraps a step's lambda.Handler: it logs each invocation once and turns
// every error into a messages.InvokeResponse_Error whose Type is the stable
// name Step Functions' Retry and Catch match.
type step struct {
	name  string
	inner lambda.Handler
}

var _ lambda.Handler = (*step)(nil)

// newStep wraps the step function fn (a func(ctx, In) (Out, error)) named
// name.
func newStep(name string, fn any) *step {
	return &step{name: name, inner: lambda.NewHandler(fn)}
}

// Invoke runs the step.
func (s *step) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
	began := time.Now()
	defer func() {
		// A panic is a bug; it still reaches Step Functions as GameDayError
		// (Catch-able) rather than as an unnamed runtime error.
		if r := recover(); r != nil {
			attrs := append([]any{"step", s.name, "durationMs", time.Since(began).Milliseconds()}, identity(payload, nil)...)
			slog.ErrorContext(ctx, "step panicked", append(attrs, "errorType", gameday.ErrNameInternal, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))...)
			out, err = nil, messages.InvokeResponse_Error{Type: gameday.ErrNameInternal, Message: fmt.Sprintf("%s panicked: %v", s.name, r)}
		}
	}()
	out, err = s.inner.Invoke(ctx, payload)
	attrs := []any{"step", s.name, "durationMs", time.Since(began).Milliseconds()}
	attrs = append(attrs, identity(payload, out)...)
	if err != nil {
		var ie messages.InvokeResponse_Error
		if errors.As(err, &ie) && ie.Type != "" {
			ie.StackTrace = nil
			slog.ErrorContext(ctx, "step failed", append(attrs, "errorType", ie.Type, "err", ie.Message)...)
			return nil, ie
		}
		typ := ErrorType(err)
		level := slog.LevelError
		switch typ {
		case gameday.ErrNameAlarmsPending, gameday.ErrNameNotTerminal, gameday.ErrNameLogsNotReady:
			level = slog.LevelInfo // the state machine waits and retries
		case gameday.ErrNamePreflightFailed, gameday.ErrNameInvalidGameDay, gameday.ErrNameExperimentTimeout:
			level = slog.LevelWarn
		}
		slog.Log(ctx, level, "step failed", append(attrs, "errorType", typ, "err", err.Error())...)
		return nil, messages.InvokeResponse_Error{Type: typ, Message: err.Error()}
	}
	slog.InfoContext(ctx, "step done", attrs...)
	return out, nil
}

// identity finds the GameDay name, execution ARN and experiment id in a
// step's input (a RunState or an EventBridge event) and output.
func identity(payload, out []byte) []any {
	var in struct {
		GameDay *struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		} `json:"gameday"`
		Execution struct {
			ARN string `json:"arn"`
		} `json:"execution"`
		Start *struct {
			ExperimentID string `json:"experimentId"`
		} `json:"start"`
		Detail *struct {
			ExecutionARN string `json:"executionArn"`
		} `json:"detail"`
	}
	_ = json.Unmarshal(payload, &in) // best effort: the step reports bad input itself
	var name, arn, id string
	if in.GameDay != nil {
		name = in.GameDay.Metadata.Name
	}
	arn = in.Execution.ARN
	if arn == "" && in.Detail != nil {
		arn = in.Detail.ExecutionARN
	}
	if in.Start != nil {
		id = in.Start.ExperimentID
	}
	if id == "" && len(out) > 0 {
		var o struct {
			ExperimentID string   `json:"experimentId"`
			Stopped      []string `json:"stopped"` // guard
		}
		_ = json.Unmarshal(out, &o)
		id = o.ExperimentID
		if id == "" {
			id = strings.Join(o.Stopped, ",")
		}
	}
	return []any{"gameday", name, "executionArn", arn, "experimentId", id}
}
