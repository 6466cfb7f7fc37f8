package workflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Check walks a definition (as Definition writes it, or as it comes back
// out of a synthesized template) and reports every Task that lacks AWS's
// recommended Lambda retry set (with full jitter), a throttling retry with
// backoff, or a States.ALL Catch; every transition to a state that does not
// exist; and every state that cannot be reached. nil means none.
func Check(def string) error {
	var sm struct {
		StartAt string                     `json:"StartAt"`
		States  map[string]json.RawMessage `json:"States"`
	}
	if err := json.Unmarshal([]byte(def), &sm); err != nil {
		return fmt.Errorf("read definition: %w", err)
	}
	if len(sm.States) == 0 {
		return errors.New("read definition: no States")
	}
	names := slices.Sorted(maps.Keys(sm.States))
	var problems []error
	next := make(map[string][]string, len(sm.States))
	for _, name := range names {
		var s state
		if err := json.Unmarshal(sm.States[name], &s); err != nil {
			problems = append(problems, fmt.Errorf("state %s: %w", name, err))
			continue
		}
		next[name] = s.transitions()
		problems = append(problems, s.taskProblems(name)...)
	}
	problems = append(problems, missingTargets(names, next, sm.States)...)
	if _, ok := sm.States[sm.StartAt]; !ok {
		problems = append(problems, fmt.Errorf("StartAt %q does not exist", sm.StartAt))
	}
	problems = append(problems, unreachable(sm.StartAt, names, next)...)
	if len(problems) > 0 {
		return fmt.Errorf("check definition: %w", errors.Join(problems...))
	}
	return nil
}

// transitions are the states s may go to: Next, Default, each Choice's and
// each Catch's.
func (s state) transitions() []string {
	var next []string
	for _, n := range []string{s.Next, s.Default} {
		if n != "" {
			next = append(next, n)
		}
	}
	for _, c := range s.Choices {
		next = append(next, c.Next)
	}
	for _, c := range s.Catch {
		next = append(next, c.Next)
	}
	return next
}

// taskProblems are the retries and catches a Task state named name lacks
// (none for other states).
func (s state) taskProblems(name string) []error {
	if s.Type != "Task" {
		return nil
	}
	var problems []error
	if !hasLambdaRetry(s.Retry) {
		problems = append(problems, fmt.Errorf("task %s: no retry of %v with IntervalSeconds 1-2, MaxAttempts 3-6, BackoffRate 2 and JitterStrategy FULL", name, LambdaErrors))
	}
	for _, e := range []string{errThrottled, errUnavailable} {
		if !hasBackoffRetry(s.Retry, e) {
			problems = append(problems, fmt.Errorf("task %s: no retry of %s with backoff", name, e))
		}
	}
	if !slices.ContainsFunc(s.Catch, func(c Catcher) bool { return slices.Contains(c.ErrorEquals, errAll) }) {
		problems = append(problems, fmt.Errorf("task %s: no %s Catch", name, errAll))
	}
	for i, r := range s.Retry {
		if slices.Contains(r.ErrorEquals, errAll) && i != len(s.Retry)-1 {
			problems = append(problems, fmt.Errorf("task %s: %s retrier is not last", name, errAll))
		}
	}
	return problems
}

// missingTargets names each transition (in next, by state) to a state not
// in states.
func missingTargets(names []string, next map[string][]string, states map[string]json.RawMessage) []error {
	var problems []error
	for _, name := range names {
		for _, n := range next[name] {
			if _, ok := states[n]; !ok {
				problems = append(problems, fmt.Errorf("state %s: goes to %q, which does not exist", name, n))
			}
		}
	}
	return problems
}

// unreachable names each state of names that no path of next reaches from
// start.
func unreachable(start string, names []string, next map[string][]string) []error {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, m := range next[n] {
			visit(m)
		}
	}
	visit(start)
	var problems []error
	for _, name := range names {
		if !seen[name] {
			problems = append(problems, fmt.Errorf("state %s: unreachable from %s", name, start))
		}
	}
	return problems
}

func hasLambdaRetry(rs []Retrier) bool {
	return slices.ContainsFunc(rs, func(r Retrier) bool {
		for _, e := range LambdaErrors {
			if !slices.Contains(r.ErrorEquals, e) {
				return false
			}
		}
		return r.IntervalSeconds >= 1 && r.IntervalSeconds <= 2 &&
			r.MaxAttempts >= 3 && r.MaxAttempts <= 6 &&
			r.BackoffRate == 2 && r.JitterStrategy == "FULL"
	})
}

// hasBackoffRetry says whether a retrier retries errorName with backoff.
func hasBackoffRetry(rs []Retrier, errorName string) bool {
	return slices.ContainsFunc(rs, func(r Retrier) bool {
		return slices.Contains(r.ErrorEquals, errorName) && r.MaxAttempts > 0 && r.BackoffRate > 1
	})
}
