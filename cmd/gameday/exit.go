package main

import (
	"errors"
	"fmt"
	"strings"
)

// Exit codes shared by every command (see the contract and `gameday run`).
const (
	exitOK      = 0
	exitInvalid = 1 // invalid input or an orchestration error
	exitUsage   = 2
)

// usageError is a command line that cannot be run as written: wrong
// arguments or flags. It exits 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError ends a command with code once the command has said, on its
// own, what happened (a run's outcome, the problems of a file, one per line).
type exitError struct{ code int }

func (x *exitError) Error() string { return fmt.Sprintf("exit %d", x.code) }

// errReported is invalid input whose problems the command has printed.
var errReported error = &exitError{code: exitInvalid}

// exitCode is the one mapping from a command's error to the process's exit
// code: nil 0, a usage error 2, an exitError its code, anything else 1.
func exitCode(err error) int {
	var x *exitError
	var u *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &x):
		return x.code
	case errors.As(err, &u):
		return exitUsage
	}
	return exitInvalid
}

// finish prints err on one line, unless the command has said it already,
// and returns its exit code.
func finish(e *env, err error) int {
	var x *exitError
	if err != nil && !errors.As(err, &x) {
		e.errorf("%s", strings.Join(strings.Fields(err.Error()), " "))
	}
	return exitCode(err)
}
