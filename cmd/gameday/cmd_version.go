package main

import (
	"context"
	"fmt"
)

// versionCmd is `gameday version` (and `gameday --version`): doctor's first
// line alone, buildInfo.
type versionCmd struct{}

func (c *versionCmd) run(_ context.Context, e *env, _ []string) error {
	_, err := fmt.Fprintln(e.stdout, buildInfo())
	return err
}
