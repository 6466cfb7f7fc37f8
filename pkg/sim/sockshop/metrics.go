package sockshop

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"time"
)

// Datum is one CloudWatch datapoint for the simulated CloudWatch: for
// Latency, Values holds one sample per request (up to MaxSamples per
// period), so that percentiles work downstream.
type Datum struct {
	Namespace, MetricName, Unit string
	Dimensions                  map[string]string
	Timestamp                   time.Time
	Values                      []float64
}

// MaxSamples caps the Latency samples of one service in one period.
const MaxSamples = 1000

const (
	callTimeoutMs = 1000.0 // a client gives up on a call that gets no answer
	rtoMs         = 200.0  // TCP's minimum retransmission timeout
	maxUtil       = 0.95   // beyond this a pod sheds load
)

// podState is what the active faults do to one pod at one instant.
type podState struct {
	down     bool    // out of the Service's endpoints: gets no traffic
	failing  bool    // still gets traffic, but its requests fail
	slow     float64 // multiplier on its own processing time
	capacity float64 // multiplier on the requests per second it can serve
	errExtra float64 // extra probability that a request fails
	net      []netRule
	http     []httpRule
	io       []ioRule
	dns      []dnsRule
}

// netRule is a NetworkChaos (or Litmus network experiment) on a pod. With
// peers nil it applies to every call the pod answers (and, when outbound,
// every call it makes); with peers set, to calls between the pod and them.
type netRule struct {
	id                       string
	peers                    map[int]bool
	outbound                 bool
	partition                bool
	delay, jitter            float64 // ms
	loss, corrupt, duplicate float64 // fractions of packets
	rateKbps                 float64
}

type httpRule struct {
	port         int
	path, method string
	onlyCode     int
	abort        bool
	delay        float64 // ms
	code         int     // replacement status code
}

type ioRule struct {
	delay float64 // ms per affected I/O
	pct   float64 // share of I/O affected
	fail  float64 // probability that an affected I/O fails
}

type dnsRule struct {
	random   bool
	patterns []string
}

// state is the whole Sock Shop at one instant.
type state struct {
	pods      []podState
	endpoints [][]int   // service -> pods that get traffic
	podLoad   []float64 // service -> requests per second each endpoint gets
}

func (m *Model) stateAt(faults []*injection, t time.Time, load []float64) *state {
	s := &state{pods: make([]podState, len(m.pods)), endpoints: make([][]int, len(services)), podLoad: make([]float64, len(services))}
	for i := range s.pods {
		s.pods[i].slow, s.pods[i].capacity = 1, 1
	}
	for _, inj := range faults {
		if !inj.activeAt(t) {
			continue
		}
		for _, e := range inj.effects {
			e(s, t)
		}
	}
	for si := range services {
		for _, p := range m.bySvc[si] {
			if !s.pods[p].down {
				s.endpoints[si] = append(s.endpoints[si], p)
			}
		}
		if n := len(s.endpoints[si]); n > 0 {
			s.podLoad[si] = load[si] / float64(n)
		}
	}
	return s
}

// Metrics returns the Sock Shop's metrics for the period that ends at `at`:
// the requests of [at-period, at), each evaluated against the faults active
// at its own instant. Every Datum has Timestamp at-period (the start of the
// period, as CloudWatch labels a period), namespace SockShop and dimension
// service; per service: Latency (Milliseconds, one value per sampled
// request), ErrorRate (Percent of requests that failed) and RequestCount
// (Count). The result depends only on the seed, the faults, at and period.
func (m *Model) Metrics(at time.Time, period time.Duration) []Datum {
	if period <= 0 {
		period = time.Minute
	}
	faults := m.snapshotFaults()
	from := at.Add(-period)
	secs := period.Seconds()

	// Per-period noise on load and on processing time, per service, from its
	// own stream so that one service's draws never shift another's.
	load := make([]float64, len(services))
	latNoise := make([]float64, len(services))
	for si := range services {
		r := m.rng(at, si, 1)
		load[si] = m.rate[si] * clamp(1+0.05*r.NormFloat64(), 0.8, 1.2)
		latNoise[si] = clamp(1+0.03*r.NormFloat64(), 0.9, 1.1)
	}
	ev := &evaluator{m: m, faults: faults, load: load, latNoise: latNoise, states: map[int64]*state{}}

	out := make([]Datum, 0, 3*len(services))
	for si, svc := range services {
		r := m.rng(at, si, 2)
		requests := math.Round(load[si] * secs)
		n := int(math.Min(requests, MaxSamples))
		values := make([]float64, 0, n)
		failed := 0
		for i := 0; i < n; i++ {
			t := from.Add(time.Duration((float64(i) + 0.5) / float64(n) * float64(period)))
			caller := ev.pickCaller(si, t, r)
			lat, ok := ev.call(si, caller, true, t, r)
			if !ok {
				failed++
			}
			values = append(values, math.Round(lat*1000)/1000)
		}
		errRate := 0.0
		if n > 0 {
			errRate = 100 * float64(failed) / float64(n)
		}
		dims := func() map[string]string { return map[string]string{"service": svc.name} }
		out = append(out,
			Datum{Namespace: MetricNamespace, MetricName: "Latency", Unit: "Milliseconds", Dimensions: dims(), Timestamp: from, Values: values},
			Datum{Namespace: MetricNamespace, MetricName: "ErrorRate", Unit: "Percent", Dimensions: dims(), Timestamp: from, Values: []float64{math.Round(errRate*1000) / 1000}},
			Datum{Namespace: MetricNamespace, MetricName: "RequestCount", Unit: "Count", Dimensions: dims(), Timestamp: from, Values: []float64{requests}},
		)
	}
	return out
}

// rng is a stream seeded from the model's seed, the period (its time since
// the model's origin) and a purpose.
func (m *Model) rng(at time.Time, svc, stream int) *rand.Rand {
	h := fnv.New64a()
	var b [8]byte
	for i, v := 0, uint64(at.UnixNano()-m.origin); i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte{byte(svc), byte(stream)})
	return rand.New(rand.NewPCG(uint64(m.seed), h.Sum64()))
}

type evaluator struct {
	m        *Model
	faults   []*injection
	load     []float64
	latNoise []float64
	states   map[int64]*state // by second
}

func (ev *evaluator) state(t time.Time) *state {
	k := t.Truncate(time.Second).Unix()
	if s, ok := ev.states[k]; ok {
		return s
	}
	s := ev.m.stateAt(ev.faults, time.Unix(k, 0).UTC(), ev.load)
	ev.states[k] = s
	return s
}

// pickCaller chooses who sends a request to service si, in proportion to
// the traffic each caller sends: -1 for the load generator outside.
func (ev *evaluator) pickCaller(si int, t time.Time, r *rand.Rand) int {
	total := services[si].external
	for ci, c := range services {
		for _, e := range c.deps {
			if e.to == services[si].name {
				total += ev.load[ci] * e.calls
			}
		}
	}
	x := r.Float64() * total
	if x < services[si].external {
		return -1
	}
	x -= services[si].external
	s := ev.state(t)
	for ci, c := range services {
		for _, e := range c.deps {
			if e.to != services[si].name {
				continue
			}
			w := ev.load[ci] * e.calls
			if x < w {
				eps := s.endpoints[ci]
				if len(eps) == 0 {
					return ev.m.bySvc[ci][r.IntN(len(ev.m.bySvc[ci]))]
				}
				return eps[r.IntN(len(eps))]
			}
			x -= w
		}
	}
	return -1
}

// call samples one request from caller (a pod index, or -1 for outside) to
// service si at time t: its latency as the caller sees it and whether it
// succeeded. Dependencies are called in turn, so a slow or failing
// dependency makes its callers slow or failing too.
//
// A service's own metrics are those of the requests sent to its Kubernetes
// Service, as its callers see them (a partition or a missing endpoint counts
// against it); a lookup that DNSChaos fails never becomes such a request, so
// measured (top-level) requests skip the DNS rules.
func (ev *evaluator) call(si, caller int, measured bool, t time.Time, r *rand.Rand) (float64, bool) {
	s := ev.state(t)
	svc := &services[si]
	hop := 0.2 + 0.2*r.Float64()

	if caller >= 0 && !measured {
		if lat, hit := ev.dnsFault(s, caller, svc, hop); hit {
			return lat, false
		}
	}
	eps := s.endpoints[si]
	if len(eps) == 0 {
		return hop + 1, false // connection refused: no endpoint
	}
	p := eps[r.IntN(len(eps))]
	ps := &s.pods[p]
	lat, failed := netPath(s, si, caller, p, svc, hop, r)
	if failed {
		return lat, false
	}
	if ps.failing {
		return lat + 1, false // connection reset: the process is gone
	}

	// HTTP faults on the request p serves.
	delay, replaced, aborted := httpFaults(svc, ps, r)
	if lat += delay; aborted {
		return lat + 0.5, false
	}

	// The pod's own work, slowed by its utilisation, CPU and memory.
	util := s.podLoad[si] / (ev.m.capacity[si] * ps.capacity)
	if util > maxUtil && r.Float64() < 1-maxUtil/util {
		return lat + 1, false // shed: 503 from an overloaded pod
	}
	queue := (1 - baseUtilisation) / (1 - math.Min(util, maxUtil))
	own := svc.median * math.Exp(svc.sigma*r.NormFloat64()) * ev.latNoise[si] * ps.slow * queue
	lat += own
	ok := r.Float64() >= svc.baseErr+ps.errExtra
	ioLat, ioOK := diskIO(svc, ps, r)
	lat, ok = lat+ioLat, ok && ioOK

	// Calls to dependencies, one after the other.
	depLat, depOK := ev.callDeps(svc, p, t, r)
	if lat += depLat; !depOK {
		return lat, false
	}
	if replaced >= 400 {
		ok = false
	}
	return lat, ok
}

// dnsFault applies a DNS fault on the caller that matches the service: the
// call's latency and whether one matched.
func (ev *evaluator) dnsFault(s *state, caller int, svc *serviceDef, hop float64) (float64, bool) {
	for _, d := range s.pods[caller].dns {
		if d.matches(svc.name, ev.m.namespace) {
			if d.random {
				return callTimeoutMs, true // resolved to somewhere that never answers
			}
			return hop + 2, true // NXDOMAIN / SERVFAIL
		}
	}
	return 0, false
}

// netPath applies the network faults on the path between caller and pod p
// (each rule once) to a call of service si: the latency so far and whether
// the call failed.
func netPath(s *state, si, caller, p int, svc *serviceDef, lat float64, r *rand.Rand) (float64, bool) {
	ps := &s.pods[p]
	var seen []string
	rules := func(yield func(netRule)) {
		for _, rule := range ps.net { // rules on the callee
			if rule.peers == nil || (caller >= 0 && rule.peers[caller]) {
				yield(rule)
			}
		}
		if caller >= 0 {
			for _, rule := range s.pods[caller].net { // rules on the caller
				if (rule.peers == nil && rule.outbound) || (rule.peers != nil && rule.peers[p]) {
					yield(rule)
				}
			}
		}
	}
	failed := false
	rules(func(rule netRule) {
		if slices.Contains(seen, rule.id) {
			return
		}
		seen = append(seen, rule.id)
		if !failed {
			lat, failed = rule.apply(lat, svc, s.podLoad[si], r)
		}
	})
	return lat, failed
}

// apply applies one network rule to a call: its latency and whether it
// failed.
func (rule netRule) apply(lat float64, svc *serviceDef, load float64, r *rand.Rand) (float64, bool) {
	if rule.partition {
		return callTimeoutMs, true
	}
	if rule.delay > 0 || rule.jitter > 0 {
		lat += math.Max(0, rule.delay+rule.jitter*(2*r.Float64()-1))
	}
	// A call is a handful of packets; a lost (or corrupt, hence dropped)
	// one costs a retransmission timeout, three in a row a failed call.
	if drop := rule.loss + rule.corrupt - rule.loss*rule.corrupt; drop > 0 {
		if r.Float64() < 1-math.Pow(1-drop, 4) {
			lat += rtoMs
		}
		if r.Float64() < drop*drop*drop+0.05*rule.corrupt {
			return lat + rtoMs, true
		}
	}
	if rule.duplicate > 0 {
		lat += 0.05
		if r.Float64() < 0.01*rule.duplicate {
			return lat, true
		}
	}
	if rule.rateKbps > 0 {
		transfer := svc.respKB * 8 / rule.rateKbps * 1000 // ms
		util := load * svc.respKB * 8 / rule.rateKbps
		if util >= 1 && r.Float64() < 1-1/util {
			return lat + callTimeoutMs, true // tail drop: the queue is full
		}
		lat += transfer / (1 - math.Min(util, maxUtil))
	}
	return lat, false
}

// httpFaults applies the HTTP faults on the request pod ps serves: the
// delay they add, the status code one replaces, and whether one aborts it.
func httpFaults(svc *serviceDef, ps *podState, r *rand.Rand) (delay float64, replaced int, aborted bool) {
	if len(svc.routes) == 0 {
		return 0, 0, false
	}
	rt := pickRoute(svc.routes, r) // drawn even without a fault, so a fault that matches nothing changes nothing
	for _, h := range ps.http {
		if !h.matches(svc, rt) {
			continue
		}
		if h.abort {
			return delay, replaced, true
		}
		delay += h.delay
		if h.code != 0 {
			replaced = h.code
		}
	}
	return delay, replaced, false
}

// diskIO applies the I/O faults on the pod's disk operations: the latency
// they add and whether the call still succeeds.
func diskIO(svc *serviceDef, ps *podState, r *rand.Rand) (float64, bool) {
	if len(ps.io) == 0 {
		return 0, true
	}
	lat, ok := 0.0, true
	ops := int(svc.ioOps)
	if r.Float64() < svc.ioOps-float64(ops) {
		ops++
	}
	for i := 0; i < ops; i++ {
		for _, io := range ps.io {
			if r.Float64() >= io.pct {
				continue
			}
			lat += io.delay
			if io.fail > 0 && r.Float64() < io.fail {
				ok = false
			}
		}
	}
	return lat, ok
}

// callDeps makes the service's calls to its dependencies from pod p, one
// after the other: their latency, and false when a failed one fails the
// call.
func (ev *evaluator) callDeps(svc *serviceDef, p int, t time.Time, r *rand.Rand) (float64, bool) {
	lat := 0.0
	for _, e := range svc.deps {
		di := serviceIndex(e.to)
		n := int(e.calls)
		if r.Float64() < e.calls-float64(n) {
			n++
		}
		for k := 0; k < n; k++ {
			l, dok := ev.call(di, p, false, t, r)
			lat += l
			if !dok && r.Float64() < e.share {
				return lat, false
			}
		}
	}
	return lat, true
}

func pickRoute(routes []route, r *rand.Rand) route {
	total := 0.0
	for _, rt := range routes {
		total += rt.weight
	}
	x := r.Float64() * total
	for _, rt := range routes {
		if x < rt.weight {
			return rt
		}
		x -= rt.weight
	}
	return routes[len(routes)-1]
}

// matches tells whether an HTTPChaos rule applies to a request: same port
// (when set), same method (when set), path matching the rule's pattern
// (when set; `*` matches within one segment, a trailing `*` anything).
func (h httpRule) matches(svc *serviceDef, rt route) bool {
	if h.port != 0 && h.port != svc.port {
		return false
	}
	if h.method != "" && h.method != rt.method {
		return false
	}
	if h.onlyCode != 0 && h.onlyCode != 200 {
		return false
	}
	if h.path == "" || h.path == "*" || h.path == "/*" {
		return true
	}
	if ok, _ := path.Match(h.path, rt.path); ok {
		return true
	}
	if strings.HasSuffix(h.path, "*") && strings.HasPrefix(rt.path, strings.TrimSuffix(h.path, "*")) {
		return true
	}
	return false
}

// matches tells whether a DNSChaos rule catches a lookup of a Sock Shop
// service by its short name or its cluster DNS name. No pattern means every
// name, as in Chaos Mesh.
func (d dnsRule) matches(service, namespace string) bool {
	if len(d.patterns) == 0 {
		return true
	}
	names := []string{service, service + "." + namespace, service + "." + namespace + ".svc", service + "." + namespace + ".svc.cluster.local"}
	for _, p := range d.patterns {
		for _, n := range names {
			if globDomain(p, n) {
				return true
			}
		}
	}
	return false
}

// globDomain matches a domain against a DNSChaos pattern, where `*` matches
// any run of characters (dots too) and `?` one character.
func globDomain(pattern, name string) bool {
	if pattern == "" {
		return name == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(name); i++ {
			if globDomain(pattern[1:], name[i:]) {
				return true
			}
		}
		return false
	case '?':
		return name != "" && globDomain(pattern[1:], name[1:])
	default:
		return name != "" && pattern[0] == name[0] && globDomain(pattern[1:], name[1:])
	}
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
