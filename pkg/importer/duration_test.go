package importer

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// TestDurationOneRule holds the validator, the import and the simulated
// FIS to the one rule for a FIS action's ISO 8601 duration
// (fisactions.ParseDuration), on the same values: each takes a value iff
// the rule does, and a refusal says what the rule says. A duration
// parameter (aws:fis:wait's) and a custom resource's maxDuration, which the
// import maps to a chaosMesh: fault's maxDuration, are both checked.
func TestDurationOneRule(t *testing.T) {
	_, cfg := simtest.New(t, sim.Options{})
	api := fis.NewFromConfig(cfg)
	for _, in := range []string{
		"PT5M", "PT1H30M", "PT90S", "P0DT5M",
		"PT5M ", " PT5M", "PT5M\n", "pt5m", "PT5m", "5m", "300", "PT 5M", "PT", "PT-5M",
	} {
		t.Run(strconv.Quote(in), func(t *testing.T) {
			_, ruleErr := fisactions.ParseDuration(in)
			ok := ruleErr == nil
			why := ""
			if !ok {
				why = ruleErr.Error()
			}

			// The validator, on a GameDay with both raw actions.
			_, err := validate.File("gameday.yaml", durationGameDay(in))
			for _, path := range []string{"spec.faults[0].fis.parameters.duration", "spec.faults[1].fis.parameters.maxDuration"} {
				p := problemAt(err, path)
				switch {
				case ok && p != nil:
					t.Errorf("validate: %v; the rule takes %q", p, in)
				case !ok && p == nil:
					t.Errorf("validate: no problem at %s (problems: %v); the rule refuses %q: %s", path, err, in, why)
				case !ok && p.Message != why:
					t.Errorf("validate: %s: %q, want the rule's %q", path, p.Message, why)
				}
			}
			if ok && err != nil {
				t.Errorf("validate: %v", err)
			}

			// The import of the same actions as a template.
			src, err := Decode([]byte(durationTemplate(in)))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			res, err := Import(src, Options{File: "gameday.yaml"})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if (res.Problems == nil) != ok {
				t.Errorf("import: problems %v; the rule says %v", res.Problems, ruleErr)
			}
			var mapped bool
			for _, f := range res.Spec.Spec.Faults {
				mapped = mapped || f.Name == "cr" && f.ChaosMesh != nil
			}
			if mapped != ok {
				t.Errorf("import: custom resource mapped to chaosMesh: = %v; the rule says %v; notes:\n%s", mapped, ruleErr, report(res))
			}
			if !ok && !hasNote(res, "actions.cr", "its maxDuration "+why) {
				t.Errorf("import: no note on actions.cr saying %q; notes:\n%s", "its maxDuration "+why, report(res))
			}

			// The simulated FIS.
			_, err = api.CreateExperimentTemplate(context.Background(), src.Template)
			if (err == nil) != ok {
				t.Errorf("simulator: CreateExperimentTemplate = %v; the rule says %v", err, ruleErr)
			}
		})
	}
}

func durationGameDay(d string) []byte {
	return []byte(fmt.Sprintf(`apiVersion: gameday/v1alpha1
kind: GameDay
metadata: {name: durations}
spec:
  target: {cluster: arn:aws:eks:us-east-1:123456789012:cluster/sandbox}
  hypothesis:
    description: Nothing breaks.
    steadyState:
      - name: errors
        metric: {namespace: SockShop, name: ErrorRate, dimensions: {service: front-end}, stat: Average, period: 60}
        expect: {below: 5}
  faults:
    - name: wait
      fis:
        actionId: aws:fis:wait
        parameters: {duration: %[1]s}
    - name: cr
      fis:
        actionId: aws:eks:inject-kubernetes-custom-resource
        parameters:
          kubernetesApiVersion: chaos-mesh.org/v1alpha1
          kubernetesKind: PodChaos
          kubernetesNamespace: default
          kubernetesSpec: '{"action":"pod-kill","mode":"one","selector":{"namespaces":["shop"],"labelSelectors":{"app":"carts"}}}'
          maxDuration: %[1]s
        targets:
          Cluster:
            resourceType: aws:eks:cluster
            resourceArns: [arn:aws:eks:us-east-1:123456789012:cluster/sandbox]
            selectionMode: ALL
  stopConditions:
    - alarmArn: arn:aws:cloudwatch:us-east-1:123456789012:alarm:slo
`, strconv.Quote(d)))
}

func durationTemplate(d string) string {
	q := strconv.Quote(d)
	return `{"description":"durations","roleArn":"arn:aws:iam::` + sim.DefaultAccount + `:role/gameday-fis",
"stopConditions":[{"source":"none"}],
"targets":{"c":{"resourceType":"aws:eks:cluster","resourceArns":["arn:aws:eks:us-east-1:123456789012:cluster/sandbox"],"selectionMode":"ALL"}},
"actions":{
 "wait":{"actionId":"aws:fis:wait","parameters":{"duration":` + q + `}},
 "cr":{"actionId":"aws:eks:inject-kubernetes-custom-resource","targets":{"Cluster":"c"},"parameters":{
  "kubernetesApiVersion":"chaos-mesh.org/v1alpha1","kubernetesKind":"PodChaos","kubernetesNamespace":"default",
  "kubernetesSpec":"{\"action\":\"pod-kill\",\"mode\":\"one\",\"selector\":{\"namespaces\":[\"shop\"],\"labelSelectors\":{\"app\":\"carts\"}}}",
  "maxDuration":` + q + `}}}}`
}

// problemAt is the problem of err at path, or nil.
func problemAt(err error, path string) *gameday.Problem {
	ps, _ := err.(gameday.Problems)
	for i := range ps {
		if ps[i].Path == path {
			return &ps[i]
		}
	}
	return nil
}

func hasNote(res *Result, path, message string) bool {
	for _, n := range res.Notes {
		if n.Path == path && strings.Contains(n.Message, message) {
			return true
		}
	}
	return false
}
