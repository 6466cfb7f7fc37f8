// Package sockshop is a seeded, deterministic model of the Sock Shop
// microservices demo running in namespace sock-shop of an EKS cluster: its
// pods, its call graph, a steady load and the per-service metrics that load
// produces. The simulator's FIS injects Chaos Mesh and Litmus custom
// resources into it (Inject, Remove); the simulator's server publishes
// Metrics into the simulated CloudWatch every period.
//
// Metrics are a pure function of the seed, the injected faults and time:
// the same seed with the same faults at the same times gives the same data.
// A Model is safe for concurrent use.
//
// How the model works. Each period, every service gets its steady load (what
// arrives from outside plus what its callers send along the call graph, with
// ±5% seeded noise), and up to MaxSamples of its requests are sampled, each
// at its own instant in the period. A request picks a caller, then one of the
// service's ready pods; its latency is the network hop, the pod's own work
// (log-normal, slowed by utilisation, CPU and memory pressure) and its calls
// to dependencies one after the other, each sampled the same way, so a slow
// or failing dependency shows up in its callers (failures with a per-edge
// share). A service's metrics are those of requests sent to its Kubernetes
// Service, as its callers see them. The faults active at that instant change
// the pods:
//
//   - NetworkChaos delay/loss/duplicate/corrupt/bandwidth apply once per call
//     the selected pod answers (or, with a target, once per call between
//     selected and target pods, whatever the direction: TCP needs both ways);
//     partition fails those calls after a client timeout (1 s); without a
//     target it isolates the pod both ways. Correlation is ignored.
//   - PodChaos pod-kill: the pod's requests fail for 2 s, then it is out of
//     the endpoints until its replacement is ready (10-40 s by service), so
//     the other pods take its load; pod-failure: requests fail for 3 s, then
//     the pod is out of the endpoints for as long as the fault is active;
//     container-kill: a faster restart, for pods whose container (named
//     after the service) is listed.
//   - StressChaos: CPU stressors take a share of the container's CPU (slower
//     work, less capacity, so latency rises with load); memory stressors slow
//     the JVM services most and cause restarts (errors) past the limit.
//   - HTTPChaos abort/delay/replace on requests matching port, path and
//     method; IOChaos latency/fault on each disk operation (databases do
//     several per request); DNSChaos error/random on the lookups the selected
//     pods make; TimeChaos a small error rise where tokens and sessions are
//     checked (user, front-end, orders).
//   - Litmus ChaosEngine pod-delete (repeated kills every CHAOS_INTERVAL over
//     TOTAL_CHAOS_DURATION), container-kill, pod-network-latency,
//     pod-network-loss and pod-cpu-hog.
package sockshop

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"
)

// DefaultNamespace is where the Sock Shop runs unless Options says otherwise.
const DefaultNamespace = "sock-shop"

// MetricNamespace is the CloudWatch namespace of every Datum.
const MetricNamespace = "SockShop"

var (
	// ErrNoTargets is wrapped when a selector matches no pod. Its text is the
	// message Chaos Mesh's pod selector gives in that case.
	ErrNoTargets = errors.New("no pod is selected")
	// ErrUnsupported is wrapped for a kind, action or experiment the model
	// does not know.
	ErrUnsupported = errors.New("unsupported chaos")
	// ErrInvalid is wrapped for a custom resource that Chaos Mesh or Litmus
	// would reject (bad mode value, unparsable duration...).
	ErrInvalid = errors.New("invalid chaos")
)

// Options configure a Model.
type Options struct {
	// Seed makes noise and random pod selection reproducible.
	Seed int64
	// Namespace is where the Sock Shop pods live (default "sock-shop").
	Namespace string
	// Origin is the instant metric noise is drawn relative to: a period's
	// noise depends on its time since Origin (since the Unix epoch when
	// zero), so that two models started at different whole minutes with the
	// same seed give the same metrics period for period.
	Origin time.Time
}

// Pod is one Sock Shop pod as the Kubernetes API would list it.
type Pod struct {
	Name, Namespace string
	Labels          map[string]string
	Annotations     map[string]string
	Service         string // the deployment it belongs to (its "name" label)
	Node            string // spec.nodeName
	Phase           string // status.phase: always Running (a failed pod restarts in place)
	Ready           bool   // false while an active pod-failure holds it
}

// Fault is one custom resource to inject: a Chaos Mesh chaos (APIVersion
// chaos-mesh.org/v1alpha1) or a Litmus ChaosEngine (litmuschaos.io/v1alpha1).
// Namespace is the CR's metadata.namespace ("" means "default"); Spec is its
// spec, as decoded from JSON or YAML; Start is when it was created, on the
// simulator's timeline. A Chaos Mesh spec.duration ends its effect at
// Start+duration even before Remove.
type Fault struct {
	ID, APIVersion, Kind, Namespace string
	Spec                            map[string]any
	Start                           time.Time
}

// Injection is what Inject applied: the fault's ID and the pods it targets,
// sorted by namespace and name.
type Injection struct {
	ID      string
	Targets []Pod
}

// Model is the Sock Shop. Create it with New.
type Model struct {
	seed      int64
	origin    int64 // Options.Origin in Unix nanoseconds, 0 when zero
	namespace string
	pods      []podSpec // sorted by name
	bySvc     [][]int   // service index -> pod indices
	rate      []float64 // steady requests per second per service
	capacity  []float64 // requests per second one pod serves at its baseline utilisation
	byKey     map[string]int

	mu     sync.RWMutex
	active map[string]*injection
	// injected counts each fault ID's injections, for pod selection.
	injected map[string]uint64
}

// baseUtilisation is how busy a pod is under the steady load.
const baseUtilisation = 0.35

// New returns a Sock Shop with every pod running and no fault.
func New(o Options) *Model {
	ns := o.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	m := &Model{
		seed:      o.Seed,
		namespace: ns,
		pods:      buildPods(ns),
		bySvc:     make([][]int, len(services)),
		rate:      rates(),
		capacity:  make([]float64, len(services)),
		byKey:     map[string]int{},
		active:    map[string]*injection{},
		injected:  map[string]uint64{},
	}
	if !o.Origin.IsZero() {
		m.origin = o.Origin.UnixNano()
	}
	for i, p := range m.pods {
		m.bySvc[p.svc] = append(m.bySvc[p.svc], i)
		m.byKey[p.key()] = i
	}
	for i, s := range services {
		m.capacity[i] = m.rate[i] / float64(s.pods) / baseUtilisation
	}
	return m
}

// Namespace is the namespace the Sock Shop runs in.
func (m *Model) Namespace() string { return m.namespace }

// Services lists the Sock Shop services, each the value of the `service`
// dimension of its metrics.
func (m *Model) Services() []string {
	out := make([]string, len(services))
	for i, s := range services {
		out[i] = s.name
	}
	return out
}

// Pods lists every pod, sorted by name. Ready is false for a pod that an
// active (not removed) pod-failure holds.
func (m *Model) Pods() []Pod {
	m.mu.RLock()
	defer m.mu.RUnlock()
	held := map[int]bool{}
	for _, inj := range m.active {
		if inj.holdsReady {
			for _, t := range inj.targets {
				held[t] = true
			}
		}
	}
	out := make([]Pod, len(m.pods))
	for i, p := range m.pods {
		out[i] = clonePod(p.Pod)
		if held[i] {
			out[i].Ready = false
		}
	}
	return out
}

// Inject applies a fault: it resolves the CR's selector the way Chaos Mesh
// (or Litmus) does, picks pods by mode with the model's seed, and keeps the
// fault active until Remove. Injecting an ID that is already active returns
// the same Injection again. A selector matching no pod gives an error
// wrapping ErrNoTargets; an unknown kind or action one wrapping
// ErrUnsupported; a bad value one wrapping ErrInvalid.
func (m *Model) Inject(f Fault) (Injection, error) {
	if f.ID == "" {
		return Injection{}, fmt.Errorf("inject %s: %w: empty fault id", f.Kind, ErrInvalid)
	}
	m.mu.RLock()
	prev, ok := m.active[f.ID]
	m.mu.RUnlock()
	if ok {
		return m.injectionOf(prev), nil
	}
	inj, err := m.compile(f)
	if err != nil {
		return Injection{}, fmt.Errorf("inject %s %s: %w", f.Kind, f.ID, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if prev, ok := m.active[f.ID]; ok { // lost a race with the same ID
		return m.injectionOf(prev), nil
	}
	m.active[f.ID] = inj
	return m.injectionOf(inj), nil
}

// Remove ends a fault; removing an unknown ID does nothing.
func (m *Model) Remove(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.active, id)
}

// Active lists the IDs of the injected faults not yet removed, sorted.
func (m *Model) Active() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := slices.AppendSeq(make([]string, 0, len(m.active)), maps.Keys(m.active))
	slices.Sort(out)
	return out
}

func (m *Model) injectionOf(inj *injection) Injection {
	out := Injection{ID: inj.id, Targets: make([]Pod, 0, len(inj.targets))}
	for _, i := range inj.targets {
		out.Targets = append(out.Targets, clonePod(m.pods[i].Pod))
	}
	return out
}

func clonePod(p Pod) Pod {
	p.Labels = cloneMap(p.Labels)
	p.Annotations = cloneMap(p.Annotations)
	return p
}

func cloneMap(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// snapshotFaults copies the active injections, in ID order so that every
// computation over them is deterministic.
func (m *Model) snapshotFaults() []*injection {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*injection, 0, len(m.active))
	for _, inj := range m.active {
		out = append(out, inj)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}
