package fissim

import (
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// Action ids the simulator runs.
const (
	ActionInjectCR = fisactions.InjectCustomResource
	ActionWait     = "aws:fis:wait"
)

type template struct {
	id, arn     string
	description string
	roleArn     string
	targets     map[string]target
	actions     map[string]templateAction
	stops       []stopCondition
	logs        *logConfig
	options     *experimentOptions
	tags        map[string]string
	created     time.Time
	updated     time.Time
}

func (t *template) out() templateOut {
	actions := make(map[string]templateAction, len(t.actions))
	for k, v := range t.actions {
		actions[k] = v
	}
	return templateOut{templateSummary: t.summary(), definition: t.definition(), Actions: actions, ExperimentOptions: t.options}
}

func (t *template) summary() templateSummary {
	return templateSummary{ID: t.id, Arn: t.arn, Description: t.description,
		CreationTime: epochPtr(t.created), LastUpdateTime: epochPtr(t.updated), Tags: cloneMap(t.tags)}
}

// definition is the template's definition as GetExperimentTemplate returns
// it, and as GetExperiment returns it for an experiment started from it.
func (t *template) definition() definition {
	targets := make(map[string]target, len(t.targets))
	for k, v := range t.targets {
		targets[k] = v
	}
	return definition{
		RoleArn: t.roleArn, Targets: targets,
		StopConditions:   append([]stopCondition(nil), t.stops...),
		LogConfiguration: t.logs,
	}
}

var (
	roleARN  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	alarmARN = regexp.MustCompile(`^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.{1,255}$`)
	nameRE   = regexp.MustCompile(`^[\S]{1,64}$`)
	selMode  = regexp.MustCompile(`^(ALL|COUNT\(\d+\)|PERCENT\(\d+\))$`)
)

// resourceTypeRE is the shape of a target resource type (aws:service:name).
var resourceTypeRE = regexp.MustCompile(`^aws:[a-z0-9-]+:[a-z0-9-]+$`)

// The limits the FIS API reference gives (CreateExperimentTemplate,
// StartExperiment, TagResource): "tags ... Maximum number of 50 items. Key
// Length Constraints: Maximum length of 128. Value Length Constraints:
// Maximum length of 256"; an action's parameter "Value Length Constraints:
// Maximum length of 1024" (botocore's fis model: TagKey, TagValue,
// TagMap, ExperimentTemplateActionParameter).
const (
	maxTags           = 50
	maxTagKey         = 128
	maxTagValue       = 256
	maxParameterValue = 1024
)

// validateTags checks tags against those limits.
func validateTags(tags map[string]string) *wire.Error {
	if len(tags) > maxTags {
		return validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxTags)
	}
	for k, v := range tags {
		if n := utf8.RuneCountInString(k); n == 0 || n > maxTagKey {
			return validation("1 validation error detected: Value %q at 'tags' failed to satisfy constraint: Map keys must have length between 1 and %d", k, maxTagKey)
		}
		if utf8.RuneCountInString(v) > maxTagValue {
			return validation("1 validation error detected: Value at 'tags.%s' failed to satisfy constraint: Member must have length less than or equal to %d", k, maxTagValue)
		}
	}
	return nil
}

// validate checks a whole template the way CreateExperimentTemplate does.
func validate(t *template) *wire.Error {
	if t.description != "" && len(t.description) > 512 {
		return validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	if !roleARN.MatchString(t.roleArn) {
		return validation("Invalid role ARN: %q", t.roleArn)
	}
	if err := validateTags(t.tags); err != nil {
		return err
	}
	if err := validateStops(t.stops); err != nil {
		return err
	}
	if err := validateTargets(t.targets); err != nil {
		return err
	}
	if len(t.actions) == 0 {
		return validation("1 validation error detected: Value null at 'actions' failed to satisfy constraint: Member must not be null")
	}
	if len(t.actions) > MaxActions {
		return validation("The number of actions (%d) exceeds the limit (%d)", len(t.actions), MaxActions)
	}
	used := map[string]bool{}
	for name, a := range t.actions {
		if err := validateAction(t, name, a, used); err != nil {
			return err
		}
	}
	for name := range t.targets {
		if !used[name] {
			return validation("Target %s is not referenced by any action", name)
		}
	}
	if cyclic(t.actions) {
		return validation("The actions' startAfter references form a cycle")
	}
	return validateLogs(t.logs)
}

func validateStops(stops []stopCondition) *wire.Error {
	if len(stops) == 0 {
		return validation("1 validation error detected: Value null at 'stopConditions' failed to satisfy constraint: Member must not be null")
	}
	if len(stops) > MaxStopConditions {
		return validation("The number of stop conditions (%d) exceeds the limit (%d)", len(stops), MaxStopConditions)
	}
	for _, sc := range stops {
		switch sc.Source {
		case "none":
			if sc.Value != "" || len(stops) > 1 {
				return validation("Stop condition source 'none' cannot be combined with a value or other stop conditions")
			}
		case "aws:cloudwatch:alarm":
			if !alarmARN.MatchString(sc.Value) {
				return validation("Stop condition value %q is not a valid CloudWatch alarm ARN", sc.Value)
			}
		default:
			return validation("Stop condition source %q is not supported; valid sources are aws:cloudwatch:alarm and none", sc.Source)
		}
	}
	return nil
}

func validateTargets(targets map[string]target) *wire.Error {
	if len(targets) > MaxTargets {
		return validation("The number of targets (%d) exceeds the limit (%d)", len(targets), MaxTargets)
	}
	for name, tg := range targets {
		switch {
		case !nameRE.MatchString(name):
			return validation("Target name %q is not valid", name)
		case !resourceTypeRE.MatchString(tg.ResourceType):
			return validation("Target %s: resource type %q is not valid", name, tg.ResourceType)
		case len(tg.ResourceArns) == 0 && len(tg.ResourceTags) == 0:
			return validation("Target %s: one of resourceArns or resourceTags is required", name)
		case len(tg.ResourceArns) > 0 && len(tg.ResourceTags) > 0:
			return validation("Target %s: resourceArns and resourceTags cannot both be specified", name)
		case !selMode.MatchString(tg.SelectionMode):
			return validation("Target %s: selection mode %q is not valid; use ALL, COUNT(n) or PERCENT(n)", name, tg.SelectionMode)
		}
	}
	return nil
}

// validateAction checks one action against the catalogue of FIS actions
// (pkg/fisactions) and marks the targets it uses: FIS refuses an action id
// it does not have, a parameter the action does not take, a missing
// required one, and a target under another key or of another resource
// type. Actions the simulator does not run are accepted as FIS accepts
// them; an experiment with one fails when it runs.
func validateAction(t *template, name string, a templateAction, used map[string]bool) *wire.Error {
	if !nameRE.MatchString(name) {
		return validation("Action name %q is not valid", name)
	}
	if utf8.RuneCountInString(a.Description) > 512 {
		return validation("1 validation error detected: Value at 'actions.%s.member.description' failed to satisfy constraint: Member must have length less than or equal to 512", name)
	}
	for p, v := range a.Parameters {
		if utf8.RuneCountInString(v) > maxParameterValue {
			return validation("1 validation error detected: Value at 'actions.%s.member.parameters.%s.member' failed to satisfy constraint: Member must have length less than or equal to %d", name, p, maxParameterValue)
		}
	}
	spec, known := fisactions.Get(a.ActionID)
	if !known {
		return validation("Action %s: action type %q is not supported", name, a.ActionID)
	}
	for _, p := range spec.ParameterNames() {
		if _, ok := a.Parameters[p]; !ok && spec.Parameters[p].Required {
			return validation("Action %s: required parameter %q is missing", name, p)
		}
	}
	for p := range a.Parameters {
		if _, ok := spec.Parameters[p]; !ok {
			return validation("Action %s: parameter %q is not valid for %s", name, p, a.ActionID)
		}
	}
	if err := validateParams(name, a, spec); err != nil {
		return err
	}
	if err := validateActionTargets(t, name, a, spec, used); err != nil {
		return err
	}
	for _, after := range a.StartAfter {
		if after == name {
			return validation("Action %s cannot start after itself", name)
		}
		if _, ok := t.actions[after]; !ok {
			return validation("Action %s: startAfter names action %q, which does not exist", name, after)
		}
	}
	return nil
}

func validateActionTargets(t *template, name string, a templateAction, spec fisactions.Action, used map[string]bool) *wire.Error {
	for key, tname := range a.Targets {
		rt, ok := spec.Targets[key]
		if !ok {
			return validation("Action %s: target key %q is not valid for %s", name, key, a.ActionID)
		}
		tg, ok := t.targets[tname]
		if !ok {
			return validation("Action %s: target %q does not exist in the template", name, tname)
		}
		if tg.ResourceType != rt {
			return validation("Action %s: target %s has resource type %s, but %s needs %s", name, tname, tg.ResourceType, a.ActionID, rt)
		}
		used[tname] = true
	}
	for key := range spec.Targets {
		if a.Targets[key] == "" {
			return validation("Action %s: target %q is required", name, key)
		}
	}
	return nil
}

func validateLogs(lc *logConfig) *wire.Error {
	if lc == nil {
		return nil
	}
	if lc.LogSchemaVersion != 1 && lc.LogSchemaVersion != 2 {
		return validation("Log schema version %d is not supported; use 1 or 2", lc.LogSchemaVersion)
	}
	if lc.S3Configuration == nil && lc.CloudWatchLogsConfiguration == nil {
		return validation("Log configuration needs an S3 or a CloudWatch Logs destination")
	}
	if lc.S3Configuration != nil && lc.S3Configuration.BucketName == "" {
		return validation("Log configuration: s3Configuration.bucketName is required")
	}
	return nil
}

// validateParams checks the ISO 8601 durations, in the range the reference
// gives, and what the custom-resource action needs to run.
func validateParams(name string, a templateAction, spec fisactions.Action) *wire.Error {
	for _, p := range spec.ParameterNames() {
		b := spec.Parameters[p]
		v, ok := a.Parameters[p]
		if !ok || !b.ISO8601 {
			continue
		}
		d, ok := isoDuration(v)
		if !ok {
			return validation("Action %s: %s %q is not an ISO 8601 duration", name, p, v)
		}
		// The bounds as the reference writes them, read by the simulator's
		// own rule too (not the catalogue's parsed values).
		lo, loOK := isoDuration(b.Min.Text)
		hi, hiOK := isoDuration(b.Max.Text)
		if loOK && hiOK && (d < lo || d > hi) {
			return validation("Action %s: %s %q must be an ISO 8601 duration between %s and %s", name, p, v, b.Min.Text, b.Max.Text)
		}
	}
	if a.ActionID == ActionInjectCR {
		var spec map[string]any
		if err := json.Unmarshal([]byte(a.Parameters[fisactions.InjectSpec]), &spec); err != nil {
			return validation("Action %s: kubernetesSpec is not a valid JSON object: %v", name, err)
		}
		if a.Parameters[fisactions.InjectNamespace] == "" || a.Parameters[fisactions.InjectKind] == "" || a.Parameters[fisactions.InjectAPIVersion] == "" {
			return validation("Action %s: kubernetesApiVersion, kubernetesKind and kubernetesNamespace must not be empty", name)
		}
	}
	return nil
}

func cyclic(actions map[string]templateAction) bool {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var visit func(string) bool
	visit = func(n string) bool {
		color[n] = grey
		for _, m := range actions[n].StartAfter {
			switch color[m] {
			case grey:
				return true
			case white:
				if visit(m) {
					return true
				}
			}
		}
		color[n] = black
		return false
	}
	for n := range actions {
		if color[n] == white && visit(n) {
			return true
		}
	}
	return false
}

func actionsFrom(in map[string]*templateAction) map[string]templateAction {
	out := make(map[string]templateAction, len(in))
	for k, v := range in {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

func (s *Service) createTemplate(in *templateInput) (any, *wire.Error) {
	now := s.o.Clock.Now()
	t := &template{
		targets: in.Targets, actions: actionsFrom(in.Actions), stops: in.StopConditions,
		logs: in.LogConfiguration, options: in.ExperimentOptions, tags: cloneMap(in.Tags),
		created: now, updated: now,
	}
	if in.Description != nil {
		t.description = *in.Description
	}
	if in.RoleArn != nil {
		t.roleArn = *in.RoleArn
	}
	if t.targets == nil {
		t.targets = map[string]target{}
	}
	if err := validate(t); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.ClientToken != "" {
		if id, ok := s.tmplTokens[in.ClientToken]; ok {
			if old, ok := s.templates[id]; ok {
				return map[string]any{"experimentTemplate": old.out()}, nil
			}
		}
	}
	if len(s.templates) >= MaxTemplates {
		return nil, quota("You have reached the maximum number of experiment templates (%d) for this account in this Region.", MaxTemplates)
	}
	t.id = s.newID("EXT")
	t.arn = s.arn("experiment-template", t.id)
	s.templates[t.id] = t
	if in.ClientToken != "" {
		s.tmplTokens[in.ClientToken] = t.id
	}
	return map[string]any{"experimentTemplate": t.out()}, nil
}

// template is the experiment template id; the caller holds s.mu.
func (s *Service) template(id string) (*template, *wire.Error) {
	return find(s.templates, "Experiment template", id)
}

func (s *Service) getTemplate(t *template) (any, *wire.Error) {
	return map[string]any{"experimentTemplate": t.out()}, nil
}

func (s *Service) updateTemplate(id string, in *templateInput) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, aerr := s.template(id)
	if aerr != nil {
		return nil, aerr
	}
	t := *old
	if in.Description != nil {
		t.description = *in.Description
	}
	if in.RoleArn != nil {
		t.roleArn = *in.RoleArn
	}
	if in.Targets != nil {
		t.targets = in.Targets
	}
	if in.Actions != nil {
		// In an update a null action removes it; others replace. Under
		// TemplateUpdateReplaces the given set is the whole new set.
		acts := make(map[string]templateAction, len(t.actions))
		if s.o.Variants.TemplateUpdate == TemplateUpdateMerges {
			for k, v := range t.actions {
				acts[k] = v
			}
		}
		for k, v := range in.Actions {
			if v == nil {
				delete(acts, k)
			} else {
				acts[k] = *v
			}
		}
		t.actions = acts
	}
	if in.StopConditions != nil {
		t.stops = in.StopConditions
	}
	if in.LogConfiguration != nil {
		t.logs = in.LogConfiguration
	}
	if in.ExperimentOptions != nil {
		t.options = in.ExperimentOptions
	}
	if err := validate(&t); err != nil {
		return nil, err
	}
	t.updated = s.o.Clock.Now()
	s.templates[id] = &t
	return map[string]any{"experimentTemplate": t.out()}, nil
}

func (s *Service) deleteTemplate(t *template) (any, *wire.Error) {
	delete(s.templates, t.id)
	return map[string]any{"experimentTemplate": t.out()}, nil
}

func (s *Service) listTemplates(q url.Values) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]*template, 0, len(s.templates))
	for _, t := range s.templates {
		all = append(all, t)
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].created.Equal(all[j].created) {
			return all[i].created.Before(all[j].created)
		}
		return all[i].id < all[j].id
	})
	start, end, next, err := page(q, "templates", len(all))
	if err != nil {
		return nil, err
	}
	out := []templateSummary{}
	for _, t := range all[start:end] {
		out = append(out, t.summary())
	}
	resp := map[string]any{"experimentTemplates": out}
	if next != "" {
		resp["nextToken"] = next
	}
	return resp, nil
}

// tagsOf finds the tags of a template or experiment by ARN. Callers hold s.mu.
func (s *Service) tagsOf(arn string) (map[string]string, func(map[string]string), *wire.Error) {
	i := strings.LastIndex(arn, "/")
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return nil, nil, validation("Invalid resource ARN: %s", arn)
	}
	id := arn[i+1:]
	switch {
	case strings.Contains(arn, ":experiment-template/"):
		if t, ok := s.templates[id]; ok && t.arn == arn {
			return t.tags, func(m map[string]string) { t.tags = m }, nil
		}
	case strings.Contains(arn, ":experiment/"):
		if e, ok := s.experiments[id]; ok && e.arn == arn {
			return e.tags, func(m map[string]string) { e.tags = m }, nil
		}
	}
	return nil, nil, notFound("Resource %s not found.", arn)
}

func (s *Service) listTags(arn string) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, _, err := s.tagsOf(arn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"tags": cloneMap(tags)}, nil
}

func (s *Service) tagResource(arn string, in *tagInput) (any, *wire.Error) {
	add := in.Tags
	if len(add) == 0 {
		return nil, validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	if err := validateTags(add); err != nil {
		return nil, err
	}
	return s.retag(arn, func(m map[string]string) *wire.Error {
		for k, v := range add {
			m[k] = v
		}
		if len(m) > maxTags {
			return validation("A resource can have at most %d tags", maxTags)
		}
		return nil
	})
}

func (s *Service) untagResource(arn string, keys []string) (any, *wire.Error) {
	return s.retag(arn, func(m map[string]string) *wire.Error {
		for _, k := range keys {
			delete(m, k)
		}
		return nil
	})
}

// retag lets change edit a copy of the tags of the resource arn and, when
// it succeeds, sets them, under the lock.
func (s *Service) retag(arn string, change func(m map[string]string) *wire.Error) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, set, err := s.tagsOf(arn)
	if err != nil {
		return nil, err
	}
	m := cloneMap(tags)
	if err := change(m); err != nil {
		return nil, err
	}
	set(m)
	return map[string]any{}, nil
}

// The safety lever: one per account and Region, id "default".

func (s *Service) leverOut() map[string]any {
	return map[string]any{"safetyLever": safetyLeverOut{
		ID: "default", Arn: s.arn("safety-lever", "default"),
		State: stateOut{Status: s.lever.status, Reason: s.lever.reason},
	}}
}

func (s *Service) getLever(id string) (any, *wire.Error) {
	if id != "default" {
		return nil, notFound("Safety lever %s not found.", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leverOut(), nil
}

func (s *Service) updateLever(id string, in *safetyLeverInput) (any, *wire.Error) {
	if id != "default" {
		return nil, notFound("Safety lever %s not found.", id)
	}
	if in.State == nil || in.State.Reason == "" {
		return nil, validation("1 validation error detected: state.status and state.reason are required")
	}
	want := in.State.Status
	if want != "engaged" && want != "disengaged" {
		return nil, validation("Invalid safety lever status %q; use engaged or disengaged", want)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lever.status == want {
		return nil, conflict("Safety lever is already %s.", want)
	}
	if want == "engaged" {
		// Engaging stops every running experiment; the lever is "engaging"
		// until they have all stopped.
		s.lever = lever{status: "engaging", reason: in.State.Reason}
		var pending []*experiment
		for _, e := range s.experiments {
			if !terminal(e.status) {
				pending = append(pending, e)
				e.requestStop("Experiment stopped by safety lever.")
			}
		}
		if len(pending) == 0 {
			s.lever.status = "engaged"
		} else {
			s.wg.Add(1)
			go s.finishEngaging(pending)
		}
	} else {
		s.lever = lever{status: "disengaged", reason: in.State.Reason}
	}
	return s.leverOut(), nil
}

// finishEngaging moves the lever to engaged once the experiments it stopped
// have ended.
func (s *Service) finishEngaging(exps []*experiment) {
	defer s.wg.Done()
	for _, e := range exps {
		select {
		case <-e.done:
		case <-s.ctx.Done():
			return
		}
	}
	s.mu.Lock()
	if s.lever.status == "engaging" {
		s.lever.status = "engaged"
	}
	s.mu.Unlock()
}
