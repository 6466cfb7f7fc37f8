// Command start-experiment is gameday's start-experiment Lambda:
// pkg/handlers/startfn builds it and step.Main serves it, as the local
// runner does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/handlers/startfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

func main() { step.Main(startfn.New, nil) }
