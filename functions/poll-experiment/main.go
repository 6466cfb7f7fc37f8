// Command poll-experiment is gameday's poll-experiment Lambda:
// pkg/handlers/pollfn builds it and step.Main serves it, as the local runner
// does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/handlers/pollfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

func main() { step.Main(pollfn.New, nil) }
