package policy

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gameday-dev/gameday/pkg/chaoscheck"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/third_party/chaos-mesh/api/v1alpha1"
)

// limitsPolicy is a policy allowing the kinds with intensities, with
// limits.
func limitsPolicy(l Limits) *Policy {
	return &Policy{Metadata: Metadata{Name: "p"}, Spec: Rules{
		Clusters:   []string{"arn:aws:eks:us-east-1:111111111111:cluster/sandbox"},
		Namespaces: []string{"shop"},
		FISActions: []string{gameday.ActionInjectCustomResource},
		ChaosMesh: ChaosMeshRules{
			Kinds:  []string{"HTTPChaos", "IOChaos", "JVMChaos", "NetworkChaos", "PodChaos", "Schedule", "StressChaos"},
			Limits: l,
		},
	}}
}

func ptr[T any](v T) *T { return &v }

// every sets every limit: 250ms, 5 %, 10mbit, 2 CPU workers at 80 %, 256MB.
var every = Limits{
	MaxLatency:          &gameday.Duration{Duration: 250 * time.Millisecond},
	MaxLossPercent:      ptr(Percent(5)),
	MaxDuplicatePercent: ptr(Percent(1)),
	MaxCorruptPercent:   ptr(Percent(0)),
	MinBandwidth:        ptr(Rate("10mbit")),
	MaxIOPercent:        ptr(Percent(50)),
	MaxPodsPercent:      ptr(Percent(50)),
	StressLimits: StressLimits{
		MaxCPUWorkers: ptr(2),
		MaxCPULoad:    ptr(Percent(80)),
		MaxMemorySize: ptr(ByteSize("256MB")),
	},
}

// chaosOf is a GameDay with one chaosMesh: fault of kind and spec.
func chaosOf(kind string, crSpec map[string]any) *gameday.Spec {
	crSpec["selector"] = map[string]any{"namespaces": []any{"shop"}, "labelSelectors": map[string]any{"a": "b"}}
	crSpec["mode"] = "one"
	return spec(func(s *gameday.Spec) {
		s.Spec.Faults[0] = gameday.Fault{Name: "f", ChaosMesh: &gameday.CustomResource{TypeMeta: gameday.TypeMeta{Kind: kind}, Metadata: gameday.ObjectMeta{Namespace: "shop"}, Spec: crSpec}}
	})
}

// podMode is a GameDay killing pods with mode and value.
func podMode(mode, value string) *gameday.Spec {
	s := chaosOf("PodChaos", map[string]any{"action": "pod-kill"})
	s.Spec.Faults[0].ChaosMesh.Spec["mode"] = mode
	if value != "" {
		s.Spec.Faults[0].ChaosMesh.Spec["value"] = value
	}
	return s
}

// TestCheckLimits: every limit passes a value at its bound and refuses one
// just over it, in the units Chaos Mesh reads; a value that cannot be read
// is refused, not let through.
func TestCheckLimits(t *testing.T) {
	type m = map[string]any
	const at = "spec.faults[0].chaosMesh.spec."
	tests := []struct {
		name   string
		limits Limits
		spec   *gameday.Spec
		want   []string
	}{
		{"delay at the bound", every, chaosOf("NetworkChaos", m{"action": "delay", "delay": m{"latency": "200ms", "jitter": "50ms"}}), nil},
		{"delay in other units", every, chaosOf("NetworkChaos", m{"action": "delay", "delay": m{"latency": "0.25s"}}), nil},
		{"delay and jitter over", every, chaosOf("NetworkChaos", m{"action": "delay", "delay": m{"latency": "200ms", "jitter": "51ms"}}), []string{
			at + "delay: 200ms latency with 51ms jitter (up to 251ms) is more than this deployment allows (250ms) (policy p: chaosMesh.limits.maxLatency)"}},
		{"delay over", every, chaosOf("NetworkChaos", m{"action": "delay", "delay": m{"latency": "250001us"}}), []string{
			at + "delay.latency: 250001us is more than this deployment allows (250ms) (policy p: chaosMesh.limits.maxLatency)"}},
		{"delay unreadable", every, chaosOf("NetworkChaos", m{"action": "delay", "delay": m{"latency": "soon"}}), []string{
			at + `delay.latency: "soon" cannot be judged against the latency this deployment allows (250ms): write a duration such as 100ms (policy p: chaosMesh.limits.maxLatency)`}},
		// Chaos Mesh hands netem microseconds as a uint32: -1us is 71 minutes.
		{"negative latency", every, chaosOf("NetworkChaos", m{"action": "delay", "delay": m{"latency": "-1us"}}), []string{
			at + "delay.latency: -1us is negative, which Chaos Mesh may read as a delay of over an hour (it hands netem microseconds as an unsigned number): write a duration of at most 250ms (policy p: chaosMesh.limits.maxLatency)"}},
		{"negative jitter", every, chaosOf("NetworkChaos", m{"action": "delay", "delay": m{"latency": "300ms", "jitter": "-100ms"}}), []string{
			at + "delay.jitter: -100ms is negative, which Chaos Mesh may read as a delay of over an hour (it hands netem microseconds as an unsigned number): write a duration of at most 250ms (policy p: chaosMesh.limits.maxLatency)"}},
		{"loss at the bound", every, chaosOf("NetworkChaos", m{"action": "loss", "loss": m{"loss": "5"}}), nil},
		{"loss over", every, chaosOf("NetworkChaos", m{"action": "loss", "loss": m{"loss": "5.01"}}), []string{
			at + "loss.loss: 5.01% is more than this deployment allows (5%) (policy p: chaosMesh.limits.maxLossPercent)"}},
		// Chaos Mesh's webhook reads it with strconv.ParseFloat, which takes NaN.
		{"loss NaN", every, chaosOf("NetworkChaos", m{"action": "loss", "loss": m{"loss": "NaN"}}), []string{
			at + `loss.loss: "NaN" cannot be judged against the percentage this deployment allows (5%): write a number such as "5" (policy p: chaosMesh.limits.maxLossPercent)`}},
		// Chaos Mesh applies every netem field of any netem action.
		{"loss in a delay", every, chaosOf("NetworkChaos", m{"action": "delay", "delay": m{"latency": "10ms"}, "loss": m{"loss": "100"}}), []string{
			at + "loss.loss: 100% is more than this deployment allows (5%) (policy p: chaosMesh.limits.maxLossPercent)"}},
		{"duplicate at the bound", every, chaosOf("NetworkChaos", m{"action": "duplicate", "duplicate": m{"duplicate": "1"}}), nil},
		{"duplicate over", every, chaosOf("NetworkChaos", m{"action": "duplicate", "duplicate": m{"duplicate": "1.5"}}), []string{
			at + "duplicate.duplicate: 1.5% is more than this deployment allows (1%) (policy p: chaosMesh.limits.maxDuplicatePercent)"}},
		{"corrupt at the bound", every, chaosOf("NetworkChaos", m{"action": "corrupt", "corrupt": m{"corrupt": "0"}}), nil},
		{"corrupt over", every, chaosOf("NetworkChaos", m{"action": "corrupt", "corrupt": m{"corrupt": "0.1"}}), []string{
			at + "corrupt.corrupt: 0.1% is more than this deployment allows (0%) (policy p: chaosMesh.limits.maxCorruptPercent)"}},
		{"bandwidth at the bound", every, chaosOf("NetworkChaos", m{"action": "bandwidth", "bandwidth": m{"rate": "10 Mbit", "limit": 100, "buffer": 1000}}), nil},
		// 1250 kbps are 1250000 bytes, 10000000 bits a second.
		{"bandwidth in bytes", every, chaosOf("NetworkChaos", m{"action": "bandwidth", "bandwidth": m{"rate": "1250kbps", "limit": 100, "buffer": 1000}}), nil},
		{"bandwidth under", every, chaosOf("NetworkChaos", m{"action": "bandwidth", "bandwidth": m{"rate": "9999kbit", "limit": 100, "buffer": 1000}}), []string{
			at + "bandwidth.rate: 9999kbit is less bandwidth than this deployment allows (at least 10mbit) (policy p: chaosMesh.limits.minBandwidth)"}},
		{"netem rate under", every, chaosOf("NetworkChaos", m{"action": "delay", "delay": m{"latency": "1ms"}, "rate": m{"rate": "1mbps"}}), []string{
			at + "rate.rate: 1mbps is less bandwidth than this deployment allows (at least 10mbit) (policy p: chaosMesh.limits.minBandwidth)"}},
		{"http delay over", every, chaosOf("HTTPChaos", m{"target": "Request", "port": 80, "delay": "1s"}), []string{
			at + "delay: 1s is more than this deployment allows (250ms) (policy p: chaosMesh.limits.maxLatency)"}},
		{"io delay at the bound", every, chaosOf("IOChaos", m{"action": "latency", "volumePath": "/d", "delay": "250ms", "percent": int64(50)}), nil},
		{"io delay over", every, chaosOf("IOChaos", m{"action": "latency", "volumePath": "/d", "delay": "251ms", "percent": int64(1)}), []string{
			at + "delay: 251ms is more than this deployment allows (250ms) (policy p: chaosMesh.limits.maxLatency)"}},
		{"io percent over", every, chaosOf("IOChaos", m{"action": "fault", "volumePath": "/d", "errno": int64(5), "percent": int64(51)}), []string{
			at + "percent: 51% is more than this deployment allows (50%) (policy p: chaosMesh.limits.maxIOPercent)"}},
		{"io percent left out", every, chaosOf("IOChaos", m{"action": "fault", "volumePath": "/d", "errno": int64(5)}), []string{
			at[:len(at)-1] + ": without percent every file operation is injected (100%), more than this deployment allows (50%): set percent (policy p: chaosMesh.limits.maxIOPercent)"}},
		{"jvm latency at the bound", every, chaosOf("JVMChaos", m{"action": "latency", "latency": int64(250)}), nil},
		{"jvm latency over", every, chaosOf("JVMChaos", m{"action": "latency", "latency": int64(251)}), []string{
			at + "latency: 251ms is more than this deployment allows (250ms) (policy p: chaosMesh.limits.maxLatency)"}},
		{"jvm stress at the bound", every, chaosOf("JVMChaos", m{"action": "stress", "cpuCount": int64(2)}), nil},
		{"jvm stress over", every, chaosOf("JVMChaos", m{"action": "stress", "cpuCount": int64(3)}), []string{
			at + "cpuCount: 3 CPU cores are more than this deployment allows (2) (policy p: chaosMesh.limits.maxCPUWorkers)"}},
		{"jvm memory stress", every, chaosOf("JVMChaos", m{"action": "stress", "memType": "heap"}), []string{
			at + "memType: a JVM memory stress fills the JVM's heap whole, which cannot be judged against the memory this deployment allows (256MB): remove memType (policy p: chaosMesh.limits.maxMemorySize)"}},
		{"cpu at the bounds", every, chaosOf("StressChaos", m{"stressors": m{"cpu": m{"workers": int64(2), "load": int64(80)}}}), nil},
		{"cpu over", every, chaosOf("StressChaos", m{"stressors": m{"cpu": m{"workers": int64(3), "load": int64(81)}}}), []string{
			at + "stressors.cpu.load: 81% load is more than this deployment allows (80%) (policy p: chaosMesh.limits.maxCPULoad)",
			at + "stressors.cpu.workers: 3 CPU workers are more than this deployment allows (2) (policy p: chaosMesh.limits.maxCPUWorkers)",
		}},
		{"cpu at full load", every, chaosOf("StressChaos", m{"stressors": m{"cpu": m{"workers": int64(1)}}}), []string{
			at + "stressors.cpu: without load each worker runs at full load (100%), more than this deployment allows (80%): set load (policy p: chaosMesh.limits.maxCPULoad)"}},
		{"memory at the bound", every, chaosOf("StressChaos", m{"stressors": m{"memory": m{"workers": int64(4), "size": "256MB"}}}), nil},
		// Sizes are read in powers of 1024: MB as MiB, GB as GiB.
		{"memory in other units", every, chaosOf("StressChaos", m{"stressors": m{"memory": m{"workers": int64(4), "size": "0.25GB"}}}), nil},
		{"memory over", every, chaosOf("StressChaos", m{"stressors": m{"memory": m{"workers": int64(1), "size": "257MiB"}}}), []string{
			at + "stressors.memory.size: 257MiB is more than this deployment allows (256MB) (policy p: chaosMesh.limits.maxMemorySize)"}},
		// Chaos Mesh's webhook takes it; int64 does not hold it.
		{"memory past int64", every, chaosOf("StressChaos", m{"stressors": m{"memory": m{"workers": int64(1), "size": "1e20"}}}), []string{
			at + "stressors.memory.size: 1e20 is more than this deployment allows (256MB) (policy p: chaosMesh.limits.maxMemorySize)"}},
		{"memory share under a size", every, chaosOf("StressChaos", m{"stressors": m{"memory": m{"workers": int64(1), "size": "10%"}}}), []string{
			at + "stressors.memory.size: 10% of the container's memory limit (of the node's memory without one) cannot be judged against a size: write a size of at most 256MB (policy p: chaosMesh.limits.maxMemorySize)"}},
		{"memory without size", every, chaosOf("StressChaos", m{"stressors": m{"memory": m{"workers": int64(1)}}}), []string{
			at + "stressors.memory: without size the stressor takes all the memory there is (the container's limit, or the node's memory without one), more than this deployment allows (256MB): set size (policy p: chaosMesh.limits.maxMemorySize)"}},
		{"memory share at the bound", Limits{StressLimits: StressLimits{MaxMemoryPercent: ptr(Percent(50))}}, chaosOf("StressChaos", m{"stressors": m{"memory": m{"workers": int64(1), "size": "50%"}}}), nil},
		{"memory share over", Limits{StressLimits: StressLimits{MaxMemoryPercent: ptr(Percent(50))}}, chaosOf("StressChaos", m{"stressors": m{"memory": m{"workers": int64(1), "size": "51%"}}}), []string{
			at + "stressors.memory.size: 51% is more than this deployment allows (50%) (policy p: chaosMesh.limits.maxMemoryPercent)"}},
		{"memory size under a share", Limits{StressLimits: StressLimits{MaxMemoryPercent: ptr(Percent(50))}}, chaosOf("StressChaos", m{"stressors": m{"memory": m{"workers": int64(1), "size": "1MB"}}}), []string{
			at + "stressors.memory.size: a size cannot be judged against a share of memory, which depends on the container's limit: write a share of at most 50% (policy p: chaosMesh.limits.maxMemoryPercent)"}},
		{"all memory allowed", Limits{StressLimits: StressLimits{MaxMemoryPercent: ptr(Percent(100))}}, chaosOf("StressChaos", m{"stressors": m{"memory": m{"workers": int64(1)}}}), nil},
		{"stress-ng under bounds", every, chaosOf("StressChaos", m{"stressngStressors": "--cpu 64 --vm 8 --vm-bytes 100%"}), []string{
			at + "stressngStressors: a raw stress-ng command line, which cannot be judged against the bounds of this deployment (maxCPUWorkers, maxCPULoad, maxMemorySize): use stressors.cpu (workers, load) or stressors.memory (size) (policy p: chaosMesh.limits.allowStressngStressors)"}},
		{"stress-ng options", every, chaosOf("StressChaos", m{"stressors": m{"cpu": m{"workers": int64(1), "load": int64(10), "options": []any{"--cpu 64"}}}}), []string{
			at + "stressors.cpu.options: options pass raw arguments to stress-ng, which cannot be judged against the bounds of this deployment (maxCPUWorkers, maxCPULoad, maxMemorySize): remove them (policy p: chaosMesh.limits.allowStressngStressors)"}},
		{"stress-ng refused without bounds", Limits{StressLimits: StressLimits{AllowStressngStressors: ptr(false)}}, chaosOf("StressChaos", m{"stressngStressors": "--cpu 1"}), []string{
			at + "stressngStressors: a raw stress-ng command line, which this deployment does not allow: use stressors.cpu (workers, load) or stressors.memory (size) (policy p: chaosMesh.limits.allowStressngStressors)"}},
		{"one pod", every, chaosOf("PodChaos", m{"action": "pod-kill"}), nil},
		{"a share at the bound", every, podMode("fixed-percent", "50"), nil},
		{"a share over", every, podMode("fixed-percent", "51"), []string{
			at + "value: fixed-percent 51% of the pods selected is more than this deployment allows (50%) (policy p: chaosMesh.limits.maxPodsPercent)"}},
		{"a random share over", every, podMode("random-max-percent", "100"), []string{
			at + "value: random-max-percent 100% of the pods selected is more than this deployment allows (50%) (policy p: chaosMesh.limits.maxPodsPercent)"}},
		{"every pod", every, podMode("all", ""), []string{
			at + "mode: mode all acts on every pod selected (100%), more than this deployment allows (50%): use fixed-percent, or mode one (policy p: chaosMesh.limits.maxPodsPercent)"}},
		{"fixed one", every, podMode("fixed", "1"), nil},
		{"fixed count", every, podMode("fixed", "2"), []string{
			at + "value: fixed 2 pods cannot be judged as a share of the pods selected (this deployment allows 50%): use fixed-percent, or mode one (policy p: chaosMesh.limits.maxPodsPercent)"}},
		{"every pod allowed", Limits{MaxPodsPercent: ptr(Percent(100))}, podMode("all", ""), nil},
		{"any count allowed", Limits{MaxPodsPercent: ptr(Percent(100))}, podMode("fixed", "5"), nil},
		{"cpu workers left out", every, chaosOf("StressChaos", m{"stressors": m{"cpu": m{"load": int64(10)}}}), []string{
			at + "stressors.cpu.workers: a value left out cannot be judged against the CPU workers this deployment allows (2): write a whole number (policy p: chaosMesh.limits.maxCPUWorkers)"}},
		{"cpu load not a number", every, chaosOf("StressChaos", m{"stressors": m{"cpu": m{"workers": int64(1), "load": "abc"}}}), []string{
			at + `stressors.cpu.load: "abc" cannot be judged against the load this deployment allows (80%): write a whole number (policy p: chaosMesh.limits.maxCPULoad)`}},
		// Limits left out keep a policy's meaning from before they existed.
		{"no limits", Limits{}, chaosOf("StressChaos", m{"stressngStressors": "--cpu 64", "stressors": m{"cpu": m{"workers": int64(64)}, "memory": m{"workers": int64(1), "size": "100%"}}}), nil},
		{"no limits on a network", Limits{}, chaosOf("NetworkChaos", m{"action": "netem", "delay": m{"latency": "30s"}, "loss": m{"loss": "100"}}), nil},
		// Every chaos a Schedule embeds, not only its type's.
		{"in a schedule", every, chaosOf("Schedule", m{"type": "NetworkChaos", "networkChaos": m{"action": "delay", "delay": m{"latency": "1ms"}},
			"stressChaos": m{"stressors": m{"cpu": m{"workers": int64(3), "load": int64(10)}}}}), []string{
			at + "stressChaos.stressors.cpu.workers: 3 CPU workers are more than this deployment allows (2) (policy p: chaosMesh.limits.maxCPUWorkers)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(refusals(limitsPolicy(tt.limits), tt.spec, Where{}), tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

// TestCheckLimitsRaw: a raw aws:eks:inject-kubernetes-custom-resource
// action's custom resource is judged as a chaosMesh: fault's, at the raw
// action's fields.
func TestCheckLimitsRaw(t *testing.T) {
	raw := func(kind, crSpec string) *gameday.Spec {
		return spec(func(s *gameday.Spec) {
			s.Spec.Faults[0] = gameday.Fault{Name: "f", FIS: &gameday.FISAction{ActionID: gameday.ActionInjectCustomResource, Parameters: map[string]string{
				"kubernetesApiVersion": gameday.ChaosMeshAPIVersion, "kubernetesKind": kind, "kubernetesNamespace": "shop", "kubernetesSpec": crSpec, "maxDuration": "PT5M"}}}
		})
	}
	const sel = `"mode":"one","selector":{"namespaces":["shop"],"labelSelectors":{"a":"b"}}`
	tests := []struct {
		name string
		spec *gameday.Spec
		want []string
	}{
		{"within", raw("NetworkChaos", `{"action":"loss","loss":{"loss":"5"},`+sel+`}`), nil},
		{"loss", raw("NetworkChaos", `{"action":"loss","loss":{"loss":"100"},`+sel+`}`), []string{
			"spec.faults[0].fis.parameters.kubernetesSpec.loss.loss: 100% is more than this deployment allows (5%) (policy p: chaosMesh.limits.maxLossPercent)"}},
		// JSON numbers are float64.
		{"workers", raw("StressChaos", `{"stressors":{"cpu":{"workers":3,"load":80}},`+sel+`}`), []string{
			"spec.faults[0].fis.parameters.kubernetesSpec.stressors.cpu.workers: 3 CPU workers are more than this deployment allows (2) (policy p: chaosMesh.limits.maxCPUWorkers)"}},
		{"scheduled memory", raw("Schedule", `{"type":"StressChaos","stressChaos":{"stressors":{"memory":{"workers":1,"size":"1GB"}},`+sel+`}}`), []string{
			"spec.faults[0].fis.parameters.kubernetesSpec.stressChaos.stressors.memory.size: 1GB is more than this deployment allows (256MB) (policy p: chaosMesh.limits.maxMemorySize)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(refusals(limitsPolicy(every), tt.spec, Where{}), tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

// TestParseLimits: a policy's limits are read with their units, and bad
// ones are refused at their position.
func TestParseLimits(t *testing.T) {
	const head = "apiVersion: gameday/v1alpha1\nkind: GameDayPolicy\nmetadata: {name: p}\nspec:\n  chaosMesh:\n    kinds: [StressChaos]\n    limits:\n"
	p, err := Parse("p.yaml", []byte(head+"      maxLatency: 500ms\n      maxLossPercent: 2.5\n      minBandwidth: 1 Mbit\n      maxCPUWorkers: 0\n      maxMemorySize: 1GiB\n      allowStressngStressors: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	l := p.Spec.ChaosMesh.Limits
	if l.MaxLatency.Duration != 500*time.Millisecond || *l.MaxLossPercent != 2.5 || l.MinBandwidth.BitsPerSecond() != 1e6 || *l.MaxCPUWorkers != 0 || l.MaxMemorySize.Bytes() != 1<<30 || l.AllowsStressngStressors() {
		t.Errorf("limits read as %+v", l)
	}
	// TestParseExample round-trips the example policy's limits through JSON.

	tests := []struct{ name, text, want string }{
		{"unknown key", "      maxLatancy: 1s\n", `p.yaml:8:7: spec.chaosMesh.limits.maxLatancy: unknown field "maxLatancy" (did you mean "maxLatency"?)`},
		{"unknown stress key", "      maxCPUWorker: 1\n", `p.yaml:8:7: spec.chaosMesh.limits.maxCPUWorker: unknown field "maxCPUWorker" (did you mean "maxCPUWorkers"?)`},
		{"latency", "      maxLatency: fast\n", `p.yaml:8:7: spec.chaosMesh.limits.maxLatency: "fast" is not a duration`},
		{"negative latency", "      maxLatency: -1s\n", `p.yaml:8:7: spec.chaosMesh.limits.maxLatency: "-1s" is negative`},
		{"percent", "      maxLossPercent: ten\n", `p.yaml:8:7: spec.chaosMesh.limits.maxLossPercent: "ten" is not a percentage: write a number from 0 to 100, for example 10`},
		{"negative percent", "      maxCPULoad: -1\n", `p.yaml:8:7: spec.chaosMesh.limits.maxCPULoad: -1 is not a percentage from 0 to 100`},
		{"over 100", "      maxMemoryPercent: 101\n", `p.yaml:8:7: spec.chaosMesh.limits.maxMemoryPercent: 101 is not a percentage from 0 to 100`},
		{"size", "      maxMemorySize: lots\n", `p.yaml:8:7: spec.chaosMesh.limits.maxMemorySize: "lots" is not a size: write for example 256MB or 1GiB`},
		{"negative size", "      maxMemorySize: -1MB\n", `p.yaml:8:7: spec.chaosMesh.limits.maxMemorySize: "-1MB" is not a size: write for example 256MB or 1GiB`},
		{"rate", "      minBandwidth: 10mbits\n", `p.yaml:8:7: spec.chaosMesh.limits.minBandwidth: "10mbits" is not a rate: write a whole number and one of bit, kbit, mbit, gbit, tbit, bps, kbps, mbps, gbps, tbps (for example 10mbit)`},
		{"negative workers", "      maxCPUWorkers: -1\n", `p.yaml:8:7: spec.chaosMesh.limits.maxCPUWorkers: -1 is negative: write how many CPU workers a StressChaos may run (0: none)`},
		{"stress-ng past bounds", "      maxCPUWorkers: 2\n      allowStressngStressors: true\n", `p.yaml:9:7: spec.chaosMesh.limits.allowStressngStressors: stress-ng arguments would go past maxCPUWorkers, which cannot judge them: remove allowStressngStressors or those bounds`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(head+tt.text))
			if err == nil {
				t.Fatal("Parse accepted it")
			}
			if got := err.Error(); !strings.HasPrefix(got, tt.want) || strings.Contains(got, "\n") {
				t.Errorf("got %q, want one problem starting with %q", got, tt.want)
			}
		})
	}
}

// FuzzParseSizeAgreesWithChaosMesh: ParseSize accepts exactly what Chaos
// Mesh's webhook accepts for a StressChaos's memory size written as a size
// (its shares, "50%", are judged apart; "" is a size left out).
func FuzzParseSizeAgreesWithChaosMesh(f *testing.F) {
	for _, s := range []string{"256MB", "256mb", "256MiB", "1.5GB", "1024", "0", "256 MB", "256M", "1GiB", "1TB", "10KB", "MB", "256MBs", "256XB", "-1MB", "256 MiB", "1e3MB", "lots", "0x10", "1e400", "1e20"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || strings.HasSuffix(s, "%") {
			return
		}
		b := v1alpha1.Bytes(s)
		cm := len(b.Validate(nil, field.NewPath("size"))) == 0
		if _, err := ParseSize(s); (err == nil) != cm {
			t.Errorf("size %q: ParseSize error %v, Chaos Mesh accepts it: %v", s, err, cm)
		}
	})
}

// FuzzParseRateAgreesWithChaosMesh: ParseRate accepts exactly what Chaos
// Mesh's webhook accepts for a NetworkChaos's rate.
func FuzzParseRateAgreesWithChaosMesh(f *testing.F) {
	for _, s := range []string{"10mbit", "10 Mbit", "1bps", "1kbps", "1gbps", "1tbps", "1tbit", "5bit", " 10kbit ", "", "10", "10mbits", "1.5mbit", "-1mbit", "mbit", "10 m bit", "+1mbit"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := v1alpha1.Rate(s)
		cm := len(r.Validate(nil, field.NewPath("rate"))) == 0
		if _, err := ParseRate(s); (err == nil) != cm {
			t.Errorf("rate %q: ParseRate error %v, Chaos Mesh accepts it: %v", s, err, cm)
		}
	})
}

// TestLimitedFieldsAreChaosMesh: the fields the limits judge are Chaos
// Mesh's, with the types its webhook reads them as (a renamed field would
// leave a bound judging nothing).
func TestLimitedFieldsAreChaosMesh(t *testing.T) {
	for _, tt := range []struct {
		kind string
		path []string
	}{
		{"NetworkChaos", []string{"delay", "latency"}},
		{"NetworkChaos", []string{"delay", "jitter"}},
		{"NetworkChaos", []string{"loss", "loss"}},
		{"NetworkChaos", []string{"duplicate", "duplicate"}},
		{"NetworkChaos", []string{"corrupt", "corrupt"}},
		{"NetworkChaos", []string{"bandwidth", "rate"}},
		{"NetworkChaos", []string{"rate", "rate"}},
		{"HTTPChaos", []string{"delay"}},
		{"IOChaos", []string{"delay"}},
		{"IOChaos", []string{"percent"}},
		{"PodChaos", []string{"mode"}},
		{"PodChaos", []string{"value"}},
		{"JVMChaos", []string{"latency"}},
		{"JVMChaos", []string{"cpuCount"}},
		{"JVMChaos", []string{"memType"}},
		{"StressChaos", []string{"stressngStressors"}},
		{"StressChaos", []string{"stressors", "cpu", "workers"}},
		{"StressChaos", []string{"stressors", "cpu", "load"}},
		{"StressChaos", []string{"stressors", "cpu", "options"}},
		{"StressChaos", []string{"stressors", "memory", "size"}},
		{"StressChaos", []string{"stressors", "memory", "options"}},
	} {
		if !hasJSONPath(chaoscheck.SpecType(tt.kind), tt.path) {
			t.Errorf("%s has no field spec.%s", tt.kind, strings.Join(tt.path, "."))
		}
	}
}

// hasJSONPath says whether t (a struct, through pointers) has the JSON
// field path, embedded structs' fields (json:",inline") included.
func hasJSONPath(t reflect.Type, path []string) bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if len(path) == 0 {
		return true
	}
	if t == nil || t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			if hasJSONPath(f.Type, path) {
				return true
			}
		case name == path[0]:
			return hasJSONPath(f.Type, path[1:])
		}
	}
	return false
}
