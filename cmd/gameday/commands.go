package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// command is one subcommand: a struct whose fields its flags fill.
type command interface {
	// run does the work with the positional args once the flags are
	// parsed and the args counted (about.takes); a nil error exits 0, any
	// other is mapped by exitCode.
	run(ctx context.Context, e *env, args []string) error
}

// flagged is a command with flags: define defines them on fs, bound to
// the command's fields.
type flagged interface {
	define(fs *flag.FlagSet)
}

// entry is a command with its name and help.
type entry struct {
	cmd   command
	about about
}

// about is a command's name, its positional arguments and its help.
type about struct {
	name    string
	args    string // the usage line after the name, for example "FILE..."
	takes   takes  // how many positional arguments (zero: none), checked before run
	summary string // one line for `gameday --help`
	more    string // printed after the flags in --help, when not empty
}

// takes is how many positional arguments a command takes, from min to max
// (many: no limit), and how its usage error says it: "render takes one FILE".
// The zero takes is no arguments.
type takes struct {
	min, max int
	what     string
}

const many = -1

// one is exactly one positional argument, what.
func one(what string) takes { return takes{min: 1, max: 1, what: "one " + what} }

// check is a usage error when args are too few or too many.
func (t takes) check(args []string) error {
	if len(args) < t.min || (t.max != many && len(args) > t.max) {
		if t.what == "" {
			return argsf("takes no arguments")
		}
		return argsf("takes %s", t.what)
	}
	return nil
}

// commandGroup is a heading of `gameday --help` and its commands.
type commandGroup struct {
	title string
	cmds  []entry
}

// commandGroups are the subcommands, new for each command line (their
// flags live in their fields), under the headings `gameday --help` lists
// them by: what they work on.
func commandGroups() []commandGroup {
	return []commandGroup{
		{"GameDay files", fileCommands()},
		{"Local runs", localCommands()},
		{"The deployed stack", stackCommands()},
	}
}

// commands are all the subcommands, in the order of --help.
func commands() []entry {
	var all []entry
	for _, g := range commandGroups() {
		all = append(all, g.cmds...)
	}
	return all
}

// fileCommands are the commands on GameDay files, without AWS (import --id excepted).
func fileCommands() []entry {
	return []entry{
		{&validateCmd{}, about{
			name:    "validate",
			args:    "FILE... [--policy FILE] [--quiet]",
			takes:   takes{min: 1, max: many, what: "one or more FILEs"},
			summary: "check GameDay files: every problem, one per line, as FILE:LINE:COL: field: message",
		}},
		{&renderCmd{}, about{
			name:    "render",
			args:    "FILE [--role-arn ARN] [--log-bucket B] [--account ID] [--region R]",
			takes:   one("FILE"),
			summary: "print the FIS CreateExperimentTemplate request for a GameDay, as JSON",
		}},
		{&rbacCmd{}, about{
			name:    "rbac",
			args:    "FILE [--group G] [--role-arn ARN]",
			takes:   one("FILE"),
			summary: "print least-privilege Kubernetes RBAC (Role, RoleBinding) and the EKS access entry for a GameDay's FIS role",
		}},
		{&importCmd{}, about{
			name:    "import",
			args:    "SOURCE|--id EXT... [--out FILE] [--name NAME]",
			takes:   takes{max: 1, what: "at most one SOURCE"},
			summary: "turn an FIS experiment template (JSON file, - for stdin, or --id from the account) into a GameDay file",
		}},
		{&schemaCmd{}, about{
			name:    "schema",
			summary: "print the JSON Schema of the GameDay file, for editors (yaml-language-server)",
		}},
	}
}

// localCommands are the commands of a local run and of the simulator.
func localCommands() []entry {
	return []entry{
		{&runCmd{}, about{
			name:    "run",
			args:    "--local FILE [--policy FILE] [--out DIR] [--speed N]",
			takes:   one("GameDay file"),
			summary: "run a whole GameDay locally against the embedded simulator, through the real workflow",
			more:    exitCodesHelp + ".\nCtrl-C aborts the execution; run exits 130 once the guard has stopped the experiment.",
		}},
		{&simCmd{}, about{
			name:    "sim",
			args:    "[--addr HOST:PORT] [--data DIR] [--speed N] [--seed N]",
			summary: "serve the simulator (FIS, CloudWatch, S3, Step Functions, Lambda, DynamoDB, EventBridge, SNS, CloudFormation, STS and a Sock Shop) for the SDK, the AWS CLI or any tool",
		}},
		{&doctorCmd{}, about{
			name:    "doctor",
			summary: "say what a local run needs and what was found (Go build, Node, npm, the interpreter, the cache); exit 1 when a local run cannot work",
		}},
		{&versionCmd{}, about{
			name:    "version",
			summary: "print the module version and VCS revision gameday was built from, and its Go toolchain (doctor's first line); also gameday --version",
		}},
	}
}

// stackCommands are the commands on a deployed stack: its state machine and its archive.
func stackCommands() []entry {
	return []entry{
		{&startCmd{}, about{
			name:    "start",
			args:    "FILE|NAME [--follow] " + stackArgs,
			takes:   one("FILE or GameDay NAME"),
			summary: "start a GameDay on the deployed stack (a Step Functions execution)",
			more:    followHelp,
		}},
		{&statusCmd{}, about{
			name:    "status",
			args:    "[RUN] [--follow] [--limit N] " + stackArgs,
			takes:   takes{max: 1, what: "at most one RUN"},
			summary: "list the recent runs on the deployed stack, or show one (RUN: an execution name or ARN, or a GameDay name for its latest run) or --follow it",
			more:    followHelp,
		}},
		{&reportCmd{}, about{
			name:    "report",
			args:    "RUN [--json] [--out DIR] " + stackArgs,
			takes:   one("RUN (an execution name or ARN from 'gameday status', or a GameDay name for its latest run)"),
			summary: "print a run's summary from the deployed stack's archive (RUN: an execution name or ARN, or a GameDay name for its latest run), or download its folder",
		}},
		{&listCmd{}, about{
			name:    "list",
			args:    "[--gameday NAME] [--since WHEN] [--json] " + stackArgs,
			takes:   takes{what: "no arguments (use --gameday NAME)"},
			summary: "list the runs archived in the deployed stack's archive bucket, newest first (they outlive FIS's 120 days)",
		}},
		{&historyCmd{}, about{
			name:    "history",
			args:    "NAME [--since WHEN] [--json] [--html FILE] " + stackArgs,
			takes:   one("GameDay NAME"),
			summary: "a GameDay's runs from the archive bucket: one row per run, pass rate, median duration and time to a stop condition, each check's trend",
		}},
	}
}

func lookup(name string) *entry {
	for _, c := range commands() {
		if c.about.name == name {
			return &c
		}
	}
	return nil
}

// parseAndRun parses the command's flags from args and runs it.
func parseAndRun(ctx context.Context, e *env, c *entry, args []string) error {
	a := c.about
	fs := flag.NewFlagSet("gameday "+a.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by finish
	if f, ok := c.cmd.(flagged); ok {
		f.define(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n", strings.TrimSpace("gameday "+a.name+" "+a.args), a.summary)
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			printFlags(fs)
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
		return usagef("%s: %s; run 'gameday %s --help'", a.name, flagProblem(fs, err), a.name)
	}
	err := a.takes.check(fs.Args())
	if err == nil {
		err = c.cmd.run(ctx, e, fs.Args())
	}
	if ae := (*argsError)(nil); errors.As(err, &ae) {
		return usagef("%s %s; run 'gameday %s --help'", a.name, ae.takes, a.name)
	}
	return err
}

// printFlags is the flag package's PrintDefaults with each flag written
// as the usage lines, the README and users write it: --name, not -name
// (the flag package takes both).
func printFlags(fs *flag.FlagSet) {
	var b strings.Builder
	out := fs.Output()
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(out)
	for _, l := range strings.SplitAfter(b.String(), "\n") {
		if rest, ok := strings.CutPrefix(l, "  -"); ok {
			l = "  --" + rest
		}
		fmt.Fprint(out, l)
	}
}

// flagProblem is the flag package's parse error, with flags written
// --name and, for an unknown one, the flag it most likely misspells.
func flagProblem(fs *flag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return strings.NewReplacer("flag -", "flag --", "for -", "for --", ": -", ": --").Replace(err.Error())
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	msg := "unknown flag --" + name
	if best, ok := gameday.Closest(name, names); ok {
		msg += " (did you mean --" + best + "?)"
	}
	return msg
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
