// Command stop-experiment is gameday's stop-experiment Lambda:
// pkg/handlers/stopfn builds it and step.Main serves it, as the local runner
// does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/handlers/step"
	"github.com/gameday-dev/gameday/pkg/handlers/stopfn"
)

func main() { step.Main(stopfn.New, nil) }
