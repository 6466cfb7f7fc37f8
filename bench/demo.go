package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// Demo is make demo against its baseline in the same run: the time its
// scaled clock alone needs, the simulated time from the execution's start
// to its end (as the run's progress lines stamp them, on the simulator's
// clock) over the clock's speed-up. Ratio is how many times that the demo
// took: the orchestrator's overhead (building the CLI, starting the
// simulator, the Lambdas, the interpreter, the archive's download).
type Demo struct {
	Seconds          float64 `json:"seconds"`
	ExitCode         int     `json:"exitCode"`
	SimulatedSeconds float64 `json:"simulatedSeconds"`
	Speed            float64 `json:"speed"`
	// ClockSeconds is SimulatedSeconds / Speed.
	ClockSeconds float64 `json:"clockSeconds"`
	// Ratio is Seconds / ClockSeconds.
	Ratio float64 `json:"ratio"`
}

func measureDemo(ctx context.Context) (*Demo, error) {
	start := time.Now()
	cmd := exec.CommandContext(ctx, "make", "-s", "demo")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	err := cmd.Run()
	d := &Demo{Seconds: time.Since(start).Seconds()}
	if err != nil {
		d.ExitCode = -1
		if ee, ok := err.(*exec.ExitError); ok {
			d.ExitCode = ee.ExitCode()
		}
	}
	if err := d.readClock(&out); err != nil {
		return nil, fmt.Errorf("make demo (exit %d): %w", d.ExitCode, err)
	}
	return d, nil
}

// What gameday run --local prints (not on a terminal): its speed-up, then
// each step stamped on the simulator's clock.
var (
	speedLine = regexp.MustCompile(`(?m)^gameday: running .* locally \(simulator .*, ([0-9.]+)x speed\)`)
	startLine = regexp.MustCompile(`(?m)^(\d\d:\d\d:\d\d) execution started$`)
	endLine   = regexp.MustCompile(`(?m)^(\d\d:\d\d:\d\d) execution (succeeded|failed|aborted|timed_out)$`)
)

// readClock reads the speed-up and the simulated span from the demo's
// output, and sets the baseline and the ratio.
func (d *Demo) readClock(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	out := string(b)
	sp, st, en := speedLine.FindStringSubmatch(out), startLine.FindStringSubmatch(out), endLine.FindStringSubmatch(out)
	if sp == nil || st == nil || en == nil {
		return fmt.Errorf("no speed, execution start or execution end line in its output:\n%s", out)
	}
	speed, err := strconv.ParseFloat(sp[1], 64)
	if err != nil || speed <= 0 {
		return fmt.Errorf("speed %q", sp[1])
	}
	from, err1 := time.Parse(time.TimeOnly, st[1])
	to, err2 := time.Parse(time.TimeOnly, en[1])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("times %s, %s", st[1], en[1])
	}
	span := to.Sub(from)
	if span < 0 { // past midnight on the simulator's clock
		span += 24 * time.Hour
	}
	d.Speed, d.SimulatedSeconds = speed, span.Seconds()
	d.ClockSeconds = d.SimulatedSeconds / speed
	if d.ClockSeconds > 0 {
		d.Ratio = d.Seconds / d.ClockSeconds
	}
	return nil
}

func demoTable(d *Demo) string {
	return fmt.Sprintf("make demo: %.2fx the time its scaled clock alone needs (%s simulated at %gx: %.1f s; the demo %.1f s wall, exit %d)\n",
		d.Ratio, time.Duration(d.SimulatedSeconds*float64(time.Second)).Round(time.Second), d.Speed, d.ClockSeconds, d.Seconds, d.ExitCode)
}
