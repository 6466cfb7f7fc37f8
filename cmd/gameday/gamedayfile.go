package main

import (
	"errors"
	"fmt"
	"strings"

	// Time zones for schedule.timezone, without relying on the system's tzdata.
	_ "time/tzdata"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// loadGameDayFile reads a GameDay file and checks it with every rule (the
// typed Chaos Mesh checks included), and against pol when it is not nil, for
// every command that takes one: validate, render, rbac, run and start. On a
// problem it prints them, one line each, and returns errReported; a file it
// cannot read is an error to print.
func loadGameDayFile(e *env, name string, pol *policy.Policy) (*gameday.Spec, []byte, error) {
	s, data, err := validate.ReadFileUnder(name, pol, policy.Where{})
	var ps gameday.Problems
	if errors.As(err, &ps) {
		printProblems(e, name, err)
		return nil, nil, errReported
	}
	if err != nil {
		return nil, nil, err
	}
	return s, data, nil
}

// printProblems prints err one line per problem: each joined error on its
// own line, prefixed with the file name unless it already starts with it.
func printProblems(e *env, name string, err error) {
	var lines []string
	var walk func(err error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, inner := range j.Unwrap() {
				walk(inner)
			}
			return
		}
		for _, l := range strings.Split(err.Error(), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
	}
	// Render wraps its joined problems once ("render template X: ..."):
	// unwrap that layer so each problem gets its own line.
	if u := errors.Unwrap(err); u != nil {
		if _, joined := u.(interface{ Unwrap() []error }); joined {
			err = u
		}
	}
	walk(err)
	for _, l := range lines {
		if !strings.HasPrefix(l, name+":") {
			l = name + ": " + l
		}
		fmt.Fprintln(e.stderr, l)
	}
}
