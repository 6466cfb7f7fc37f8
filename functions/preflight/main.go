// Command preflight is gameday's preflight Lambda: step.Main builds it with
// preflightfn.New and serves it, as the local runner does, with the full
// GameDay validation (validate.Spec). Only this Lambda links the Chaos Mesh
// API types.
package main

import (
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/preflightfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/validate"
)

func main() { step.Main(deploy.Preflight, preflightfn.New, validate.Spec) }
