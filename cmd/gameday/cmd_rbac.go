package main

import (
	"context"
	"flag"

	"github.com/gameday-dev/gameday/pkg/rbac"
)

func init() {
	register(&command{
		name:    "rbac",
		args:    "FILE [--group G] [--role-arn ARN]",
		summary: "print least-privilege Kubernetes RBAC (Role, RoleBinding) and the EKS access entry for a GameDay's FIS role",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
			var o rbac.Options
			fs.StringVar(&o.Group, "group", rbac.DefaultGroup, "Kubernetes `group` of the FIS role's EKS access entry")
			fs.StringVar(&o.RoleARN, "role-arn", "", "FIS experiment role `ARN` for the access entry (default arn:aws:iam::ACCOUNT:role/gameday-fis)")
			return func(ctx context.Context, e *env, args []string) int {
				if len(args) != 1 {
					e.errorf("rbac takes one FILE; run 'gameday rbac --help'")
					return exitUsage
				}
				if err := checkDeploymentFlags("", "", o.RoleARN); err != nil {
					e.errorf("rbac: %v", err)
					return exitInvalid
				}
				if err := rbac.CheckGroup(o.Group); err != nil {
					e.errorf("rbac: %v", err)
					return exitInvalid
				}
				s, _, code := loadGameDayFile(e, args[0])
				if s == nil {
					return code
				}
				out, err := rbac.Generate(s, o)
				if err != nil {
					printProblems(e, args[0], err)
					return exitInvalid
				}
				if _, err := e.stdout.Write(out); err != nil {
					e.errorf("write manifests: %v", err)
					return exitInvalid
				}
				return exitOK
			}
		},
	})
}
