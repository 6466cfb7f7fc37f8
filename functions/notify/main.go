// Command notify is gameday's notify Lambda: pkg/handlers/notifyfn builds it
// and step.Main serves it, as the local runner does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/handlers/notifyfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

func main() { step.Main(notifyfn.New, nil) }
