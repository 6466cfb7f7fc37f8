// Command sweeper is gameday's sweeper Lambda, the dead man's switch that a
// schedule runs every five minutes: pkg/handlers builds and serves it, as
// the local runner does.
package main

import "github.com/gameday-dev/gameday/pkg/handlers"

func main() { handlers.Main(handlers.NewSweeper, nil) }
