package policy

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/docker/go-units"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Limits bound how hard a Chaos Mesh fault may hit, where the rest of the
// policy bounds where: a NetworkChaos allowed to delay may still add 30 s,
// a StressChaos allowed at all may still take every byte of a node's
// memory. Each bound left out bounds nothing (as before limits existed).
// Every chaos of a CR is judged, in a Schedule every embedded one, in a
// chaosMesh: fault and in a raw aws:eks:inject-kubernetes-custom-resource
// action alike, by the field whatever the CR's action (Chaos Mesh applies
// every netem field of a NetworkChaos of any netem action: a delay with a
// loss: field loses packets too).
type Limits struct {
	// MaxLossPercent, MaxDuplicatePercent and MaxCorruptPercent bound a
	// NetworkChaos's loss.loss, duplicate.duplicate and corrupt.corrupt;
	// MinBandwidth its bandwidth.rate and netem rate.rate, from below.
	MaxLossPercent      *Percent `json:"maxLossPercent,omitempty"`
	MaxDuplicatePercent *Percent `json:"maxDuplicatePercent,omitempty"`
	MaxCorruptPercent   *Percent `json:"maxCorruptPercent,omitempty"`
	MinBandwidth        *Rate    `json:"minBandwidth,omitempty"`
	// MaxLatency bounds the latency a fault adds: a NetworkChaos's
	// delay.latency plus its delay.jitter, an HTTPChaos's or IOChaos's
	// delay, a JVMChaos's latency (milliseconds).
	MaxLatency *gameday.Duration `json:"maxLatency,omitempty"`
	// MaxPodsPercent bounds the share of the pods it selects a PodChaos
	// kills or fails: mode all is 100, fixed-percent and
	// random-max-percent their value; one pod (mode one, or fixed 1) is
	// always allowed, and fixed N, a count and not a share, is refused.
	MaxPodsPercent *Percent `json:"maxPodsPercent,omitempty"`
	// MaxIOPercent bounds an IOChaos's percent, the share of the file
	// operations it delays or fails (left out: 100).
	MaxIOPercent *Percent `json:"maxIOPercent,omitempty"`
	// StressLimits bound a StressChaos.
	StressLimits
}

// StressLimits bound a StressChaos (their keys are chaosMesh.limits').
type StressLimits struct {
	// MaxCPUWorkers and MaxCPULoad bound its stressors.cpu (a load left
	// out is stress-ng's full load, 100); MaxCPUWorkers a JVMChaos's
	// cpuCount too.
	MaxCPUWorkers *int     `json:"maxCPUWorkers,omitempty"`
	MaxCPULoad    *Percent `json:"maxCPULoad,omitempty"`
	// MaxMemorySize bounds its stressors.memory.size written as a size
	// (256MB), MaxMemoryPercent one written as a share of memory (50%: of
	// the container's limit, or of the node's memory without one). A size
	// left out is all the memory there is. Either refuses a JVMChaos's
	// memType (its stress fills the JVM's heap or stack whole).
	MaxMemorySize    *ByteSize `json:"maxMemorySize,omitempty"`
	MaxMemoryPercent *Percent  `json:"maxMemoryPercent,omitempty"`
	// AllowStressngStressors lets a StressChaos carry stressngStressors or
	// a stressor's options: stress-ng arguments no bound can judge. It
	// defaults to false when the policy bounds StressChaos (any of the
	// four bounds above), else to true.
	AllowStressngStressors *bool `json:"allowStressngStressors,omitempty"`
}

// Rule names of the limits, as refusals quote them.
const (
	RuleMaxLatency             = "chaosMesh.limits.maxLatency"
	RuleMaxLossPercent         = "chaosMesh.limits.maxLossPercent"
	RuleMaxDuplicatePercent    = "chaosMesh.limits.maxDuplicatePercent"
	RuleMaxCorruptPercent      = "chaosMesh.limits.maxCorruptPercent"
	RuleMinBandwidth           = "chaosMesh.limits.minBandwidth"
	RuleMaxIOPercent           = "chaosMesh.limits.maxIOPercent"
	RuleMaxPodsPercent         = "chaosMesh.limits.maxPodsPercent"
	RuleMaxCPUWorkers          = "chaosMesh.limits.maxCPUWorkers"
	RuleMaxCPULoad             = "chaosMesh.limits.maxCPULoad"
	RuleMaxMemorySize          = "chaosMesh.limits.maxMemorySize"
	RuleMaxMemoryPercent       = "chaosMesh.limits.maxMemoryPercent"
	RuleAllowStressngStressors = "chaosMesh.limits.allowStressngStressors"
)

// boundsStress says whether the limits bound StressChaos.
func (l *StressLimits) boundsStress() bool {
	return l.MaxCPUWorkers != nil || l.MaxCPULoad != nil || l.MaxMemorySize != nil || l.MaxMemoryPercent != nil
}

// stressBounds names the StressChaos bounds set.
func (l *StressLimits) stressBounds() string {
	var set []string
	for _, b := range []struct {
		name string
		set  bool
	}{{"maxCPUWorkers", l.MaxCPUWorkers != nil}, {"maxCPULoad", l.MaxCPULoad != nil}, {"maxMemorySize", l.MaxMemorySize != nil}, {"maxMemoryPercent", l.MaxMemoryPercent != nil}} {
		if b.set {
			set = append(set, b.name)
		}
	}
	return strings.Join(set, ", ")
}

// AllowsStressngStressors is allowStressngStressors with its default.
func (l *StressLimits) AllowsStressngStressors() bool {
	if l.AllowStressngStressors != nil {
		return *l.AllowStressngStressors
	}
	return !l.boundsStress()
}

// check is the limits' own well-formedness (their values' forms are
// checked as they are decoded).
func (l *Limits) check() gameday.Problems {
	const at = "spec.chaosMesh.limits."
	var ps gameday.Problems
	if w := l.MaxCPUWorkers; w != nil && *w < 0 {
		ps = append(ps, gameday.Problem{Path: at + "maxCPUWorkers", Message: fmt.Sprintf("%d is negative: write how many CPU workers a StressChaos may run (0: none)", *w)})
	}
	if a := l.AllowStressngStressors; a != nil && *a && l.boundsStress() {
		ps = append(ps, gameday.Problem{Path: at + "allowStressngStressors", Message: fmt.Sprintf("stress-ng arguments would go past %s, which cannot judge them: remove allowStressngStressors or those bounds", l.stressBounds())})
	}
	return ps
}

// Percent is a percentage bound from 0 to 100, written as a number.
type Percent float64

// UnmarshalJSON reads a number from 0 to 100.
func (p *Percent) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%s is not a percentage: write a number from 0 to 100, for example 10", b)
	}
	if f < 0 || f > 100 {
		return fmt.Errorf("%s is not a percentage from 0 to 100", b)
	}
	*p = Percent(f)
	return nil
}

func (p Percent) String() string { return strconv.FormatFloat(float64(p), 'f', -1, 64) + "%" }

// ByteSize is a memory size bound (256MB, 1GiB), read as ParseSize reads a
// StressChaos's.
type ByteSize string

// UnmarshalText reads a size.
func (s *ByteSize) UnmarshalText(b []byte) error { return readText(b, (*string)(s), ParseSize) }

// Bytes is the size in bytes.
func (s ByteSize) Bytes() int64 {
	n, _ := ParseSize(string(s))
	return n
}

// Rate is a bandwidth bound (10mbit, 1mbps), read as ParseRate reads a
// NetworkChaos's.
type Rate string

// UnmarshalText reads a rate.
func (r *Rate) UnmarshalText(b []byte) error { return readText(b, (*string)(r), ParseRate) }

// BitsPerSecond is the rate in bits per second.
func (r Rate) BitsPerSecond() float64 {
	n, _ := ParseRate(string(r))
	return n
}

// readText keeps the text b in dst when parse reads it.
func readText[T any](b []byte, dst *string, parse func(string) (T, error)) error {
	if _, err := parse(string(b)); err != nil {
		return err
	}
	*dst = string(b)
	return nil
}

// ParseSize reads a size in bytes as a StressChaos's memory size is
// written. Chaos Mesh's webhook accepts what docker/go-units' FromHumanSize
// reads (256MB, 1.5GB, 256MiB, 1024); the memStress versions that allocate
// it read MB as 10^6 (go-humanize) or as 2^20 (before 2022). So both the
// file's size and the bound are read in powers of 1024 by go-units'
// RAMInBytes (FromHumanSize's grammar, FuzzParseSizeAgreesWithChaosMesh
// holds the two together), the larger reading: a size passes when it is no
// larger than the bound written the same way, and under every reading
// when written in the same unit. A size past int64 is the largest.
func ParseSize(s string) (int64, error) {
	n, err := units.RAMInBytes(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size: write for example 256MB or 1GiB", s)
	}
	if n < 0 {
		// A float past int64 converts to the least int64 on amd64 (to
		// the most on arm64); negative sizes are errors above.
		n = math.MaxInt64
	}
	return n, nil
}

// rateUnits are the units of a Chaos Mesh Rate, as its webhook accepts
// them (v1alpha1's isValidRateUnit, unexported), with their bits per
// second. tc(8) reads them in powers of 1000 (kbit, mbps); a reader in
// powers of 1024 gives a higher rate, a milder fault, so a rate read here
// is the most a file can limit bandwidth to.
var rateUnits = []struct {
	suffix string
	bits   float64
}{
	{"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}, {"tbit", 1e12},
	{"tbps", 8e12}, {"gbps", 8e9}, {"mbps", 8e6}, {"kbps", 8e3}, {"bps", 8}, {"bit", 1},
}

// ParseRate reads a Chaos Mesh Rate (1mbps, 100kbit) in bits per second,
// as its webhook does: a whole number and a unit, case and spaces ignored.
func ParseRate(s string) (float64, error) {
	norm := strings.ToLower(strings.TrimSpace(s))
	for _, u := range rateUnits {
		if num, ok := strings.CutSuffix(norm, u.suffix); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
			if err != nil {
				break
			}
			return float64(n) * u.bits, nil
		}
	}
	return 0, fmt.Errorf("%q is not a rate: write a whole number and one of bit, kbit, mbit, gbit, tbit, bps, kbps, mbps, gbps, tbps (for example 10mbit)", s)
}

// parsePercent reads a Chaos Mesh FloatStr percentage ("5", "2.5"), as its
// webhook does (strconv.ParseFloat); NaN and infinities, which it accepts,
// cannot be judged.
func parsePercent(v any) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return 0, false
		}
	default:
		var ok bool
		if f, ok = number(v); !ok {
			return 0, false
		}
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

// number reads a plain number of a decoded custom resource.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
