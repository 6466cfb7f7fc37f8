// Command gameday validates, renders and runs chaos-engineering GameDays on
// AWS Fault Injection Service, locally against an embedded simulator or
// against a deployed stack.
//
// Each subcommand lives in its own file (cmd_<name>.go) and registers itself
// in init with register.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes shared by every command (see the contract and `gameday run`).
const (
	exitOK      = 0
	exitInvalid = 1 // invalid input or an orchestration error
	exitUsage   = 2
)

// command is one subcommand.
type command struct {
	name    string
	args    string // the usage line after the name, for example "FILE..."
	summary string // one line for `gameday --help`
	// flags defines the command's flags on fs and returns the function that
	// does the work with the positional args once fs has parsed them; that
	// function returns the process exit code.
	flags func(fs *flag.FlagSet) func(ctx context.Context, env *env, args []string) int
}

// env is what a command may touch: its streams.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errorf prints one readable error line on stderr.
func (e *env) errorf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "gameday: "+format+"\n", args...)
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("duplicate command " + c.name)
	}
	commands[c.name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

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
	c, ok := commands[args[0]]
	if !ok {
		e.errorf("unknown command %q; run 'gameday --help' for the list", args[0])
		return exitUsage
	}
	fs := flag.NewFlagSet("gameday "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, below
	do := c.flags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n", strings.TrimSpace("gameday "+c.name+" "+c.args), c.summary)
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	if err := fs.Parse(interleave(fs, args[1:])); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return exitOK
		}
		e.errorf("%s: %v; run 'gameday %s --help'", c.name, err, c.name)
		return exitUsage
	}
	return do(ctx, e, fs.Args())
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
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, "\nRun 'gameday COMMAND --help' for a command's flags.\n")
}
