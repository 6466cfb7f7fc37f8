// Package simclock is the simulator's clock: one timeline for experiments,
// logs, metrics and alarm history, running Speed times faster than the wall
// clock so that a 180 s fault takes seconds locally.
package simclock

import (
	"context"
	"time"
)

// Clock is the simulator's one clock interface: every service reads the
// time from it and waits on it, so that a scaled clock (Scaled, for the
// scenario suite and `gameday sim`) and a manually advanced one (for unit
// tests) drive the same code.
type Clock interface {
	// Now is the simulated time.
	Now() time.Time
	// After returns a channel that receives once simulated d has passed.
	After(d time.Duration) <-chan time.Time
}

var _ Clock = (*Scaled)(nil)

// Scaled maps wall time to simulated time: sim = origin + (wall-start)*speed.
// The zero value is not usable; use New.
type Scaled struct {
	origin    time.Time // simulated time at start
	wallStart time.Time
	speed     float64
}

// New returns a clock that starts at origin (the wall clock's now when zero)
// and runs speed times faster than the wall clock (1 when speed <= 0).
func New(origin time.Time, speed float64) *Scaled {
	if speed <= 0 {
		speed = 1
	}
	now := time.Now()
	if origin.IsZero() {
		origin = now
	}
	return &Scaled{origin: origin.UTC(), wallStart: now, speed: speed}
}

// Speed is how many simulated seconds pass per wall-clock second.
func (c *Scaled) Speed() float64 { return c.speed }

// Now is the simulated time, in UTC.
func (c *Scaled) Now() time.Time {
	wall := time.Since(c.wallStart)
	return c.origin.Add(time.Duration(float64(wall) * c.speed))
}

// Wall converts a simulated duration into the wall-clock time it takes.
func (c *Scaled) Wall(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.speed)
}

// Sleep waits for a simulated duration, or until ctx is done.
func (c *Scaled) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(c.Wall(d))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// After returns a channel that receives once simulated d has passed (at
// once for d <= 0).
func (c *Scaled) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	time.AfterFunc(c.Wall(d), func() { ch <- c.Now() })
	return ch
}

// Anchor is the clock's mapping: simulated time origin at wall time
// wallStart. Another process can rebuild the same timeline from it.
func (c *Scaled) Anchor() (origin, wallStart time.Time) { return c.origin, c.wallStart }
