package sockshop

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	chaosMeshAPI = "chaos-mesh.org/v1alpha1"
	litmusAPI    = "litmuschaos.io/v1alpha1"
)

// injection is a compiled fault: its targets and how it changes the pods
// while it is active. It is immutable once built.
type injection struct {
	id         string
	targets    []int // pod indices, sorted
	holdsReady bool  // pod-failure: the targets are not Ready while injected
	start, end time.Time
	effects    []effect
}

// effect changes the state of the pods at time t (t within the fault's
// active window).
type effect func(s *state, t time.Time)

func (inj *injection) activeAt(t time.Time) bool {
	if t.Before(inj.start) {
		return false
	}
	return inj.end.IsZero() || t.Before(inj.end)
}

// compile resolves a fault's targets and turns its spec into effects.
func (m *Model) compile(f Fault) (*injection, error) {
	ns := f.Namespace
	if ns == "" {
		ns = "default"
	}
	rng := m.selectionRNG(f)
	spec := f.Spec
	if spec == nil {
		spec = map[string]any{}
	}
	inj := &injection{id: f.ID, start: f.Start}

	switch f.APIVersion {
	case chaosMeshAPI:
	case litmusAPI:
		if f.Kind != "ChaosEngine" {
			return nil, fmt.Errorf("%w: kind %s of %s (only ChaosEngine)", ErrUnsupported, f.Kind, litmusAPI)
		}
		return m.compileLitmus(inj, spec, ns, rng)
	default:
		return nil, fmt.Errorf("%w: apiVersion %q (want %s or %s)", ErrUnsupported, f.APIVersion, chaosMeshAPI, litmusAPI)
	}

	switch f.Kind {
	case "PodChaos", "NetworkChaos", "StressChaos", "HTTPChaos", "IOChaos", "DNSChaos", "TimeChaos":
	default:
		return nil, fmt.Errorf("%w: kind %s", ErrUnsupported, f.Kind)
	}
	d, ok, err := getDuration(spec, "duration")
	if err != nil {
		return nil, err
	}
	if ok && d > 0 {
		inj.end = f.Start.Add(d)
	}
	// Check the action before selecting, as the webhook would.
	action := getString(spec, "action")
	if err := checkAction(f.Kind, action); err != nil {
		return nil, err
	}
	targets, err := m.selectChaosMesh(spec, ns, rng)
	if err != nil {
		return nil, err
	}
	inj.targets = targets

	var e effect
	switch f.Kind {
	case "PodChaos":
		e, err = m.podChaos(inj, action, spec)
	case "NetworkChaos":
		e, err = m.networkChaos(inj, action, spec, ns, rng)
	case "StressChaos":
		e, err = m.stressChaos(inj, spec)
	case "HTTPChaos":
		e, err = m.httpChaos(inj, spec)
	case "IOChaos":
		e, err = m.ioChaos(inj, action, spec)
	case "DNSChaos":
		e, err = m.dnsChaos(inj, action, spec)
	case "TimeChaos":
		e, err = m.timeChaos(inj, spec)
	}
	if err != nil {
		return nil, err
	}
	inj.effects = append(inj.effects, e)
	return inj, nil
}

func checkAction(kind, action string) error {
	valid := map[string][]string{
		"PodChaos":     {"pod-kill", "pod-failure", "container-kill"},
		"NetworkChaos": {"netem", "delay", "loss", "duplicate", "corrupt", "partition", "bandwidth"},
		"IOChaos":      {"latency", "fault", "attrOverride", "mistake"},
		"DNSChaos":     {"error", "random"},
	}
	actions, ok := valid[kind]
	if !ok {
		return nil // kinds without an action field
	}
	if !contains(actions, action) {
		return fmt.Errorf("%w: %s action %q (want one of %s)", ErrUnsupported, kind, action, strings.Join(actions, ", "))
	}
	return nil
}

// selectionRNG seeds pod selection from the model's seed, the fault's ID and
// how many times that ID was injected before: the same fault picks the same
// pods whenever it starts (a seeded run's steps take real time, so its
// faults start a few simulated seconds apart from run to run), and a fault
// injected again picks afresh, as Chaos Mesh does.
func (m *Model) selectionRNG(f Fault) *rand.Rand {
	m.mu.Lock()
	n := m.injected[f.ID]
	m.injected[f.ID]++
	m.mu.Unlock()
	h := fnv.New64a()
	h.Write([]byte(f.ID))
	return rand.New(rand.NewPCG(uint64(m.seed), h.Sum64()^n))
}

// killWindow models a pod killed at kill that is ready again restart later:
// for the first failFor requests sent to it fail (the endpoint is not yet
// removed), then it is out of the Service's endpoints.
func killWindow(p *podState, t, kill time.Time, failFor, restart time.Duration) {
	if t.Before(kill) || !t.Before(kill.Add(restart)) {
		return
	}
	if t.Before(kill.Add(failFor)) {
		p.failing = true
	} else {
		p.down = true
	}
}

func restartOf(svc int) time.Duration {
	return time.Duration(services[svc].restart * float64(time.Second))
}

func (m *Model) podChaos(inj *injection, action string, spec map[string]any) (effect, error) {
	targets := inj.targets
	switch action {
	case "pod-kill":
		// One kill at the start; the ReplicaSet's new pod is ready after the
		// service's restart time. spec.duration does not matter.
		inj.end = time.Time{}
		start := inj.start
		return func(s *state, t time.Time) {
			for _, i := range targets {
				killWindow(&s.pods[i], t, start, 2*time.Second, restartOf(m.pods[i].svc))
			}
		}, nil
	case "pod-failure":
		// The pause image replaces the container: requests fail until the
		// readiness probe takes the pod out of the endpoints.
		inj.holdsReady = true
		start := inj.start
		return func(s *state, t time.Time) {
			for _, i := range targets {
				if t.Before(start.Add(3 * time.Second)) {
					s.pods[i].failing = true
				} else {
					s.pods[i].down = true
				}
			}
		}, nil
	case "container-kill":
		names := getStrings(spec, "containerNames")
		if len(names) == 0 {
			return nil, fmt.Errorf("%w: containerNames: the name of container should not be empty on container-kill action", ErrInvalid)
		}
		inj.end = time.Time{}
		start := inj.start
		return func(s *state, t time.Time) {
			for _, i := range targets {
				if !contains(names, m.pods[i].Service) { // each Sock Shop pod has one container, named after its service
					continue
				}
				killWindow(&s.pods[i], t, start, time.Second, restartOf(m.pods[i].svc)*2/5)
			}
		}, nil
	}
	return nil, fmt.Errorf("%w: PodChaos action %q", ErrUnsupported, action)
}

func (m *Model) networkChaos(inj *injection, action string, spec map[string]any, ns string, rng *rand.Rand) (effect, error) {
	switch dir := getString(spec, "direction"); dir {
	case "", "to", "from", "both":
	default:
		return nil, fmt.Errorf("%w: direction %q (want to, from or both)", ErrInvalid, dir)
	}
	r := netRule{id: inj.id}
	var err error
	parseDelay := func() error {
		lat, ok, err := getDuration(spec, "delay", "latency")
		if err != nil {
			return err
		}
		if !ok && action == "delay" {
			return fmt.Errorf("%w: delay.latency: Required value", ErrInvalid)
		}
		jit, _, err := getDuration(spec, "delay", "jitter")
		if err != nil {
			return err
		}
		r.delay, r.jitter = ms(lat), ms(jit)
		return nil
	}
	switch action {
	case "delay":
		err = parseDelay()
	case "loss":
		r.loss, err = percent(spec, 0, "loss", "loss")
	case "duplicate":
		r.duplicate, err = percent(spec, 0, "duplicate", "duplicate")
	case "corrupt":
		r.corrupt, err = percent(spec, 0, "corrupt", "corrupt")
	case "netem":
		if err = parseDelay(); err == nil {
			if r.loss, err = percent(spec, 0, "loss", "loss"); err == nil {
				if r.duplicate, err = percent(spec, 0, "duplicate", "duplicate"); err == nil {
					r.corrupt, err = percent(spec, 0, "corrupt", "corrupt")
				}
			}
		}
	case "bandwidth":
		rate := getString(spec, "bandwidth", "rate")
		if rate == "" {
			return nil, fmt.Errorf("%w: bandwidth.rate: Required value", ErrInvalid)
		}
		r.rateKbps, err = parseRate(rate)
	case "partition":
		r.partition = true
	}
	if err != nil {
		return nil, err
	}
	if t := getMap(spec, "target"); len(t) > 0 {
		peers, err := m.selectChaosMesh(t, ns, rng)
		if err != nil {
			return nil, fmt.Errorf("select target: %w", err)
		}
		r.peers = map[int]bool{}
		for _, p := range peers {
			r.peers[p] = true
		}
	} else if len(getStrings(spec, "externalTargets")) > 0 {
		r.peers = map[int]bool{} // only traffic leaving the cluster: no Sock Shop call
	} else if r.partition {
		r.outbound = true // an isolated pod neither answers nor reaches anyone
	}
	return addRule(inj.targets, r, func(p *podState) *[]netRule { return &p.net }), nil
}

// workers reads a stressor's workers, which must be more than 0.
func workers(stressor map[string]any, kind string) (float64, error) {
	w, _, err := getNumber(stressor, "workers")
	if err == nil && w <= 0 {
		err = fmt.Errorf("%w: stressors.%s.workers: must be greater than 0", ErrInvalid, kind)
	}
	return w, err
}

func (m *Model) stressChaos(inj *injection, spec map[string]any) (effect, error) {
	cpu := getMap(spec, "stressors", "cpu")
	mem := getMap(spec, "stressors", "memory")
	if cpu == nil && mem == nil && getString(spec, "stressngStressors") == "" {
		return nil, fmt.Errorf("%w: stressors: missing stressors", ErrInvalid)
	}
	var cpuDemand float64 // cores the stressors want
	if cpu != nil {
		w, err := workers(cpu, "cpu")
		if err != nil {
			return nil, err
		}
		load, ok, err := getNumber(cpu, "load")
		if err != nil {
			return nil, err
		}
		if !ok {
			load = 100
		}
		cpuDemand = w * math.Max(0, math.Min(load, 100)) / 100
	} else if getString(spec, "stressngStressors") != "" {
		cpuDemand = 1
	}
	memWorkers, memSize := 0.0, ""
	if mem != nil {
		w, err := workers(mem, "memory")
		if err != nil {
			return nil, err
		}
		memWorkers = w
		memSize = getString(mem, "size")
		if memSize == "" {
			memSize = "256MB"
		}
		if _, err := parseSize(memSize, 100); err != nil {
			return nil, err
		}
	}
	targets := inj.targets
	return func(s *state, _ time.Time) {
		for _, i := range targets {
			p := &s.pods[i]
			svc := services[m.pods[i].svc]
			if cpuDemand > 0 {
				// The stressors share the container's CPU with the service's
				// threads: the service gets 1/(1+demand) of it.
				share := 1 / (1 + cpuDemand)
				p.slow /= share
				p.capacity *= share
			}
			if memWorkers > 0 {
				size, _ := parseSize(memSize, svc.memMi)
				frac := size * memWorkers / svc.memMi
				gc := 0.2
				if svc.lang == "java" {
					gc = 0.6 // the JVM's collector fights for the rest of the heap
				}
				p.slow *= 1 + gc*math.Min(frac, 1)
				if frac >= 1 { // over the limit: OOM-killed and restarted, again and again
					p.errExtra += 0.05
					p.capacity *= 0.8
				}
			}
		}
	}, nil
}

func (m *Model) httpChaos(inj *injection, spec map[string]any) (effect, error) {
	target := getString(spec, "target")
	if target != "Request" && target != "Response" {
		return nil, fmt.Errorf("%w: target %q (want Request or Response)", ErrInvalid, target)
	}
	r := httpRule{path: getString(spec, "path"), method: strings.ToUpper(getString(spec, "method")), abort: getBool(spec, "abort")}
	if port, ok, err := getNumber(spec, "port"); err != nil {
		return nil, err
	} else if ok {
		r.port = int(port)
	}
	if code, ok, err := getNumber(spec, "code"); err != nil {
		return nil, err
	} else if ok && target == "Response" {
		r.onlyCode = int(code)
	}
	d, okDelay, err := getDuration(spec, "delay")
	if err != nil {
		return nil, err
	}
	r.delay = ms(d)
	if code, ok, err := getNumber(spec, "replace", "code"); err != nil {
		return nil, err
	} else if ok {
		r.code = int(code)
	}
	if !r.abort && !okDelay && getMap(spec, "replace") == nil && getMap(spec, "patch") == nil {
		return nil, fmt.Errorf("%w: HTTPChaos needs one of abort, delay, replace or patch", ErrInvalid)
	}
	if r.path != "" {
		if _, err := path.Match(r.path, "/"); err != nil {
			return nil, fmt.Errorf("%w: path %q: %v", ErrInvalid, r.path, err)
		}
	}
	return addRule(inj.targets, r, func(p *podState) *[]httpRule { return &p.http }), nil
}

func (m *Model) ioChaos(inj *injection, action string, spec map[string]any) (effect, error) {
	pct, err := percent(spec, 100, "percent")
	if err != nil {
		return nil, err
	}
	r := ioRule{pct: pct}
	switch action {
	case "latency":
		d, ok, err := getDuration(spec, "delay")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: delay: Required value for action latency", ErrInvalid)
		}
		r.delay = ms(d)
	case "fault":
		errno, _, err := getNumber(spec, "errno")
		if err != nil {
			return nil, err
		}
		if errno == 0 {
			return nil, fmt.Errorf("%w: errno: Required value for action fault", ErrInvalid)
		}
		r.fail = 1
	case "mistake":
		r.fail = 0.1 // corrupted reads: a few checksum or parse errors
	case "attrOverride":
		r.fail = 0.02 // odd permissions or sizes: rare failures
	}
	return addRule(inj.targets, r, func(p *podState) *[]ioRule { return &p.io }), nil
}

func (m *Model) dnsChaos(inj *injection, action string, spec map[string]any) (effect, error) {
	r := dnsRule{random: action == "random", patterns: getStrings(spec, "patterns")}
	for _, p := range r.patterns {
		if _, err := path.Match(p, "x"); err != nil {
			return nil, fmt.Errorf("%w: patterns: %q: %v", ErrInvalid, p, err)
		}
	}
	return addRule(inj.targets, r, func(p *podState) *[]dnsRule { return &p.dns }), nil
}

func (m *Model) timeChaos(inj *injection, spec map[string]any) (effect, error) {
	off, ok, err := getDuration(spec, "timeOffset")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: timeOffset: Required value", ErrInvalid)
	}
	skew := math.Min(math.Abs(off.Minutes()), 1) // a minute of skew is enough to break token and session checks
	targets := inj.targets
	return func(s *state, _ time.Time) {
		for _, i := range targets {
			p := m.pods[i]
			s.pods[i].errExtra += skew * math.Max(services[p.svc].clockErr, 0.001)
		}
	}, nil
}

// compileLitmus turns a ChaosEngine into effects: every experiment of
// spec.experiments, each with its own env (spec.components.env).
func (m *Model) compileLitmus(inj *injection, spec map[string]any, ns string, rng *rand.Rand) (*injection, error) {
	v, _ := field(spec, "experiments")
	exps, _ := asList(v)
	if len(exps) == 0 {
		return nil, fmt.Errorf("%w: spec.experiments: Required value", ErrInvalid)
	}
	union := map[int]bool{}
	for n, e := range exps {
		em, _ := asMap(e)
		name := getString(em, "name")
		env := litmusEnv(em)
		defDur, defInterval := 60.0, 10.0
		switch name {
		case "pod-delete":
			defDur, defInterval = 15, 5
		case "container-kill":
			defDur, defInterval = 20, 10
		case "pod-network-latency", "pod-network-loss", "pod-cpu-hog":
		default:
			return nil, fmt.Errorf("%w: Litmus experiment %q", ErrUnsupported, name)
		}
		dur, err := envSeconds(env, "TOTAL_CHAOS_DURATION", defDur)
		if err != nil {
			return nil, err
		}
		interval, err := envSeconds(env, "CHAOS_INTERVAL", defInterval)
		if err != nil {
			return nil, err
		}
		targets, err := m.selectLitmus(spec, env, ns, rng)
		if err != nil {
			return nil, err
		}
		for _, t := range targets {
			union[t] = true
		}
		e, err := m.litmusEffect(name, fmt.Sprintf("%s#%d", inj.id, n), env, targets, inj.start, dur, interval)
		if err != nil {
			return nil, err
		}
		inj.effects = append(inj.effects, e)
	}
	for t := range union {
		inj.targets = append(inj.targets, t)
	}
	sort.Ints(inj.targets)
	// The effects keep their own windows; the engine ends when the last
	// experiment and the last restart are over.
	inj.end = time.Time{}
	return inj, nil
}

// litmusEffect is the effect of one Litmus experiment (name, with id for
// its network rule) on the targets from start for dur.
func (m *Model) litmusEffect(name, id string, env map[string]string, targets []int, start time.Time, dur, interval time.Duration) (effect, error) {
	end := start.Add(dur)
	switch name {
	case "pod-delete", "container-kill":
		failFor := time.Second
		if name == "pod-delete" && strings.EqualFold(env["FORCE"], "false") {
			failFor = 0 // graceful: the endpoint goes before the process
		}
		return m.repeatedKills(targets, start, dur, interval, failFor, name == "container-kill"), nil
	case "pod-network-latency":
		r := envNumbers{env: env}
		lat, jit := r.get("NETWORK_LATENCY", 2000), r.get("JITTER", 0)
		if r.err != nil {
			return nil, r.err
		}
		return m.netEffect(targets, netRule{id: id, delay: lat, jitter: jit}, start, end), nil
	case "pod-network-loss":
		loss, err := envNumber(env, "NETWORK_PACKET_LOSS_PERCENTAGE", 100)
		if err != nil {
			return nil, err
		}
		return m.netEffect(targets, netRule{id: id, loss: math.Min(math.Max(loss, 0), 100) / 100}, start, end), nil
	}
	// pod-cpu-hog
	r := envNumbers{env: env}
	cores, load := r.get("CPU_CORES", 1), r.get("CPU_LOAD", 100)
	if r.err != nil {
		return nil, r.err
	}
	demand := cores * math.Min(math.Max(load, 0), 100) / 100
	return func(s *state, t time.Time) {
		if t.Before(start) || !t.Before(end) {
			return
		}
		for _, i := range targets {
			share := 1 / (1 + demand)
			s.pods[i].slow /= share
			s.pods[i].capacity *= share
		}
	}, nil
}

// repeatedKills deletes the targets at start, then again once CHAOS_INTERVAL
// has passed and the application is healthy again, until the total duration.
func (m *Model) repeatedKills(targets []int, start time.Time, total, interval, failFor time.Duration, container bool) effect {
	return func(s *state, t time.Time) {
		for _, i := range targets {
			restart := restartOf(m.pods[i].svc)
			if container {
				restart = restart * 2 / 5
			}
			step := max(interval, restart)
			if step <= 0 {
				step = time.Second
			}
			for kill := start; kill.Before(start.Add(total)) && !kill.After(t); kill = kill.Add(step) {
				killWindow(&s.pods[i], t, kill, failFor, restart)
			}
		}
	}
}

// addRule is the effect that adds r to the rules of one kind (rules picks
// them) of each target pod.
func addRule[R any](targets []int, r R, rules func(p *podState) *[]R) effect {
	return func(s *state, _ time.Time) {
		for _, i := range targets {
			l := rules(&s.pods[i])
			*l = append(*l, r)
		}
	}
}

func (m *Model) netEffect(targets []int, r netRule, start, end time.Time) effect {
	add := addRule(targets, r, func(p *podState) *[]netRule { return &p.net })
	return func(s *state, t time.Time) {
		if t.Before(start) || !t.Before(end) {
			return
		}
		add(s, t)
	}
}

func litmusEnv(exp map[string]any) map[string]string {
	out := map[string]string{}
	v, _ := field(exp, "spec", "components", "env")
	list, _ := asList(v)
	for _, e := range list {
		em, ok := asMap(e)
		if !ok {
			continue
		}
		out[getString(em, "name")] = getString(em, "value")
	}
	return out
}

// envNumbers reads several numbers of an experiment's env, keeping the
// first error.
type envNumbers struct {
	env map[string]string
	err error
}

func (r *envNumbers) get(name string, def float64) float64 {
	if r.err != nil {
		return 0
	}
	f, err := envNumber(r.env, name, def)
	r.err = err
	return f
}

func envNumber(env map[string]string, name string, def float64) (float64, error) {
	s := strings.TrimSpace(env[name])
	if s == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("%w: env %s: %q is not a non-negative number", ErrInvalid, name, s)
	}
	return f, nil
}

func envSeconds(env map[string]string, name string, def float64) (time.Duration, error) {
	f, err := envNumber(env, name, def)
	if err != nil {
		return 0, err
	}
	return time.Duration(f * float64(time.Second)), nil
}
