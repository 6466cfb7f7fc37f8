package main

import (
	"flag"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
)

// policyFlag defines --policy FILE, the deployment's policy (kind
// GameDayPolicy) that validate and run --local check GameDays against.
func policyFlag(fs *flag.FlagSet, dst *string) {
	fs.StringVar(dst, "policy", "", "check against the deployment's policy `FILE` (kind GameDayPolicy), as preflight does in AWS")
}

// readPolicy reads --policy FILE; nil when none is given. A bad policy file
// gets its problems as FILE:LINE:COL lines, like a GameDay file.
func readPolicy(e *env, name string) (*policy.Policy, error) {
	if name == "" {
		return nil, nil
	}
	data, err := gameday.ReadFile(name)
	if err != nil {
		return nil, err
	}
	p, err := policy.Parse(name, data)
	if err != nil {
		printProblems(e, name, err)
		return nil, errReported
	}
	return p, nil
}
