// Command poll-experiment is gameday's poll-experiment Lambda: step.Main
// builds it with experimentfn.NewPoll and serves it, as the local runner
// does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/experimentfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

func main() { step.Main(deploy.PollExperiment, experimentfn.NewPoll, nil) }
