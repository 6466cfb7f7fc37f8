// Command archive is gameday's archive Lambda: step.Main builds it with
// archivefn.New and serves it, as the local runner does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/archivefn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

func main() { step.Main(deploy.Archive, archivefn.New, nil) }
