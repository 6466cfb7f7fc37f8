package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// intensity judges one chaos spec of a CR (of kind, at sp under the CR)
// against chaosMesh.limits. at maps a path of the CR to the file's.
func (c *checker) intensity(kind, sp string, spec map[string]any, at func(string) string) {
	l := &c.p.Spec.ChaosMesh.Limits
	switch kind {
	case "NetworkChaos":
		c.networkDelay(l, sp, spec, at)
		for _, p := range []struct {
			field, rule string
			max         *Percent
		}{
			{"loss", RuleMaxLossPercent, l.MaxLossPercent},
			{"duplicate", RuleMaxDuplicatePercent, l.MaxDuplicatePercent},
			{"corrupt", RuleMaxCorruptPercent, l.MaxCorruptPercent},
		} {
			m, _ := spec[p.field].(map[string]any)
			if v, ok := m[p.field]; ok && p.max != nil {
				c.atMost(at(sp+"."+p.field+"."+p.field), p.rule, v, *p.max)
			}
		}
		for _, field := range []string{"bandwidth", "rate"} {
			m, _ := spec[field].(map[string]any)
			if v, ok := m["rate"]; ok && l.MinBandwidth != nil {
				c.bandwidth(at(sp+"."+field+".rate"), v, *l.MinBandwidth)
			}
		}
	case "HTTPChaos", "IOChaos":
		if v, ok := spec["delay"]; ok && l.MaxLatency != nil {
			s, _ := v.(string)
			d, err := time.ParseDuration(s)
			c.latency(at(sp+".delay"), s, d, err, *l.MaxLatency)
		}
		if v, ok := spec["percent"]; kind == "IOChaos" && l.MaxIOPercent != nil {
			if !ok { // the CRD's default
				c.refuse(at(sp), RuleMaxIOPercent, "without percent every file operation is injected (100%%), more than this deployment allows (%s): set percent", *l.MaxIOPercent)
			} else {
				c.atMost(at(sp+".percent"), RuleMaxIOPercent, v, *l.MaxIOPercent)
			}
		}
	case "JVMChaos":
		c.jvm(l, sp, spec, at)
	case "StressChaos":
		c.stress(l, sp, spec, at)
	case "PodChaos":
		if l.MaxPodsPercent != nil {
			c.podShare(sp, spec, *l.MaxPodsPercent, at)
		}
	}
}

// podShare judges the share of its selected pods a PodChaos acts on, by
// its mode and value as Chaos Mesh's PodSelector.Validate reads them
// (strconv.Atoi).
func (c *checker) podShare(sp string, spec map[string]any, max Percent, at func(string) string) {
	mode, _ := spec["mode"].(string)
	value, _ := spec["value"].(string)
	n, err := strconv.Atoi(value)
	switch mode {
	case "one":
	case "fixed":
		if max < 100 && (err != nil || n > 1) { // at 100 % any count is within it
			c.refuse(at(sp+".value"), RuleMaxPodsPercent, "fixed %s pods cannot be judged as a share of the pods selected (this deployment allows %s): use fixed-percent, or mode one", value, max)
		}
	case "fixed-percent", "random-max-percent":
		if err != nil || float64(n) > float64(max) {
			c.refuse(at(sp+".value"), RuleMaxPodsPercent, "%s %s%% of the pods selected is more than this deployment allows (%s)", mode, value, max)
		}
	default: // all, and a mode gameday.Check refuses
		if max < 100 {
			c.refuse(at(sp+".mode"), RuleMaxPodsPercent, "mode %s acts on every pod selected (100%%), more than this deployment allows (%s): use fixed-percent, or mode one", mode, max)
		}
	}
}

// jvm judges a JVMChaos: its latency (milliseconds,
// JVMParameter.LatencyDuration) and, as a StressChaos's stressors are, its
// stress: cpuCount cores, and a memType whose stress fills the JVM's heap
// or stack whole, which no size or share can judge.
func (c *checker) jvm(l *Limits, sp string, spec map[string]any, at func(string) string) {
	if v, ok := spec["latency"]; ok && l.MaxLatency != nil {
		ms, isNum := number(v)
		var err error
		if !isNum {
			err = fmt.Errorf("not a number")
		}
		c.latency(at(sp+".latency"), fmt.Sprint(v)+"ms", time.Duration(ms*float64(time.Millisecond)), err, *l.MaxLatency)
	}
	if v, ok := spec["cpuCount"]; ok && l.MaxCPUWorkers != nil {
		if n, isNum := number(v); !isNum || n > float64(*l.MaxCPUWorkers) {
			c.refuse(at(sp+".cpuCount"), RuleMaxCPUWorkers, "%v CPU cores are more than this deployment allows (%d)", v, *l.MaxCPUWorkers)
		}
	}
	if mem, _ := spec["memType"].(string); mem != "" && (l.MaxMemorySize != nil || l.MaxMemoryPercent != nil) {
		c.refuse(at(sp+".memType"), memoryRule(l), "a JVM memory stress fills the JVM's %s whole, which cannot be judged against the memory this deployment allows (%s): remove memType", mem, memoryBounds(l))
	}
}

// networkDelay judges a NetworkChaos's delay: netem adds latency plus up
// to jitter to a packet.
func (c *checker) networkDelay(l *Limits, sp string, spec map[string]any, at func(string) string) {
	delay, ok := spec["delay"].(map[string]any)
	if !ok || l.MaxLatency == nil {
		return
	}
	latency, _ := delay["latency"].(string)
	d, err := time.ParseDuration(latency)
	jitter, _ := delay["jitter"].(string)
	if jitter == "" {
		c.latency(at(sp+".delay.latency"), latency, d, err, *l.MaxLatency)
		return
	}
	j, jerr := time.ParseDuration(jitter)
	if err != nil || d < 0 {
		c.latency(at(sp+".delay.latency"), latency, d, err, *l.MaxLatency)
		return
	}
	if jerr != nil || j < 0 {
		c.latency(at(sp+".delay.jitter"), jitter, j, jerr, *l.MaxLatency)
		return
	}
	c.latency(at(sp+".delay"), fmt.Sprintf("%s latency with %s jitter (up to %s)", latency, jitter, gameday.Short(d+j)), d+j, nil, *l.MaxLatency)
}

// latency refuses an added latency d (written as shown) above max, or one
// that cannot be read. A negative one is refused too: Chaos Mesh hands
// netem a NetworkChaos's latency and jitter in microseconds as a uint32
// (DelaySpec.ToNetem), so -1us is a delay of 71 minutes.
func (c *checker) latency(fieldPath, shown string, d time.Duration, err error, max gameday.Duration) {
	want := gameday.Short(max.Duration)
	switch {
	case err != nil:
		c.refuse(fieldPath, RuleMaxLatency, "%q cannot be judged against the latency this deployment allows (%s): write a duration such as 100ms", shown, want)
	case d < 0:
		c.refuse(fieldPath, RuleMaxLatency, "%s is negative, which Chaos Mesh may read as a delay of over an hour (it hands netem microseconds as an unsigned number): write a duration of at most %s", shown, want)
	case d > max.Duration:
		c.refuse(fieldPath, RuleMaxLatency, "%s is more than this deployment allows (%s)", shown, want)
	}
}

// atMost refuses a percentage (a Chaos Mesh FloatStr) above max.
func (c *checker) atMost(fieldPath, rule string, v any, max Percent) {
	f, ok := parsePercent(v)
	switch {
	case !ok:
		c.refuse(fieldPath, rule, "%s cannot be judged against the percentage this deployment allows (%s): write a number such as \"5\"", unjudged(v), max)
	case f > float64(max):
		c.refuse(fieldPath, rule, "%s%% is more than this deployment allows (%s)", fmt.Sprint(v), max)
	}
}

// bandwidth refuses a rate below min.
func (c *checker) bandwidth(fieldPath string, v any, min Rate) {
	s, _ := v.(string)
	r, err := ParseRate(s)
	switch {
	case err != nil:
		c.refuse(fieldPath, RuleMinBandwidth, "%s cannot be judged against the least bandwidth this deployment allows (%s): write a rate such as 10mbit", unjudged(v), min)
	case r < min.BitsPerSecond():
		c.refuse(fieldPath, RuleMinBandwidth, "%s is less bandwidth than this deployment allows (at least %s)", s, min)
	}
}

// stress judges a StressChaos: its stress-ng arguments, its CPU stressor's
// workers and load, its memory stressor's size.
func (c *checker) stress(l *Limits, sp string, spec map[string]any, at func(string) string) {
	raw := func(fieldPath, what, fix string) {
		switch {
		case l.AllowsStressngStressors():
		case l.boundsStress():
			c.refuse(at(fieldPath), RuleAllowStressngStressors, "%s, which cannot be judged against the bounds of this deployment (%s): %s", what, l.stressBounds(), fix)
		default:
			c.refuse(at(fieldPath), RuleAllowStressngStressors, "%s, which this deployment does not allow: %s", what, fix)
		}
	}
	if s, _ := spec["stressngStressors"].(string); s != "" {
		raw(sp+".stressngStressors", "a raw stress-ng command line", "use stressors.cpu (workers, load) or stressors.memory (size)")
	}
	stressors, _ := spec["stressors"].(map[string]any)
	for _, name := range []string{"cpu", "memory"} {
		st, _ := stressors[name].(map[string]any)
		if opts, _ := st["options"].([]any); len(opts) > 0 {
			raw(sp+".stressors."+name+".options", "options pass raw arguments to "+map[string]string{"cpu": "stress-ng", "memory": "memStress"}[name], "remove them")
		}
	}
	if cpu, ok := stressors["cpu"].(map[string]any); ok {
		c.cpu(l, sp+".stressors.cpu", cpu, at)
	}
	if mem, ok := stressors["memory"].(map[string]any); ok {
		c.memory(l, sp+".stressors.memory", mem, at)
	}
}

// cpu judges a CPU stressor's workers and load (stress-ng's --cpu-load,
// 100 when left out).
func (c *checker) cpu(l *Limits, p string, cpu map[string]any, at func(string) string) {
	if max := l.MaxCPUWorkers; max != nil {
		switch w, ok := number(cpu["workers"]); {
		case !ok:
			c.refuse(at(p+".workers"), RuleMaxCPUWorkers, "%s cannot be judged against the CPU workers this deployment allows (%d): write a whole number", unjudged(cpu["workers"]), *max)
		case w > float64(*max):
			c.refuse(at(p+".workers"), RuleMaxCPUWorkers, "%v CPU workers are more than this deployment allows (%d)", cpu["workers"], *max)
		}
	}
	if max := l.MaxCPULoad; max != nil {
		load, present := cpu["load"]
		switch f, ok := number(load); {
		case !present:
			c.refuse(at(p), RuleMaxCPULoad, "without load each worker runs at full load (100%%), more than this deployment allows (%s): set load", *max)
		case !ok:
			c.refuse(at(p+".load"), RuleMaxCPULoad, "%s cannot be judged against the load this deployment allows (%s): write a whole number", unjudged(load), *max)
		case f > float64(*max):
			c.refuse(at(p+".load"), RuleMaxCPULoad, "%v%% load is more than this deployment allows (%s)", load, *max)
		}
	}
}

// memory judges a memory stressor's size: a size against maxMemorySize, a
// share (50%) against maxMemoryPercent; one left out is all the memory.
// The size is judged as the stressor's total, whatever its workers:
// Chaos Mesh's type calls it "per vm worker", but memStress, which runs
// the stressor, divides it among them.
func (c *checker) memory(l *Limits, p string, mem map[string]any, at func(string) string) {
	if l.MaxMemorySize == nil && l.MaxMemoryPercent == nil {
		return
	}
	size, _ := mem["size"].(string)
	if size == "" {
		if l.MaxMemoryPercent != nil && *l.MaxMemoryPercent >= 100 {
			return
		}
		c.refuse(at(p), memoryRule(l), "without size the stressor takes all the memory there is (the container's limit, or the node's memory without one), more than this deployment allows (%s): set size", memoryBounds(l))
		return
	}
	if share, isShare := strings.CutSuffix(size, "%"); isShare {
		pct, err := strconv.Atoi(share) // as Chaos Mesh's Bytes.Validate
		switch {
		case l.MaxMemoryPercent == nil:
			c.refuse(at(p+".size"), RuleMaxMemorySize, "%s of the container's memory limit (of the node's memory without one) cannot be judged against a size: write a size of at most %s", size, *l.MaxMemorySize)
		case err != nil || float64(pct) > float64(*l.MaxMemoryPercent):
			c.refuse(at(p+".size"), RuleMaxMemoryPercent, "%s is more than this deployment allows (%s)", size, *l.MaxMemoryPercent)
		}
		return
	}
	n, err := ParseSize(size)
	switch {
	case l.MaxMemorySize == nil:
		c.refuse(at(p+".size"), RuleMaxMemoryPercent, "a size cannot be judged against a share of memory, which depends on the container's limit: write a share of at most %s", *l.MaxMemoryPercent)
	case err != nil || n > l.MaxMemorySize.Bytes():
		c.refuse(at(p+".size"), RuleMaxMemorySize, "%s is more than this deployment allows (%s)", size, *l.MaxMemorySize)
	}
}

// memoryBounds says the memory bounds set, for a refusal.
func memoryBounds(l *Limits) string {
	var b []string
	if l.MaxMemorySize != nil {
		b = append(b, string(*l.MaxMemorySize))
	}
	if l.MaxMemoryPercent != nil {
		b = append(b, l.MaxMemoryPercent.String())
	}
	return strings.Join(b, " or ")
}

// memoryRule is the rule a memory refusal quotes: maxMemorySize where set.
func memoryRule(l *Limits) string {
	if l.MaxMemorySize != nil {
		return RuleMaxMemorySize
	}
	return RuleMaxMemoryPercent
}

// unjudged shows a value a bound cannot judge, as the refusal names it.
func unjudged(v any) string {
	if v == nil {
		return "a value left out"
	}
	return fmt.Sprintf("%q", fmt.Sprint(v))
}
