package sockshop

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// stats summarises one service's data of one period.
type stats struct {
	p50, p90, p99, mean, errRate, requests float64
	samples                                int
}

// percentile is the nearest-rank percentile of v.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[max(rank, 1)-1]
}

func summarise(t *testing.T, data []Datum) map[string]stats {
	t.Helper()
	out := map[string]stats{}
	for _, d := range data {
		svc := d.Dimensions["service"]
		s := out[svc]
		if d.Namespace != "SockShop" || len(d.Dimensions) != 1 {
			t.Fatalf("datum %s %v: want namespace SockShop and one dimension, service", d.MetricName, d.Dimensions)
		}
		switch d.MetricName {
		case "Latency":
			if d.Unit != "Milliseconds" {
				t.Fatalf("Latency unit %q", d.Unit)
			}
			s.p50, s.p90, s.p99 = percentile(d.Values, 50), percentile(d.Values, 90), percentile(d.Values, 99)
			sum := 0.0
			for _, v := range d.Values {
				sum += v
			}
			s.mean = sum / float64(len(d.Values))
			s.samples = len(d.Values)
		case "ErrorRate":
			if d.Unit != "Percent" || len(d.Values) != 1 {
				t.Fatalf("ErrorRate %q %v", d.Unit, d.Values)
			}
			s.errRate = d.Values[0]
		case "RequestCount":
			if d.Unit != "Count" || len(d.Values) != 1 {
				t.Fatalf("RequestCount %q %v", d.Unit, d.Values)
			}
			s.requests = d.Values[0]
		default:
			t.Fatalf("unexpected metric %s", d.MetricName)
		}
		out[svc] = s
	}
	return out
}

func sock(name string) map[string]any {
	return map[string]any{"namespaces": []any{"sock-shop"}, "labelSelectors": map[string]any{"name": name}}
}

func chaos(kind string, spec map[string]any) Fault {
	return Fault{APIVersion: chaosMeshAPI, Kind: kind, Namespace: "default", Spec: spec}
}

// A check: stat of service moved by at least min (up), at most -min (down),
// stayed bit-for-bit identical (same), or stayed within ±min (near).
type check struct {
	svc, stat string
	dir       string // up, down, same, near
	min       float64
}

func (s stats) get(stat string) float64 {
	switch stat {
	case "p50":
		return s.p50
	case "p99":
		return s.p99
	case "mean":
		return s.mean
	case "err":
		return s.errRate
	}
	panic(stat)
}

const period = time.Minute

// at is the end of the period the tests measure; faults start at its start
// unless a case says otherwise.
var at = t0.Add(period)

func TestFaultEffects(t *testing.T) {
	tests := []struct {
		name   string
		fault  Fault
		offset time.Duration // start relative to the period's start
		checks []check
	}{
		{name: "network delay on all carts pods", fault: chaos("NetworkChaos", map[string]any{"action": "delay", "mode": "all", "selector": sock("carts"), "delay": map[string]any{"latency": "90ms", "jitter": "5ms"}}),
			checks: []check{{"carts", "p50", "up", 80}, {"carts", "p99", "up", 60}, {"orders", "p50", "up", 70}, {"front-end", "p99", "up", 30}, {"catalogue", "p99", "same", 0}, {"user", "p50", "same", 0}, {"carts-db", "p50", "same", 0}}},
		{name: "network delay not started yet", fault: chaos("NetworkChaos", map[string]any{"action": "delay", "mode": "all", "selector": sock("carts"), "delay": map[string]any{"latency": "90ms"}}),
			offset: 2 * period, checks: []check{{"carts", "p50", "same", 0}, {"front-end", "p99", "same", 0}}},
		{name: "network delay whose duration ended", fault: chaos("NetworkChaos", map[string]any{"action": "delay", "mode": "all", "selector": sock("carts"), "delay": map[string]any{"latency": "90ms"}, "duration": "30s"}),
			offset: -period, checks: []check{{"carts", "p50", "same", 0}, {"orders", "p99", "same", 0}}},
		{name: "network loss", fault: chaos("NetworkChaos", map[string]any{"action": "loss", "mode": "all", "selector": sock("carts"), "loss": map[string]any{"loss": "30", "correlation": "25"}}),
			checks: []check{{"carts", "mean", "up", 50}, {"carts", "err", "up", 1}, {"orders", "mean", "up", 50}, {"catalogue", "p99", "same", 0}}},
		{name: "network partition carts from carts-db", fault: chaos("NetworkChaos", map[string]any{"action": "partition", "mode": "all", "selector": sock("carts"), "direction": "both",
			"target": map[string]any{"mode": "all", "selector": sock("carts-db")}}),
			checks: []check{{"carts", "err", "up", 90}, {"carts", "p50", "up", 900}, {"front-end", "err", "up", 10}, {"orders", "err", "up", 90}, {"carts-db", "err", "up", 90}, {"catalogue", "err", "same", 0}}},
		{name: "network partition of a pod with no target", fault: chaos("NetworkChaos", map[string]any{"action": "partition", "mode": "all", "selector": sock("payment")}),
			checks: []check{{"payment", "err", "up", 95}, {"orders", "err", "up", 90}, {"carts", "err", "same", 0}}},
		{name: "network bandwidth on carts", fault: chaos("NetworkChaos", map[string]any{"action": "bandwidth", "mode": "all", "selector": sock("carts"), "bandwidth": map[string]any{"rate": "1mbit", "limit": 20971520, "buffer": 10000}}),
			checks: []check{{"carts", "p50", "up", 12}, {"carts", "err", "near", 0.5}, {"catalogue", "p50", "same", 0}}},
		{name: "network bandwidth below front-end's traffic", fault: chaos("NetworkChaos", map[string]any{"action": "bandwidth", "mode": "all", "selector": sock("front-end"), "bandwidth": map[string]any{"rate": "100kbps"}}),
			checks: []check{{"front-end", "err", "up", 50}, {"catalogue", "p50", "same", 0}}},
		{name: "network duplicate", fault: chaos("NetworkChaos", map[string]any{"action": "duplicate", "mode": "all", "selector": sock("carts"), "duplicate": map[string]any{"duplicate": "50"}}),
			checks: []check{{"carts", "err", "up", 0.2}, {"carts", "err", "near", 2}, {"carts", "p50", "near", 1}}},
		{name: "network corrupt", fault: chaos("NetworkChaos", map[string]any{"action": "corrupt", "mode": "all", "selector": sock("carts"), "corrupt": map[string]any{"corrupt": "20"}}),
			checks: []check{{"carts", "err", "up", 0.5}, {"carts", "err", "near", 5}, {"carts", "mean", "up", 50}}},
		{name: "pod-kill one carts pod", fault: chaos("PodChaos", map[string]any{"action": "pod-kill", "mode": "one", "selector": sock("carts")}), offset: 10 * time.Second,
			checks: []check{{"carts", "err", "up", 0.5}, {"carts", "err", "near", 5}, {"carts", "mean", "up", 1}, {"catalogue", "p50", "same", 0}}},
		{name: "pod-kill all carts pods", fault: chaos("PodChaos", map[string]any{"action": "pod-kill", "mode": "all", "selector": sock("carts")}), offset: 10 * time.Second,
			checks: []check{{"carts", "err", "up", 40}, {"front-end", "err", "up", 5}, {"catalogue", "p50", "same", 0}}},
		{name: "pod-kill long over", fault: chaos("PodChaos", map[string]any{"action": "pod-kill", "mode": "all", "selector": sock("carts")}), offset: -5 * period,
			checks: []check{{"carts", "err", "same", 0}, {"carts", "p99", "same", 0}}},
		{name: "pod-failure on all carts pods", fault: chaos("PodChaos", map[string]any{"action": "pod-failure", "mode": "all", "selector": sock("carts"), "duration": "10m"}),
			checks: []check{{"carts", "err", "up", 95}, {"orders", "err", "up", 90}, {"front-end", "err", "up", 15}, {"catalogue", "err", "same", 0}}},
		{name: "pod-failure on one of two orders pods", fault: chaos("PodChaos", map[string]any{"action": "pod-failure", "mode": "one", "selector": sock("orders")}),
			checks: []check{{"orders", "err", "up", 0.5}, {"orders", "err", "near", 10}, {"orders", "mean", "up", 3}}},
		{name: "container-kill", fault: chaos("PodChaos", map[string]any{"action": "container-kill", "mode": "all", "selector": sock("carts"), "containerNames": []any{"carts"}}), offset: 10 * time.Second,
			checks: []check{{"carts", "err", "up", 15}, {"carts", "err", "near", 40}, {"catalogue", "p50", "same", 0}}},
		{name: "container-kill of a container the pod does not have", fault: chaos("PodChaos", map[string]any{"action": "container-kill", "mode": "all", "selector": sock("carts"), "containerNames": []any{"istio-proxy"}}), offset: 10 * time.Second,
			checks: []check{{"carts", "err", "same", 0}}},
		{name: "cpu stress", fault: chaos("StressChaos", map[string]any{"mode": "all", "selector": sock("carts"), "stressors": map[string]any{"cpu": map[string]any{"workers": 1, "load": 100}}}),
			checks: []check{{"carts", "p50", "up", 15}, {"orders", "p50", "up", 15}, {"catalogue", "p50", "same", 0}}},
		{name: "memory stress within the limit", fault: chaos("StressChaos", map[string]any{"mode": "all", "selector": sock("carts"), "stressors": map[string]any{"memory": map[string]any{"workers": 1, "size": "256MB"}}}),
			checks: []check{{"carts", "p50", "up", 2}, {"carts", "err", "near", 1}}},
		{name: "memory stress over the limit", fault: chaos("StressChaos", map[string]any{"mode": "all", "selector": sock("carts"), "stressors": map[string]any{"memory": map[string]any{"workers": 2, "size": "300MB"}}}),
			checks: []check{{"carts", "p50", "up", 4}, {"carts", "err", "up", 2}}},
		{name: "http abort on carts paths", fault: chaos("HTTPChaos", map[string]any{"mode": "all", "selector": sock("carts"), "target": "Request", "port": 80, "path": "/carts/*", "abort": true}),
			checks: []check{{"carts", "err", "up", 95}, {"front-end", "err", "up", 10}, {"catalogue", "err", "same", 0}}},
		{name: "http abort on POST only", fault: chaos("HTTPChaos", map[string]any{"mode": "all", "selector": sock("carts"), "target": "Request", "method": "POST", "abort": true}),
			checks: []check{{"carts", "err", "up", 20}, {"carts", "err", "near", 40}}},
		{name: "http abort on another port", fault: chaos("HTTPChaos", map[string]any{"mode": "all", "selector": sock("carts"), "target": "Request", "port": 8080, "abort": true}),
			checks: []check{{"carts", "err", "same", 0}, {"carts", "p99", "same", 0}}},
		{name: "http delay", fault: chaos("HTTPChaos", map[string]any{"mode": "all", "selector": sock("catalogue"), "target": "Request", "port": 80, "path": "*", "delay": "200ms"}),
			checks: []check{{"catalogue", "p50", "up", 190}, {"front-end", "p50", "up", 100}, {"carts", "p50", "same", 0}}},
		{name: "http replace with 503", fault: chaos("HTTPChaos", map[string]any{"mode": "all", "selector": sock("payment"), "target": "Response", "replace": map[string]any{"code": 503}}),
			checks: []check{{"payment", "err", "up", 95}, {"orders", "err", "up", 90}}},
		{name: "io latency on carts-db", fault: chaos("IOChaos", map[string]any{"action": "latency", "mode": "all", "selector": sock("carts-db"), "volumePath": "/data/db", "delay": "50ms", "percent": 100}),
			checks: []check{{"carts-db", "p50", "up", 90}, {"carts", "p50", "up", 90}, {"catalogue-db", "p50", "same", 0}}},
		{name: "io fault on carts-db", fault: chaos("IOChaos", map[string]any{"action": "fault", "mode": "all", "selector": sock("carts-db"), "volumePath": "/data/db", "errno": 5, "percent": 50}),
			checks: []check{{"carts-db", "err", "up", 50}, {"carts", "err", "up", 50}, {"catalogue", "err", "same", 0}}},
		{name: "dns error on carts-db lookups from carts", fault: chaos("DNSChaos", map[string]any{"action": "error", "mode": "all", "selector": sock("carts"), "patterns": []any{"carts-db", "carts-db.*"}}),
			checks: []check{{"carts", "err", "up", 95}, {"carts-db", "err", "near", 0.5}, {"user", "err", "same", 0}}},
		{name: "dns random for every name from orders", fault: chaos("DNSChaos", map[string]any{"action": "random", "mode": "all", "selector": sock("orders")}),
			checks: []check{{"orders", "err", "up", 95}, {"orders", "p50", "up", 900}, {"front-end", "err", "up", 2}, {"front-end", "err", "near", 8}}},
		{name: "dns pattern matching nothing", fault: chaos("DNSChaos", map[string]any{"action": "error", "mode": "all", "selector": sock("carts"), "patterns": []any{"google.com"}}),
			checks: []check{{"carts", "err", "same", 0}, {"carts", "p99", "same", 0}}},
		{name: "time skew in user", fault: chaos("TimeChaos", map[string]any{"mode": "all", "selector": sock("user"), "timeOffset": "-10m"}),
			checks: []check{{"user", "err", "up", 1.5}, {"user", "err", "near", 6}, {"user", "p50", "near", 1}, {"catalogue", "err", "same", 0}}},
		{name: "litmus pod-delete of every carts pod", fault: Fault{APIVersion: litmusAPI, Kind: "ChaosEngine", Namespace: "sock-shop",
			Spec: litmusEngine("sock-shop", "name=carts", "pod-delete", map[string]string{"PODS_AFFECTED_PERC": "100", "TOTAL_CHAOS_DURATION": "60", "CHAOS_INTERVAL": "10"})},
			checks: []check{{"carts", "err", "up", 50}, {"front-end", "err", "up", 5}, {"catalogue", "err", "same", 0}}},
		{name: "litmus pod-network-latency", fault: Fault{APIVersion: litmusAPI, Kind: "ChaosEngine", Namespace: "sock-shop",
			Spec: litmusEngine("sock-shop", "name=payment", "pod-network-latency", map[string]string{"NETWORK_LATENCY": "300", "TOTAL_CHAOS_DURATION": "120"})},
			checks: []check{{"payment", "p50", "up", 290}, {"orders", "p50", "up", 290}}},
		{name: "litmus pod-cpu-hog", fault: Fault{APIVersion: litmusAPI, Kind: "ChaosEngine", Namespace: "sock-shop",
			Spec: litmusEngine("sock-shop", "name=orders", "pod-cpu-hog", map[string]string{"PODS_AFFECTED_PERC": "100", "TOTAL_CHAOS_DURATION": "120"})},
			checks: []check{{"orders", "p50", "up", 20}}},
	}
	m := New(Options{Seed: 42})
	baseline := m.Metrics(at, period)
	base := summarise(t, baseline)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fault
			f.ID = tc.name
			f.Start = at.Add(-period + tc.offset)
			if _, err := m.Inject(f); err != nil {
				t.Fatalf("Inject: %v", err)
			}
			during := summarise(t, m.Metrics(at, period))
			m.Remove(f.ID)
			for _, c := range tc.checks {
				b, d := base[c.svc].get(c.stat), during[c.svc].get(c.stat)
				var ok bool
				switch c.dir {
				case "up":
					ok = d-b >= c.min
				case "down":
					ok = b-d >= c.min
				case "same":
					ok = d == b
				case "near":
					ok = math.Abs(d-b) <= c.min
				}
				if !ok {
					t.Errorf("%s %s: got %.3f during the fault, baseline %.3f; want %s %v", c.svc, c.stat, d, b, c.dir, c.min)
				}
			}
			if diff := cmp.Diff(baseline, m.Metrics(at, period)); diff != "" {
				t.Errorf("metrics after Remove differ from the baseline (-baseline +after):\n%s", diff)
			}
		})
	}
}

// The walkthrough: a 90 ms delay on one carts pod (mode one, as in the
// spec's example) slows carts' tail by about 90 ms, and orders and
// front-end with it; catalogue, which never calls carts, does not move.
func TestWalkthroughCartsDelay(t *testing.T) {
	m := New(Options{Seed: 1})
	fault := Fault{ID: "carts-delay", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Namespace: "default", Start: at.Add(-period),
		Spec: map[string]any{"action": "delay", "mode": "one", "duration": "180s",
			"selector": map[string]any{"namespaces": []any{"sock-shop"}, "labelSelectors": map[string]any{"name": "carts"}},
			"delay":    map[string]any{"latency": "90ms"}}}
	periods := []time.Time{at, at.Add(period), at.Add(2 * period)}
	var before [][]Datum
	for _, p := range periods {
		before = append(before, m.Metrics(p, period))
	}
	inj, err := m.Inject(fault)
	if err != nil {
		t.Fatalf("Inject: %v", err)
	}
	if got := targetsOf(inj); len(got) != 1 || got[0] != "carts" {
		t.Fatalf("targets = %v, want one carts pod", got)
	}
	for i, p := range periods {
		b, d := summarise(t, before[i]), summarise(t, m.Metrics(p, period))
		if rise := d["carts"].p99 - b["carts"].p99; rise < 75 || rise > 105 {
			t.Errorf("period %d: carts p99 rose by %.1f ms (%.1f -> %.1f), want ~90", i, rise, b["carts"].p99, d["carts"].p99)
		}
		if rise := d["carts"].mean - b["carts"].mean; rise < 20 || rise > 40 {
			t.Errorf("period %d: carts mean rose by %.1f ms, want ~30 (one pod in three is delayed)", i, rise)
		}
		if rise := d["orders"].p99 - b["orders"].p99; rise < 40 {
			t.Errorf("period %d: orders p99 rose by %.1f ms, want it to follow carts", i, rise)
		}
		if rise := d["front-end"].p99 - b["front-end"].p99; rise < 10 {
			t.Errorf("period %d: front-end p99 rose by %.1f ms, want it to follow carts", i, rise)
		}
		for _, svc := range []string{"catalogue", "catalogue-db", "user", "payment", "shipping"} {
			if b[svc] != d[svc] {
				t.Errorf("period %d: %s moved (%+v -> %+v), want it untouched", i, svc, b[svc], d[svc])
			}
		}
	}
	// After the CR's 180 s the delay is over, even before Remove.
	after := at.Add(4 * period)
	withFault := m.Metrics(after, period)
	m.Remove(fault.ID)
	if diff := cmp.Diff(m.Metrics(after, period), withFault); diff != "" {
		t.Errorf("metrics past the CR's duration still show the delay (-none +with fault):\n%s", diff)
	}
}

func TestFewerTargetsHurtLess(t *testing.T) {
	kill := func(mode, value string) stats {
		m := New(Options{Seed: 9})
		spec := map[string]any{"action": "pod-failure", "mode": mode, "selector": sock("carts")}
		if value != "" {
			spec["value"] = value
		}
		if _, err := m.Inject(Fault{ID: "k", APIVersion: chaosMeshAPI, Kind: "PodChaos", Spec: spec, Start: at.Add(-period)}); err != nil {
			t.Fatalf("Inject: %v", err)
		}
		return summarise(t, m.Metrics(at, period))["carts"]
	}
	none := summarise(t, New(Options{Seed: 9}).Metrics(at, period))["carts"]
	one, two, all := kill("one", ""), kill("fixed", "2"), kill("all", "")
	if !(none.errRate < one.errRate && one.errRate < two.errRate && two.errRate < all.errRate) {
		t.Errorf("carts error rate with 0/1/2/3 of 3 pods failed = %.2f / %.2f / %.2f / %.2f, want increasing", none.errRate, one.errRate, two.errRate, all.errRate)
	}
	if !(none.mean < one.mean && one.mean < two.mean) {
		t.Errorf("carts mean latency with 0/1/2 of 3 pods failed = %.2f / %.2f / %.2f, want increasing (less capacity)", none.mean, one.mean, two.mean)
	}
	if all.errRate < 99 {
		t.Errorf("carts error rate with every pod failed = %.2f, want ~100", all.errRate)
	}
}

func TestDeterminism(t *testing.T) {
	faults := []Fault{
		{ID: "a", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Spec: map[string]any{"action": "delay", "mode": "one", "selector": sock("carts"), "delay": map[string]any{"latency": "90ms", "jitter": "20ms"}}, Start: t0.Add(20 * time.Second)},
		{ID: "b", APIVersion: chaosMeshAPI, Kind: "PodChaos", Spec: map[string]any{"action": "pod-kill", "mode": "random-max-percent", "value": "100", "selector": sock("user")}, Start: t0.Add(30 * time.Second)},
		{ID: "c", APIVersion: litmusAPI, Kind: "ChaosEngine", Spec: litmusEngine("sock-shop", "name=orders", "pod-delete", nil), Start: t0.Add(40 * time.Second)},
	}
	run := func(seed int64, reverse bool) [][]Datum {
		m := New(Options{Seed: seed})
		for i := range faults {
			f := faults[i]
			if reverse {
				f = faults[len(faults)-1-i]
			}
			if _, err := m.Inject(f); err != nil {
				t.Fatalf("Inject %s: %v", f.ID, err)
			}
		}
		var out [][]Datum
		for p := 1; p <= 3; p++ {
			out = append(out, m.Metrics(t0.Add(time.Duration(p)*period), period))
		}
		return out
	}
	a := run(11, false)
	if diff := cmp.Diff(a, run(11, true)); diff != "" {
		t.Errorf("same seed, same faults (injected in another order): metrics differ:\n%s", diff)
	}
	if reflect.DeepEqual(a, run(12, false)) { // not cmp: diffing long unequal slices is slow
		t.Errorf("seeds 11 and 12 gave identical metrics")
	}
	m := New(Options{Seed: 11})
	if reflect.DeepEqual(m.Metrics(at, period), m.Metrics(at.Add(period), period)) {
		t.Errorf("two periods gave identical metrics: no noise")
	}
}

// The samples behave like latencies: positive, finite, as many as requests
// up to MaxSamples, percentiles in order, and baselines where a Sock Shop
// has them.
func TestPercentileSanity(t *testing.T) {
	m := New(Options{Seed: 2026})
	p99 := map[string][]float64{}
	p50 := map[string][]float64{}
	for i := 0; i < 30; i++ {
		end := at.Add(time.Duration(i) * period)
		data := m.Metrics(end, period)
		if len(data) != 3*len(m.Services()) {
			t.Fatalf("%d data, want 3 per service (%d services)", len(data), len(m.Services()))
		}
		for _, d := range data {
			if !d.Timestamp.Equal(end.Add(-period)) {
				t.Fatalf("%s timestamp %v, want the period's start %v", d.MetricName, d.Timestamp, end.Add(-period))
			}
			for _, v := range d.Values {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("%s %v: value %v", d.MetricName, d.Dimensions, v)
				}
			}
		}
		for svc, s := range summarise(t, data) {
			if want := int(math.Min(s.requests, MaxSamples)); s.samples != want {
				t.Errorf("%s: %d latency samples for %v requests, want %d", svc, s.samples, s.requests, want)
			}
			if !(s.p50 <= s.p90 && s.p90 <= s.p99) || s.p50 <= 0 {
				t.Errorf("%s: p50 %.2f p90 %.2f p99 %.2f out of order", svc, s.p50, s.p90, s.p99)
			}
			if s.errRate > 3 {
				t.Errorf("%s: baseline error rate %.2f%%, want a healthy shop", svc, s.errRate)
			}
			p99[svc] = append(p99[svc], s.p99)
			p50[svc] = append(p50[svc], s.p50)
		}
	}
	ranges := []struct {
		svc, stat string
		lo, hi    float64
	}{
		{"front-end", "p99", 150, 250},
		{"front-end", "p50", 35, 80},
		{"carts", "p99", 20, 40},
		{"carts", "p50", 10, 20},
		{"orders", "p99", 80, 200},
		{"catalogue", "p99", 8, 25},
		{"carts-db", "p50", 2, 5},
		// payment has no dependency: its samples are hop + log-normal(1.5 ms, 0.3),
		// so p50 is ~1.8 ms and p99 about exp(2.33*0.3) = 2x that.
		{"payment", "p50", 1.6, 2.1},
		{"payment", "p99", 3.0, 4.5},
	}
	for _, r := range ranges {
		vals := p50[r.svc]
		if r.stat == "p99" {
			vals = p99[r.svc]
		}
		med := percentile(vals, 50)
		if med < r.lo || med > r.hi {
			t.Errorf("%s %s over 30 periods: median %.2f, want in [%v, %v]", r.svc, r.stat, med, r.lo, r.hi)
		}
	}
}

func TestMetricsPeriod(t *testing.T) {
	m := New(Options{Seed: 1})
	for _, p := range []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute} {
		s := summarise(t, m.Metrics(at, p))
		want := m.rate[serviceIndex("front-end")] * p.Seconds()
		if got := s["front-end"].requests; math.Abs(got-want) > 0.2*want {
			t.Errorf("period %v: front-end RequestCount %v, want ~%v", p, got, want)
		}
	}
	if diff := cmp.Diff(m.Metrics(at, time.Minute), m.Metrics(at, 0)); diff != "" {
		t.Errorf("period 0 should default to a minute:\n%s", diff)
	}
}

func TestConcurrentUse(t *testing.T) {
	m := New(Options{Seed: 1})
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				id := fmt.Sprintf("f-%d-%d", g, i%3)
				switch i % 4 {
				case 0:
					if _, err := m.Inject(Fault{ID: id, APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Start: at.Add(-period),
						Spec: map[string]any{"action": "delay", "mode": "one", "selector": sock("carts"), "delay": map[string]any{"latency": "50ms"}}}); err != nil {
						t.Errorf("Inject: %v", err)
					}
				case 1:
					m.Metrics(at.Add(time.Duration(i)*time.Second), 10*time.Second)
				case 2:
					m.Remove(id)
				case 3:
					m.Pods()
					m.Active()
				}
			}
		}(g)
	}
	wg.Wait()
}

func BenchmarkMetrics(b *testing.B) {
	m := New(Options{Seed: 1})
	if _, err := m.Inject(Fault{ID: "d", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Start: t0,
		Spec: map[string]any{"action": "delay", "mode": "one", "selector": sock("carts"), "delay": map[string]any{"latency": "90ms"}}}); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		m.Metrics(at.Add(time.Duration(i)*period), period)
	}
}

// TestOriginShiftsNoise: a period's metrics depend on its time since the
// model's origin, so that two seeded local runs, whose clocks start at
// different whole minutes, publish the same metrics period for period,
// faults included (each placed at the same offset from its origin).
func TestOriginShiftsNoise(t *testing.T) {
	fault := func(origin time.Time) Fault {
		return Fault{ID: "a", APIVersion: chaosMeshAPI, Kind: "NetworkChaos", Start: origin.Add(90 * time.Second),
			Spec: map[string]any{"action": "delay", "mode": "one", "selector": sock("carts"), "delay": map[string]any{"latency": "90ms"}}}
	}
	run := func(origin time.Time) [][]Datum {
		m := New(Options{Seed: 7, Origin: origin})
		if _, err := m.Inject(fault(origin)); err != nil {
			t.Fatalf("Inject: %v", err)
		}
		var out [][]Datum
		for p := -2; p <= 4; p++ { // from before the origin (the backfill) to past the fault's start
			at := origin.Add(time.Duration(p) * period)
			ds := m.Metrics(at, period)
			for i := range ds {
				ds[i].Timestamp = time.Time{} // the one thing that moves with the origin
			}
			out = append(out, ds)
		}
		return out
	}
	a := run(t0)
	if !reflect.DeepEqual(a, run(t0.Add(37*time.Minute))) { // not cmp: diffing long unequal slices is slow
		t.Error("the same seed at another origin gave other metrics, period for period")
	}
	at := t0.Add(40 * time.Minute)
	if reflect.DeepEqual(New(Options{Seed: 7, Origin: t0}).Metrics(at, period), New(Options{Seed: 7, Origin: t0.Add(37 * time.Minute)}).Metrics(at, period)) {
		t.Error("one period under two origins gave the same metrics: the origin does not key the noise")
	}
	// Without an origin, the noise is keyed by absolute time, as before.
	if !reflect.DeepEqual(New(Options{Seed: 7}).Metrics(t0, period), New(Options{Seed: 7, Origin: time.Unix(0, 0)}).Metrics(t0, period)) {
		t.Error("a zero origin is not the Unix epoch")
	}
}
