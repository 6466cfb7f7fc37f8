// Command notify is gameday's notify Lambda: pkg/handlers
// builds and serves it, as the local runner does.
package main

import "github.com/gameday-dev/gameday/pkg/handlers"

func main() { handlers.Main(handlers.NewNotify, nil) }
