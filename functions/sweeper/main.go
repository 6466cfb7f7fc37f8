// Command sweeper is gameday's sweeper Lambda: step.Main builds it with
// sweeperfn.New and serves it, as the local runner does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/handlers/sweeperfn"
)

func main() { step.Main(deploy.Sweeper, sweeperfn.New, nil) }
