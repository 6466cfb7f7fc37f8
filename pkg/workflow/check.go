package workflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
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
	var problems []error
	report := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	next := make(map[string][]string, len(sm.States))
	names := make([]string, 0, len(sm.States))
	for name := range sm.States {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		var s struct {
			Type    string    `json:"Type"`
			Next    string    `json:"Next"`
			Default string    `json:"Default"`
			Retry   []Retrier `json:"Retry"`
			Catch   []Catcher `json:"Catch"`
			Choices []struct {
				Next string `json:"Next"`
			} `json:"Choices"`
		}
		if err := json.Unmarshal(sm.States[name], &s); err != nil {
			report("state %s: %w", name, err)
			continue
		}
		for _, n := range []string{s.Next, s.Default} {
			if n != "" {
				next[name] = append(next[name], n)
			}
		}
		for _, c := range s.Choices {
			next[name] = append(next[name], c.Next)
		}
		for _, c := range s.Catch {
			next[name] = append(next[name], c.Next)
		}
		if s.Type != "Task" {
			continue
		}
		if !hasLambdaRetry(s.Retry) {
			report("task %s: no retry of %v with IntervalSeconds 1-2, MaxAttempts 3-6, BackoffRate 2 and JitterStrategy FULL", name, LambdaErrors)
		}
		if !hasThrottledRetry(s.Retry) {
			report("task %s: no retry of %s with backoff", name, errThrottled)
		}
		if !slices.ContainsFunc(s.Catch, func(c Catcher) bool { return slices.Contains(c.ErrorEquals, errAll) }) {
			report("task %s: no %s Catch", name, errAll)
		}
		for i, r := range s.Retry {
			if slices.Contains(r.ErrorEquals, errAll) && i != len(s.Retry)-1 {
				report("task %s: %s retrier is not last", name, errAll)
			}
		}
	}

	for _, name := range names {
		for _, n := range next[name] {
			if _, ok := sm.States[n]; !ok {
				report("state %s: goes to %q, which does not exist", name, n)
			}
		}
	}
	if _, ok := sm.States[sm.StartAt]; !ok {
		report("StartAt %q does not exist", sm.StartAt)
	}
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
	visit(sm.StartAt)
	for _, name := range names {
		if !seen[name] {
			report("state %s: unreachable from %s", name, sm.StartAt)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("check definition: %w", errors.Join(problems...))
	}
	return nil
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

func hasThrottledRetry(rs []Retrier) bool {
	return slices.ContainsFunc(rs, func(r Retrier) bool {
		return slices.Contains(r.ErrorEquals, errThrottled) && r.MaxAttempts > 0 && r.BackoffRate > 1
	})
}
