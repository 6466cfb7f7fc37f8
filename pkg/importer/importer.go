// Package importer turns an existing FIS experiment template (a JSON
// request or response, or one read from the account) into a GameDay file
// that renders back to the same experiment: Chaos Mesh and Litmus custom
// resources become chaosMesh: and litmus: faults written as one would
// kubectl apply them, every other action a raw fis: fault. Whatever a
// GameDay cannot hold is kept raw or refused, and said; the import checks
// itself by rendering the GameDay and comparing it with the template.
package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// FIS values the import maps (FIS API reference).
const (
	stopSourceAlarm = "aws:cloudwatch:alarm"
	stopSourceNone  = "none"
)

// Options tune an import.
type Options struct {
	// Name is the GameDay's metadata.name; by default it comes from the
	// template's gameday:name or Name tag, its id or its description.
	Name string
	// Origin says where the template came from (a file name, "stdin" or
	// the template id), for the file's header.
	Origin string
	// File is the name the GameDay will be written as (for the render
	// command in the header and for problems); default gameday.yaml.
	File string
}

// Level says whether a note needs a person.
type Level int

// Note levels.
const (
	// Mapped says how something was carried over.
	Mapped Level = iota
	// Attention marks what a person must look at before running the GameDay.
	Attention
)

// Note is one thing the import says about the template.
type Note struct {
	Level Level
	// Path is the field of the template (actions.X.parameters.Y), or "".
	Path string
	// Spec is the field of the GameDay it concerns, or "".
	Spec string
	// Changes is set when rendering the GameDay gives something else than
	// the template at Path: the note is why.
	Changes bool
	Message string
}

// String is "path: message", as a gameday.Problem without a position.
func (n Note) String() string {
	return gameday.Problem{Path: n.Path, Message: n.Message}.String()
}

// Placeholder is a value left for a person to fill in.
type Placeholder struct {
	// Path is where it is: a GameDay field (spec.target.cluster), or for
	// what the GameDay does not hold, a template field (roleArn).
	Path  string
	Value string
}

// Result is an imported GameDay.
type Result struct {
	Spec *gameday.Spec
	// YAML is the GameDay file, comments included.
	YAML         []byte
	Notes        []Note
	Placeholders []Placeholder
	// Render are the options with which the GameDay renders back to the
	// template (its role and log bucket are not part of a GameDay).
	Render fistemplate.Options
	// RenderArgs are the same as `gameday render` flags.
	RenderArgs []string
	// ActionOf maps each fault to the template action it comes from.
	ActionOf map[string]string
	// Problems are what validation finds in YAML (most often the
	// placeholders); nil when the file is valid.
	Problems error
}

// Attention lists the notes that need a person.
func (r *Result) Attention() []Note {
	var out []Note
	for _, n := range r.Notes {
		if n.Level == Attention {
			out = append(out, n)
		}
	}
	return out
}

// importer holds the state of one import.
type importer struct {
	src   *Source
	t     *fis.CreateExperimentTemplateInput
	spec  *gameday.Spec
	notes []Note
	// faultOf maps each action name to its fault name, and actionOf back.
	faultOf, actionOf map[string]string
	// comments are per GameDay path, written into the YAML.
	comments map[string][]string
}

func (im *importer) note(level Level, path, spec string, changes bool, format string, args ...any) {
	im.notes = append(im.notes, Note{Level: level, Path: path, Spec: spec, Changes: changes, Message: fmt.Sprintf(format, args...)})
}

// Import maps src to a GameDay. It fails, naming the field, when the
// template holds something a GameDay cannot express without changing what
// the experiment does; everything else is carried over, kept raw or noted.
func Import(src *Source, o Options) (*Result, error) {
	if src == nil || src.Template == nil {
		return nil, errors.New("import template: no template")
	}
	if o.File == "" {
		o.File = "gameday.yaml"
	}
	im := &importer{src: src, t: src.Template, faultOf: map[string]string{}, actionOf: map[string]string{}, comments: map[string][]string{}}
	if err := im.refuse(); err != nil {
		return nil, fmt.Errorf("import template: %w", err)
	}
	name, err := im.name(o.Name)
	if err != nil {
		return nil, fmt.Errorf("import template: %w", err)
	}
	im.spec = &gameday.Spec{TypeMeta: gameday.TypeMeta{APIVersion: gameday.APIVersion, Kind: gameday.Kind}, Metadata: gameday.Metadata{Name: name}}
	im.metadata()
	if err := im.faults(); err != nil {
		return nil, fmt.Errorf("import template: %w", err)
	}
	im.stopConditions()
	ro := im.deployment()
	im.allowWideBlastRadius()

	rendered, err := fistemplate.Render(im.spec, ro)
	if err != nil {
		return nil, fmt.Errorf("import template: render the imported gameday: %w", err)
	}
	if err := im.check(rendered); err != nil {
		return nil, fmt.Errorf("import template: %w", err)
	}
	res := &Result{Spec: im.spec, Notes: im.notes, Render: ro, RenderArgs: renderArgs(ro), ActionOf: im.actionOf}
	res.Placeholders = im.placeholders()
	res.YAML, err = im.yaml(o, res)
	if err != nil {
		return nil, fmt.Errorf("import template: %w", err)
	}
	if _, err := validate.File(o.File, res.YAML); err != nil {
		res.Problems = err
	}
	return res, nil
}

// refuse fails on what would change the experiment and cannot be kept.
func (im *importer) refuse() error {
	var errs []error
	if len(im.t.Actions) == 0 {
		errs = append(errs, errors.New("actions: the template has no actions"))
	}
	if eo := im.t.ExperimentOptions; eo != nil && eo.AccountTargeting != "" && eo.AccountTargeting != types.AccountTargetingSingleAccount {
		errs = append(errs, fmt.Errorf("experimentOptions.accountTargeting: %s experiments target other accounts; a GameDay runs in its own account only", eo.AccountTargeting))
	}
	if n := im.src.TargetAccounts; n != nil && *n > 0 {
		errs = append(errs, fmt.Errorf("targetAccountConfigurationsCount: the template has %d target account configurations; a GameDay runs in its own account only", *n))
	}
	for i, sc := range im.t.StopConditions {
		if s := deref(sc.Source); s != stopSourceAlarm && s != stopSourceNone {
			errs = append(errs, fmt.Errorf("stopConditions[%d].source: %q is not a stop-condition source FIS has (%s or %s)", i, s, stopSourceAlarm, stopSourceNone))
		}
	}
	for _, a := range slices.Sorted(maps.Keys(im.t.Actions)) {
		act := im.t.Actions[a]
		if deref(act.ActionId) == "" {
			errs = append(errs, fmt.Errorf("actions.%s.actionId: required", a))
		}
		for _, k := range slices.Sorted(maps.Keys(act.Targets)) {
			if _, ok := im.t.Targets[act.Targets[k]]; !ok {
				errs = append(errs, fmt.Errorf("actions.%s.targets.%s: names target %q, which the template does not define", a, k, act.Targets[k]))
			}
		}
		for i, dep := range act.StartAfter {
			if _, ok := im.t.Actions[dep]; !ok {
				errs = append(errs, fmt.Errorf("actions.%s.startAfter[%d]: names action %q, which the template does not have", a, i, dep))
			}
		}
	}
	return errors.Join(errs...)
}

var notLabel = regexp.MustCompile(`[^a-z0-9]+`)

// slug is s as a DNS-1123 label, or "" when nothing of it is left.
func slug(s string) string {
	s = strings.Trim(notLabel.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	return s
}

func (im *importer) name(flag string) (string, error) {
	if flag != "" {
		if slug(flag) != flag {
			return "", fmt.Errorf("--name %q is not a DNS-1123 label: use 1 to 63 lower-case letters, digits and '-', for example %s", flag, orDefault(slug(flag), "my-gameday"))
		}
		return flag, nil
	}
	for _, c := range []struct{ from, v string }{
		{"tags." + deploy.TagName, im.t.Tags[deploy.TagName]},
		{"tags.Name", im.t.Tags["Name"]},
		{"description", firstWords(deref(im.t.Description), 6)},
		{"id", im.src.ID},
	} {
		if s := slug(c.v); s != "" {
			im.note(Mapped, c.from, "metadata.name", false, "metadata.name %s comes from the template's %s (set it with --name)", s, c.from)
			return s, nil
		}
	}
	im.note(Attention, "", "metadata.name", false, "the template has no name, id or description: metadata.name is imported-experiment (set it with --name)")
	return "imported-experiment", nil
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (im *importer) metadata() {
	m := &im.spec.Metadata
	m.Description = deref(im.t.Description)
	if m.Description == "" {
		im.note(Mapped, "description", "metadata.description", true, "the template has no description; gameday describes it as \"GameDay %s\"", m.Name)
	}
	for _, k := range slices.Sorted(maps.Keys(im.t.Tags)) {
		if deploy.TemplateTag(k) {
			im.note(Mapped, "tags."+k, "", false, "tag %s is gameday's own: gameday sets it again", k)
			continue
		}
		if m.Tags == nil {
			m.Tags = map[string]string{}
		}
		m.Tags[k] = im.t.Tags[k]
	}
}

// faults maps every action, in startAfter order, ties by name.
func (im *importer) faults() error {
	names := slices.Sorted(maps.Keys(im.t.Actions))
	taken := map[string]bool{}
	for _, a := range names {
		f := slug(a)
		if f == "" {
			f = "action"
		}
		base := f
		for n := 2; taken[f]; n++ {
			suffix := "-" + strconv.Itoa(n)
			f = strings.TrimRight(base[:min(len(base), 63-len(suffix))], "-") + suffix
		}
		taken[f] = true
		im.faultOf[a], im.actionOf[f] = f, a
	}
	cluster := im.pickCluster(names)
	if cluster != "" {
		im.spec.Spec.Target.Cluster = cluster
	}
	shared := im.sharedTargets()
	for _, a := range topoOrder(im.t.Actions, names) {
		act := im.t.Actions[a]
		f := gameday.Fault{Name: im.faultOf[a]}
		for _, dep := range act.StartAfter {
			f.StartAfter = append(f.StartAfter, im.faultOf[dep])
		}
		sp := fmt.Sprintf("spec.faults[%d]", len(im.spec.Spec.Faults))
		path := "actions." + a
		if f.Name != a {
			im.note(Mapped, path, sp+".name", false, "action %s is fault %s (fault names are DNS-1123 labels)", a, f.Name)
		}
		inj, why := im.customResource(act, cluster)
		switch {
		case inj != nil:
			f.ChaosMesh, f.Litmus, f.MaxDuration = inj.ChaosMesh, inj.Litmus, inj.MaxDuration
			im.comment(sp, fmt.Sprintf("from action %s (%s), kubernetesSpec decoded", a, deref(act.ActionId)))
		default:
			if why != "" {
				im.note(Attention, path, sp+".fis", false, "kept as a raw fis: action because %s", why)
				im.comment(sp+".fis", "ATTENTION: kept raw: "+why)
			} else {
				im.comment(sp, fmt.Sprintf("from action %s, as a raw FIS action", a))
			}
			f.FIS = im.rawAction(a, act, sp, shared)
		}
		im.spec.Spec.Faults = append(im.spec.Spec.Faults, f)
	}
	for _, tn := range slices.Sorted(maps.Keys(im.t.Targets)) {
		if len(shared[tn]) == 0 {
			b, _ := json.Marshal(targetBody(im.t.Targets[tn]))
			im.note(Attention, "targets."+tn, "", true, "no action uses this target, so the GameDay has no place for it: %s", b)
		}
	}
	return nil
}

// topoOrder lists the actions so that each comes after those it starts
// after, ties by name; a cycle (which FIS refuses) keeps name order.
func topoOrder(actions map[string]types.CreateExperimentTemplateActionInput, names []string) []string {
	done := map[string]bool{}
	var out []string
	for len(out) < len(names) {
		progressed := false
		for _, a := range names {
			if done[a] {
				continue
			}
			ready := true
			for _, d := range actions[a].StartAfter {
				if !done[d] && d != a {
					ready = false
				}
			}
			if ready {
				done[a], progressed = true, true
				out = append(out, a)
			}
		}
		if !progressed {
			for _, a := range names {
				if !done[a] {
					done[a] = true
					out = append(out, a)
				}
			}
		}
	}
	return out
}

// sharedTargets maps each target to the actions that use it.
func (im *importer) sharedTargets() map[string][]string {
	users := map[string][]string{}
	for _, a := range slices.Sorted(maps.Keys(im.t.Actions)) {
		for _, k := range slices.Sorted(maps.Keys(im.t.Actions[a].Targets)) {
			tn := im.t.Actions[a].Targets[k]
			users[tn] = append(users[tn], a)
		}
	}
	return users
}

// clusterOf is the cluster ARN of a custom-resource action's target when
// it is one cluster by ARN, as gameday renders it; else why not.
func (im *importer) clusterOf(act types.CreateExperimentTemplateActionInput) (string, string) {
	if len(act.Targets) != 1 || act.Targets[fistemplate.ClusterTarget] == "" {
		return "", fmt.Sprintf("its targets are not just %s", fistemplate.ClusterTarget)
	}
	tn := act.Targets[fistemplate.ClusterTarget]
	t := im.t.Targets[tn]
	switch {
	case deref(t.ResourceType) != fistemplate.ResourceTypeCluster:
		return "", fmt.Sprintf("target %s is of type %s, not %s", tn, deref(t.ResourceType), fistemplate.ResourceTypeCluster)
	case len(t.ResourceArns) != 1 || len(t.ResourceTags) > 0 || len(t.Filters) > 0 || len(t.Parameters) > 0:
		return "", fmt.Sprintf("target %s does not name exactly one cluster by ARN", tn)
	case deref(t.SelectionMode) != "ALL":
		return "", fmt.Sprintf("target %s selects %s, not ALL", tn, deref(t.SelectionMode))
	}
	return t.ResourceArns[0], ""
}

// pickCluster is the cluster most custom-resource actions target (ties: the
// first ARN in order); spec.target holds one cluster.
func (im *importer) pickCluster(names []string) string {
	count := map[string]int{}
	for _, a := range names {
		act := im.t.Actions[a]
		if deref(act.ActionId) != gameday.ActionInjectCustomResource {
			continue
		}
		if c, _ := im.clusterOf(act); c != "" {
			count[c]++
		}
	}
	best := ""
	for _, c := range slices.Sorted(maps.Keys(count)) {
		if count[c] > count[best] {
			best = c
		}
	}
	return best
}

// customResource maps an aws:eks:inject-kubernetes-custom-resource action to
// a chaosMesh: or litmus: fault, through gameday's mapping of its parameters
// (gameday.InjectParams), more strictly than a raw action is read: exactly
// the action's parameters, a Litmus ChaosEngine, the spec's numbers as
// written, maxDuration in ISO 8601. It returns a fault holding the custom
// resource and maxDuration, or nil and why the action must stay raw (""
// for an action of another kind).
func (im *importer) customResource(act types.CreateExperimentTemplateActionInput, cluster string) (*gameday.Fault, string) {
	if deref(act.ActionId) != gameday.ActionInjectCustomResource {
		return nil, ""
	}
	if keys, want := slices.Sorted(maps.Keys(act.Parameters)), gameday.InjectParamNames(); !slices.Equal(keys, want) {
		return nil, fmt.Sprintf("its parameters are %s, not exactly %s", strings.Join(keys, ", "), strings.Join(want, ", "))
	}
	c, why := im.clusterOf(act)
	switch {
	case why != "":
		return nil, why
	case c != cluster:
		return nil, fmt.Sprintf("it targets cluster %s, and the GameDay's spec.target is %s (a GameDay has one cluster)", c, cluster)
	}
	p := gameday.InjectParamsOf(act.Parameters)
	f := p.Fault()
	if f == nil || f.Litmus != nil && f.Litmus.Kind != gameday.LitmusKind {
		return nil, fmt.Sprintf("%s %s is neither a Chaos Mesh resource (%s) nor a Litmus %s (%s)", p.APIVersion, p.Kind, gameday.ChaosMeshAPIVersion, gameday.LitmusKind, gameday.LitmusAPIVersion)
	}
	spec, err := decodeSpec(p.Spec)
	if err != nil {
		return nil, fmt.Sprintf("its %s is not a JSON object: %v", fisactions.InjectSpec, err)
	}
	f.Resource().Spec = spec
	md, err := fisactions.ParseDuration(p.MaxDuration)
	if err != nil {
		return nil, fmt.Sprintf("its %s %v", fisactions.InjectMaxDuration, err)
	}
	// Leave maxDuration to its default (the CR's duration + 1m) when that is it.
	if d, ok := f.DefaultMaxDuration(); !ok || d != md {
		f.MaxDuration = gameday.Duration{Duration: md}
	}
	return f, ""
}

// decodeSpec decodes a kubernetesSpec JSON object, integers as int64 and
// other numbers as float64, as YAML will write and read them back.
func decodeSpec(s string) (map[string]any, error) {
	v, err := readJSON([]byte(s))
	if err != nil {
		return nil, err
	}
	m, ok := numbers(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("it is %s", jsonKind(v))
	}
	return m, nil
}

func numbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = numbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = numbers(e)
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

func (im *importer) rawAction(a string, act types.CreateExperimentTemplateActionInput, sp string, shared map[string][]string) *gameday.FISAction {
	out := &gameday.FISAction{ActionID: deref(act.ActionId), Description: deref(act.Description)}
	if len(act.Parameters) > 0 {
		out.Parameters = maps.Clone(act.Parameters)
	}
	for _, k := range slices.Sorted(maps.Keys(act.Targets)) {
		tn := act.Targets[k]
		t := im.t.Targets[tn]
		if out.Targets == nil {
			out.Targets = map[string]gameday.FISTarget{}
		}
		ft := gameday.FISTarget{
			ResourceType: deref(t.ResourceType), SelectionMode: deref(t.SelectionMode),
			ResourceArns: t.ResourceArns, ResourceTags: t.ResourceTags, Parameters: t.Parameters,
		}
		for _, f := range t.Filters {
			ft.Filters = append(ft.Filters, gameday.FISFilter{Path: deref(f.Path), Values: f.Values})
		}
		out.Targets[k] = ft
		tp := sp + ".fis.targets." + k
		if users := shared[tn]; len(users) > 1 && ft.SelectionMode != "ALL" {
			if users[0] == a {
				im.note(Attention, "targets."+tn, tp, false, "actions %s share this target, which selects %s: FIS picks the resources once for all of them, while each fault here picks its own", strings.Join(users, ", "), ft.SelectionMode)
			}
			im.comment(tp, fmt.Sprintf("ATTENTION: shared with %s in the template; with %s each fault now picks its own resources", strings.Join(users, ", "), ft.SelectionMode))
		}
	}
	return out
}

func (im *importer) stopConditions() {
	alarms := 0
	for i, sc := range im.t.StopConditions {
		if deref(sc.Source) != stopSourceAlarm {
			continue
		}
		arn := deref(sc.Value)
		sp := fmt.Sprintf("spec.stopConditions[%d]", alarms)
		im.spec.Spec.StopConditions = append(im.spec.Spec.StopConditions, gameday.StopCondition{AlarmARN: arn})
		alarms++
		name := arn[strings.LastIndex(arn, ":")+1:]
		if strings.HasPrefix(name, gameday.AlarmPrefix(im.spec.Metadata.Name)) {
			im.note(Mapped, fmt.Sprintf("stopConditions[%d]", i), sp, false, "alarm %s was staged by gameday; its definition is not in the template, so it is kept as a reference to the existing alarm", name)
			im.comment(sp, "staged by gameday from a GameDay whose alarm definition the template does not hold: kept as a reference")
		}
	}
	if alarms == 0 {
		im.note(Attention, "stopConditions", "spec.stopConditions", false, "the template has no stop condition: add an alarm (an alarm: gameday stages, or alarmArn: an existing one) so that FIS stops the experiment when the service suffers")
	}
}

// deployment carries the role, logging and options, which are the
// deployment's in a GameDay, into render options, and says what differs.
func (im *importer) deployment() fistemplate.Options {
	var o fistemplate.Options
	if c := im.spec.Spec.Target.Cluster; c != "" {
		o = o.WithDefaults(c)
		o.RoleARN, o.LogBucket = "", ""
	}
	if role := deref(im.t.RoleArn); role != "" {
		o.RoleARN = role
		im.note(Mapped, "roleArn", "", false, "a deployed GameDay runs with the stack's FIS role; this template's role %s is passed to render with --role-arn", role)
	} else {
		im.note(Mapped, "roleArn", "", true, "the template names no role; gameday renders the stack's role %s", DefaultRole(o))
	}
	lc := im.t.LogConfiguration
	switch {
	case lc == nil:
		im.note(Mapped, "logConfiguration", "", true, "the template does not log; gameday always logs to the stack's S3 bucket (schema %d), which the archive reads", fistemplate.LogSchemaVersion)
	default:
		if v := aws.ToInt32(lc.LogSchemaVersion); v != fistemplate.LogSchemaVersion {
			im.note(Mapped, "logConfiguration.logSchemaVersion", "", true, "gameday logs with schema version %d, not %d", fistemplate.LogSchemaVersion, v)
		}
		if cw := lc.CloudWatchLogsConfiguration; cw != nil {
			im.note(Attention, "logConfiguration.cloudWatchLogsConfiguration", "", true, "gameday logs to S3 only (the archive reads the logs there); the log group %s is not logged to", deref(cw.LogGroupArn))
		}
		if s3 := lc.S3Configuration; s3 != nil {
			o.LogBucket = deref(s3.BucketName)
			o.LogPrefix = deref(s3.Prefix)
			im.note(Mapped, "logConfiguration.s3Configuration", "", false, "a deployed GameDay logs to the stack's bucket; this template's bucket %s is passed to render with --log-bucket", o.LogBucket)
			if o.LogPrefix == "" {
				im.note(Mapped, "logConfiguration.s3Configuration.prefix", "", true, "the template logs with no key prefix; gameday uses %s", deploy.DefaultLogPrefix)
			}
		} else {
			im.note(Mapped, "logConfiguration.s3Configuration", "", true, "gameday adds logging to the stack's S3 bucket, which the archive reads")
		}
	}
	if eo := im.t.ExperimentOptions; eo != nil && eo.EmptyTargetResolutionMode != "" && eo.EmptyTargetResolutionMode != types.EmptyTargetResolutionModeFail {
		im.note(Attention, "experimentOptions.emptyTargetResolutionMode", "", true, "the template %ss actions whose targets resolve to nothing; a GameDay fails the experiment instead", eo.EmptyTargetResolutionMode)
	}
	if rc := im.t.ExperimentReportConfiguration; rc != nil {
		b, _ := json.Marshal(rc)
		im.note(Attention, "experimentReportConfiguration", "", true, "FIS experiment reports are not part of a GameDay (gameday writes its own report.html); not kept: %s", b)
	}
	if im.t.ClientToken != nil {
		im.note(Mapped, "clientToken", "", false, "gameday derives its own client token from the template")
	}
	return o
}

// DefaultRole is the role a render with o uses when it names none.
func DefaultRole(o fistemplate.Options) string {
	return o.WithDefaults("").RoleARN
}

func renderArgs(o fistemplate.Options) []string {
	var args []string
	for _, f := range []struct{ flag, v string }{{"--role-arn", o.RoleARN}, {"--log-bucket", o.LogBucket}, {"--log-prefix", o.LogPrefix}} {
		if f.v != "" && !(f.flag == "--log-prefix" && f.v == deploy.DefaultLogPrefix) {
			args = append(args, f.flag, f.v)
		}
	}
	return args
}

// allowWideBlastRadius sets allowWideBlastRadius on a Chaos Mesh fault whose
// selector picks every pod of a namespace, as the template does, and says so.
func (im *importer) allowWideBlastRadius() {
	for _, p := range gameday.Check(im.spec) {
		for i := range im.spec.Spec.Faults {
			f := &im.spec.Spec.Faults[i]
			sp := fmt.Sprintf("spec.faults[%d]", i)
			if f.ChaosMesh == nil || !strings.HasPrefix(p.Path, sp+".chaosMesh.spec") || !strings.HasSuffix(p.Path, ".selector") || !strings.Contains(p.Message, "allowWideBlastRadius") {
				continue
			}
			f.AllowWideBlastRadius = true
			im.note(Attention, "actions."+im.actionOf[f.Name]+".parameters."+fisactions.InjectSpec, sp+".allowWideBlastRadius", false, "the Chaos Mesh selector picks every pod of its namespaces; allowWideBlastRadius is set to keep the experiment as it is: narrow the selector if that is not meant")
			im.comment(sp+".allowWideBlastRadius", "ATTENTION: the template's selector picks every pod of its namespaces")
		}
	}
}

func (im *importer) comment(specPath, text string) {
	im.comments[specPath] = append(im.comments[specPath], text)
}

// placeholders finds values left to fill in: in the GameDay, and in the
// template fields a GameDay does not hold (role, log bucket).
func (im *importer) placeholders() []Placeholder {
	var out []Placeholder
	b, err := json.Marshal(im.spec)
	if err == nil {
		var v any
		if json.Unmarshal(b, &v) == nil {
			walkStrings(v, "", func(path, s string) {
				if placeholder.MatchString(s) {
					out = append(out, Placeholder{Path: path, Value: s})
				}
			})
		}
	}
	for _, f := range []struct{ path, v string }{{"roleArn", deref(im.t.RoleArn)}} {
		if placeholder.MatchString(f.v) {
			out = append(out, Placeholder{Path: f.path, Value: f.v})
		}
	}
	if lc := im.t.LogConfiguration; lc != nil && lc.S3Configuration != nil {
		if v := deref(lc.S3Configuration.BucketName); placeholder.MatchString(v) {
			out = append(out, Placeholder{Path: "logConfiguration.s3Configuration.bucketName", Value: v})
		}
	}
	return out
}

// placeholder matches what template libraries leave for the user:
// <YOUR ROLE>, ${eks}, {{cluster}}, YOUR_ACCOUNT, REPLACE_ME, CHANGEME.
var placeholder = regexp.MustCompile(`<[^<>\n]{1,80}>|\$\{[^}\n]{1,80}\}|\{\{[^}\n]{1,80}\}\}|\bYOUR[_-]|\bREPLACE[_-]?ME\b|\bCHANGE[_-]?ME\b`)

func walkStrings(v any, path string, fn func(path, s string)) {
	switch t := v.(type) {
	case string:
		fn(path, t)
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			walkStrings(t[k], join(path, k), fn)
		}
	case []any:
		for i, e := range t {
			walkStrings(e, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

// targetBody is a target as FIS's JSON spells it, for messages.
func targetBody(t types.CreateExperimentTemplateTargetInput) map[string]any {
	m := map[string]any{"resourceType": deref(t.ResourceType), "selectionMode": deref(t.SelectionMode)}
	if len(t.ResourceArns) > 0 {
		m["resourceArns"] = t.ResourceArns
	}
	if len(t.ResourceTags) > 0 {
		m["resourceTags"] = t.ResourceTags
	}
	if len(t.Parameters) > 0 {
		m["parameters"] = t.Parameters
	}
	var fs []map[string]any
	for _, f := range t.Filters {
		fs = append(fs, map[string]any{"path": deref(f.Path), "values": f.Values})
	}
	if fs != nil {
		m["filters"] = fs
	}
	return m
}
