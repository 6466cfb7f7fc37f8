// Package experiment is the FIS adapter of the workflow: it ensures the
// GameDay's experiment template and starts the experiment (Starter), looks at
// it once per call (Poller), stops it and confirms a terminal state (Stopper),
// and finds the experiments an execution started. Every AWS error goes
// through awserr.Classify, which maps the error codes to gameday's
// sentinels.
package experiment
