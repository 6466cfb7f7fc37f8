package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
)

// DashboardsProps are the GameDays to build a dashboard for.
type DashboardsProps struct {
	GameDays []GameDayFile
}

// NewDashboards builds one CloudWatch dashboard per GameDay, named
// gameday.DashboardName: its steady-state checks' metrics with their
// thresholds, its observed metrics, each staged stop-condition alarm's graph
// and the stop conditions' states, so that the people watching a GameDay
// live see it in the console. It returns them by GameDay name.
func NewDashboards(scope constructs.Construct, id string, p DashboardsProps) (map[string]awscloudwatch.CfnDashboard, error) {
	c := constructs.NewConstruct(scope, jsii.String(id))
	out := map[string]awscloudwatch.CfnDashboard{}
	for _, f := range p.GameDays {
		body, err := DashboardBody(f.Spec)
		if err != nil {
			return nil, fmt.Errorf("dashboard of %s: %w", f.Path, err)
		}
		name := f.Spec.Metadata.Name
		out[name] = awscloudwatch.NewCfnDashboard(c, jsii.String(name), &awscloudwatch.CfnDashboardProps{
			DashboardName: jsii.String(gameday.DashboardName(name)),
			DashboardBody: awscdk.Fn_Sub(jsii.String(body), nil),
		})
	}
	return out, nil
}

// DashboardNames is the list the stack's output deploy.OutputDashboards
// and the archive step's DASHBOARDS carry.
func DashboardNames(files []GameDayFile) string {
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, f.Spec.Metadata.Name)
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// widget is one CloudWatch dashboard widget (the dashboard body's JSON).
type widget struct {
	Type       string         `json:"type"`
	X          int            `json:"x"`
	Y          int            `json:"y"`
	Width      int            `json:"width"`
	Height     int            `json:"height"`
	Properties map[string]any `json:"properties"`
}

// DashboardBody is a GameDay's dashboard body, with ${AWS::Region},
// ${AWS::AccountId} and ${AWS::Partition} for Fn::Sub to fill.
func DashboardBody(s *gameday.Spec) (string, error) {
	var ws []widget
	add := func(w widget) {
		// Two 12-wide widgets a row, rows 6 high; text spans the row.
		n := len(ws)
		if w.Width == 24 || n == 0 {
			w.X, w.Y = 0, 0
			if n > 0 {
				last := ws[n-1]
				w.Y = last.Y + last.Height
			}
		} else {
			last := ws[n-1]
			if last.Width == 12 && last.X == 0 {
				w.X, w.Y = 12, last.Y
			} else {
				w.X, w.Y = 0, last.Y+last.Height
			}
		}
		ws = append(ws, w)
	}
	text := "# GameDay " + s.Metadata.Name + "\n"
	if d := s.Metadata.Description; d != "" {
		text += d + "\n\n"
	}
	if h := s.Spec.Hypothesis.Description; h != "" {
		text += "**Hypothesis:** " + h + "\n\n"
	}
	text += "Steady-state checks with their thresholds, observed metrics and stop conditions. The verdict is in each run's report.html (`gameday report`)."
	add(widget{Type: "text", Width: 24, Height: 3, Properties: map[string]any{"markdown": text}})
	for _, c := range s.Spec.Hypothesis.SteadyState {
		p := metricWidget("check "+c.Name+": expect "+report.ExpectText(c.Expect), c.Name, c.Metric)
		var lines []map[string]any
		switch e := c.Expect; {
		case e.Below != nil:
			lines = append(lines, map[string]any{"label": "below", "value": *e.Below, "color": "#d62728"})
		case e.Above != nil:
			lines = append(lines, map[string]any{"label": "above", "value": *e.Above, "color": "#d62728"})
		case len(e.Between) == 2:
			lines = append(lines, map[string]any{"label": "low", "value": e.Between[0], "color": "#d62728"},
				map[string]any{"label": "high", "value": e.Between[1], "color": "#d62728"})
		}
		p["annotations"] = map[string]any{"horizontal": lines}
		add(widget{Type: "metric", Width: 12, Height: 6, Properties: p})
	}
	for _, o := range s.Spec.Observe {
		add(widget{Type: "metric", Width: 12, Height: 6, Properties: metricWidget("observed "+o.Name, o.Name, o.Metric)})
	}
	var arns []string
	for _, sc := range s.Spec.StopConditions {
		arn := sc.AlarmARN
		if sc.Alarm != nil {
			arn = "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:" + s.AlarmName(sc.Alarm)
			// An alarm's own graph: its metric, its threshold, its states.
			add(widget{Type: "metric", Width: 12, Height: 6, Properties: map[string]any{
				"title": "stop condition " + sc.Alarm.Name, "region": "${AWS::Region}", "view": "timeSeries",
				"annotations": map[string]any{"alarms": []string{arn}},
			}})
		}
		arns = append(arns, arn)
	}
	if len(arns) > 0 {
		add(widget{Type: "alarm", Width: 24, Height: 2, Properties: map[string]any{"title": "Stop conditions", "alarms": arns}})
	}
	b, err := json.Marshal(map[string]any{"start": "-PT3H", "widgets": ws})
	if err != nil {
		return "", err
	}
	// Fn::Sub fills only the pseudo parameters: a "${" anywhere else (in a
	// description, say) is written "${!" to stay literal.
	body := strings.ReplaceAll(string(b), "${", "${!")
	for _, v := range []string{"AWS::Region", "AWS::AccountId", "AWS::Partition"} {
		body = strings.ReplaceAll(body, "${!"+v+"}", "${"+v+"}")
	}
	return body, nil
}

// metricWidget is a time series of one metric with its stat and period.
func metricWidget(title, label string, m gameday.Metric) map[string]any {
	metric := []any{m.Namespace, m.Name}
	for _, k := range slices.Sorted(maps.Keys(m.Dimensions)) {
		metric = append(metric, k, m.Dimensions[k])
	}
	metric = append(metric, map[string]any{"stat": m.Stat, "period": m.Period, "label": label})
	left := map[string]any{"showUnits": m.Unit == ""}
	if m.Unit != "" {
		left["label"] = m.Unit
	}
	return map[string]any{"title": title, "region": "${AWS::Region}", "view": "timeSeries", "stacked": false,
		"metrics": []any{metric}, "yAxis": map[string]any{"left": left}}
}
