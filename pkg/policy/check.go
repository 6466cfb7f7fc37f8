package policy

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Rule names, as refusals quote them: "(policy staging: namespaces)".
const (
	RuleClusters              = "clusters"
	RuleNamespaces            = "namespaces"
	RuleChaosMeshKinds        = "chaosMesh.kinds"
	RuleChaosMeshActions      = "chaosMesh.actions"
	RuleLitmusExperiments     = "litmus.experiments"
	RuleLitmusMaxPodsPercent  = "litmus.maxPodsPercent"
	RuleFISActions            = "fisActions"
	RuleMaxExperimentDuration = "maxExperimentDuration"
	RuleRequireStopConditions = "requireStopConditions"
	RuleAllowWideBlastRadius  = "allowWideBlastRadius"
	RuleSchedules             = "schedules"
)

// Where is the account and region a GameDay runs in, to resolve a
// target.clusterName into an ARN; empty offline (validate), where a
// cluster named by name is judged by the name part of the allowed ARNs.
type Where struct {
	Partition, Region, Account string
}

// checker collects the refusals of one GameDay.
type checker struct {
	p     *Policy
	where Where
	ps    gameday.Problems
}

func (c *checker) refuse(fieldPath, rule, format string, args ...any) {
	c.ps = append(c.ps, gameday.Problem{
		Path:    fieldPath,
		Message: fmt.Sprintf(format, args...) + fmt.Sprintf(" (policy %s: %s)", c.p.Metadata.Name, rule),
	})
}

// Check judges a GameDay (already valid by gameday's rules) against the
// policy. Each problem has the GameDay field path and a message ending in
// "(policy NAME: rule)"; Document.Locate gives them positions.
func Check(p *Policy, s *gameday.Spec, where Where) gameday.Problems {
	if p == nil || s == nil {
		return nil
	}
	c := &checker{p: p, where: where}
	c.cluster("spec.target", s.Spec.Target)
	for i := range s.Spec.Faults {
		c.fault(&s.Spec.Faults[i], fmt.Sprintf("spec.faults[%d]", i))
	}
	c.duration(s)
	if p.RequiresStopConditions() && len(s.Spec.StopConditions) == 0 {
		c.refuse("spec.stopConditions", RuleRequireStopConditions,
			"required: this deployment runs no GameDay without a stop-condition alarm; add one under stopConditions")
	}
	if s.Spec.Schedule != nil && !p.AllowsSchedules() {
		c.refuse("spec.schedule", RuleSchedules, "this deployment does not run GameDays on a schedule: remove schedule and start it by hand")
	}
	return c.ps.Sort()
}

// duration refuses a timeouts.experiment, or a longest fault path, above
// maxExperimentDuration.
func (c *checker) duration(s *gameday.Spec) {
	max := c.p.Spec.MaxExperimentDuration.Duration
	if max <= 0 {
		return
	}
	if t := s.Spec.Timeouts.Experiment; !t.IsZero() && t.Duration > max {
		c.refuse("spec.timeouts.experiment", RuleMaxExperimentDuration, "%s is above the longest experiment this deployment allows, %s: shorten it", t, c.p.Spec.MaxExperimentDuration)
		return
	}
	if longest := s.LongestPath(); longest > max {
		c.refuse("spec.faults", RuleMaxExperimentDuration, "the longest fault path takes up to %s, above the longest experiment this deployment allows, %s: shorten the faults' durations",
			gameday.Duration{Duration: longest}, c.p.Spec.MaxExperimentDuration)
	} else if t := s.ExperimentTimeout(); s.Spec.Timeouts.Experiment.IsZero() && t > max {
		c.refuse("spec.timeouts", RuleMaxExperimentDuration, "the default experiment timeout (longest fault path + 15m) is %s, above the longest experiment this deployment allows, %s: set timeouts.experiment to at most %s",
			gameday.Duration{Duration: t}, c.p.Spec.MaxExperimentDuration, c.p.Spec.MaxExperimentDuration)
	}
}

// cluster refuses a target cluster the policy does not list.
func (c *checker) cluster(fieldPath string, t gameday.Target) {
	switch {
	case t.Cluster != "":
		if !c.clusterAllowed(t.Cluster) {
			c.refuse(fieldPath+".cluster", RuleClusters, "cluster %s is not one this deployment may target (%s)", t.Cluster, c.allowedClusters())
		}
	case t.ClusterName != "":
		if !c.clusterNameAllowed(t.ClusterName) {
			c.refuse(fieldPath+".clusterName", RuleClusters, "cluster %s is not one this deployment may target (%s)", t.ClusterName, c.allowedClusters())
		}
	}
}

func (c *checker) allowedClusters() string {
	if len(c.p.Spec.Clusters) == 0 {
		return "the policy allows none"
	}
	return "allowed: " + strings.Join(c.p.Spec.Clusters, ", ")
}

func (c *checker) clusterAllowed(arn string) bool {
	for _, pat := range c.p.Spec.Clusters {
		if ok, _ := path.Match(pat, arn); ok {
			return true
		}
	}
	return false
}

// clusterNameAllowed judges a cluster given by name: as the ARN in this
// account and region when known, else by the allowed ARNs' name parts.
func (c *checker) clusterNameAllowed(name string) bool {
	if w := c.where; w.Region != "" && w.Account != "" {
		partition := w.Partition
		if partition == "" {
			partition = "aws"
		}
		return c.clusterAllowed(fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", partition, w.Region, w.Account, name))
	}
	for _, pat := range c.p.Spec.Clusters {
		if _, _, namePat, ok := splitClusterARN(pat); ok {
			if m, _ := path.Match(namePat, name); m {
				return true
			}
		}
	}
	return false
}

func (c *checker) fault(f *gameday.Fault, fp string) {
	if f.AllowWideBlastRadius && !c.p.Spec.AllowWideBlastRadius {
		c.refuse(fp+".allowWideBlastRadius", RuleAllowWideBlastRadius, "this deployment allows no fault that selects every pod of a namespace: remove allowWideBlastRadius and select pods by label")
	}
	switch {
	case f.ChaosMesh != nil:
		c.chaosMesh(f.ChaosMesh, fp+".chaosMesh", func(q string) string { return q })
	case f.Litmus != nil:
		c.litmus(f.Litmus, fp+".litmus", func(q string) string { return q })
	case f.FIS != nil:
		c.raw(f, fp)
	}
}

// raw judges a raw fis: action: its id, the clusters and namespaces of its
// targets, and the custom resource of an inject action exactly as a
// chaosMesh: or litmus: fault's.
func (c *checker) raw(f *gameday.Fault, fp string) {
	a := f.FIS
	if !slices.Contains(c.p.Spec.FISActions, a.ActionID) {
		c.refuse(fp+".fis.actionId", RuleFISActions, "raw FIS action %s is not one this deployment allows (%s)", a.ActionID, listOrNone(c.p.Spec.FISActions))
	}
	for _, key := range slices.Sorted(maps.Keys(a.Targets)) {
		t := a.Targets[key]
		tp := fp + ".fis.targets." + key
		eks := eksByARN[t.ResourceType]
		if eks && len(t.ResourceArns) == 0 {
			// FIS would pick among every cluster's resources of the type.
			c.refuse(tp, RuleClusters, "selects %s resources by tags or filters, which may pick those of any cluster: name them in resourceArns so the cluster can be judged (%s)", t.ResourceType, c.allowedClusters())
		}
		for i, arn := range t.ResourceArns {
			name, ok := eksClusterOf(t.ResourceType, arn)
			switch {
			case ok && !c.clusterAllowed(name):
				c.refuse(fmt.Sprintf("%s.resourceArns[%d]", tp, i), RuleClusters, "%s is in cluster %s, not one this deployment may target (%s)", arn, name, c.allowedClusters())
			case !ok && eks:
				c.refuse(fmt.Sprintf("%s.resourceArns[%d]", tp, i), RuleClusters, "%s is not the ARN of an EKS cluster or node group, so its cluster cannot be judged (%s)", arn, c.allowedClusters())
			}
		}
		if t.ResourceType == "aws:eks:pod" {
			if id := t.Parameters["clusterIdentifier"]; id != "" {
				if (strings.HasPrefix(id, clusterARNPrefix) && !c.clusterAllowed(id)) || (!strings.HasPrefix(id, clusterARNPrefix) && !c.clusterNameAllowed(id)) {
					c.refuse(tp+".parameters.clusterIdentifier", RuleClusters, "cluster %s is not one this deployment may target (%s)", id, c.allowedClusters())
				}
			}
			if ns := t.Parameters["namespace"]; ns != "" && !slices.Contains(c.p.Spec.Namespaces, ns) {
				c.refuse(tp+".parameters.namespace", RuleNamespaces, "namespace %s is not one this deployment may select pods in (%s)", ns, listOrNone(c.p.Spec.Namespaces))
			}
		}
	}
	inj, err := f.Injected()
	if err != nil || inj == nil {
		return
	}
	at := func(q string) string { return gameday.InjectedPath(fp, q) }
	switch {
	case inj.ChaosMesh != nil:
		c.chaosMesh(inj.ChaosMesh, fp+".chaosMesh", at)
	case inj.Litmus != nil:
		c.litmus(inj.Litmus, fp+".litmus", at)
	}
}

// eksByARN are the FIS resource types of EKS resources that belong to one
// cluster and that a target names by ARN (aws:eks:pod names its cluster in
// its parameters instead).
var eksByARN = map[string]bool{"aws:eks:cluster": true, "aws:eks:nodegroup": true}

// eksClusterOf is the cluster ARN of an EKS resource ARN that a raw target
// names (a cluster or a node group).
func eksClusterOf(resourceType, arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "eks" {
		return "", false
	}
	res := parts[5]
	switch {
	case resourceType == "aws:eks:cluster" || strings.HasPrefix(res, "cluster/"):
		return arn, true
	case strings.HasPrefix(res, "nodegroup/"):
		name, _, _ := strings.Cut(strings.TrimPrefix(res, "nodegroup/"), "/")
		return strings.Join(parts[:5], ":") + ":cluster/" + name, true
	}
	return "", false
}

// chaosMesh judges a Chaos Mesh CR: its kind (and a Schedule's inner
// kind), the action and the intensity of each of its chaos specs, its
// namespace and its selectors' namespaces. at maps a path of
// the CR to the file's (a raw action's parameters).
func (c *checker) chaosMesh(cr *gameday.CustomResource, crPath string, at func(string) string) {
	ns := cr.Namespace()
	c.namespace(at(crPath+".metadata.namespace"), ns, "create the custom resource in")
	c.kind(at(crPath+".kind"), cr.Kind)
	specPath := crPath + ".spec"
	if cr.Kind == "Schedule" {
		typ, _ := cr.Spec["type"].(string)
		c.kind(at(specPath+".type"), typ)
	}
	cr.EachChaosSpec(func(kind, p string, spec map[string]any) {
		if p != "" {
			p = "." + p
		}
		c.action(at(specPath+p+".action"), kind, spec)
		c.intensity(kind, specPath+p, spec, at)
	})
	cr.EachPodSelector(func(p string, ps map[string]any) {
		if p != "" {
			p = "." + p
		}
		c.selector(ps, specPath+p, at)
	})
}

func (c *checker) kind(fieldPath, kind string) {
	if kind == "" || slices.Contains(c.p.Spec.ChaosMesh.Kinds, kind) {
		return
	}
	why := ""
	if slices.Contains(outsidePods, kind) {
		why = "; it acts outside the cluster's pods, so a policy must name it to allow it"
	}
	c.refuse(fieldPath, RuleChaosMeshKinds, "Chaos Mesh kind %s is not one this deployment allows (%s)%s", kind, listOrNone(c.p.Spec.ChaosMesh.Kinds), why)
}

// action refuses a spec.action that chaosMesh.actions leaves out for its
// kind (a kind without an entry allows every action).
func (c *checker) action(fieldPath, kind string, spec map[string]any) {
	allowed, narrowed := c.p.Spec.ChaosMesh.Actions[kind]
	if !narrowed {
		return
	}
	action, _ := spec["action"].(string)
	if slices.Contains(allowed, action) {
		return
	}
	c.refuse(fieldPath, RuleChaosMeshActions, "%s action %q is not one this deployment allows (%s)", kind, action, strings.Join(allowed, ", "))
}

// selector judges the namespaces a PodSelector selects pods in: its
// selector's namespaces and pods keys, or the CR's own namespace.
func (c *checker) selector(ps map[string]any, psPath string, at func(string) string) {
	// With neither, Chaos Mesh selects in the CR's own namespace
	// (PodSelector.Default), judged by the caller.
	sel, _ := ps["selector"].(map[string]any)
	selPath := psPath + ".selector"
	if list, ok := sel["namespaces"].([]any); ok {
		for i, v := range list {
			c.namespace(at(fmt.Sprintf("%s.namespaces[%d]", selPath, i)), fmt.Sprint(v), "select pods in")
		}
	}
	if pods, ok := sel["pods"].(map[string]any); ok {
		for _, ns := range slices.Sorted(maps.Keys(pods)) {
			c.namespace(at(selPath+".pods."+ns), ns, "select pods in")
		}
	}
}

func (c *checker) namespace(fieldPath, ns, what string) {
	if slices.Contains(c.p.Spec.Namespaces, ns) {
		return
	}
	c.refuse(fieldPath, RuleNamespaces, "namespace %s is not one this deployment may %s (%s)", ns, what, listOrNone(c.p.Spec.Namespaces))
}

// litmus judges a ChaosEngine: its namespace, the application's and the
// selected workloads' and pods' namespaces, and its experiments.
func (c *checker) litmus(cr *gameday.CustomResource, crPath string, at func(string) string) {
	c.namespace(at(crPath+".metadata.namespace"), cr.Namespace(), "create the custom resource in")
	sp := crPath + ".spec"
	if app, ok := cr.Spec["appinfo"].(map[string]any); ok {
		if ns, _ := app["appns"].(string); ns != "" {
			c.namespace(at(sp+".appinfo.appns"), ns, "select pods in")
		}
	}
	if sel, ok := cr.Spec["selectors"].(map[string]any); ok {
		for _, k := range []string{"workloads", "pods"} {
			list, _ := sel[k].([]any)
			for i, v := range list {
				m, _ := v.(map[string]any)
				if ns, _ := m["namespace"].(string); ns != "" {
					c.namespace(at(fmt.Sprintf("%s.selectors.%s[%d].namespace", sp, k, i)), ns, "select pods in")
				}
			}
		}
	}
	c.litmusRunner(cr.Spec, sp, at)
	exps, _ := cr.Spec["experiments"].([]any)
	for i, v := range exps {
		m, _ := v.(map[string]any)
		ep := fmt.Sprintf("%s.experiments[%d]", sp, i)
		name, _ := m["name"].(string)
		if name != "" && !slices.Contains(c.p.Spec.Litmus.Experiments, name) {
			c.refuse(at(ep+".name"), RuleLitmusExperiments, "Litmus experiment %s is not one this deployment allows (%s)", name, listOrNone(c.p.Spec.Litmus.Experiments))
		}
		es, _ := m["spec"].(map[string]any)
		c.litmusExperiment(es, ep+".spec", at)
	}
}

// A policy allows a Litmus experiment by name: the code its
// ChaosExperiment (installed by the cluster's owner) runs, on the targets
// the engine names. A ChaosEngine can go further, so these are refused:
// another runner or experiment image, command or sidecar (chaos-runner's
// SetExpImageFromEngine), a command probe (a shell command, or a pod of any
// image, run with the experiment's service account) and a Kubernetes probe
// that creates or deletes resources (Litmus docs, "Kubernetes probe":
// create, delete, present, absent).
var (
	litmusRunnerCode  = []string{"image", "command", "args"}
	litmusChangeProbe = []string{"create", "delete"}
)

// litmusRunner refuses an engine that replaces the chaos runner's code or
// adds containers.
func (c *checker) litmusRunner(spec map[string]any, sp string, at func(string) string) {
	comp, _ := spec["components"].(map[string]any)
	runner, _ := comp["runner"].(map[string]any)
	for _, k := range litmusRunnerCode {
		if present(runner[k]) {
			c.refuse(at(sp+".components.runner."+k), RuleLitmusExperiments, "the Litmus installation sets the chaos runner's %s: remove it", k)
		}
	}
	if present(comp["sidecar"]) {
		c.refuse(at(sp+".components.sidecar"), RuleLitmusExperiments, "a sidecar runs code of the GameDay's choosing beside the experiment: remove it")
	}
}

// litmusExperiment judges what an engine's experiment entry overrides: its
// image, the env that names its targets, and its probes.
func (c *checker) litmusExperiment(es map[string]any, esp string, at func(string) string) {
	comp, _ := es["components"].(map[string]any)
	if present(comp["experimentImage"]) {
		c.refuse(at(esp+".components.experimentImage"), RuleLitmusExperiments, "replaces the image of the ChaosExperiment this deployment allows by name: remove it (set the image in the ChaosExperiment)")
	}
	env, _ := comp["env"].([]any)
	for j, v := range env {
		e, _ := v.(map[string]any)
		name, _ := e["name"].(string)
		vp := fmt.Sprintf("%s.components.env[%d]", esp, j)
		switch {
		case name == "APP_NAMESPACE" && e["valueFrom"] != nil:
			c.refuse(at(vp+".valueFrom"), RuleNamespaces, "APP_NAMESPACE from valueFrom cannot be judged: name the application's namespace in appinfo.appns")
		case name == "APP_NAMESPACE":
			ns, _ := e["value"].(string)
			c.namespace(at(vp+".value"), ns, "select pods in")
		case name == "TARGETS":
			c.refuse(at(vp+".name"), RuleNamespaces, "TARGETS names the experiment's targets where this deployment cannot judge them: name them in appinfo or selectors")
		case c.p.Spec.Litmus.MaxPodsPercent != nil:
			c.litmusPods(name, e, vp, *c.p.Spec.Litmus.MaxPodsPercent, at)
		}
	}
	probes, _ := es["probe"].([]any)
	for k, v := range probes {
		pr, _ := v.(map[string]any)
		pp := fmt.Sprintf("%s.probe[%d]", esp, k)
		typ, _ := pr["type"].(string)
		inputs, _ := pr["k8sProbe/inputs"].(map[string]any)
		op, _ := inputs["operation"].(string)
		switch {
		case typ == "cmdProbe":
			c.refuse(at(pp+".type"), RuleLitmusExperiments, "a cmdProbe runs a command of the GameDay's choosing with the experiment's service account: use an httpProbe, promProbe or k8sProbe")
		case typ == "k8sProbe" && slices.Contains(litmusChangeProbe, op):
			c.refuse(at(pp+".k8sProbe/inputs.operation"), RuleLitmusExperiments, "a k8sProbe that can %s resources changes the cluster beyond the experiment: use present or absent", op)
		}
	}
}

// litmusPods judges an env that says how many of the application's pods
// an experiment acts on against litmus.maxPodsPercent: PODS_AFFECTED_PERC
// (read with strconv.Atoi; empty or 0 is one pod, the Litmus docs'
// "Common pod fault tunables"), and the counts TARGET_PODS (names) and
// KILL_COUNT (older experiments), which cannot be judged as a share.
func (c *checker) litmusPods(name string, e map[string]any, vp string, max Percent, at func(string) string) {
	if name != "PODS_AFFECTED_PERC" && name != "TARGET_PODS" && name != "KILL_COUNT" {
		return
	}
	if e["valueFrom"] != nil {
		c.refuse(at(vp+".valueFrom"), RuleLitmusMaxPodsPercent, "%s from valueFrom cannot be judged against the share of pods this deployment allows (%s): write its value", name, max)
		return
	}
	value, _ := e["value"].(string)
	n, err := strconv.Atoi(value)
	switch {
	case value == "", name == "PODS_AFFECTED_PERC" && err == nil && n == 0: // one pod
	case max >= 100 && name != "PODS_AFFECTED_PERC": // every count is within 100 %
	case name == "TARGET_PODS":
		if pods := strings.Count(value, ",") + 1; pods > 1 {
			c.refuse(at(vp+".value"), RuleLitmusMaxPodsPercent, "%d pods named cannot be judged as a share of the application's pods (this deployment allows %s): name one, or use PODS_AFFECTED_PERC", pods, max)
		}
	case err != nil:
		c.refuse(at(vp+".value"), RuleLitmusMaxPodsPercent, "%s cannot be judged against the share of pods this deployment allows (%s): write a whole number", unjudged(value), max)
	case name == "KILL_COUNT" && n > 1:
		c.refuse(at(vp+".value"), RuleLitmusMaxPodsPercent, "%d pods cannot be judged as a share of the application's pods (this deployment allows %s): use PODS_AFFECTED_PERC", n, max)
	case name == "PODS_AFFECTED_PERC" && float64(n) > float64(max):
		c.refuse(at(vp+".value"), RuleLitmusMaxPodsPercent, "%d%% of the application's pods is more than this deployment allows (%s)", n, max)
	}
}

// present is whether a plain value is set: not nil, "", or empty.
func present(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "the policy allows none"
	}
	return "allowed: " + strings.Join(list, ", ")
}
