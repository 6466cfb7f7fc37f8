package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/cwmetrics"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
)

// maxQueries is GetMetricData's limit of queries per request.
const maxQueries = 500

// metricRef is one metric the report charts: a check's, an observed
// one's or a staged stop-condition alarm's.
type metricRef struct {
	name   string
	metric gameday.Metric
}

// readings are the series the report draws, by what they belong to.
type readings struct {
	checks, observed []report.Series
	alarms           map[string][]report.Point // by staged alarm name
}

// metrics reads every steady-state check's, observed metric's and staged
// stop-condition alarm's metric, with its stat and period, over the before
// window's start to the after window's end.
func (a *Archiver) metrics(ctx context.Context, spec *gameday.Spec, w report.Windows) (readings, error) {
	var refs []metricRef
	for _, c := range spec.Spec.Hypothesis.SteadyState {
		refs = append(refs, metricRef{c.Name, c.Metric})
	}
	for _, o := range spec.Spec.Observe {
		refs = append(refs, metricRef{o.Name, o.Metric})
	}
	for _, sc := range spec.Spec.StopConditions {
		if sc.Alarm != nil {
			refs = append(refs, metricRef{spec.AlarmName(sc.Alarm), sc.Alarm.Metric})
		}
	}
	series, err := a.readSeries(ctx, refs, w)
	if err != nil {
		return readings{}, err
	}
	checks := spec.Spec.Hypothesis.SteadyState
	nc, no := len(checks), len(spec.Spec.Observe)
	out := readings{checks: series[:nc], observed: series[nc : nc+no], alarms: map[string][]report.Point{}}
	for i := range out.checks {
		if len(out.checks[i].Points) > 0 {
			continue
		}
		// Only a hint: without it (no permission, throttled) the check is
		// still inconclusive.
		unknown, err := a.unknownMetric(ctx, checks[i].Metric)
		if err != nil {
			slog.WarnContext(ctx, "list metrics", "check", checks[i].Name, "err", err)
			unknown = false
		}
		out.checks[i].Unknown = unknown
	}
	for _, s := range series[nc+no:] {
		out.alarms[s.Check] = s.Points
	}
	return out, nil
}

// readSeries reads each metric over the before window's start to the after
// window's end. A datapoint whose period is not over by the after window's
// end is left out: its statistic is not final yet.
func (a *Archiver) readSeries(ctx context.Context, refs []metricRef, w report.Windows) ([]report.Series, error) {
	out := make([]report.Series, len(refs))
	for i, r := range refs {
		out[i].Check = r.name
	}
	start, end := w.Before.Start, w.After.End
	if len(refs) == 0 || !end.After(start) {
		return out, nil
	}
	for lo := 0; lo < len(refs); lo += maxQueries {
		hi := min(lo+maxQueries, len(refs))
		in := &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(start),
			EndTime:   aws.Time(end),
			ScanBy:    cwtypes.ScanByTimestampAscending,
		}
		for i := lo; i < hi; i++ {
			in.MetricDataQueries = append(in.MetricDataQueries, query(i, refs[i].name, refs[i].metric))
		}
		p := cloudwatch.NewGetMetricDataPaginator(a.cw, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("get metric data: %w", awserr.Classify(err))
			}
			for _, r := range page.MetricDataResults {
				i, ok := queryIndex(aws.ToString(r.Id))
				if !ok || i < lo || i >= hi {
					continue
				}
				period := time.Duration(refs[i].metric.Period) * time.Second
				for j := range min(len(r.Timestamps), len(r.Values)) {
					if r.Timestamps[j].Add(period).After(end) {
						continue
					}
					out[i].Points = append(out[i].Points, report.Point{T: r.Timestamps[j].UTC(), V: r.Values[j]})
				}
			}
		}
	}
	for i := range out {
		slices.SortStableFunc(out[i].Points, func(x, y report.Point) int { return x.T.Compare(y.T) })
		out[i].Points = slices.CompactFunc(out[i].Points, func(x, y report.Point) bool { return x.T.Equal(y.T) })
	}
	return out, nil
}

// unknownMetric says whether the account has no metric with m's namespace,
// name and exactly its dimensions at all (a typo, as opposed to a metric
// that received no data in the run's windows). ListMetrics lists metrics
// with data in the last two weeks.
func (a *Archiver) unknownMetric(ctx context.Context, m gameday.Metric) (bool, error) {
	listed, err := cwmetrics.Listed(ctx, a.cw, cwmetrics.Of(m))
	return !listed, err
}

// query is the GetMetricData query of metric i (id m<i>), labelled with
// its name.
func query(i int, name string, m gameday.Metric) cwtypes.MetricDataQuery {
	metric := cwmetrics.Of(m)
	return cwtypes.MetricDataQuery{
		Id:    aws.String("m" + strconv.Itoa(i)),
		Label: aws.String(name),
		MetricStat: &cwtypes.MetricStat{
			Metric: &metric,
			Period: aws.Int32(m.Period),
			Stat:   aws.String(m.Stat),
		},
		ReturnData: aws.Bool(true),
	}
}

func queryIndex(id string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "m"))
	return n, err == nil && strings.HasPrefix(id, "m")
}

// alarmRefs names the stop-condition alarms: from preflight when it ran,
// else from the spec (staged alarms by their gameday name, others by ARN).
func (a *Archiver) alarmRefs(spec *gameday.Spec, pf *gameday.PreflightResult) []report.Alarm {
	staged := map[string]*gameday.AlarmSpec{}
	for _, sc := range spec.Spec.StopConditions {
		if sc.Alarm != nil {
			staged[spec.AlarmName(sc.Alarm)] = sc.Alarm
		}
	}
	withMetric := func(r report.Alarm) report.Alarm {
		if s, ok := staged[r.Name]; ok {
			m := s.Metric
			r.Metric, r.Comparison, r.Threshold = &m, s.Comparison, s.Threshold
		}
		return r
	}
	if pf != nil && len(pf.Alarms) > 0 {
		out := make([]report.Alarm, 0, len(pf.Alarms))
		for _, r := range pf.Alarms {
			out = append(out, withMetric(report.Alarm{Name: r.Name, ARN: r.ARN, Notes: r.Notes}))
		}
		return out
	}
	o := fistemplate.Options{Account: a.cfg.AccountID, Region: a.cfg.Region}
	var out []report.Alarm
	for _, sc := range spec.Spec.StopConditions {
		switch {
		case sc.Alarm != nil:
			n := spec.AlarmName(sc.Alarm)
			out = append(out, withMetric(report.Alarm{Name: n, ARN: fistemplate.AlarmARN(o, n)}))
		case sc.AlarmARN != "":
			n := sc.AlarmARN
			if i := strings.LastIndex(n, ":alarm:"); i >= 0 {
				n = n[i+len(":alarm:"):]
			}
			out = append(out, report.Alarm{Name: n, ARN: sc.AlarmARN})
		}
	}
	return out
}

// alarms reads each stop-condition alarm's state changes from the
// experiment's start to its end (or now).
func (a *Archiver) alarms(ctx context.Context, spec *gameday.Spec, pf *gameday.PreflightResult, start, end, now time.Time) ([]report.Alarm, error) {
	refs := a.alarmRefs(spec, pf)
	if end.IsZero() {
		end = now
	}
	for i := range refs {
		name := refs[i].Name
		p := cloudwatch.NewDescribeAlarmHistoryPaginator(a.cw, &cloudwatch.DescribeAlarmHistoryInput{
			AlarmName:       &name,
			HistoryItemType: cwtypes.HistoryItemTypeStateUpdate,
			StartDate:       aws.Time(start),
			EndDate:         aws.Time(end),
			ScanBy:          cwtypes.ScanByTimestampAscending,
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describe alarm history %s: %w", name, awserr.Classify(err))
			}
			for _, it := range page.AlarmHistoryItems {
				if t, ok := transition(it); ok {
					refs[i].Transitions = append(refs[i].Transitions, t)
				}
			}
		}
		slices.SortStableFunc(refs[i].Transitions, func(x, y report.Transition) int { return x.At.Compare(y.At) })
	}
	return refs, nil
}

// historyData is the JSON of a StateUpdate history item.
type historyData struct {
	OldState struct {
		StateValue string `json:"stateValue"`
	} `json:"oldState"`
	NewState struct {
		StateValue  string `json:"stateValue"`
		StateReason string `json:"stateReason"`
	} `json:"newState"`
}

func transition(it cwtypes.AlarmHistoryItem) (report.Transition, bool) {
	if it.HistoryItemType != "" && it.HistoryItemType != cwtypes.HistoryItemTypeStateUpdate {
		return report.Transition{}, false
	}
	var hd historyData
	if it.HistoryData == nil || json.Unmarshal([]byte(*it.HistoryData), &hd) != nil || hd.NewState.StateValue == "" {
		return report.Transition{}, false
	}
	return report.Transition{
		At:     aws.ToTime(it.Timestamp).UTC(),
		From:   hd.OldState.StateValue,
		To:     hd.NewState.StateValue,
		Reason: hd.NewState.StateReason,
	}, true
}
