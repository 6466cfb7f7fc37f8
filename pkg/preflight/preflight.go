// Package preflight is the first step of a run: it validates the GameDay
// again, judges it against the deployment's policy, takes the GameDay's run
// lease (pkg/lease), stages its stop-condition alarms in CloudWatch and
// refuses to go on, having started nothing, when it is not safe to start: a
// stop-condition alarm missing or in ALARM, the FIS safety lever engaged, the
// lease held by another execution, the account's quota of active experiments
// reached, or another experiment of the same GameDay still running. Before
// it stages anything, it refuses a stop-condition alarm that could never
// fire: one that stays OK on missing data and watches a metric CloudWatch
// does not list (watch.go).
package preflight

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/cwmetrics"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
)

// Defaults of Preflight.
const (
	// MaxActiveExperiments is FIS's quota of active experiments per account
	// and region.
	MaxActiveExperiments = 5
	// SafetyLeverID is the id of the account's FIS safety lever.
	SafetyLeverID = "default"
)

// Preflight is the preflight step.
type Preflight struct {
	CloudWatch AlarmAPI
	FIS        FISAPI
	// Validate is the full GameDay validation (validate.Spec).
	Validate func(*gameday.Spec) error
	// Policy is the deployment's policy, as the stack deployed it (never
	// from the run's input); nil checks none (a local run without
	// --policy). Where resolves a target.clusterName for it.
	Policy *policy.Policy
	Where  policy.Where
	// AlarmARN is the ARN the FIS template gives a staged alarm
	// (fistemplate.AlarmARN with the stack's account and region). When set,
	// a staged alarm whose real ARN differs is refused: FIS would watch an
	// alarm that does not exist.
	AlarmARN func(name string) string
	// MaxActive is the quota of active experiments; 0 means
	// MaxActiveExperiments.
	MaxActive int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Leases is the run lease table (lease.Table). Preflight takes the
	// GameDay's lease for the execution before anything else can race it,
	// and gives it back when it refuses the run; the notify step, the guard
	// or the sweeper give it back when the run ends. Nil takes no lease.
	Leases Leases
	// LeaseFor is how long past the execution's start the lease lasts: past
	// the run's longest possible end (the execution timeout) plus the
	// time the guard and the sweeper take.
	LeaseFor time.Duration
}

// Handle checks and stages everything a start needs. Refusals are
// PolicyViolation (the GameDay is outside the deployment's policy; checked
// before anything is created), InvalidGameDay (also when the run's specYaml
// says another GameDay than the one it carries), PreflightFailed (the message says which
// check and what to do),
// AlarmsPending while a stop-condition alarm is still INSUFFICIENT_DATA (the
// state machine retries), and InvalidGameDay.
func (p *Preflight) Handle(ctx context.Context, st gameday.RunState) (gameday.PreflightResult, error) {
	spec := st.GameDay
	if spec == nil {
		return gameday.PreflightResult{}, gameday.NewStepError(gameday.ErrNameInvalidGameDay, "preflight: the run carries no gameday")
	}
	if p.Validate == nil {
		return gameday.PreflightResult{}, errors.New("preflight: no validator configured")
	}
	if err := p.Validate(spec); err != nil {
		return gameday.PreflightResult{}, &gameday.StepError{Name: gameday.ErrNameInvalidGameDay, Err: fmt.Errorf("validate gameday %s: %w", spec.Metadata.Name, err)}
	}
	if ps := policy.Check(p.Policy, spec, p.Where); len(ps) > 0 {
		return gameday.PreflightResult{}, &gameday.StepError{Name: gameday.ErrNamePolicyViolation,
			Err: fmt.Errorf("gameday %s is outside the deployment's policy %s: %s", spec.Metadata.Name, p.Policy.Metadata.Name, strings.ReplaceAll(ps.Error(), "\n", "; "))}
	}
	if err := st.CheckSpecYAML(); err != nil {
		return gameday.PreflightResult{}, &gameday.StepError{Name: gameday.ErrNameInvalidGameDay, Err: err}
	}
	if err := p.checkSafetyLever(ctx); err != nil {
		return gameday.PreflightResult{}, err
	}
	if err := p.takeLease(ctx, st); err != nil {
		return gameday.PreflightResult{}, err
	}
	refs, err := p.checks(ctx, spec)
	if err != nil {
		return gameday.PreflightResult{}, p.keepOrRelease(ctx, st, err)
	}
	now := p.now()
	slog.InfoContext(ctx, "preflight passed", "gameday", spec.Metadata.Name, "alarms", len(refs))
	return gameday.PreflightResult{Alarms: refs, CheckedAt: now.UTC()}, nil
}

// checks are the checks made under the lease.
func (p *Preflight) checks(ctx context.Context, spec *gameday.Spec) ([]gameday.AlarmRef, error) {
	if err := p.checkActive(ctx, spec.Metadata.Name); err != nil {
		return nil, err
	}
	notes, err := p.checkWatched(ctx, spec)
	if err != nil {
		return nil, err
	}
	if err := p.stageAlarms(ctx, spec); err != nil {
		return nil, err
	}
	refs, err := p.checkAlarms(ctx, spec)
	for i := range refs {
		refs[i].Notes = notes[refs[i].Name]
	}
	return refs, err
}

func (p *Preflight) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func refuse(format string, args ...any) error {
	return gameday.NewStepError(gameday.ErrNamePreflightFailed, format, args...)
}

// checkSafetyLever refuses while the account's FIS safety lever is engaged
// (or engaging). An account without a lever has nothing engaged.
func (p *Preflight) checkSafetyLever(ctx context.Context) error {
	out, err := p.FIS.GetSafetyLever(ctx, &fis.GetSafetyLeverInput{Id: aws.String(SafetyLeverID)})
	if err = awserr.Classify(err); errors.Is(err, gameday.ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("get FIS safety lever: %w", err)
	}
	if out.SafetyLever == nil || out.SafetyLever.State == nil {
		return nil
	}
	switch s := out.SafetyLever.State; s.Status {
	case fistypes.SafetyLeverStatusEngaged, fistypes.SafetyLeverStatusEngaging:
		return refuse("the FIS safety lever is %s (%s): no experiment can start in this account and region; "+
			"disengage it with 'aws fis update-safety-lever-state --id %s --state status=disengaged,reason=...' when it is safe, then start again",
			s.Status, orNone(aws.ToString(s.Reason)), SafetyLeverID)
	}
	return nil
}

// checkActive refuses when another experiment of this GameDay is active, or
// when the account already has the quota of active experiments.
func (p *Preflight) checkActive(ctx context.Context, name string) error {
	active, err := experiment.ListExperiments(ctx, p.FIS, func(e fistypes.ExperimentSummary) bool { return experiment.Active(e.State) })
	if err != nil {
		return err
	}
	if len(active) == 0 {
		return nil
	}
	own, err := p.ownTemplates(ctx, name)
	if err != nil {
		return err
	}
	for _, e := range active {
		if e.Tags[deploy.TagName] == name || own[aws.ToString(e.ExperimentTemplateId)] {
			id := aws.ToString(e.Id)
			return refuse("experiment %s of GameDay %s is still %s: wait for it to end, or stop it with 'aws fis stop-experiment --id %s', then start again",
				id, name, e.State.Status, id)
		}
	}
	limit := p.MaxActive
	if limit <= 0 {
		limit = MaxActiveExperiments
	}
	if len(active) >= limit {
		ids := make([]string, 0, len(active))
		for _, e := range active {
			ids = append(ids, aws.ToString(e.Id))
		}
		slices.Sort(ids)
		return refuse("the account already has %d active FIS experiments (%s), the quota is %d: wait for one to end, then start again",
			len(active), strings.Join(ids, ", "), limit)
	}
	return nil
}

// ownTemplates are the ids of the templates tagged with the GameDay's name.
func (p *Preflight) ownTemplates(ctx context.Context, name string) (map[string]bool, error) {
	templates, err := experiment.TemplatesOf(ctx, p.FIS, name)
	if err != nil {
		return nil, err
	}
	own := make(map[string]bool, len(templates))
	for _, t := range templates {
		own[aws.ToString(t.Id)] = true
	}
	return own, nil
}

// stageAlarms creates or updates every alarm stop condition. Updating an
// alarm keeps its state.
func (p *Preflight) stageAlarms(ctx context.Context, spec *gameday.Spec) error {
	for _, sc := range spec.Spec.StopConditions {
		if sc.Alarm == nil {
			continue
		}
		in := AlarmInput(spec, sc.Alarm)
		if _, err := p.CloudWatch.PutMetricAlarm(ctx, in); err != nil {
			return fmt.Errorf("put alarm %s: %w", aws.ToString(in.AlarmName), awserr.Classify(err))
		}
	}
	return nil
}

var standardStats = map[string]cwtypes.Statistic{
	"SampleCount": cwtypes.StatisticSampleCount,
	"Average":     cwtypes.StatisticAverage,
	"Sum":         cwtypes.StatisticSum,
	"Minimum":     cwtypes.StatisticMinimum,
	"Maximum":     cwtypes.StatisticMaximum,
}

// AlarmInput is the PutMetricAlarm request that stages a stop-condition
// alarm: named Spec.AlarmName, tagged with the GameDay's name and tags,
// treating missing data as notBreaching unless told otherwise, percentiles
// as an ExtendedStatistic.
func AlarmInput(spec *gameday.Spec, a *gameday.AlarmSpec) *cloudwatch.PutMetricAlarmInput {
	m := a.Metric
	desc := a.Description
	if desc == "" {
		desc = fmt.Sprintf("Stop condition of GameDay %s, staged by gameday.", spec.Metadata.Name)
	}
	datapoints := a.DatapointsToAlarm
	if datapoints == 0 {
		datapoints = a.EvaluationPeriods
	}
	missing := a.TreatMissingData
	if missing == "" {
		missing = gameday.DefaultTreatMissingData
	}
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(spec.AlarmName(a)),
		AlarmDescription:   aws.String(desc),
		ActionsEnabled:     aws.Bool(false),
		Namespace:          aws.String(m.Namespace),
		MetricName:         aws.String(m.Name),
		Period:             aws.Int32(m.Period),
		ComparisonOperator: cwtypes.ComparisonOperator(a.Comparison),
		Threshold:          aws.Float64(a.Threshold),
		EvaluationPeriods:  aws.Int32(a.EvaluationPeriods),
		DatapointsToAlarm:  aws.Int32(datapoints),
		TreatMissingData:   aws.String(missing),
	}
	if s, ok := standardStats[m.Stat]; ok {
		in.Statistic = s
	} else {
		in.ExtendedStatistic = aws.String(m.Stat)
	}
	in.Dimensions = cwmetrics.Of(m).Dimensions
	tags := map[string]string{}
	maps.Copy(tags, spec.Metadata.Tags)
	tags[deploy.TagName] = spec.Metadata.Name
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		in.Tags = append(in.Tags, cwtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return in
}

// alarmARNName is the alarm name inside a CloudWatch alarm ARN
// (arn:aws:cloudwatch:<region>:<account>:alarm:<name>).
var alarmARNName = regexp.MustCompile(`^arn:[^:]+:cloudwatch:[^:]*:[^:]*:alarm:(.+)$`)

// alarmInfo is what DescribeAlarms says about one alarm.
type alarmInfo struct {
	arn    string
	state  cwtypes.StateValue
	reason string
}

// checkAlarms reads every stop-condition alarm back and refuses when one is
// missing or in ALARM, or asks to wait while one is INSUFFICIENT_DATA.
func (p *Preflight) checkAlarms(ctx context.Context, spec *gameday.Spec) ([]gameday.AlarmRef, error) {
	refs := stopConditionAlarms(spec)
	if len(refs) == 0 {
		return refs, nil
	}
	found, err := p.describeAlarms(ctx, refs)
	if err != nil {
		return nil, err
	}
	var refused, pending []string
	for i := range refs {
		refusal, wait := p.judgeAlarm(&refs[i], found)
		switch {
		case refusal != "":
			refused = append(refused, refusal)
		case wait:
			pending = append(pending, refs[i].Name)
		}
	}
	if len(refused) > 0 {
		return nil, refuse("%s", strings.Join(refused, "; "))
	}
	if len(pending) > 0 {
		return nil, gameday.NewStepError(gameday.ErrNameAlarmsPending,
			"stop-condition alarm %s is still INSUFFICIENT_DATA: waiting for CloudWatch to evaluate it (if this lasts, check that its metric receives data)",
			strings.Join(pending, ", "))
	}
	return refs, nil
}

// stopConditionAlarms are spec's stop-condition alarms: those it stages, by
// name, and those it names by ARN (with the name the ARN holds, if any).
func stopConditionAlarms(spec *gameday.Spec) []gameday.AlarmRef {
	refs := make([]gameday.AlarmRef, 0, len(spec.Spec.StopConditions))
	for _, sc := range spec.Spec.StopConditions {
		switch {
		case sc.Alarm != nil:
			refs = append(refs, gameday.AlarmRef{Name: spec.AlarmName(sc.Alarm), Staged: true})
		case sc.AlarmARN != "":
			ref := gameday.AlarmRef{ARN: sc.AlarmARN}
			if m := alarmARNName.FindStringSubmatch(sc.AlarmARN); m != nil {
				ref.Name = m[1]
			}
			refs = append(refs, ref)
		}
	}
	return refs
}

// describeAlarms reads the metric and composite alarms refs name, by name.
func (p *Preflight) describeAlarms(ctx context.Context, refs []gameday.AlarmRef) (map[string]alarmInfo, error) {
	var names []string
	for _, r := range refs {
		if r.Name != "" && !slices.Contains(names, r.Name) {
			names = append(names, r.Name)
		}
	}
	set := newAlarmSet()
	if err := p.readAlarms(ctx, set, names); err != nil {
		return nil, err
	}
	found := map[string]alarmInfo{}
	for n, a := range set.metric {
		found[n] = alarmInfo{aws.ToString(a.AlarmArn), a.StateValue, aws.ToString(a.StateReason)}
	}
	for n, a := range set.composite {
		found[n] = alarmInfo{aws.ToString(a.AlarmArn), a.StateValue, aws.ToString(a.StateReason)}
	}
	return found, nil
}

// judgeAlarm fills r's ARN and state from what was found and says why r
// refuses the run, or whether to wait for CloudWatch to evaluate it.
func (p *Preflight) judgeAlarm(r *gameday.AlarmRef, found map[string]alarmInfo) (refusal string, wait bool) {
	info, ok := found[r.Name]
	given := r.ARN
	if ok && (given == "" || given == info.arn) {
		r.ARN = info.arn
		r.State = string(info.state)
	}
	switch {
	case r.Name == "":
		return fmt.Sprintf("stop condition %s is not a CloudWatch alarm ARN: fix stopConditions", given), false
	case !ok || r.State == "":
		what := r.Name
		if given != "" {
			what += " (" + given + ")"
		}
		hint := "create it or fix spec.stopConditions"
		if r.Staged {
			hint = "it was just staged, so check the CloudWatch permissions"
		}
		return fmt.Sprintf("stop-condition alarm %s does not exist in this account and region: %s", what, hint), false
	case r.Staged && p.AlarmARN != nil && p.AlarmARN(r.Name) != r.ARN:
		return fmt.Sprintf("stop-condition alarm %s is %s, but the FIS template would reference %s: fix the stack's ACCOUNT_ID or region",
			r.Name, r.ARN, p.AlarmARN(r.Name)), false
	case info.state == cwtypes.StateValueAlarm:
		return fmt.Sprintf("stop-condition alarm %s is in ALARM (%s): the system is not in its steady state; wait until the alarm is OK, then start again",
			r.Name, orNone(info.reason)), false
	}
	return "", info.state == cwtypes.StateValueInsufficientData
}

func orNone(s string) string {
	if s == "" {
		return "no reason given"
	}
	return s
}
