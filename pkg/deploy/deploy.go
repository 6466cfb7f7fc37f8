// Package deploy is the contract between gameday's stack (infra), its
// Lambdas (functions/, pkg/handlers), the local runner (pkg/localrun) and
// the CLI (pkg/deployed, cmd/gameday): the Lambdas' names, the environment
// the stack gives them, the stack's outputs and its name, and where the
// archive step writes a run for the CLI to find. Each of these
// facts is written here once, as typed values: a field name misspelt is a
// compile error, and a variable a Lambda needs but lacks fails its init
// with the variable named. It imports nothing of gameday's.
package deploy

import "strings"

// Function is one of gameday's Lambdas, by the name of its folder under
// functions/ (and of its asset under dist/).
type Function string

// The Lambdas.
const (
	Preflight       Function = "preflight"
	StartExperiment Function = "start-experiment"
	PollExperiment  Function = "poll-experiment"
	StopExperiment  Function = "stop-experiment"
	Archive         Function = "archive"
	Notify          Function = "notify"
	Guard           Function = "guard"
	Sweeper         Function = "sweeper"
)

// Functions lists every Lambda of the stack.
var Functions = []Function{Preflight, StartExperiment, PollExperiment, StopExperiment, Archive, Notify, Guard, Sweeper}

// String is the folder name.
func (f Function) String() string { return string(f) }

// ID is the name in CamelCase, "StartExperiment" for start-experiment: the
// function's construct ID and the stem of its definition placeholder.
func (f Function) ID() string {
	var b strings.Builder
	for _, part := range strings.Split(string(f), "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}

// DefaultStackName is the stack's name when cdk.json lists no deployments
// (and the simulated deployment's, `gameday sim`); a listed deployment is
// named StackName(account, region) unless it sets its own.
const DefaultStackName = "GameDay"

// StackName is the name of a cdk.json deployment that sets no stackName:
// GameDay-<account>-<region>.
func StackName(account, region string) string {
	return DefaultStackName + "-" + account + "-" + region
}

// binding pairs a variable's or an output's key with its field: the one
// place the two meet.
type binding struct {
	key string
	val *string
}

// toMap is the bound fields by key; empty ones only when withEmpty.
func toMap(bs []binding, withEmpty bool) map[string]string {
	out := make(map[string]string, len(bs))
	for _, b := range bs {
		if withEmpty || *b.val != "" {
			out[b.key] = *b.val
		}
	}
	return out
}
