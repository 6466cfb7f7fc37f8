// Command preflight is gameday's preflight Lambda: pkg/handlers builds and
// serves it, as the local runner does, with the full GameDay validation
// (validate.Spec). Only this Lambda links the Chaos Mesh API types.
package main

import (
	"github.com/gameday-dev/gameday/pkg/handlers"
	"github.com/gameday-dev/gameday/pkg/validate"
)

func main() { handlers.Main(handlers.NewPreflight, validate.Spec) }
