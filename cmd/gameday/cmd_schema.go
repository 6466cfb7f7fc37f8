package main

import (
	"context"
	"flag"

	"github.com/gameday-dev/gameday/pkg/validate"
)

func init() {
	register(&command{
		name:    "schema",
		args:    "",
		summary: "print the JSON Schema of the GameDay file, for editors (yaml-language-server)",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			return func(_ context.Context, e *env, args []string) int {
				if len(args) != 0 {
					e.errorf("schema takes no arguments; run 'gameday schema --help'")
					return exitUsage
				}
				b, err := validate.JSONSchema()
				if err != nil {
					e.errorf("generate schema: %v", err)
					return exitInvalid
				}
				if _, err := e.stdout.Write(append(b, '\n')); err != nil {
					e.errorf("write schema: %v", err)
					return exitInvalid
				}
				return exitOK
			}
		},
	})
}
