// Command start-experiment is gameday's start-experiment Lambda: step.Main
// builds it with experimentfn.NewStart and serves it, as the local runner
// does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/experimentfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

func main() { step.Main(deploy.StartExperiment, experimentfn.NewStart, nil) }
