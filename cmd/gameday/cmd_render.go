package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

func init() {
	register(&command{
		name:    "render",
		args:    "FILE [--role-arn ARN] [--log-bucket B] [--account ID] [--region R]",
		summary: "print the FIS CreateExperimentTemplate request for a GameDay, as JSON",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			var o fistemplate.Options
			fs.StringVar(&o.RoleARN, "role-arn", "", "FIS experiment role `ARN` (default arn:aws:iam::ACCOUNT:role/gameday-fis)")
			fs.StringVar(&o.LogBucket, "log-bucket", "", "S3 `bucket` for FIS logs (default gameday-fis-logs-ACCOUNT-REGION)")
			fs.StringVar(&o.LogPrefix, "log-prefix", "", "key `prefix` of FIS logs (default fis-logs/)")
			fs.StringVar(&o.Account, "account", "", "AWS account `ID` (default: the cluster ARN's)")
			fs.StringVar(&o.Region, "region", "", "AWS `region` (default: the cluster ARN's)")
			return func(ctx context.Context, e *env, args []string) int {
				if len(args) != 1 {
					e.errorf("render takes one FILE; run 'gameday render --help'")
					return exitUsage
				}
				s, code := loadGameDayFile(e, args[0])
				if s == nil {
					return code
				}
				in, err := fistemplate.Render(s, o)
				if err != nil {
					printProblems(e, args[0], err)
					return exitInvalid
				}
				b, err := fistemplate.JSON(in)
				if err != nil {
					e.errorf("%v", err)
					return exitInvalid
				}
				if _, err := e.stdout.Write(b); err != nil {
					e.errorf("write template: %v", err)
					return exitInvalid
				}
				return exitOK
			}
		},
	})
}

// maxGameDaySize bounds what the render and rbac commands read.
const maxGameDaySize = 1 << 20

// loadGameDayFile reads and decodes a GameDay file for render and rbac. On a
// problem it prints it (one line each) and returns nil and the exit code.
//
// It decodes strictly (unknown fields are errors) but does not run the full
// validation; `gameday validate` does.
func loadGameDayFile(e *env, name string) (*gameday.Spec, int) {
	f, err := os.Open(name)
	if err != nil {
		e.errorf("%v", err)
		return nil, exitInvalid
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxGameDaySize+1))
	if err != nil {
		e.errorf("read %s: %v", name, err)
		return nil, exitInvalid
	}
	if len(data) > maxGameDaySize {
		fmt.Fprintf(e.stderr, "%s: file is larger than %d bytes; a GameDay file is a few kilobytes\n", name, maxGameDaySize)
		return nil, exitInvalid
	}
	if strings.TrimSpace(string(data)) == "" {
		fmt.Fprintf(e.stderr, "%s:1:1: file is empty; write a GameDay (see examples/)\n", name)
		return nil, exitInvalid
	}
	var s gameday.Spec
	if err := yaml.UnmarshalWithOptions(data, &s, yaml.Strict()); err != nil {
		fmt.Fprintln(e.stderr, yamlProblem(name, err))
		return nil, exitInvalid
	}
	var ps []string
	if s.APIVersion != gameday.APIVersion || s.Kind != gameday.Kind {
		ps = append(ps, fmt.Sprintf("%s:1:1: apiVersion/kind: want %s %s, got %q %q", name, gameday.APIVersion, gameday.Kind, s.APIVersion, s.Kind))
	}
	if s.Metadata.Name == "" {
		ps = append(ps, fmt.Sprintf("%s:1:1: metadata.name: required", name))
	}
	if len(ps) > 0 {
		fmt.Fprintln(e.stderr, strings.Join(ps, "\n"))
		return nil, exitInvalid
	}
	return &s, exitOK
}

var yamlPos = regexp.MustCompile(`^\[(\d+):(\d+)\] (.*)$`)

// yamlProblem is a decoding error as one FILE:LINE:COL: message line.
func yamlProblem(name string, err error) string {
	first, _, _ := strings.Cut(err.Error(), "\n")
	if m := yamlPos.FindStringSubmatch(first); m != nil {
		return fmt.Sprintf("%s:%s:%s: %s", name, m[1], m[2], m[3])
	}
	return fmt.Sprintf("%s: %s", name, first)
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
