// Command gameday validates, renders and runs chaos-engineering GameDays on
// AWS Fault Injection Service, locally against an embedded simulator or
// against a deployed stack.
//
// Each subcommand is a struct in its own file (cmd_<name>.go; list shares
// cmd_history.go) whose fields are its flags; commands.go lists them with their usage lines and
// summaries, and parses a command line for them. A command returns an error,
// and exit.go alone turns it into the process's exit code.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gameday-dev/gameday/pkg/deployed"
)

// env is what a command may touch: its streams and how it reaches a
// deployed stack.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// terminal says stdout is a terminal that is not an *os.File (tests
	// of what a terminal shows); an *os.File is asked.
	terminal bool
	// deployed makes the client of a deployed stack; nil means from the
	// default AWS configuration chain (newDeployed). Tests give fakes.
	deployed func(ctx context.Context, f *stackFlags) (*deployed.Client, error)
}

// errorf prints one readable error line on stderr.
func (e *env) errorf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "gameday: "+format+"\n", args...)
}

// stack is the client of the deployed stack the flags name.
func (e *env) stack(ctx context.Context, f *stackFlags) (*deployed.Client, error) {
	if e.deployed != nil {
		return e.deployed(ctx, f)
	}
	return newDeployed(ctx, f)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 && args[0] == "help" {
			return run(ctx, []string{args[1], "--help"}, e)
		}
		usage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args[0] = "version"
	}
	c := lookup(args[0])
	if c == nil {
		return finish(e, usagef("unknown command %q; run 'gameday --help' for the list", args[0]))
	}
	return finish(e, parseAndRun(ctx, e, c, args[1:]))
}

func usage(w io.Writer) {
	fmt.Fprint(w, `gameday: chaos-engineering GameDays on AWS FIS, as files in git.

Usage: gameday COMMAND [ARGS] [FLAGS]
`)
	for _, g := range commandGroups() {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, c := range g.cmds {
			fmt.Fprintf(w, "  %-10s %s\n", c.about.name, c.about.summary)
		}
	}
	fmt.Fprint(w, "\nRun 'gameday COMMAND --help' for a command's flags.\n")
}
