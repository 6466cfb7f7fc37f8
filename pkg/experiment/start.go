package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Template actions reported in StartResult.TemplateAction.
const (
	TemplateCreated = "created"
	TemplateUpdated = "updated"
	// TemplateReplaced: the template had actions or targets the GameDay no
	// longer has; a new one was created and the old one deleted.
	TemplateReplaced = "replaced"
	TemplateReused   = "reused"
)

// Starter ensures the GameDay's experiment template and starts one
// experiment per execution, however often it is retried.
type Starter struct {
	API StartAPI
	// Render renders a GameDay into the template request exactly as sent
	// (fistemplate.Render with the stack's options), tagged with the spec
	// digest (deploy.TagDigest) that decides whether a template can be reused.
	Render func(*gameday.Spec) (*fis.CreateExperimentTemplateInput, error)
	// Update turns a rendered request into the update of template id
	// (fistemplate.UpdateInput).
	Update func(id string, in *fis.CreateExperimentTemplateInput) *fis.UpdateExperimentTemplateInput
	// Encode is the request as the archive keeps it (fistemplate.JSON),
	// recorded in the result; nil records none.
	Encode func(*fis.CreateExperimentTemplateInput) ([]byte, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Executions, when set, is asked after the start whether this step's
	// execution still runs (see checkExecution).
	Executions ExecutionAPI
}

// Handle is the start-experiment step.
func (s *Starter) Handle(ctx context.Context, st gameday.RunState) (gameday.StartResult, error) {
	spec := st.GameDay
	if spec == nil {
		return gameday.StartResult{}, gameday.NewStepError(gameday.ErrNameInvalidGameDay, "start experiment: the run carries no gameday")
	}
	if st.Execution.Name == "" {
		return gameday.StartResult{}, errors.New("start experiment: the run carries no execution name to derive the client token from")
	}
	in, err := s.Render(spec)
	if err != nil {
		return gameday.StartResult{}, &gameday.StepError{Name: gameday.ErrNameInvalidGameDay, Err: fmt.Errorf("render template: %w", err)}
	}
	// The template belongs to the state machine whose execution this is:
	// the stack's IAM conditions let its steps touch no other.
	stateMachine, err := deploy.StateMachineOf(st.Execution.ARN)
	if err != nil {
		return gameday.StartResult{}, fmt.Errorf("start experiment: the run's execution: %w", err)
	}
	tags := maps.Clone(in.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	tags[deploy.TagName] = spec.Metadata.Name
	tags[deploy.TagStateMachine] = stateMachine
	in.Tags = tags
	var sent []byte // the request as sent, tags and all (archived as template.json)
	if s.Encode != nil {
		if sent, err = s.Encode(in); err != nil {
			return gameday.StartResult{}, fmt.Errorf("start experiment: %w", err)
		}
	}
	if err := checkStateSize(st, sent); err != nil {
		return gameday.StartResult{}, err
	}
	tmplID, action, err := s.ensureTemplate(ctx, spec, st.Execution.Name, stateMachine, in)
	if err != nil {
		return gameday.StartResult{}, err
	}
	token := ClientToken("start", st.Execution.Name)
	tags = map[string]string{}
	maps.Copy(tags, spec.Metadata.Tags)
	tags[deploy.TagName] = spec.Metadata.Name
	tags[deploy.TagExecution] = st.Execution.ARN
	out, err := s.API.StartExperiment(ctx, &fis.StartExperimentInput{
		ClientToken:          aws.String(token),
		ExperimentTemplateId: aws.String(tmplID),
		Tags:                 tags,
	})
	if err != nil {
		return gameday.StartResult{}, fmt.Errorf("start experiment from template %s: %w", tmplID, awserr.Classify(err))
	}
	if out.Experiment == nil || aws.ToString(out.Experiment.Id) == "" {
		return gameday.StartResult{}, fmt.Errorf("start experiment from template %s: FIS returned no experiment id", tmplID)
	}
	started := s.now()
	if t := out.Experiment.StartTime; t != nil {
		started = *t
	} else if t := out.Experiment.CreationTime; t != nil {
		started = *t
	}
	started = started.UTC()
	id := aws.ToString(out.Experiment.Id)
	if err := s.checkExecution(ctx, st.Execution.ARN, id); err != nil {
		return gameday.StartResult{}, err
	}
	slog.InfoContext(ctx, "experiment started", "gameday", spec.Metadata.Name, "experimentId", id,
		"experimentTemplateId", tmplID, "templateAction", action)
	return gameday.StartResult{
		ExperimentID:         id,
		ExperimentTemplateID: tmplID,
		TemplateAction:       action,
		ClientToken:          token,
		StartedAt:            started,
		Deadline:             started.Add(spec.ExperimentTimeout()),
		Template:             sent,
	}, nil
}

// startResultSize bounds a StartResult's JSON without its template.
const startResultSize = 1024

// checkStateSize refuses, before anything is created, a run whose state
// after the start (st, the result and its template) would leave less than
// gameday.RunReserve below Step Functions' payload quota: past the quota the
// execution fails with the experiment running (States.DataLimitExceeded,
// which no Catch takes), leaving it to the guard.
func checkStateSize(st gameday.RunState, template []byte) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("start experiment: measure the run's state: %w", err)
	}
	if after := len(b) + len(template) + startResultSize; after > gameday.MaxPayload-gameday.RunReserve {
		return gameday.NewStepError(gameday.ErrNameInvalidGameDay,
			"start experiment: started, the run's state would be %d bytes (the template %d of them), over the %d that leave it room below Step Functions' %d-byte limit: make the GameDay smaller (fewer or smaller faults, a shorter file); nothing was started",
			after, len(template), gameday.MaxPayload-gameday.RunReserve, gameday.MaxPayload)
	}
	return nil
}

// checkExecution closes the race between an execution that ends (aborted
// by an operator, timed out) while this step runs and the experiment the
// step starts: Step Functions does not cancel the Lambda, and the guard may
// have looked for experiments before this one existed. So after the start
// the step asks whether its execution is still RUNNING; if it is not, it
// stops the experiment it just started and fails saying so. If the
// question itself fails, the start stands: the sweeper stops the
// experiment within one sweep should the execution turn out to have ended.
func (s *Starter) checkExecution(ctx context.Context, executionARN, id string) error {
	if s.Executions == nil || executionARN == "" {
		return nil
	}
	out, err := s.Executions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN)})
	var missing *sfntypes.ExecutionDoesNotExist
	status := ""
	switch {
	case errors.As(err, &missing):
		status = "gone"
	case err != nil:
		slog.WarnContext(ctx, "could not check the execution after the start; the sweeper will if it has ended",
			"executionArn", executionARN, "experimentId", id, "err", err)
		return nil
	case out.Status == sfntypes.ExecutionStatusRunning:
		return nil
	default:
		status = string(out.Status)
	}
	if answer, err := RequestStop(ctx, s.API, aws.String(id)); answer == StopRefused || answer == StopFailed {
		return fmt.Errorf("execution %s is %s: stop experiment %s that this step had just started (the sweeper will retry): %w", executionARN, status, id, err)
	}
	slog.WarnContext(ctx, "execution ended during the start: experiment stopped", "executionArn", executionARN, "execution", status, "experimentId", id)
	return fmt.Errorf("execution %s is %s, not RUNNING: stopped experiment %s, which this step had just started", executionARN, status, id)
}

func (s *Starter) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// ensureTemplate finds the GameDay's template by its name and state
// machine tags (in carries both) and creates, updates or reuses it. It
// returns the template id and what it did.
func (s *Starter) ensureTemplate(ctx context.Context, spec *gameday.Spec, execName, stateMachine string, in *fis.CreateExperimentTemplateInput) (string, string, error) {
	name := spec.Metadata.Name
	want := in.Tags[deploy.TagDigest] // none: never reused, always updated
	tags := in.Tags

	found, err := s.findTemplate(ctx, name, stateMachine)
	if err != nil {
		return "", "", err
	}
	if found == nil {
		id, err := s.createTemplate(ctx, name, ClientToken("template", execName), in)
		return id, TemplateCreated, err
	}
	id := aws.ToString(found.Id)
	got, err := s.API.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: found.Id})
	if err != nil {
		return "", "", fmt.Errorf("get experiment template %s: %w", id, awserr.Classify(err))
	}
	if want != "" && found.Tags[deploy.TagDigest] == want && sameDeployment(got.ExperimentTemplate, in) {
		// The spec is unchanged, and so are the deployment facts in the
		// rendered request (role, log bucket, alarm and cluster ARNs).
		return id, TemplateReused, nil
	}
	if stale := staleKeys(got.ExperimentTemplate, in); len(stale) > 0 {
		return s.replaceTemplate(ctx, name, execName, id, stale, in)
	}
	if _, err := s.API.UpdateExperimentTemplate(ctx, s.Update(id, in)); err != nil {
		return "", "", fmt.Errorf("update experiment template %s: %w", id, awserr.Classify(err))
	}
	// UpdateExperimentTemplate leaves tags alone: record the new digest.
	if _, err := s.API.TagResource(ctx, &fis.TagResourceInput{ResourceArn: found.Arn, Tags: tags}); err != nil {
		return "", "", fmt.Errorf("tag experiment template %s: %w", id, awserr.Classify(err))
	}
	return id, TemplateUpdated, nil
}

// findTemplate returns the GameDay's template of this state machine (the
// newest, should there be several), or nil.
func (s *Starter) findTemplate(ctx context.Context, name, stateMachine string) (*types.ExperimentTemplateSummary, error) {
	all, err := TemplatesOf(ctx, s.API, name)
	if err != nil {
		return nil, err
	}
	// Another state machine's template (another stack's, or one made
	// before templates carried the tag) is not this one's to change.
	found := slices.DeleteFunc(all, func(t types.ExperimentTemplateSummary) bool { return t.Tags[deploy.TagStateMachine] != stateMachine })
	if len(found) == 0 {
		return nil, nil
	}
	sort.SliceStable(found, func(i, j int) bool {
		ti, tj := aws.ToTime(found[i].CreationTime), aws.ToTime(found[j].CreationTime)
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return aws.ToString(found[i].Id) < aws.ToString(found[j].Id)
	})
	return &found[0], nil
}

// sameDeployment reports whether template t carries the deployment facts of
// the rendered request in: the parts of a template that the spec digest does
// not cover (role, log destination, stop-condition and target ARNs, which
// depend on the stack's account, region and buckets).
func sameDeployment(t *types.ExperimentTemplate, in *fis.CreateExperimentTemplateInput) bool {
	if t == nil || aws.ToString(t.RoleArn) != aws.ToString(in.RoleArn) {
		return false
	}
	var gotBucket, gotPrefix, wantBucket, wantPrefix string
	if l := t.LogConfiguration; l != nil && l.S3Configuration != nil {
		gotBucket, gotPrefix = aws.ToString(l.S3Configuration.BucketName), aws.ToString(l.S3Configuration.Prefix)
	}
	if l := in.LogConfiguration; l != nil && l.S3Configuration != nil {
		wantBucket, wantPrefix = aws.ToString(l.S3Configuration.BucketName), aws.ToString(l.S3Configuration.Prefix)
	}
	if gotBucket != wantBucket || gotPrefix != wantPrefix {
		return false
	}
	var gotStops, wantStops []string
	for _, c := range t.StopConditions {
		gotStops = append(gotStops, aws.ToString(c.Source)+" "+aws.ToString(c.Value))
	}
	for _, c := range in.StopConditions {
		wantStops = append(wantStops, aws.ToString(c.Source)+" "+aws.ToString(c.Value))
	}
	sort.Strings(gotStops)
	sort.Strings(wantStops)
	if !slices.Equal(gotStops, wantStops) {
		return false
	}
	if len(t.Targets) != len(in.Targets) {
		return false
	}
	for name, want := range in.Targets {
		got, ok := t.Targets[name]
		if !ok || !slices.Equal(sortedCopy(got.ResourceArns), sortedCopy(want.ResourceArns)) {
			return false
		}
	}
	return true
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}

// createTemplate creates the template with the client token unless the
// request carries one.
func (s *Starter) createTemplate(ctx context.Context, name, token string, in *fis.CreateExperimentTemplateInput) (string, error) {
	if aws.ToString(in.ClientToken) == "" {
		in.ClientToken = aws.String(token)
	}
	out, err := s.API.CreateExperimentTemplate(ctx, in)
	if err != nil {
		return "", fmt.Errorf("create experiment template for %s: %w", name, awserr.Classify(err))
	}
	if out.ExperimentTemplate == nil || aws.ToString(out.ExperimentTemplate.Id) == "" {
		return "", fmt.Errorf("create experiment template for %s: FIS returned no template id", name)
	}
	return aws.ToString(out.ExperimentTemplate.Id), nil
}

// staleKeys lists the actions and targets the template has and the
// rendered request no longer does. FIS does not document whether an update
// replaces the action set or merges into it, and the SDK cannot send the
// null that would remove one: a template with stale actions or targets is
// replaced, not updated, so that both behaviours give the same template.
func staleKeys(t *types.ExperimentTemplate, in *fis.CreateExperimentTemplateInput) []string {
	if t == nil {
		return nil
	}
	var stale []string
	for k := range t.Actions {
		if _, ok := in.Actions[k]; !ok {
			stale = append(stale, "action "+k)
		}
	}
	for k := range t.Targets {
		if _, ok := in.Targets[k]; !ok {
			stale = append(stale, "target "+k)
		}
	}
	sort.Strings(stale)
	return stale
}

// replaceTemplate creates the new template, then deletes the old one. Should
// the delete fail, the new template (the newest with the GameDay's name tag)
// is the one later runs find; the old one is left for the operator, with a
// warning.
func (s *Starter) replaceTemplate(ctx context.Context, name, execName, oldID string, stale []string, in *fis.CreateExperimentTemplateInput) (string, string, error) {
	id, err := s.createTemplate(ctx, name, ClientToken("template-replace", execName), in)
	if err != nil {
		return "", "", err
	}
	if _, err := s.API.DeleteExperimentTemplate(ctx, &fis.DeleteExperimentTemplateInput{Id: aws.String(oldID)}); err != nil && !awserr.IsNotFound(err) {
		slog.WarnContext(ctx, "old experiment template left in place", "experimentTemplateId", oldID, "replacedBy", id, "err", err)
	}
	slog.InfoContext(ctx, "experiment template replaced", "experimentTemplateId", id, "replaced", oldID, "stale", stale)
	return id, TemplateReplaced, nil
}
