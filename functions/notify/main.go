// Command notify is gameday's notify Lambda: step.Main builds it with
// notifyfn.New and serves it, as the local runner does.
package main

import (
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/handlers/notifyfn"
	"github.com/gameday-dev/gameday/pkg/handlers/step"
)

func main() { step.Main(deploy.Notify, notifyfn.New, nil) }
