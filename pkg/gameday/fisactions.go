package gameday

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/gameday-dev/gameday/pkg/fisactions"
)

var (
	fisActionID     = regexp.MustCompile(`^aws:[a-z0-9-]+:[a-z0-9-]+$`)
	selectionMode   = regexp.MustCompile(`^(ALL|COUNT\(([1-9][0-9]*)\)|PERCENT\(([1-9][0-9]?|100)\))$`)
	fisResourceType = regexp.MustCompile(`^aws:[a-z0-9-]+:[a-z0-9-]+$`)
	disruptScopes   = []string{"all", "availability-zone", "dynamodb", "prefix-list", "s3", "s3express", "vpc"}
	podSecurity     = []string{"privileged", "baseline", "restricted"}
)

// checkFISAction checks a raw FIS action against the FIS actions
// reference: its id, its targets' shape, its parameters and its target.
func checkFISAction(r *problems, a *FISAction, path string) {
	idPath := child(path, "actionId")
	switch {
	case a.ActionID == "":
		r.add(idPath, "required: an FIS action id such as aws:eks:pod-delete")
		return
	case !fisActionID.MatchString(a.ActionID):
		r.add(idPath, "%q is not an FIS action id: write aws:<service>:<action>, for example aws:ec2:stop-instances", a.ActionID)
		return
	}
	checkFISTargets(r, a, path)
	spec, known := fisactions.Get(a.ActionID)
	if !known {
		r.add(idPath, "%q is not an action of the FIS actions reference%s; see %s", a.ActionID, suggest(a.ActionID, fisActionIDs()), fisactions.Source)
		return
	}
	params := child(path, "parameters")
	checkFISParameterNames(r, a, spec, params)
	checkFISDurations(r, a, spec, params)
	checkFISParameterValues(r, a, params)
	checkFISActionTarget(r, a, spec, child(path, "targets"))
}

// checkFISParameterNames reports each parameter spec does not take and
// each it requires that a leaves empty.
func checkFISParameterNames(r *problems, a *FISAction, spec fisactions.Action, params string) {
	all := spec.ParameterNames()
	for _, k := range slices.Sorted(maps.Keys(a.Parameters)) {
		if !contains(all, k) {
			if len(all) == 0 {
				r.add(child(params, k), "%s takes no parameters", a.ActionID)
			} else {
				r.add(child(params, k), "unknown parameter %q for %s%s: it takes %s", k, a.ActionID, suggest(k, all), strings.Join(all, ", "))
			}
		}
	}
	for _, k := range all {
		if spec.Parameters[k].Required && strings.TrimSpace(a.Parameters[k]) == "" {
			r.add(child(params, k), "required by %s", a.ActionID)
		}
	}
}

// checkFISDurations checks each ISO 8601 duration parameter a sets: its
// syntax, and FIS's range where the reference gives one.
func checkFISDurations(r *problems, a *FISAction, spec fisactions.Action, params string) {
	for _, k := range spec.ParameterNames() {
		p := spec.Parameters[k]
		v, ok := a.Parameters[k]
		if !ok || v == "" || !p.ISO8601 {
			continue
		}
		d, err := fisactions.ParseDuration(v)
		if err != nil {
			r.add(child(params, k), "%v", err)
			continue
		}
		if !p.Min.IsZero() && !p.Max.IsZero() && (d < p.Min.Duration || d > p.Max.Duration) {
			r.add(child(params, k), "%s is outside FIS's range %s..%s", v, p.Min.Text, p.Max.Text)
		}
	}
}

// checkFISParameterValues checks the values the reference lists but does
// not type: a disrupt-connectivity scope, a pod security policy, a custom
// resource's API version.
func checkFISParameterValues(r *problems, a *FISAction, params string) {
	if a.ActionID == "aws:network:disrupt-connectivity" {
		if s, ok := a.Parameters["scope"]; ok && !contains(disruptScopes, s) {
			r.add(child(params, "scope"), "unknown scope %q: use one of %s", s, strings.Join(disruptScopes, ", "))
		}
		if a.Parameters["scope"] == "prefix-list" && a.Parameters["prefixListIdentifier"] == "" {
			r.add(child(params, "prefixListIdentifier"), "required when scope is prefix-list")
		}
	}
	if p, ok := a.Parameters["fisPodSecurityPolicy"]; ok && !contains(podSecurity, p) {
		r.add(child(params, "fisPodSecurityPolicy"), "unknown policy %q: use one of %s", p, strings.Join(podSecurity, ", "))
	}
	if a.ActionID == ActionInjectCustomResource {
		if v := a.Parameters[fisactions.InjectAPIVersion]; v != "" && v != ChaosMeshAPIVersion && v != LitmusAPIVersion {
			r.add(child(params, fisactions.InjectAPIVersion), "must be %s or %s; better, write the CR under chaosMesh: or litmus:", ChaosMeshAPIVersion, LitmusAPIVersion)
		}
	}
}

// checkFISActionTarget checks a's targets against spec's: exactly the
// documented key with its resource type, or none.
func checkFISActionTarget(r *problems, a *FISAction, spec fisactions.Action, tpath string) {
	targetKey, resourceType, hasTarget := spec.Target()
	if !hasTarget {
		if len(a.Targets) > 0 {
			r.add(tpath, "%s takes no targets", a.ActionID)
		}
		return
	}
	if len(a.Targets) == 0 {
		r.add(tpath, "required: %s needs a target under the key %s (resourceType %s)", a.ActionID, targetKey, resourceType)
		return
	}
	for _, k := range slices.Sorted(maps.Keys(a.Targets)) {
		t := a.Targets[k]
		kp := child(tpath, k)
		if k != targetKey {
			r.add(kp, "%s takes its target under the key %s, not %s", a.ActionID, targetKey, k)
			continue
		}
		if t.ResourceType != "" && t.ResourceType != resourceType {
			r.add(child(kp, "resourceType"), "must be %s for %s, not %s", resourceType, a.ActionID, t.ResourceType)
		}
		if resourceType == "aws:eks:cluster" && (len(t.ResourceArns) != 1 || len(t.ResourceTags) > 0 || len(t.Filters) > 0) {
			r.add(kp, "%s targets exactly one cluster by ARN (resourceArns with one ARN, no tags or filters)", a.ActionID)
		}
		if resourceType == "aws:eks:pod" {
			for _, p := range []string{"clusterIdentifier", "namespace", "selectorType", "selectorValue"} {
				if t.Parameters[p] == "" {
					r.add(child(kp, "parameters."+p), "required for an aws:eks:pod target")
				}
			}
		}
	}
}

// fisActionIDs are the ids of the catalogue, for suggestions.
func fisActionIDs() []string {
	var ids []string
	for _, a := range fisactions.All() {
		ids = append(ids, a.ID)
	}
	return ids
}

// checkFISTargets checks the shape of each target, whatever the action.
func checkFISTargets(r *problems, a *FISAction, path string) {
	for _, k := range slices.Sorted(maps.Keys(a.Targets)) {
		t := a.Targets[k]
		kp := child(child(path, "targets"), k)
		if t.ResourceType == "" {
			r.add(child(kp, "resourceType"), "required: the FIS resource type, for example aws:ec2:instance")
		} else if !fisResourceType.MatchString(t.ResourceType) {
			r.add(child(kp, "resourceType"), "%q is not an FIS resource type (aws:<service>:<type>)", t.ResourceType)
		}
		if t.SelectionMode == "" {
			r.add(child(kp, "selectionMode"), "required: ALL, COUNT(n) or PERCENT(n)")
		} else if !selectionMode.MatchString(t.SelectionMode) {
			r.add(child(kp, "selectionMode"), "%q is not a selection mode: write ALL, COUNT(n) or PERCENT(n)", t.SelectionMode)
		}
		if len(t.ResourceArns) > 0 && len(t.ResourceTags) > 0 {
			r.add(kp, "set resourceArns or resourceTags, not both")
		}
		if len(t.ResourceArns) == 0 && len(t.ResourceTags) == 0 && len(t.Parameters) == 0 {
			r.add(kp, "pick resources: set resourceArns, resourceTags or parameters")
		}
		for i, arn := range t.ResourceArns {
			if !strings.HasPrefix(arn, "arn:") {
				r.add(index(child(kp, "resourceArns"), i), "%q is not an ARN", arn)
			}
		}
		for i, f := range t.Filters {
			fp := index(child(kp, "filters"), i)
			if f.Path == "" {
				r.add(child(fp, "path"), "required")
			}
			if len(f.Values) == 0 {
				r.add(child(fp, "values"), "required: at least one value")
			}
		}
	}
}

// fisTargetCount is how many FIS targets the template will define: one
// cluster target shared by the custom-resource faults, plus each raw
// action's targets.
func fisTargetCount(s *Spec) int {
	n := 0
	cluster := false
	for _, f := range s.Spec.Faults {
		if f.ChaosMesh != nil || f.Litmus != nil {
			cluster = true
		}
		if f.FIS != nil {
			n += len(f.FIS.Targets)
		}
	}
	if cluster {
		n++
	}
	return n
}
