// Command gameday validates, renders and runs chaos-engineering GameDays on
// AWS Fault Injection Service, locally against an embedded simulator or
// against a deployed stack.
//
// Each subcommand is a struct in its own file (cmd_<name>.go) whose fields
// are its flags; commands lists them. A command returns an error, and
// exit.go alone turns it into the process's exit code.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gameday-dev/gameday/pkg/deployed"
)

// command is one subcommand: a struct whose fields its flags fill.
type command interface {
	// about names the command and says how it is used.
	about() about
	// define defines the command's flags on fs, bound to its fields.
	define(fs *flag.FlagSet)
	// run does the work with the positional args once the flags are
	// parsed; a nil error exits 0, any other is mapped by exitCode.
	run(ctx context.Context, e *env, args []string) error
}

// about is a command's name and help.
type about struct {
	name    string
	args    string // the usage line after the name, for example "FILE..."
	summary string // one line for `gameday --help`
	more    string // printed after the flags in --help, when not empty
}

// commands are the subcommands, new for each command line (their flags
// live in their fields), in the order `gameday --help` lists them.
func commands() []command {
	return []command{
		&doctorCmd{},
		&historyCmd{},
		&importCmd{},
		&listCmd{},
		&rbacCmd{},
		&renderCmd{},
		&reportCmd{},
		&runCmd{},
		&schemaCmd{},
		&simCmd{},
		&startCmd{},
		&statusCmd{},
		&validateCmd{},
	}
}

// env is what a command may touch: its streams and how it reaches a
// deployed stack.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
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
	c := lookup(args[0])
	if c == nil {
		return finish(e, usagef("unknown command %q; run 'gameday --help' for the list", args[0]))
	}
	return finish(e, parseAndRun(ctx, e, c, args[1:]))
}

func lookup(name string) command {
	for _, c := range commands() {
		if c.about().name == name {
			return c
		}
	}
	return nil
}

// parseAndRun parses the command's flags from args and runs it.
func parseAndRun(ctx context.Context, e *env, c command, args []string) error {
	a := c.about()
	fs := flag.NewFlagSet("gameday "+a.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by finish
	c.define(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n", strings.TrimSpace("gameday "+a.name+" "+a.args), a.summary)
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
		if a.more != "" {
			fmt.Fprintf(fs.Output(), "\n%s\n", a.more)
		}
	}
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return nil
		}
		return usagef("%s: %v; run 'gameday %s --help'", a.name, err, a.name)
	}
	return c.run(ctx, e, fs.Args())
}

// interleave moves flags after positional arguments to the front, so that
// `gameday render FILE --region R` works as users expect.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			name := a[1:]
			if len(name) > 0 && name[0] == '-' {
				name = name[1:]
			}
			if strings.Contains(name, "=") {
				continue
			}
			if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func usage(w io.Writer) {
	fmt.Fprint(w, `gameday: chaos-engineering GameDays on AWS FIS, as files in git.

Usage: gameday COMMAND [ARGS] [FLAGS]

Commands:
`)
	for _, c := range commands() {
		a := c.about()
		fmt.Fprintf(w, "  %-10s %s\n", a.name, a.summary)
	}
	fmt.Fprint(w, "\nRun 'gameday COMMAND --help' for a command's flags.\n")
}
