package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gameday-dev/gameday/pkg/report"
	"github.com/gameday-dev/gameday/pkg/sim"
)

// Exit codes shared by every command. The commands that wait for a run
// (run --local, start --follow, status --follow) also exit with the run's
// outcome, from report.ExitCode's table (exitCodesHelp).
const (
	exitOK          = 0
	exitInvalid     = 1 // invalid input or an orchestration error
	exitUsage       = 2
	exitInterrupted = report.ExitInterrupted
)

// exitCodesHelp is the exit-code table of the commands that wait for a
// run, for their --help and the README.
const exitCodesHelp = `Exit codes: 0 the hypothesis held; 3 it was refuted; 4 a stop condition
stopped the experiment; 5 the experiment failed or a fault did not run its
course (untested); 6 inconclusive (a check had no data); 1 an orchestration
error or invalid input; 2 usage; 130 interrupted (Ctrl-C)`

// followHelp ends the --help of start and status, whose --follow waits for
// a run.
const followHelp = "With --follow: " + exitCodesHelp + " (following stops; the run goes on)."

// runOutcome ends a command that waited for a run with the run's exit
// code (nil when the hypothesis held).
func runOutcome(status, verdict string) error {
	if code := report.ExitCode(status, verdict); code != exitOK {
		return &exitError{code: code}
	}
	return nil
}

// checkSpeed refuses a simulated clock speed outside [sim.MinSpeed,
// sim.MaxSpeed], NaN and infinities included.
func checkSpeed(v float64) error {
	if !(v >= sim.MinSpeed && v <= sim.MaxSpeed) {
		return usagef("--speed must be between %g and %g (times real time), not %v", sim.MinSpeed, sim.MaxSpeed, v)
	}
	return nil
}

// usageError is a command line that cannot be run as written: wrong
// arguments or flags. It exits 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// argsError is a command's complaint about its positional arguments, as
// what the command "takes"; parseAndRun makes it a usage error that names
// the command and points at its --help.
type argsError struct{ takes string }

func (a *argsError) Error() string { return a.takes }

func argsf(format string, args ...any) error {
	return &argsError{takes: fmt.Sprintf(format, args...)}
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

// finish prints err on one line, with a hint when there is one, unless
// the command has said it already, and returns its exit code.
func finish(e *env, err error) int {
	var x *exitError
	if err != nil && !errors.As(err, &x) {
		e.errorf("%s%s", strings.Join(strings.Fields(err.Error()), " "), hint(err))
	}
	return exitCode(err)
}

// hint says what the SDK's words leave out: a connection that a local
// endpoint refused is, most likely, a gameday sim that is not running.
func hint(err error) string {
	if at, ok := refusedLocally(err); ok {
		return fmt.Sprintf(" (is gameday sim running at %s?)", at)
	}
	return ""
}
