package sockshop

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/golden"
)

// The pods are what FIS target resolution reports and what users write
// selectors against: a change to them is a change to the contract.
func TestGoldenPods(t *testing.T) {
	var b strings.Builder
	for _, p := range New(Options{Seed: 1}).Pods() {
		var labels []string
		for _, k := range slices.Sorted(maps.Keys(p.Labels)) {
			labels = append(labels, k+"="+p.Labels[k])
		}
		fmt.Fprintf(&b, "%s/%s service=%s node=%s phase=%s ready=%t labels=%s\n",
			p.Namespace, p.Name, p.Service, p.Node, p.Phase, p.Ready, strings.Join(labels, ","))
	}
	golden.Check(t, filepath.Join("testdata", "pods.golden"), []byte(b.String()))
}

// The baseline and the walkthrough, summarised per service, for seed 1:
// the numbers a user of the simulator sees.
func TestGoldenWalkthrough(t *testing.T) {
	m := New(Options{Seed: 1})
	end := time.Date(2026, 3, 10, 10, 1, 0, 0, time.UTC)
	var b strings.Builder
	write := func(title string, data []Datum) {
		fmt.Fprintf(&b, "# %s\n%-13s %9s %9s %9s %8s %8s\n", title, "service", "p50", "p90", "p99", "errors%", "requests")
		s := summarise(t, data)
		for _, svc := range m.Services() {
			x := s[svc]
			fmt.Fprintf(&b, "%-13s %9.2f %9.2f %9.2f %8.2f %8.0f\n", svc, x.p50, x.p90, x.p99, x.errRate, x.requests)
		}
	}
	write("baseline", m.Metrics(end, time.Minute))
	_, err := m.Inject(Fault{ID: "carts-delay", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Namespace: "default", Start: end.Add(-time.Minute),
		Spec: map[string]any{"action": "delay", "mode": "one", "duration": "180s", "selector": sock("carts"), "delay": map[string]any{"latency": "90ms"}}})
	if err != nil {
		t.Fatal(err)
	}
	write("NetworkChaos delay 90ms, mode one, on carts", m.Metrics(end, time.Minute))
	m.Remove("carts-delay")
	if _, err := m.Inject(Fault{ID: "carts-failure", APIVersion: chaosMeshAPI, Kind: "PodChaos", Namespace: "default", Start: end.Add(-time.Minute),
		Spec: map[string]any{"action": "pod-failure", "mode": "all", "duration": "120s", "selector": sock("carts")}}); err != nil {
		t.Fatal(err)
	}
	write("PodChaos pod-failure, mode all, on carts", m.Metrics(end, time.Minute))
	golden.Check(t, filepath.Join("testdata", "walkthrough.golden"), []byte(b.String()))
}
