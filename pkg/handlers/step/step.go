// Package step is what every gameday Lambda shares: Main (its whole
// main.go), the Config its handler is built from, and New, which turns a
// step function into a lambda.Handler that logs each invocation once and
// names its errors for Step Functions. Each function's constructor lives in
// a package of pkg/handlers that links only the AWS clients the function
// calls (archivefn, experimentfn, ...); pkg/handlers builds them all by name
// for the local runner.
package step

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// step is a step function as a lambda.Handler: it decodes the payload into
// In, calls fn, encodes its Out as aws-lambda-go would, logs each invocation
// once and turns every error into a messages.InvokeResponse_Error whose Type
// is the stable name (gameday.ErrorName, after awserr.Classify) that Step
// Functions' Retry and Catch match. The types are checked at compile time: no reflection.
type step[In, Out any] struct {
	name string
	fn   func(context.Context, In) (Out, error)
}

// New wraps the step function fn of the Lambda name.
func New[In, Out any](name deploy.Function, fn func(context.Context, In) (Out, error)) lambda.Handler {
	return &step[In, Out]{name: string(name), fn: fn}
}

// call decodes, runs and encodes, as lambda.NewHandler does.
func (s *step[In, Out]) call(ctx context.Context, payload []byte) ([]byte, error) {
	var in In
	if err := json.NewDecoder(bytes.NewReader(payload)).Decode(&in); err != nil {
		return nil, err
	}
	out, err := s.fn(ctx, in)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Invoke runs the step.
func (s *step[In, Out]) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
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
	out, err = s.call(ctx, payload)
	attrs := []any{"step", s.name, "durationMs", time.Since(began).Milliseconds()}
	attrs = append(attrs, identity(payload, out)...)
	if err != nil {
		// An AWS error a handler passed up unclassified still gets the
		// name of its kind (throttling and server errors are retried);
		// the message stays the handler's.
		typ := gameday.ErrorName(awserr.Classify(err))
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
