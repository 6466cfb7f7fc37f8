// Package policy is the deployment's policy (kind GameDayPolicy): what the
// account owner lets the GameDays of one deployment break. A GameDay file is
// written by whoever opens a pull request and reaches the state machine as
// execution input, so it cannot decide its own blast radius; the policy,
// deployed with the stack, does. Check judges a GameDay against it; the
// CLI (validate --policy, run --local --policy), the CDK synth and the
// preflight step call it. It imports nothing from AWS.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Kind identifies a policy file (its apiVersion is gameday.APIVersion).
const Kind = "GameDayPolicy"

// Policy is a whole policy file.
type Policy struct {
	gameday.TypeMeta `json:",inline"`
	Metadata         Metadata `json:"metadata"`
	Spec             Rules    `json:"spec"`
	// doc is the file it was parsed from, for positions (nil from JSON).
	doc *gameday.Document
}

// At is where a field of the policy file is, FILE:LINE:COL (the file's
// name alone, or nothing, when unknown).
func (p *Policy) At(path string) string {
	if p.doc == nil {
		return ""
	}
	pos, ok := p.doc.PosOf(path)
	if !ok {
		return p.doc.File
	}
	return fmt.Sprintf("%s:%d:%d", p.doc.File, pos.Line, pos.Col)
}

// Metadata names the policy; refusals quote the name.
type Metadata struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Rules are what a GameDay of the deployment may do. A list left out allows
// nothing of its kind, except Clusters (the deployment's eksClusters).
type Rules struct {
	// Clusters are EKS cluster ARNs; * matches within the name part.
	Clusters []string `json:"clusters,omitempty"`
	// Namespaces are where custom resources may live and the only
	// namespaces a selector may pick pods in.
	Namespaces []string       `json:"namespaces,omitempty"`
	ChaosMesh  ChaosMeshRules `json:"chaosMesh,omitzero"`
	Litmus     LitmusRules    `json:"litmus,omitzero"`
	// FISActions are the raw fis: action ids allowed.
	FISActions []string `json:"fisActions,omitempty"`
	// MaxExperimentDuration bounds timeouts.experiment and the longest
	// fault path; zero: the stack's maximum.
	MaxExperimentDuration gameday.Duration `json:"maxExperimentDuration,omitzero"`
	// RequireStopConditions (default true) refuses a GameDay without a stop
	// condition.
	RequireStopConditions *bool `json:"requireStopConditions,omitempty"`
	// AllowWideBlastRadius (default false) lets a fault set
	// allowWideBlastRadius: true.
	AllowWideBlastRadius bool `json:"allowWideBlastRadius,omitempty"`
	// Schedules (default true) lets GameDays carry a schedule.
	Schedules *bool `json:"schedules,omitempty"`
	// SparseMetrics are metrics that may have no data while all is well
	// (published only when something goes wrong, like an ALB's
	// HTTPCode_Target_5XX_Count). Preflight refuses a stop-condition
	// alarm that treats missing data as notBreaching or ignore and
	// watches a metric CloudWatch does not list (no data in two weeks):
	// a typo there would sit in OK forever and never stop a fault. Only
	// the policy may say a metric is sparse: the file cannot bound its
	// own safety.
	SparseMetrics []SparseMetric `json:"sparseMetrics,omitempty"`
}

// SparseMetric is one metric a stop condition may watch while
// CloudWatch does not list it. With Dimensions, it is that metric
// exactly; without, the metric of that name whatever its dimensions, so
// long as some metric of the namespace has exactly those dimensions (the
// load balancer, or service, they name publishes something).
type SparseMetric struct {
	Namespace  string            `json:"namespace"`
	Name       string            `json:"name"`
	Dimensions map[string]string `json:"dimensions,omitempty"`
}

// Sparse is the policy's entry for a metric (nil when it has none): one
// that names its dimensions exactly first, then one for any dimensions.
// A nil policy has none.
func (p *Policy) Sparse(namespace, name string, dims map[string]string) *SparseMetric {
	if p == nil {
		return nil
	}
	var anyDims *SparseMetric
	for i, m := range p.Spec.SparseMetrics {
		switch {
		case m.Namespace != namespace || m.Name != name:
		case m.Dimensions == nil && anyDims == nil:
			anyDims = &p.Spec.SparseMetrics[i]
		case m.Dimensions != nil && maps.Equal(m.Dimensions, dims):
			return &p.Spec.SparseMetrics[i]
		}
	}
	return anyDims
}

// ChaosMeshRules are the Chaos Mesh kinds allowed.
type ChaosMeshRules struct {
	Kinds []string `json:"kinds,omitempty"`
	// Actions narrows a listed kind to some of its spec.action values, so
	// that an owner can allow JVMChaos latency without ruleData's arbitrary
	// Byteman rules, or PodChaos pod-kill without pod-failure; a kind with
	// no entry allows every action.
	Actions map[string][]string `json:"actions,omitempty"`
	// Limits bound how hard the faults of the allowed kinds may hit.
	Limits Limits `json:"limits,omitzero"`
}

// LitmusRules are the Litmus ChaosExperiment names allowed.
type LitmusRules struct {
	Experiments []string `json:"experiments,omitempty"`
	// MaxPodsPercent bounds the share of the application's pods an
	// experiment acts on, as chaosMesh.limits.maxPodsPercent bounds a
	// PodChaos's: PODS_AFFECTED_PERC (empty or 0: one pod), and pods named
	// by count (TARGET_PODS, KILL_COUNT), which only 100 admits beyond one.
	// An env the engine leaves out is the ChaosExperiment's, which the
	// cluster's owner installed. Left out, it bounds nothing.
	MaxPodsPercent *Percent `json:"maxPodsPercent,omitempty"`
}

// outsidePods are the Chaos Mesh kinds that act outside the cluster's pods;
// only a policy that names them allows them (listing is the only way any
// kind is allowed, so the rule needs no code beyond the message).
var outsidePods = []string{"AWSChaos", "GCPChaos", "PhysicalMachineChaos", "KernelChaos"}

// clusterARN is the shape of an allowed cluster.
const clusterARNPrefix = "arn:"

// Parse reads a policy file strictly, with FILE:LINE:COL problems like a
// GameDay file's: unknown fields (with the closest name), mistyped values,
// a wrong apiVersion or kind, a missing name, malformed cluster ARNs.
func Parse(name string, data []byte) (*Policy, error) {
	p, doc, ps := gameday.ParseFile[Policy](name, data, Kind)
	if doc == nil {
		return nil, ps
	}
	if all := doc.Merge(ps, p.check()); len(all) > 0 {
		return nil, all
	}
	p.doc = doc
	return p, nil
}

// check is the policy's own well-formedness.
func (p *Policy) check() gameday.Problems {
	ps := gameday.CheckFileKind(p.TypeMeta, Kind)
	add := func(path, format string, args ...any) {
		ps = append(ps, gameday.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if p.Metadata.Name == "" {
		add("metadata.name", "required: a name for the policy, quoted in every refusal (for example staging)")
	}
	for i, c := range p.Spec.Clusters {
		if _, _, _, ok := splitClusterARN(c); !ok {
			add(fmt.Sprintf("spec.clusters[%d]", i), "%q is not an EKS cluster ARN: write arn:aws:eks:REGION:ACCOUNT:cluster/NAME (* allowed in NAME)", c)
		} else if _, err := path.Match(c, ""); err != nil {
			add(fmt.Sprintf("spec.clusters[%d]", i), "%q is not a valid pattern: %v", c, err)
		}
	}
	for i, k := range p.Spec.ChaosMesh.Kinds {
		if !slices.Contains(gameday.ChaosMeshKinds, k) {
			add(fmt.Sprintf("spec.chaosMesh.kinds[%d]", i), "unknown Chaos Mesh kind %q: FIS accepts %s", k, strings.Join(gameday.ChaosMeshKinds, ", "))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(p.Spec.ChaosMesh.Actions)) {
		ps = append(ps, p.checkActions(k)...)
	}
	ps = append(ps, p.Spec.ChaosMesh.Limits.check()...)
	for i, a := range p.Spec.FISActions {
		if !strings.HasPrefix(a, "aws:") || strings.Count(a, ":") != 2 {
			add(fmt.Sprintf("spec.fisActions[%d]", i), "%q is not an FIS action id: write aws:<service>:<action>", a)
		} else if _, ok := fisactions.Get(a); !ok {
			add(fmt.Sprintf("spec.fisActions[%d]", i), "%q is not an action of the FIS actions reference (%s)", a, fisactions.Source)
		}
	}
	if d := p.Spec.MaxExperimentDuration.Duration; d < 0 || d > gameday.MaxMaxDuration {
		add("spec.maxExperimentDuration", "%s is outside FIS's limit of 12h per experiment", p.Spec.MaxExperimentDuration)
	}
	for i, m := range p.Spec.SparseMetrics {
		ps = append(ps, m.check(fmt.Sprintf("spec.sparseMetrics[%d]", i))...)
	}
	return ps
}

// check is a sparse metric's well-formedness: a namespace and a name, as
// CloudWatch spells them (no patterns), and dimensions with values.
func (m SparseMetric) check(at string) gameday.Problems {
	var ps gameday.Problems
	add := func(path, format string, args ...any) {
		ps = append(ps, gameday.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	for _, f := range []struct{ key, value, example string }{{"namespace", m.Namespace, "AWS/ApplicationELB"}, {"name", m.Name, "HTTPCode_Target_5XX_Count"}} {
		switch {
		case f.value == "":
			add(at+"."+f.key, "required: the metric's %s, as CloudWatch spells it (for example %s)", f.key, f.example)
		case strings.ContainsAny(f.value, "*?"):
			add(at+"."+f.key, "%q is a pattern: name one metric exactly, so that no typo of another passes", f.value)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m.Dimensions)) {
		if k == "" || m.Dimensions[k] == "" {
			add(at+".dimensions", "dimension %q=%q: a dimension needs a name and a value; leave dimensions out to mean any", k, m.Dimensions[k])
		}
	}
	return ps
}

// checkActions checks chaosMesh.actions' entry for kind: a kind the policy
// allows, one with a spec.action, and that kind's actions, at least one.
func (p *Policy) checkActions(kind string) gameday.Problems {
	at := "spec.chaosMesh.actions." + kind
	known := gameday.ChaosMeshActions(kind)
	switch {
	case !slices.Contains(p.Spec.ChaosMesh.Kinds, kind):
		return gameday.Problems{{Path: at, Message: fmt.Sprintf("%s is not in chaosMesh.kinds, so none of its actions is allowed: list the kind there, or remove this entry", kind)}}
	case known == nil:
		return gameday.Problems{{Path: at, Message: fmt.Sprintf("%s has no spec.action to narrow: remove this entry", kind)}}
	case len(p.Spec.ChaosMesh.Actions[kind]) == 0:
		return gameday.Problems{{Path: at, Message: fmt.Sprintf("empty: list the %s actions allowed (%s), or remove %s from chaosMesh.kinds", kind, strings.Join(known, ", "), kind)}}
	}
	var ps gameday.Problems
	for i, a := range p.Spec.ChaosMesh.Actions[kind] {
		if !slices.Contains(known, a) {
			ps = append(ps, gameday.Problem{Path: fmt.Sprintf("%s[%d]", at, i), Message: fmt.Sprintf("unknown %s action %q: Chaos Mesh has %s", kind, a, strings.Join(known, ", "))})
		}
	}
	return ps
}

// splitClusterARN reads arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME.
func splitClusterARN(arn string) (region, account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "eks" {
		return "", "", "", false
	}
	name, ok = strings.CutPrefix(parts[5], "cluster/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", "", "", false
	}
	return parts[3], parts[4], name, true
}

// RequiresStopConditions is requireStopConditions with its default.
func (p *Policy) RequiresStopConditions() bool {
	return p.Spec.RequireStopConditions == nil || *p.Spec.RequireStopConditions
}

// AllowsSchedules is schedules with its default.
func (p *Policy) AllowsSchedules() bool { return p.Spec.Schedules == nil || *p.Spec.Schedules }

// ActionIDs are the FIS action ids a GameDay under the policy may put in a
// template: the raw ones it lists, and the custom-resource action when it
// allows any Chaos Mesh kind or Litmus experiment. The stack limits
// CreateExperimentTemplate to them.
func (p *Policy) ActionIDs() []string {
	ids := slices.Clone(p.Spec.FISActions)
	if len(p.Spec.ChaosMesh.Kinds) > 0 || len(p.Spec.Litmus.Experiments) > 0 {
		ids = append(ids, gameday.ActionInjectCustomResource)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// WithDefaults fills what the policy leaves to the deployment: the
// clusters (cluster ARNs built from the deployment's eksClusters names),
// and a maxExperimentDuration of the stack's maximum.
func (p *Policy) WithDefaults(clusters []string, maxDuration time.Duration) *Policy {
	q := *p
	if len(q.Spec.Clusters) == 0 {
		q.Spec.Clusters = slices.Clone(clusters)
	}
	if q.Spec.MaxExperimentDuration.IsZero() {
		q.Spec.MaxExperimentDuration = gameday.Duration{Duration: maxDuration}
	}
	return &q
}

// JSON is the policy as the stack deploys it (compact JSON, for the
// preflight function's environment).
func (p *Policy) JSON() (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return "", fmt.Errorf("encode policy %s: %w", p.Metadata.Name, err)
	}
	return strings.TrimSpace(buf.String()), nil
}

// FromJSON reads a policy the stack deployed (JSON), strictly, with the
// same well-formedness checks as Parse.
func FromJSON(s string) (*Policy, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	if err := p.check().Err(); err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	return &p, nil
}
