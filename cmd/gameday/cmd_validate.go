package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
)

// validateCmd is `gameday validate`.
type validateCmd struct {
	quiet  bool
	policy string
}

func (c *validateCmd) define(fs *flag.FlagSet) {
	fs.BoolVar(&c.quiet, "quiet", false, "print nothing for valid files")
	policyFlag(fs, &c.policy)
}

// run checks every file, even after one fails: "ok FILE" on stdout, or each
// problem on its own line on stderr.
func (c *validateCmd) run(_ context.Context, e *env, args []string) error {
	pol, err := readPolicy(e, c.policy)
	if err != nil {
		return err
	}
	for _, name := range args {
		if _, _, ferr := loadGameDayFile(e, name, pol); ferr != nil {
			if !errors.Is(ferr, errReported) {
				e.errorf("%v", ferr)
			}
			err = errReported
		} else if !c.quiet {
			fmt.Fprintf(e.stdout, "ok %s\n", name)
		}
	}
	return err
}
