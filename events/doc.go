// Package events holds sample payloads, as JSON files next to this one, of
// what starts or reaches gameday in AWS: the state machine input from a
// schedule and from a manual start (gameday.RunInput), the FIS "Experiment
// State Change" EventBridge event and the Step Functions "Execution Status
// Change" event the guard Lambda receives. The tests round-trip each file
// through its Go type, so a change of a type that would break a real payload
// fails here. Use them with `sam local invoke -e` or to drive handlers by hand.
package events
