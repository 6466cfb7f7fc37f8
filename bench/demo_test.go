package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/localrun"
)

// demoOutput is what make demo prints (not on a terminal), trimmed.
func demoOutput(start, end, state string) string {
	return `gameday: running sock-shop-carts-latency locally (simulator http://127.0.0.1:46607, 60x speed); Ctrl-C stops it
` + start + ` execution started
` + start + ` → Preflight
10:56:11 experiment pending, 0s of ~3m0s; carts-delay pending; alarms front-end-errors OK
` + end + ` → Succeeded
` + end + ` execution ` + state + `
verdict: passed
`
}

// TestDemoClock: the baseline is the simulated span over the speed-up, and
// the ratio the wall time over it.
func TestDemoClock(t *testing.T) {
	for _, tc := range []struct {
		name, out        string
		simulated, clock float64
		ratio            float64
		err              string
	}{
		{name: "the walkthrough", out: demoOutput("10:55:54", "11:14:56", "succeeded"), simulated: 1142, clock: 1142.0 / 60, ratio: 26.0 / (1142.0 / 60)},
		{name: "past midnight", out: demoOutput("23:59:30", "00:18:30", "succeeded"), simulated: 1140, clock: 19, ratio: 26.0 / 19},
		{name: "a failed run", out: demoOutput("10:00:00", "10:01:00", "failed"), simulated: 60, clock: 1, ratio: 26},
		{name: "no end", out: strings.Split(demoOutput("10:00:00", "10:01:00", "succeeded"), "→ Succeeded")[0], err: "no speed, execution start or execution end line"},
		{name: "no speed", out: strings.Replace(demoOutput("10:00:00", "10:01:00", "succeeded"), "60x speed", "fast", 1), err: "no speed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &Demo{Seconds: 26}
			err := d.readClock(strings.NewReader(tc.out))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("readClock: %v, want an error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
			if d.Speed != 60 || !near(d.SimulatedSeconds, tc.simulated) || !near(d.ClockSeconds, tc.clock) || !near(d.Ratio, tc.ratio) {
				t.Errorf("got speed %g, simulated %g s, clock %g s, ratio %g; want 60, %g, %g, %g", d.Speed, d.SimulatedSeconds, d.ClockSeconds, d.Ratio, tc.simulated, tc.clock, tc.ratio)
			}
		})
	}
}

// TestDemoClockReadsTheDisplay: readClock reads the lines run --local's
// progress display writes (not on a terminal) for each way an execution
// ends, so a change of their wording fails here rather than in make bench.
func TestDemoClockReadsTheDisplay(t *testing.T) {
	start := time.Date(2026, 12, 6, 23, 50, 0, 0, time.UTC)
	for _, status := range []string{"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"} {
		t.Run(status, func(t *testing.T) {
			var out bytes.Buffer
			out.WriteString("gameday: running demo locally (simulator http://127.0.0.1:1, 60x speed); Ctrl-C stops it\n")
			d := &localrun.Display{W: &out}
			d.Handle(localrun.Event{Time: start, Type: "ExecutionStarted"})
			d.Handle(localrun.Event{Time: start.Add(time.Second), Type: "StateEntered", State: "Preflight"})
			d.Handle(localrun.Event{Time: start.Add(20 * time.Minute), Type: "End", State: status})
			demo := &Demo{Seconds: 30}
			if err := demo.readClock(&out); err != nil {
				t.Fatal(err)
			}
			if demo.SimulatedSeconds != 1200 || demo.ClockSeconds != 20 || demo.Ratio != 1.5 {
				t.Errorf("got simulated %g s, clock %g s, ratio %g; want 1200, 20, 1.5", demo.SimulatedSeconds, demo.ClockSeconds, demo.Ratio)
			}
		})
	}
}
