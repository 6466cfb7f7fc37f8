package localrun

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
	"github.com/gameday-dev/gameday/pkg/sim"
)

// blindAlarm is the walkthrough with its stop-condition alarm watching
// metric instead of ErrorRate (a metric the Sock Shop does not publish).
func blindAlarm(t *testing.T, metric string) (*gameday.Spec, string) {
	t.Helper()
	data, err := os.ReadFile(walkthrough)
	if err != nil {
		t.Fatal(err)
	}
	const was = "metric: {namespace: SockShop, name: ErrorRate, dimensions: {service: front-end}"
	checks, stops, ok := strings.Cut(string(data), "stopConditions:")
	if !ok || !strings.Contains(stops, was) {
		t.Fatalf("%s has no stop-condition alarm on %s", walkthrough, was)
	}
	text := checks + "stopConditions:" + strings.Replace(stops, was, strings.Replace(was, "ErrorRate", metric, 1), 1)
	path := filepath.Join(t.TempDir(), "blind.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return load(t, path)
}

// A GameDay whose stop-condition alarm watches a metric the Sock Shop does
// not publish (a typo), treating missing data as notBreaching (the
// default), would run watched by an alarm that can never fire: preflight
// refuses it, naming the alarm and the metric, with nothing created.
func TestScenarioBlindStopCondition(t *testing.T) {
	needNode(t)
	srv := startSim(t, sim.Options{})
	spec, yaml := blindAlarm(t, "ErrRate")
	res := run(t, srv, spec, yaml, nil)
	if res.Status != "FAILED" || res.Error != gameday.ErrNamePreflightFailed {
		t.Fatalf("execution %s %s: %s; want FAILED with %s", res.Status, res.Error, res.Cause, gameday.ErrNamePreflightFailed)
	}
	for _, s := range []string{spec.AlarmName(spec.Spec.StopConditions[0].Alarm), "SockShop/ErrRate (service=front-end)", "never stop the experiment", "spec.stopConditions"} {
		if !strings.Contains(res.Cause, s) {
			t.Errorf("the cause does not say %q: %s", s, res.Cause)
		}
	}
	assertNothingCreated(t, srv)
	assertLeft(t, srv, spec, false)
}

// The same alarm on a metric the deployment's policy says is sparse (the
// Sock Shop publishes it only when payments fail) runs, and its summary
// says the alarm was accepted only on the policy's word.
func TestScenarioSparseStopCondition(t *testing.T) {
	needNode(t)
	pol := sandboxPolicy(t)
	pol.Spec.SparseMetrics = append(pol.Spec.SparseMetrics, policy.SparseMetric{Namespace: "SockShop", Name: "PaymentDeclines"})
	srv := startSim(t, sim.Options{})
	spec, yaml := blindAlarm(t, "PaymentDeclines")
	res := run(t, srv, spec, yaml, func(o *Options) { o.Policy = pol })
	if res.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s %s", res.Status, res.Error, res.Cause)
	}
	s := summary(t, srv, res)
	if len(s.StopConditions) != 1 || len(s.StopConditions[0].Notes) != 1 ||
		!strings.Contains(s.StopConditions[0].Notes[0], "SockShop/PaymentDeclines (service=front-end); CloudWatch does not list it") ||
		!strings.Contains(s.StopConditions[0].Notes[0], "accepted as sparse by the policy sandbox") {
		t.Errorf("stopConditions = %+v, want the alarm's note saying the policy accepted its sparse metric", s.StopConditions)
	}
	assertClean(t, srv, spec)
}
