// Command sweeper is gameday's sweeper Lambda: pkg/handlers/sweeperfn builds
// it and step.Main serves it, as the local runner does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/handlers/sweeperfn"
)

func main() { step.Main(sweeperfn.New, nil) }
