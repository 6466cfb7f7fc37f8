package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/rbac"
)

// rbacCmd is `gameday rbac`.
type rbacCmd struct {
	o rbac.Options
}

func (c *rbacCmd) define(fs *flag.FlagSet) {
	fs.StringVar(&c.o.Group, "group", rbac.DefaultGroup, "Kubernetes `group` of the FIS role's EKS access entry")
	fs.StringVar(&c.o.RoleARN, "role-arn", "", "FIS experiment role `ARN` for the access entry (default: the printed commands read the deployed stack's "+deploy.OutputFISRoleARN+" output)")
}

func (c *rbacCmd) run(_ context.Context, e *env, args []string) error {
	if err := checkDeploymentFlags("", "", c.o.RoleARN); err != nil {
		return fmt.Errorf("rbac: %w", err)
	}
	if err := rbac.CheckGroup(c.o.Group); err != nil {
		return fmt.Errorf("rbac: %w", err)
	}
	s, _, err := loadGameDayFile(e, args[0], nil)
	if err != nil {
		return err
	}
	out, err := rbac.Generate(s, c.o)
	if err != nil {
		printProblems(e, args[0], err)
		return errReported
	}
	if _, err := e.stdout.Write(out); err != nil {
		return fmt.Errorf("write manifests: %w", err)
	}
	return nil
}
