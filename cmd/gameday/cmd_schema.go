package main

import (
	"context"
	"fmt"

	"github.com/gameday-dev/gameday/pkg/validate"
)

// schemaCmd is `gameday schema`.
type schemaCmd struct{}

func (c *schemaCmd) run(_ context.Context, e *env, _ []string) error {
	b, err := validate.JSONSchema()
	if err != nil {
		return fmt.Errorf("generate schema: %w", err)
	}
	if _, err := e.stdout.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write schema: %w", err)
	}
	return nil
}
