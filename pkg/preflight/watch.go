package preflight

// What the stop-condition alarms watch. An alarm on a metric that does not
// exist (a typo in its namespace, name or a dimension; another load
// balancer) that treats missing data as notBreaching or ignore sits in OK
// for ever: preflight would pass, and nothing would ever stop the fault.
// So before it stages anything, preflight asks ListMetrics whether each
// metric such an alarm watches exists, and refuses the run when one does
// not, unless the deployment's policy says the metric is sparse (published
// only when something goes wrong). What it cannot judge, it says so in the
// run's summary.

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/cwmetrics"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// blindWhenMissing are the TreatMissingData values under which an alarm
// whose metric has no data stays OK: notBreaching counts each missing
// datapoint as within the threshold, ignore keeps the current state. With
// missing (CloudWatch's default) an alarm goes to INSUFFICIENT_DATA when
// every datapoint of its evaluation range is missing, with breaching to
// ALARM: checkAlarms waits for the one and refuses the other (CloudWatch
// guide, "Configuring how CloudWatch alarms treat missing data").
var blindWhenMissing = []string{"notBreaching", "ignore"}

// alwaysIgnores is the namespace whose alarms "always ignore missing data
// even if you choose a different option" (PutMetricAlarm reference,
// TreatMissingData).
const alwaysIgnores = "AWS/DynamoDB"

// maxAlarmNames is the most names one DescribeAlarms takes.
const maxAlarmNames = 100

// alarmSet is what DescribeAlarms said, by alarm name.
type alarmSet struct {
	metric    map[string]cwtypes.MetricAlarm
	composite map[string]cwtypes.CompositeAlarm
}

func newAlarmSet() alarmSet {
	return alarmSet{map[string]cwtypes.MetricAlarm{}, map[string]cwtypes.CompositeAlarm{}}
}

// readAlarms reads the metric and composite alarms of those names that
// exist into set.
func (p *Preflight) readAlarms(ctx context.Context, set alarmSet, names []string) error {
	for chunk := range slices.Chunk(names, maxAlarmNames) {
		pg := cloudwatch.NewDescribeAlarmsPaginator(p.CloudWatch, &cloudwatch.DescribeAlarmsInput{
			AlarmNames: chunk,
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm},
		})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("describe alarms %s: %w", strings.Join(chunk, ", "), awserr.Classify(err))
			}
			for _, a := range page.MetricAlarms {
				set.metric[aws.ToString(a.AlarmName)] = a
			}
			for _, a := range page.CompositeAlarms {
				set.composite[aws.ToString(a.AlarmName)] = a
			}
		}
	}
	return nil
}

// watchJudge is one preflight's judgement of what its alarms watch.
type watchJudge struct {
	p      *Preflight
	alarms alarmSet
	// staged are the alarms gameday stages, judged from the GameDay;
	// given, the ARNs of those given by ARN.
	staged  map[string]bool
	given   map[string]string
	listed  map[string]bool // by cwmetrics.String
	refused []string
	notes   map[string][]string // by stop-condition alarm
}

// checkWatched judges the metrics every stop-condition alarm watches,
// before anything is staged, and refuses the run when one can never fire.
// It returns the notes for the run's summary, by alarm name: what was
// accepted only because the policy says so, and what it could not judge.
func (p *Preflight) checkWatched(ctx context.Context, spec *gameday.Spec) (map[string][]string, error) {
	j := &watchJudge{p: p, alarms: newAlarmSet(),
		staged: map[string]bool{}, given: map[string]string{}, listed: map[string]bool{}, notes: map[string][]string{}}
	var tops, given []string
	for _, sc := range spec.Spec.StopConditions {
		if sc.Alarm != nil {
			j.stage(spec, sc.Alarm)
			tops = append(tops, spec.AlarmName(sc.Alarm))
		}
	}
	for _, r := range stopConditionAlarms(spec) {
		// An alarm named twice is judged once: its notes and refusal once.
		if !r.Staged && r.Name != "" && !slices.Contains(given, r.Name) {
			j.given[r.Name] = r.ARN
			given = append(given, r.Name)
			tops = append(tops, r.Name)
		}
	}
	if err := j.read(ctx, given); err != nil {
		return nil, err
	}
	for _, top := range tops {
		if err := j.judge(ctx, top, top, nil); err != nil {
			return nil, err
		}
	}
	if len(j.refused) > 0 {
		return nil, refuse("%s", strings.Join(j.refused, "; "))
	}
	return j.notes, nil
}

// stage is the alarm gameday stages for a, as PutMetricAlarm will make it.
func (j *watchJudge) stage(spec *gameday.Spec, a *gameday.AlarmSpec) {
	in := AlarmInput(spec, a)
	name := aws.ToString(in.AlarmName)
	j.staged[name] = true
	j.alarms.metric[name] = cwtypes.MetricAlarm{AlarmName: in.AlarmName, Namespace: in.Namespace, MetricName: in.MetricName,
		Dimensions: in.Dimensions, Metrics: in.Metrics, TreatMissingData: in.TreatMissingData}
}

// read reads the alarms named and, level by level, those their composite
// rules name (a rule may name composites).
func (j *watchJudge) read(ctx context.Context, names []string) error {
	seen := map[string]bool{}
	for len(names) > 0 {
		for _, n := range names {
			seen[n] = true
		}
		if err := j.p.readAlarms(ctx, j.alarms, names); err != nil {
			return err
		}
		var next []string
		for _, n := range names {
			c, ok := j.alarms.composite[n]
			if !ok {
				continue
			}
			for _, m := range ruleAlarms(aws.ToString(c.AlarmRule)) {
				// Not read again: an alarm read already, or staged
				// (judged as the GameDay stages it).
				if _, known := j.alarms.metric[m]; !known && !seen[m] && !slices.Contains(next, m) {
					next = append(next, m)
				}
			}
		}
		names = next
	}
	return nil
}

// judge judges alarm name for the stop condition top; via are the
// composite alarms that led to it.
func (j *watchJudge) judge(ctx context.Context, top, name string, via []string) error {
	if arn, ok := j.given[name]; ok && len(via) == 0 && arn != j.arnOf(name) {
		return nil // another account's or region's: checkAlarms refuses it
	}
	if a, ok := j.alarms.metric[name]; ok {
		return j.metricAlarm(ctx, top, via, a)
	}
	c, ok := j.alarms.composite[name]
	switch {
	case !ok && len(via) == 0:
		return nil // checkAlarms refuses a stop condition that does not exist
	case !ok:
		j.note(top, "%s names alarm %s, which does not exist in this account and region: not judged", j.who(top, via), name)
		return nil
	}
	named := ruleAlarms(aws.ToString(c.AlarmRule))
	if len(named) == 0 {
		j.note(top, "%s is a composite alarm whose rule (%s) names no alarm: not judged", j.who(top, via), aws.ToString(c.AlarmRule))
	}
	for _, n := range named {
		if n == name || slices.Contains(via, n) {
			continue
		}
		if err := j.judge(ctx, top, n, append(slices.Clone(via), name)); err != nil {
			return err
		}
	}
	return nil
}

// arnOf is the ARN of the alarm read by that name ("" when none was).
func (j *watchJudge) arnOf(name string) string {
	if a, ok := j.alarms.metric[name]; ok {
		return aws.ToString(a.AlarmArn)
	}
	return aws.ToString(j.alarms.composite[name].AlarmArn)
}

// who names the alarm judged: the stop condition, or the alarm a
// composite stop condition names (through further composites).
func (j *watchJudge) who(top string, via []string) string {
	s := "stop-condition alarm " + top
	if len(via) > 1 {
		s += " (composite, through " + strings.Join(via[1:], ", ") + ")"
	}
	return s
}

func (j *watchJudge) note(top, format string, args ...any) {
	j.notes[top] = append(j.notes[top], fmt.Sprintf(format, args...))
}

// watched is one metric an alarm watches: the alarm's own, or one
// MetricStat of its metric math (id, and the account when it is another).
type watched struct {
	id, account string
	metric      cwtypes.Metric
}

// watchedMetrics are the metrics a metric alarm reads.
func watchedMetrics(a cwtypes.MetricAlarm) []watched {
	if a.MetricName != nil {
		return []watched{{metric: cwtypes.Metric{Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions}}}
	}
	var out []watched
	for _, q := range a.Metrics {
		if q.MetricStat != nil && q.MetricStat.Metric != nil {
			out = append(out, watched{id: aws.ToString(q.Id), account: aws.ToString(q.AccountId), metric: *q.MetricStat.Metric})
		}
	}
	return out
}

// metricAlarm judges a metric alarm's metrics, when missing data would
// leave it OK.
func (j *watchJudge) metricAlarm(ctx context.Context, top string, via []string, a cwtypes.MetricAlarm) error {
	name := aws.ToString(a.AlarmName)
	if len(via) > 0 {
		via = append(slices.Clone(via), name)
	}
	ms := watchedMetrics(a)
	if len(ms) == 0 {
		j.note(top, "%s reads no metric of its own (metric math of a SEARCH or Metrics Insights query): whether its metrics exist is not judged", j.named(top, via))
		return nil
	}
	missing := aws.ToString(a.TreatMissingData)
	for _, w := range ms {
		treat := missing
		if aws.ToString(w.metric.Namespace) == alwaysIgnores {
			treat = "ignore"
		}
		switch {
		case !slices.Contains(blindWhenMissing, treat):
			continue
		case w.account != "" && w.account != j.p.Where.Account:
			j.note(top, "%s watches %s of account %s: not judged (ListMetrics lists this account's metrics)", j.named(top, via), j.metricText(w), w.account)
			continue
		}
		ok, err := j.isListed(ctx, w.metric)
		if err != nil {
			return err
		}
		if !ok {
			if err := j.unlisted(ctx, top, via, name, w, treat); err != nil {
				return err
			}
		}
	}
	return nil
}

// named is who, saying which alarm a composite named.
func (j *watchJudge) named(top string, via []string) string {
	if len(via) == 0 {
		return "stop-condition alarm " + top
	}
	return j.who(top, via[:len(via)-1]) + " names alarm " + via[len(via)-1] + ", which"
}

func (j *watchJudge) metricText(w watched) string {
	if w.id == "" {
		return cwmetrics.String(w.metric)
	}
	return cwmetrics.String(w.metric) + " (metric math query " + w.id + ")"
}

func (j *watchJudge) isListed(ctx context.Context, m cwtypes.Metric) (bool, error) {
	k := cwmetrics.String(m)
	if ok, seen := j.listed[k]; seen {
		return ok, nil
	}
	ok, err := cwmetrics.Listed(ctx, j.p.CloudWatch, m)
	if err != nil {
		return false, err
	}
	j.listed[k] = ok
	return ok, nil
}

// unlisted judges a metric ListMetrics does not list, which an alarm that
// treats missing data as treat watches: refused, unless the policy says
// it is sparse (and, for a name in any dimensions, something publishes
// with those dimensions).
func (j *watchJudge) unlisted(ctx context.Context, top string, via []string, alarm string, w watched, treat string) error {
	m := w.metric
	what := fmt.Sprintf("%s watches %s; CloudWatch does not list it (no data reported in the past two weeks)", j.named(top, via), j.metricText(w))
	dims := map[string]string{}
	for _, d := range m.Dimensions {
		dims[aws.ToString(d.Name)] = aws.ToString(d.Value)
	}
	sparse := j.p.Policy.Sparse(aws.ToString(m.Namespace), aws.ToString(m.MetricName), dims)
	if sparse != nil && sparse.Dimensions == nil {
		ok, err := cwmetrics.DimensionsListed(ctx, j.p.CloudWatch, aws.ToString(m.Namespace), m.Dimensions)
		if err != nil {
			return err
		}
		if !ok {
			j.refused = append(j.refused, fmt.Sprintf("%s, and no metric of %s has exactly the dimensions %s: the policy %s lets %s be sparse, but nothing publishes with those dimensions; check them (%s)",
				what, aws.ToString(m.Namespace), cwmetrics.Dimensions(m.Dimensions), j.p.Policy.Metadata.Name, aws.ToString(m.MetricName), j.fix(alarm)))
			return nil
		}
	}
	if sparse != nil {
		j.note(top, "%s: accepted as sparse by the policy %s (sparseMetrics); the alarm can fire only once the metric is published", what, j.p.Policy.Metadata.Name)
		return nil
	}
	why, or := "the alarm treats missing data as "+treat, ", or its alarm may treat missing data as missing or breaching"
	if aws.ToString(m.Namespace) == alwaysIgnores {
		why, or = "the alarm ignores missing data (as every alarm on "+alwaysIgnores+" does)", ""
	}
	j.refused = append(j.refused, fmt.Sprintf("%s, and %s: it would stay OK and never stop the experiment; %s. "+
		"A metric published only when something goes wrong may be listed in the deployment policy's sparseMetrics%s; "+
		"a metric first published less than 15 minutes ago may not be listed yet: start again later",
		what, why, j.fix(alarm), or))
	return nil
}

// fix says where to fix an alarm's metric.
func (j *watchJudge) fix(alarm string) string {
	if j.staged[alarm] {
		return "fix its namespace, name or dimensions in spec.stopConditions"
	}
	return "fix the metric of alarm " + alarm + " in CloudWatch, or name another alarm"
}

// ruleToken is one token of a composite alarm's rule: a quoted name, or a
// run of characters other than space, parentheses and commas.
var ruleToken = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|[^\s(),"]+`)

// ruleWords are the rule's own words: its functions, operators and states.
var ruleWords = []string{"ALARM", "OK", "INSUFFICIENT_DATA", "TRUE", "FALSE", "AND", "OR", "NOT", "AT_LEAST"}

// ruleAlarms are the alarms a composite alarm's rule names, by name (an
// ARN gives its name: a composite's alarms are in its account and
// region), in order, once each. Whatever in the rule is not one of its
// words, a number or a percentage is an alarm: ALARM(name),
// OK("name"), AT_LEAST(2, ALARM, (a, b)).
func ruleAlarms(rule string) []string {
	var out []string
	for _, tok := range ruleToken.FindAllString(rule, -1) {
		bare := strings.TrimPrefix(tok, "!")
		if !strings.HasPrefix(tok, `"`) && (slices.Contains(ruleWords, bare) || strings.Trim(bare, "0123456789.%") == "") {
			continue
		}
		name := tok
		if strings.HasPrefix(tok, `"`) {
			name = strings.ReplaceAll(tok[1:len(tok)-1], `\"`, `"`)
		}
		if m := alarmARNName.FindStringSubmatch(name); m != nil {
			name = m[1]
		}
		if name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}
