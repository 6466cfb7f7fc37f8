package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Diff is one field where two templates differ as experiments.
type Diff struct {
	Path      string
	Want, Got any
}

func (d Diff) String() string {
	return fmt.Sprintf("%s: template has %s, the GameDay renders %s", d.Path, show(d.Want), show(d.Got))
}

func show(v any) string {
	if v == nil {
		return "nothing"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Compare lists where rendered differs from want as an experiment. Names
// that do not change what runs are not compared: target names (each action's
// targets are compared by content), the client token and gameday's own tags.
// actionOf maps rendered action names back to want's (nil: the same).
// kubernetesSpec is compared as JSON, durations as durations.
func Compare(want, rendered *fis.CreateExperimentTemplateInput, actionOf map[string]string) []Diff {
	var diffs []Diff
	diff(experiment(want, nil), experiment(rendered, actionOf), "", &diffs)
	return diffs
}

// experiment is a template as a comparable tree.
func experiment(t *fis.CreateExperimentTemplateInput, actionOf map[string]string) map[string]any {
	m := map[string]any{
		"description": deref(t.Description),
		"roleArn":     deref(t.RoleArn),
	}
	tags := map[string]any{}
	for k, v := range t.Tags {
		if !deploy.TemplateTag(k) {
			tags[k] = v
		}
	}
	m["tags"] = tags
	var stops []any
	for _, sc := range t.StopConditions {
		if deref(sc.Source) == stopSourceNone {
			continue
		}
		stops = append(stops, deref(sc.Source)+" "+deref(sc.Value))
	}
	m["stopConditions"] = stops
	actions := map[string]any{}
	for name, a := range t.Actions {
		if n, ok := actionOf[name]; ok {
			name = n
		}
		actions[name] = action(t, a, actionOf)
	}
	m["actions"] = actions
	if lc := t.LogConfiguration; lc != nil {
		m["logConfiguration"] = logConfiguration(lc)
	}
	m["experimentOptions"] = experimentOptions(t.ExperimentOptions)
	if rc := t.ExperimentReportConfiguration; rc != nil {
		b, _ := json.Marshal(rc)
		m["experimentReportConfiguration"] = string(b)
	}
	return m
}

// action is one of t's actions as a comparable tree: its targets by
// content, the actions it starts after by want's names.
func action(t *fis.CreateExperimentTemplateInput, a types.CreateExperimentTemplateActionInput, actionOf map[string]string) map[string]any {
	act := map[string]any{"actionId": deref(a.ActionId), "description": deref(a.Description)}
	params := map[string]any{}
	for k, v := range a.Parameters {
		params[k] = parameter(deref(a.ActionId), k, v)
	}
	act["parameters"] = params
	var after []string
	for _, d := range a.StartAfter {
		if n, ok := actionOf[d]; ok {
			d = n
		}
		after = append(after, d)
	}
	slices.Sort(after)
	act["startAfter"] = toAny(after)
	targets := map[string]any{}
	for k, tn := range a.Targets {
		tg, ok := t.Targets[tn]
		if !ok {
			targets[k] = "undefined target " + tn
			continue
		}
		targets[k] = target(tg)
	}
	act["targets"] = targets
	return act
}

func logConfiguration(lc *types.CreateExperimentTemplateLogConfigurationInput) map[string]any {
	l := map[string]any{}
	if lc.LogSchemaVersion != nil {
		l["logSchemaVersion"] = float64(*lc.LogSchemaVersion)
	}
	if s3 := lc.S3Configuration; s3 != nil {
		l["s3Configuration"] = map[string]any{"bucketName": deref(s3.BucketName), "prefix": deref(s3.Prefix)}
	}
	if cw := lc.CloudWatchLogsConfiguration; cw != nil {
		l["cloudWatchLogsConfiguration"] = map[string]any{"logGroupArn": deref(cw.LogGroupArn)}
	}
	return l
}

// experimentOptions are eo with FIS's defaults where it leaves them out.
func experimentOptions(eo *types.CreateExperimentTemplateExperimentOptionsInput) map[string]any {
	opts := map[string]any{"accountTargeting": string(types.AccountTargetingSingleAccount), "emptyTargetResolutionMode": string(types.EmptyTargetResolutionModeFail)}
	if eo != nil {
		if eo.AccountTargeting != "" {
			opts["accountTargeting"] = string(eo.AccountTargeting)
		}
		if eo.EmptyTargetResolutionMode != "" {
			opts["emptyTargetResolutionMode"] = string(eo.EmptyTargetResolutionMode)
		}
	}
	return opts
}

// parameter is a parameter value as compared: a custom resource's spec as
// JSON, a maxDuration as a length of time.
func parameter(actionID, k, v string) any {
	if actionID != gameday.ActionInjectCustomResource {
		return v
	}
	switch k {
	case fisactions.InjectSpec:
		var x any
		if err := json.Unmarshal([]byte(v), &x); err == nil {
			return x
		}
	case fisactions.InjectMaxDuration:
		if d, err := fisactions.ParseDuration(v); err == nil {
			return "duration " + d.String()
		}
	}
	return v
}

func target(t types.CreateExperimentTemplateTargetInput) map[string]any {
	m := map[string]any{
		"resourceType":  deref(t.ResourceType),
		"selectionMode": deref(t.SelectionMode),
		"resourceArns":  toAny(slices.Sorted(slices.Values(t.ResourceArns))),
	}
	tags := map[string]any{}
	for k, v := range t.ResourceTags {
		tags[k] = v
	}
	m["resourceTags"] = tags
	params := map[string]any{}
	for k, v := range t.Parameters {
		params[k] = v
	}
	m["parameters"] = params
	var fs []any
	for _, f := range t.Filters {
		fs = append(fs, map[string]any{"path": deref(f.Path), "values": toAny(f.Values)})
	}
	m["filters"] = fs
	return m
}

func toAny(s []string) []any {
	if len(s) == 0 {
		return nil
	}
	out := make([]any, len(s))
	for i, e := range s {
		out[i] = e
	}
	return out
}

func diff(want, got any, path string, out *[]Diff) {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if wok && gok {
		keys := map[string]bool{}
		for k := range wm {
			keys[k] = true
		}
		for k := range gm {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			diff(wm[k], gm[k], join(path, k), out)
		}
		return
	}
	if empty(want) && empty(got) {
		return
	}
	if !reflect.DeepEqual(want, got) {
		*out = append(*out, Diff{Path: path, Want: want, Got: got})
	}
}

func empty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	}
	return false
}

// check renders nothing itself: it compares the template with the GameDay's
// rendering. A difference is fine where a note says why (a note with
// Changes on that field or an enclosing one), and for the description of
// a custom-resource action, which gameday writes itself (noted here).
// Any other difference is an importer bug, and fails the import rather
// than write a GameDay that runs another experiment.
func (im *importer) check(rendered *fis.CreateExperimentTemplateInput) error {
	var errs []error
	for _, d := range Compare(im.t, rendered, im.actionOf) {
		if im.explained(d.Path) {
			continue
		}
		if a, ok := crDescription(d.Path, im.t); ok {
			f := im.faultOf[a]
			w, _ := d.Want.(string)
			if w == "" {
				im.note(Mapped, d.Path, "", true, "gameday describes the action: %s", show(d.Got))
			} else {
				im.note(Mapped, d.Path, "", true, "gameday describes the action itself (%s); the template's description was %s", show(d.Got), show(d.Want))
			}
			if w != "" {
				for i, flt := range im.spec.Spec.Faults {
					if flt.Name == f {
						im.comment(fmt.Sprintf("spec.faults[%d]", i), "the template described it: "+w)
					}
				}
			}
			continue
		}
		errs = append(errs, errors.New(d.String()))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("the imported GameDay would not render the same experiment (please report this): %w", err)
	}
	return nil
}

func (im *importer) explained(path string) bool {
	for _, n := range im.notes {
		if n.Changes && (path == n.Path || strings.HasPrefix(path, n.Path+".")) {
			return true
		}
	}
	return false
}

// crDescription reports whether path is the description of a
// custom-resource action of t, and which.
func crDescription(path string, t *fis.CreateExperimentTemplateInput) (string, bool) {
	rest, ok := strings.CutPrefix(path, "actions.")
	if !ok {
		return "", false
	}
	a, ok := strings.CutSuffix(rest, ".description")
	if !ok {
		return "", false
	}
	act, ok := t.Actions[a]
	return a, ok && deref(act.ActionId) == gameday.ActionInjectCustomResource
}
