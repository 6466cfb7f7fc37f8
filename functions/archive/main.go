// Command archive is gameday's archive Lambda: pkg/handlers/archivefn builds
// it and step.Main serves it, as the local runner does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/handlers/archivefn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

func main() { step.Main(archivefn.New, nil) }
