package gameday

import (
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// FIS and CloudWatch limits the checks enforce.
const (
	// MaxFaults is FIS's quota of actions per experiment template.
	MaxFaults = 20
	// MaxParallelFaults is FIS's quota of actions running in parallel.
	MaxParallelFaults = 10
	// MaxStopConditions is FIS's quota of stop conditions per template.
	MaxStopConditions = 5
	// MaxTargets is FIS's quota of targets per experiment template.
	MaxTargets = 5
	// MaxAlarmNameLength is CloudWatch's limit on alarm names.
	MaxAlarmNameLength = 255
)

var (
	dns1123Label     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	eksClusterARN    = regexp.MustCompile(`^arn:aws[a-z-]*:eks:[a-z]{2}(-[a-z]+)+-\d:\d{12}:cluster/[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$`)
	eksClusterName   = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$`)
	alarmARN         = regexp.MustCompile(`^arn:aws[a-z-]*:cloudwatch:[a-z]{2}(-[a-z]+)+-\d:\d{12}:alarm:[^\x00-\x1f]{1,255}$`)
	alarmName        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	percentileStat   = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,2})?|100)$`)
)

func isDNSLabel(s string) bool     { return len(s) <= 63 && dns1123Label.MatchString(s) }
func isDNSSubdomain(s string) bool { return len(s) <= 253 && dns1123Subdomain.MatchString(s) }

// AlarmComparisons are the comparison operators of the stop-condition
// alarms gameday stages.
var AlarmComparisons = []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}

// anomalyComparisons need an anomaly-detection band, which gameday does not stage.
var anomalyComparisons = []string{"LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"}

var (
	// TreatMissingDataValues are CloudWatch's treatments of missing data.
	TreatMissingDataValues = []string{"breaching", "notBreaching", "ignore", "missing"}
	basicStats             = []string{"Average", "Sum", "Minimum", "Maximum", "SampleCount"}
	// Units are CloudWatch's standard units (StandardUnit).
	Units = strings.Fields(`Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes
		Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second
		Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second
		Gigabits/Second Terabits/Second Count/Second None`)
)

// Check runs every check of a decoded GameDay that needs no Chaos Mesh
// types. Problems carry field paths but no positions; Document.Locate adds
// them.
func Check(s *Spec) Problems {
	var r problems
	if s == nil {
		r.add("", "no GameDay")
		return r.list
	}
	r.list = append(r.list, CheckFileKind(s.TypeMeta, Kind)...)
	checkMetadata(&r, s)
	checkTarget(&r, s)
	checkHypothesis(&r, s)
	checkObserve(&r, s)
	checkFaults(&r, s)
	checkStopConditions(&r, s)
	checkScheduleExpression(&r, s)
	checkTimeouts(&r, s)
	checkWindow(&r, s)
	return r.list
}

func checkMetadata(r *problems, s *Spec) {
	name := s.Metadata.Name
	switch {
	case name == "":
		r.add("metadata.name", "required: a name of lower-case letters, digits and '-', for example sock-shop-carts-latency")
	case !isDNSLabel(name):
		r.add("metadata.name", "%q is not a DNS-1123 label: use 1 to 63 lower-case letters, digits and '-', starting and ending with a letter or digit", name)
	}
	if len(s.Metadata.Tags) > 40 {
		r.add("metadata.tags", "%d tags; at most 40 (gameday adds its own to FIS's 50)", len(s.Metadata.Tags))
	}
	for _, k := range slices.Sorted(maps.Keys(s.Metadata.Tags)) {
		v := s.Metadata.Tags[k]
		p := child("metadata.tags", k)
		switch {
		case k == "" || len(k) > 128:
			r.add(p, "tag keys are 1 to 128 characters")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			r.add(p, "tag keys starting with aws: are reserved by AWS")
		case len(v) > 256:
			r.add(p, "tag values are at most 256 characters")
		}
	}
}

func usesCluster(s *Spec) bool {
	for _, f := range s.Spec.Faults {
		if f.ChaosMesh != nil || f.Litmus != nil {
			return true
		}
	}
	return false
}

func checkTarget(r *problems, s *Spec) {
	t := s.Spec.Target
	switch {
	case t.Cluster != "" && t.ClusterName != "":
		r.add("spec.target", "set cluster (an ARN) or clusterName, not both")
	case t.Cluster != "":
		if !eksClusterARN.MatchString(t.Cluster) {
			r.add("spec.target.cluster", "%q is not an EKS cluster ARN: write arn:aws:eks:REGION:ACCOUNT:cluster/NAME, or use clusterName", t.Cluster)
		}
	case t.ClusterName != "":
		if !eksClusterName.MatchString(t.ClusterName) {
			r.add("spec.target.clusterName", "%q is not an EKS cluster name: 1 to 100 letters, digits, '-' and '_', starting with a letter or digit", t.ClusterName)
		}
	case usesCluster(s):
		r.add("spec.target", "required: the EKS cluster, as cluster: arn:aws:eks:REGION:ACCOUNT:cluster/NAME or clusterName: NAME")
	}
}

func checkHypothesis(r *problems, s *Spec) {
	seen := map[string]bool{}
	for i, c := range s.Spec.Hypothesis.SteadyState {
		p := index("spec.hypothesis.steadyState", i)
		uniqueName(r, p, c.Name, seen, "required: a name for the check", "duplicate check name %q: give each check its own name")
		checkMetric(r, &c.Metric, child(p, "metric"))
		checkExpect(r, &c.Expect, child(p, "expect"))
		phases := map[Phase]bool{}
		for j, ph := range c.Phases {
			pp := index(child(p, "phases"), j)
			switch {
			case ph != PhaseBefore && ph != PhaseDuring && ph != PhaseAfter:
				r.add(pp, "unknown phase %q: use before, during or after", ph)
			case phases[ph]:
				r.add(pp, "phase %s listed twice", ph)
			}
			phases[ph] = true
		}
	}
}

// checkObserve checks the metrics charted for context: each named once,
// apart from the checks' names too (the report charts both by name).
func checkObserve(r *problems, s *Spec) {
	checks := map[string]bool{}
	for _, c := range s.Spec.Hypothesis.SteadyState {
		checks[c.Name] = true
	}
	seen := map[string]bool{}
	for i, o := range s.Spec.Observe {
		p := index("spec.observe", i)
		if uniqueName(r, p, o.Name, seen, "required: a name for the chart, for example carts-latency-p99", "duplicate name %q: give each observed metric its own name") && checks[o.Name] {
			r.add(child(p, "name"), "%q already names a steady-state check: give the observed metric its own name", o.Name)
		}
		checkMetric(r, &o.Metric, child(p, "metric"))
	}
}

// uniqueName checks the name of the list item at p: given (else the
// required message) and not in seen (else the duplicate message, a format
// for the name); it adds the name to seen and reports whether both held.
func uniqueName(r *problems, p, name string, seen map[string]bool, required, duplicate string) bool {
	switch {
	case name == "":
		r.add(child(p, "name"), "%s", required)
	case seen[name]:
		r.add(child(p, "name"), duplicate, name)
	default:
		seen[name] = true
		return true
	}
	return false
}

func checkMetric(r *problems, m *Metric, p string) {
	if m.Namespace == "" {
		r.add(child(p, "namespace"), "required: the CloudWatch namespace, for example AWS/ApplicationELB")
	} else if len(m.Namespace) > 255 {
		r.add(child(p, "namespace"), "at most 255 characters")
	}
	if m.Name == "" {
		r.add(child(p, "name"), "required: the metric name")
	} else if len(m.Name) > 255 {
		r.add(child(p, "name"), "at most 255 characters")
	}
	if len(m.Dimensions) > 30 {
		r.add(child(p, "dimensions"), "%d dimensions; CloudWatch allows 30", len(m.Dimensions))
	}
	switch {
	case m.Stat == "":
		r.add(child(p, "stat"), "required: Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99")
	case !contains(basicStats, m.Stat) && !percentileStat.MatchString(m.Stat):
		r.add(child(p, "stat"), "unknown statistic %q%s: use Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99 or p99.9", m.Stat, suggest(m.Stat, basicStats))
	}
	checkPeriod(r, m, child(p, "period"))
	if m.HighResolution && strings.HasPrefix(m.Namespace, "AWS/") {
		r.add(child(p, "highResolution"), "%s is an AWS service's namespace: high resolution (StorageResolution=1) is only for custom metrics", m.Namespace)
	}
	if m.Unit != "" && !contains(Units, m.Unit) {
		r.add(child(p, "unit"), "unknown unit %q%s: use a CloudWatch unit such as Milliseconds, Seconds, Percent, Count or Count/Second", m.Unit, suggest(m.Unit, Units))
	}
}

// checkPeriod checks a metric's period: a multiple of 60, or 10, 20 or 30
// for a metric declared high-resolution. CloudWatch stores a standard
// metric at one-minute resolution: an alarm of 10 s periods on it finds
// data in one period a minute and lapses into INSUFFICIENT_DATA, a check
// reads one datapoint in six (PutMetricAlarm Period, MetricDatum
// StorageResolution).
func checkPeriod(r *problems, m *Metric, p string) {
	period := m.Period
	subMinute := period == 10 || period == 20 || period == 30
	switch {
	case period == 0:
		r.add(p, "%s", msgPeriodRequired)
	case period < 0 || (!subMinute && period%60 != 0):
		r.add(p, "%d is not a CloudWatch period: use a multiple of 60 seconds (10, 20 or 30 for a high-resolution metric)", period)
	case subMinute && !m.HighResolution:
		r.add(p, "%ds is under a minute: CloudWatch keeps sub-minute data only for metrics published with StorageResolution=1 "+
			"(a standard metric has one datapoint a minute); set highResolution: true if %s is, or use 60", period, m.Name)
	}
}

func checkExpect(r *problems, e *Expect, p string) {
	n := 0
	if e.Below != nil {
		n++
	}
	if e.Above != nil {
		n++
	}
	if e.Between != nil {
		n++
		switch {
		case len(e.Between) != 2:
			r.add(child(p, "between"), "write two bounds, between: [low, high]")
		case !(e.Between[0] < e.Between[1]):
			r.add(child(p, "between"), "the low bound %v must be below the high bound %v", e.Between[0], e.Between[1])
		}
	}
	for _, v := range []*float64{e.Below, e.Above} {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
			r.add(p, "bounds must be finite numbers")
		}
	}
	if n != 1 {
		r.add(p, "set exactly one of below, above or between, for example expect: {below: 300}")
	}
}

func checkFaults(r *problems, s *Spec) {
	faults := s.Spec.Faults
	switch {
	case len(faults) == 0:
		r.add("spec.faults", "required: at least one fault")
		return
	case len(faults) > MaxFaults:
		r.add("spec.faults", "%d faults; FIS allows %d actions per experiment template: split this GameDay in two", len(faults), MaxFaults)
	}
	byName := map[string]int{}
	for i := range faults {
		f := &faults[i]
		p := index("spec.faults", i)
		switch {
		case f.Name == "":
			r.add(child(p, "name"), "required: a name of lower-case letters, digits and '-', for example carts-delay")
		case !isDNSLabel(f.Name):
			r.add(child(p, "name"), "%q is not a valid fault name: use 1 to 63 lower-case letters, digits and '-', starting and ending with a letter or digit", f.Name)
		default:
			if j, dup := byName[f.Name]; dup {
				r.add(child(p, "name"), "duplicate fault name %q (also spec.faults[%d]): give each fault its own name", f.Name, j)
			} else {
				byName[f.Name] = i
			}
		}
		checkFault(r, f, p)
	}
	checkOrder(r, faults, byName)
	if n := fisTargetCount(s); n > MaxTargets {
		r.add("spec.faults", "the faults need %d FIS targets (one EKS cluster for all custom resources, plus each raw action's own); FIS allows %d per experiment template: use fewer raw fis: targets", n, MaxTargets)
	}
}

func checkFault(r *problems, f *Fault, p string) {
	n := 0
	for _, set := range []bool{f.ChaosMesh != nil, f.Litmus != nil, f.FIS != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		r.add(p, "set exactly one of chaosMesh, litmus or fis")
	}
	switch {
	case f.ChaosMesh != nil:
		checkChaosMesh(r, f, child(p, "chaosMesh"))
	case f.Litmus != nil:
		checkLitmus(r, f.Litmus, child(p, "litmus"))
	case f.FIS != nil:
		checkFISAction(r, f.FIS, child(p, "fis"))
		checkInjected(r, f, p)
	}
	if inj, _ := f.Injected(); f.AllowWideBlastRadius && f.ChaosMesh == nil && (inj == nil || inj.ChaosMesh == nil) {
		r.add(child(p, "allowWideBlastRadius"), "only applies to a Chaos Mesh fault (chaosMesh:, or a raw %s of a Chaos Mesh kind)", ActionInjectCustomResource)
	}
	checkDurations(r, f, p)
}

func checkLitmus(r *problems, cr *CustomResource, path string) {
	checkCRMeta(r, cr, path, LitmusAPIVersion)
	if cr.Kind != LitmusKind {
		if cr.Kind == "" {
			r.add(child(path, "kind"), "required: write kind: %s", LitmusKind)
		} else {
			r.add(child(path, "kind"), "must be %s, not %q", LitmusKind, cr.Kind)
		}
	}
	if len(cr.Spec) == 0 {
		r.add(child(path, "spec"), "required: the ChaosEngine's spec, as you would kubectl apply it")
	}
}

func checkDurations(r *problems, f *Fault, p string) {
	mp := child(p, "maxDuration")
	if !f.MaxDuration.IsZero() {
		switch d := f.MaxDuration.Duration; {
		case d < MinMaxDuration:
			r.add(mp, "%s is below FIS's minimum of 1m (PT1M)", f.MaxDuration)
		case d > MaxMaxDuration:
			r.add(mp, "%s is above FIS's limit of 12h (PT12H)", f.MaxDuration)
		}
	}
	if f.FIS != nil {
		return
	}
	crPath := child(p, "chaosMesh.spec.duration")
	if f.Litmus != nil {
		crPath = child(p, "litmus.spec.experiments")
	}
	cr, ok, err := f.CRDuration()
	switch {
	case err != nil && f.ChaosMesh != nil:
		r.add(crPath, "%s is not a duration: write 180s or 3m", quoteHint(f.ChaosMesh.Spec["duration"]))
	case err != nil:
		r.add(crPath, "%v", err)
	case ok && !f.MaxDuration.IsZero() && cr >= f.MaxDuration.Duration:
		r.add(mp, "%s is not longer than the CR's duration %s: FIS requires the CR's duration to be shorter than maxDuration; raise maxDuration or omit it (default: duration + 1m)", f.MaxDuration, Duration{cr})
	case ok && f.MaxDuration.IsZero() && cr+DefaultMaxDurationMargin > MaxMaxDuration:
		r.add(crPath, "%s + 1m is above FIS's 12h limit: shorten the duration", Duration{cr})
	case !ok && f.MaxDuration.IsZero() && !f.oneShot():
		r.add(mp, "required: the CR sets no duration, so set maxDuration on the fault (for example 5m) or duration on the CR; otherwise the fault runs until FIS deletes it")
	case ok && cr <= 0:
		r.add(crPath, "must be positive")
	}
}

// oneShot reports whether the fault ends by itself (a pod kill).
func (f *Fault) oneShot() bool {
	if f.ChaosMesh == nil {
		return false
	}
	a, _ := f.ChaosMesh.Spec["action"].(string)
	return oneShotActions[f.ChaosMesh.Kind+"/"+a]
}

// checkOrder checks startAfter: known earlier faults, no cycles, and how
// many faults may run at once.
func checkOrder(r *problems, faults []Fault, byName map[string]int) {
	deps := make([][]int, len(faults))
	for i, f := range faults {
		seen := map[string]bool{}
		for j, name := range f.StartAfter {
			p := index(child(index("spec.faults", i), "startAfter"), j)
			k, ok := byName[name]
			switch {
			case seen[name]:
				r.add(p, "%q listed twice", name)
			case name == f.Name:
				r.add(p, "a fault cannot start after itself")
			case !ok:
				r.add(p, "unknown fault %q%s: startAfter names other faults of this GameDay (%s)", name, suggest(name, faultNames(faults)), strings.Join(faultNames(faults), ", "))
			default:
				deps[i] = append(deps[i], k)
			}
			seen[name] = true
		}
	}
	if cycle := findCycle(deps); cycle != nil {
		names := make([]string, len(cycle))
		for i, c := range cycle {
			names[i] = faults[c].Name
		}
		r.add(child(index("spec.faults", cycle[0]), "startAfter"), "startAfter forms a cycle: %s", strings.Join(names, " → "))
		return
	}
	if len(faults) <= 100 {
		if n := maxParallel(deps); n > MaxParallelFaults {
			r.add("spec.faults", "%d faults may run at the same time; FIS runs at most %d actions in parallel: order some with startAfter", n, MaxParallelFaults)
		}
	}
}

func faultNames(faults []Fault) []string {
	var names []string
	for _, f := range faults {
		if f.Name != "" {
			names = append(names, f.Name)
		}
	}
	return names
}

// findCycle returns a cycle of the startAfter graph (first node repeated at
// the end), or nil.
func findCycle(deps [][]int) []int {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(deps))
	var stack []int
	var found []int
	var visit func(i int) bool
	visit = func(i int) bool {
		color[i] = grey
		stack = append(stack, i)
		for _, d := range deps[i] {
			if color[d] == grey {
				for k, s := range stack {
					if s == d {
						found = append(append([]int{}, stack[k:]...), d)
						return true
					}
				}
			}
			if color[d] == white && visit(d) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
		return false
	}
	for i := range deps {
		if color[i] == white && visit(i) {
			// report the cycle in start order: a → b means b starts after a
			for l, r := 0, len(found)-1; l < r; l, r = l+1, r-1 {
				found[l], found[r] = found[r], found[l]
			}
			return found
		}
	}
	return nil
}

// maxParallel is the largest set of faults with no ordering between them (a
// maximum antichain of the startAfter order: n minus a maximum matching of
// its transitive closure, by Dilworth's theorem).
func maxParallel(deps [][]int) int {
	n := len(deps)
	reach := make([][]bool, n)
	for i := range reach {
		reach[i] = make([]bool, n)
	}
	var mark func(from, i int)
	mark = func(from, i int) {
		for _, d := range deps[i] {
			if !reach[from][d] {
				reach[from][d] = true
				mark(from, d)
			}
		}
	}
	for i := range deps {
		mark(i, i)
	}
	match := make([]int, n)
	for i := range match {
		match[i] = -1
	}
	var try func(u int, seen []bool) bool
	try = func(u int, seen []bool) bool {
		for v := 0; v < n; v++ {
			if reach[u][v] && !seen[v] {
				seen[v] = true
				if match[v] < 0 || try(match[v], seen) {
					match[v] = u
					return true
				}
			}
		}
		return false
	}
	matched := 0
	for u := 0; u < n; u++ {
		if try(u, make([]bool, n)) {
			matched++
		}
	}
	return n - matched
}

func checkStopConditions(r *problems, s *Spec) {
	scs := s.Spec.StopConditions
	if len(scs) > MaxStopConditions {
		r.add("spec.stopConditions", "%d stop conditions; FIS allows %d per experiment template: keep the ones that matter most, or combine alarms into a composite alarm and give it by alarmArn", len(scs), MaxStopConditions)
	}
	seen := map[string]int{}
	for i, sc := range scs {
		p := index("spec.stopConditions", i)
		if (sc.Alarm != nil) == (sc.AlarmARN != "") {
			r.add(p, "set exactly one of alarm (staged by gameday) or alarmArn (an existing alarm)")
			continue
		}
		if sc.AlarmARN != "" {
			if !alarmARN.MatchString(sc.AlarmARN) {
				r.add(child(p, "alarmArn"), "%q is not a CloudWatch alarm ARN: write arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME", sc.AlarmARN)
			}
			continue
		}
		a := sc.Alarm
		ap := child(p, "alarm")
		switch {
		case a.Name == "":
			r.add(child(ap, "name"), "required: a name of letters, digits, '.', '_' and '-'")
		case !alarmName.MatchString(a.Name):
			r.add(child(ap, "name"), "%q is not a valid alarm name: use letters, digits, '.', '_' and '-'", a.Name)
		case len(s.AlarmName(a)) > MaxAlarmNameLength:
			r.add(child(ap, "name"), "the staged alarm name %s is %d characters; CloudWatch allows %d: shorten the alarm or GameDay name", Shorten(s.AlarmName(a), 41), len(s.AlarmName(a)), MaxAlarmNameLength)
		default:
			if j, dup := seen[a.Name]; dup {
				r.add(child(ap, "name"), "duplicate alarm name %q (also spec.stopConditions[%d]): give each alarm its own name", a.Name, j)
			}
			seen[a.Name] = i
		}
		checkMetric(r, &a.Metric, child(ap, "metric"))
		switch {
		case a.Comparison == "":
			r.add(child(ap, "comparison"), "required: one of %s", strings.Join(AlarmComparisons, ", "))
		case contains(anomalyComparisons, a.Comparison):
			r.add(child(ap, "comparison"), "%s needs an anomaly-detection band, which gameday does not stage: use one of %s, or give an existing alarm by alarmArn", a.Comparison, strings.Join(AlarmComparisons, ", "))
		case !contains(AlarmComparisons, a.Comparison):
			r.add(child(ap, "comparison"), "unknown comparison %q%s: use one of %s", a.Comparison, suggest(a.Comparison, AlarmComparisons), strings.Join(AlarmComparisons, ", "))
		}
		if math.IsNaN(a.Threshold) || math.IsInf(a.Threshold, 0) {
			r.add(child(ap, "threshold"), "must be a finite number")
		}
		if a.EvaluationPeriods < 1 {
			r.add(child(ap, "evaluationPeriods"), "must be at least 1")
		} else if a.Metric.Period > 0 && int64(a.EvaluationPeriods)*int64(a.Metric.Period) > 86400 {
			r.add(child(ap, "evaluationPeriods"), "%d periods of %ds exceed CloudWatch's one-day evaluation window", a.EvaluationPeriods, a.Metric.Period)
		}
		if a.DatapointsToAlarm < 0 || (a.EvaluationPeriods >= 1 && a.DatapointsToAlarm > a.EvaluationPeriods) {
			r.add(child(ap, "datapointsToAlarm"), "must be between 1 and evaluationPeriods (%d)", a.EvaluationPeriods)
		}
		if a.TreatMissingData != "" && !contains(TreatMissingDataValues, a.TreatMissingData) {
			r.add(child(ap, "treatMissingData"), "unknown value %q%s: use one of %s", a.TreatMissingData, suggest(a.TreatMissingData, TreatMissingDataValues), strings.Join(TreatMissingDataValues, ", "))
		}
	}
}

func checkScheduleExpression(r *problems, s *Spec) {
	sc := s.Spec.Schedule
	if sc == nil {
		return
	}
	if sc.Expression == "" {
		r.add("spec.schedule.expression", "required: for example cron(0 10 ? * TUE *) or rate(7 days)")
	} else if err := ParseScheduleExpression(sc.Expression); err != nil {
		r.add("spec.schedule.expression", "%v", err)
	}
	if sc.Timezone != "" && haveTZData() {
		if _, err := time.LoadLocation(sc.Timezone); err != nil || sc.Timezone == "Local" {
			r.add("spec.schedule.timezone", "unknown time zone %q: use an IANA name such as Asia/Tokyo or UTC", sc.Timezone)
		}
	}
}

// haveTZData reports whether the time zone database is available (the
// binary embeds time/tzdata, or the system has it); without it no zone can
// be checked, and none is refused.
func haveTZData() bool {
	_, err := time.LoadLocation("America/New_York")
	return err == nil
}

func checkTimeouts(r *problems, s *Spec) {
	t := s.Spec.Timeouts.Experiment
	if t.IsZero() {
		return
	}
	if longest := s.LongestPath(); t.Duration < longest {
		r.add("spec.timeouts.experiment", "%s is shorter than the longest fault path, %s: raise it to at least %s, or omit it (default: the longest path + 15m)", t, Duration{longest}, Duration{longest})
	}
}

func checkWindow(r *problems, s *Spec) {
	w := s.Spec.Report.Window
	for name, d := range map[string]Duration{"before": w.Before, "after": w.After} {
		if d.Duration > 24*time.Hour {
			r.add("spec.report.window."+name, "%s is longer than a day", d)
		}
	}
}
