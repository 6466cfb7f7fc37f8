package gameday

import (
	"fmt"
	"time"

	"github.com/gameday-dev/gameday/pkg/fisactions"
)

// Defaults from the contract.
const (
	// DefaultMaxDurationMargin is added to a CR's duration when a fault sets
	// no maxDuration.
	DefaultMaxDurationMargin = time.Minute
	// DefaultReportWindow is the metric window before and after the faults.
	DefaultReportWindow = 10 * time.Minute
	// DefaultTimeoutMargin is added to the longest fault path when
	// timeouts.experiment is not set.
	DefaultTimeoutMargin = 15 * time.Minute
	// MinMaxDuration and MaxMaxDuration bound FIS's maxDuration (PT1M..PT12H).
	MinMaxDuration = time.Minute
	MaxMaxDuration = 12 * time.Hour
	// DefaultTreatMissingData is the stop-condition alarms' default.
	DefaultTreatMissingData = "notBreaching"
)

// Resource returns the fault's custom resource, or nil for a raw FIS action.
func (f *Fault) Resource() *CustomResource {
	if f.ChaosMesh != nil {
		return f.ChaosMesh
	}
	return f.Litmus
}

// CRDuration is the duration the CR asks for: spec.duration for Chaos Mesh,
// spec.experiments[].spec.components.env TOTAL_CHAOS_DURATION (seconds) for
// Litmus. ok is false when the CR sets none (Chaos Mesh then runs the fault
// until the CR is deleted, that is until FIS's maxDuration).
func (f *Fault) CRDuration() (d time.Duration, ok bool, err error) {
	switch {
	case f.ChaosMesh != nil:
		v, present := f.ChaosMesh.Spec["duration"]
		if !present || v == nil {
			return 0, false, nil
		}
		s, isStr := v.(string)
		if !isStr {
			return 0, false, fmt.Errorf("duration must be a string such as 180s, not %v", v)
		}
		pd, err := ParseDuration(s)
		if err != nil {
			return 0, false, err
		}
		return pd.Duration, true, nil
	case f.Litmus != nil:
		return litmusDuration(f.Litmus.Spec)
	}
	return 0, false, nil
}

// litmusDuration finds TOTAL_CHAOS_DURATION in the first experiment's env.
func litmusDuration(spec map[string]any) (time.Duration, bool, error) {
	exps, _ := spec["experiments"].([]any)
	for _, e := range exps {
		em, _ := e.(map[string]any)
		es, _ := em["spec"].(map[string]any)
		comps, _ := es["components"].(map[string]any)
		envs, _ := comps["env"].([]any)
		for _, ev := range envs {
			m, _ := ev.(map[string]any)
			if m["name"] != "TOTAL_CHAOS_DURATION" {
				continue
			}
			var secs int
			if _, err := fmt.Sscanf(fmt.Sprint(m["value"]), "%d", &secs); err != nil {
				return 0, false, fmt.Errorf("TOTAL_CHAOS_DURATION %q is not a number of seconds", fmt.Sprint(m["value"]))
			}
			return time.Duration(secs) * time.Second, true, nil
		}
	}
	return 0, false, nil
}

// DefaultMaxDuration is the maxDuration of a custom-resource fault that
// sets none: the CR's duration + DefaultMaxDurationMargin. ok is false when
// the CR sets no duration, or one that cannot be read.
func (f *Fault) DefaultMaxDuration() (time.Duration, bool) {
	cr, ok, err := f.CRDuration()
	if !ok || err != nil {
		return 0, false
	}
	return cr + DefaultMaxDurationMargin, true
}

// EffectiveMaxDuration is the fault's FIS maxDuration: as set, or the CR's
// duration + 1m; for a raw FIS action, the longest of its ISO 8601 duration
// parameters (duration, maxDuration, startInstancesAfterDuration, ...) and
// the fault's maxDuration, which its template does not carry, so that it is
// never judged shorter than FIS runs it; at least MinMaxDuration.
// Validation asks a CR without a duration to set maxDuration.
func (f *Fault) EffectiveMaxDuration() time.Duration {
	d := f.MaxDuration.Duration
	if def, ok := f.DefaultMaxDuration(); ok && d == 0 {
		d = def
	}
	if f.FIS != nil {
		d = max(d, f.FIS.longestDuration())
	}
	return max(d, MinMaxDuration)
}

// longestDuration is the longest ISO 8601 duration among a raw action's
// parameters (those the FIS actions reference marks so; any that reads as
// one for an action it does not list).
func (a *FISAction) longestDuration() time.Duration {
	spec, known := fisactions.Get(a.ActionID)
	var longest time.Duration
	for k, v := range a.Parameters {
		if known && !spec.Parameters[k].ISO8601 {
			continue
		}
		if d, err := fisactions.ParseDuration(v); err == nil {
			longest = max(longest, d)
		}
	}
	return longest
}

// LongestPath is the longest chain of faults through startAfter, by
// EffectiveMaxDuration: how long the experiment may run at most. Faults must
// already be checked for unknown names and cycles; unknown names count as 0.
func (s *Spec) LongestPath() time.Duration {
	faults := s.Spec.Faults
	byName := make(map[string]int, len(faults))
	for i, f := range faults {
		byName[f.Name] = i
	}
	memo := make(map[int]time.Duration, len(faults))
	var visiting = make(map[int]bool)
	var end func(i int) time.Duration
	end = func(i int) time.Duration {
		if v, ok := memo[i]; ok {
			return v
		}
		if visiting[i] { // a cycle: validation reports it
			return 0
		}
		visiting[i] = true
		var start time.Duration
		for _, dep := range faults[i].StartAfter {
			if j, ok := byName[dep]; ok {
				start = max(start, end(j))
			}
		}
		visiting[i] = false
		memo[i] = start + faults[i].EffectiveMaxDuration()
		return memo[i]
	}
	var longest time.Duration
	for i := range faults {
		longest = max(longest, end(i))
	}
	return longest
}

// ExperimentTimeout is timeouts.experiment, or the longest fault path + 15m.
func (s *Spec) ExperimentTimeout() time.Duration {
	if !s.Spec.Timeouts.Experiment.IsZero() {
		return s.Spec.Timeouts.Experiment.Duration
	}
	return s.LongestPath() + DefaultTimeoutMargin
}

// ReportWindow is the metric window before and after the faults.
func (s *Spec) ReportWindow() (before, after time.Duration) {
	before, after = DefaultReportWindow, DefaultReportWindow
	if w := s.Spec.Report.Window; !w.Before.IsZero() {
		before = w.Before.Duration
	}
	if w := s.Spec.Report.Window; !w.After.IsZero() {
		after = w.After.Duration
	}
	return before, after
}

// CheckPhases is the check's phases, all three by default.
func (c *SteadyCheck) CheckPhases() []Phase {
	if len(c.Phases) == 0 {
		return AllPhases
	}
	return c.Phases
}

// ScheduleEnabled reports whether the schedule is on (the default).
func (s *Schedule) ScheduleEnabled() bool { return s.Enabled == nil || *s.Enabled }

// AlarmName is the name of a staged stop-condition alarm.
func (s *Spec) AlarmName(a *AlarmSpec) string { return AlarmPrefix(s.Metadata.Name) + a.Name }
