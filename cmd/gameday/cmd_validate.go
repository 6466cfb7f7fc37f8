package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/gameday-dev/gameday/pkg/policy"
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
// problem on its own line on stderr. Without a policy, a valid file with
// no stop condition gets a warning on stderr: every deployment's policy
// refuses it unless that policy says otherwise.
func (c *validateCmd) run(_ context.Context, e *env, args []string) error {
	pol, err := readPolicy(e, c.policy)
	if err != nil {
		return err
	}
	for _, name := range args {
		spec, _, ferr := loadGameDayFile(e, name, pol)
		switch {
		case ferr != nil:
			if !errors.Is(ferr, errReported) {
				e.errorf("%v", ferr)
			}
			err = errReported
		case c.quiet:
		default:
			fmt.Fprintf(e.stdout, "ok %s\n", name)
			if pol == nil && len(spec.Spec.StopConditions) == 0 {
				fmt.Fprintf(e.stderr, "%s: warning: spec.stopConditions: none, so nothing but maxDuration ends the faults early; "+
					"a deployment's policy refuses this file unless it sets %s: false (check with --policy FILE)\n", name, policy.RuleRequireStopConditions)
			}
		}
	}
	return err
}
