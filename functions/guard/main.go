// Command guard is gameday's guard Lambda: pkg/handlers/guardfn builds it
// and step.Main serves it, as the local runner does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/handlers/guardfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

func main() { step.Main(guardfn.New, nil) }
