// Command guard is gameday's guard Lambda: step.Main builds it with
// guardfn.New and serves it, as the local runner does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/guardfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

func main() { step.Main(deploy.Guard, guardfn.New, nil) }
