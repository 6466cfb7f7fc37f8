package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gameday-dev/gameday/pkg/deploy"
)

// TestDashboards checks the synthesized template: a dashboard per GameDay,
// named for it, whose body charts each check with its threshold, each
// observed metric, and each stop condition's alarm; and the list the CLI
// and the archive step link by.
func TestDashboards(t *testing.T) {
	s := fullStack(t)
	if s.err != nil {
		t.Fatal(s.err)
	}
	dashboards := s.resources("AWS::CloudWatch::Dashboard")
	byName := map[string]map[string]any{}
	for _, d := range dashboards {
		props := d["Properties"].(map[string]any)
		byName[props["DashboardName"].(string)] = props
	}
	// prod-checkout targets another account: not deployed here.
	if len(byName) != 2 || byName["gameday-carts-latency"] == nil || byName["gameday-long-soak"] == nil {
		t.Errorf("dashboards %v, want gameday-carts-latency and gameday-long-soak", byName)
	}
	props := byName["gameday-carts-latency"]
	if props == nil {
		t.FailNow()
	}
	sub, ok := props["DashboardBody"].(map[string]any)["Fn::Sub"].(string)
	if !ok {
		t.Fatalf("DashboardBody is %v, want an Fn::Sub string", props["DashboardBody"])
	}
	var body struct {
		Widgets []struct {
			Type       string         `json:"type"`
			Properties map[string]any `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(sub), &body); err != nil {
		t.Fatalf("dashboard body is not JSON: %v\n%s", err, sub)
	}
	var titles []string
	var alarmWidget []any
	for _, w := range body.Widgets {
		if title, ok := w.Properties["title"].(string); ok {
			titles = append(titles, w.Type+": "+title)
		}
		if w.Type == "alarm" {
			alarmWidget = w.Properties["alarms"].([]any)
		}
	}
	joined := strings.Join(titles, "\n")
	for _, want := range []string{"metric: check orders-latency: expect below 300", "metric: stop condition front-end-errors", "alarm: Stop conditions"} {
		if !strings.Contains(joined, want) {
			t.Errorf("dashboard widgets lack %q:\n%s", want, joined)
		}
	}
	wantARN := "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:gameday-carts-latency-front-end-errors"
	if len(alarmWidget) != 1 || alarmWidget[0] != wantARN {
		t.Errorf("alarm widget %v, want [%s]", alarmWidget, wantARN)
	}
	if !strings.Contains(sub, `"horizontal":[{"color":"#d62728","label":"below","value":300}]`) {
		t.Errorf("the check's threshold is not drawn:\n%s", sub)
	}
	out := s.json["Outputs"].(map[string]any)[deploy.OutputDashboards].(map[string]any)["Value"]
	if out != "carts-latency,long-soak" {
		t.Errorf("output %s = %v", deploy.OutputDashboards, out)
	}
}
