package simtest

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/gameday-dev/gameday/pkg/sim/simnet"
)

// Epoch is where a manual clock starts: far from the wall clock, so that a
// test tells simulated time from wall time.
var Epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// NewManual starts a simulator on a manual clock standing at Epoch, for a
// test running inside a synctest bubble (synctest.Test): simulated time
// moves only when the test advances it, and the Clock's Advance returns
// once the simulator has done everything that time asked of it, so that
// nothing waits on the wall clock and nothing depends on the machine's
// load. The SDK clients made from the config reach the simulator's real
// HTTP server over in-memory connections (simnet) instead of TCP, since a
// goroutine waiting on a socket never counts as idle in a bubble.
// o.Clock is ignored; o.Speed does not apply.
func NewManual(t testing.TB, o sim.Options) (*sim.Server, aws.Config, *Clock) {
	t.Helper()
	clock := &Clock{Manual: simclock.NewManual(Epoch)}
	o.Clock = clock.Manual
	s, err := sim.New(o)
	if err != nil {
		t.Fatalf("new simulator: %v", err)
	}
	ln := simnet.NewListener()
	if err := s.Serve(ln); err != nil {
		_ = s.Close()
		t.Fatalf("start simulator: %v", err)
	}
	client := ln.Client()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close simulator: %v", err)
		}
		client.CloseIdleConnections()
	})
	cfg := Config(s)
	cfg.HTTPClient = client
	return s, cfg, clock
}

// Clock is a simulator's manual clock, advanced from inside a synctest
// bubble.
type Clock struct {
	*simclock.Manual
}

// Advance moves simulated time d forward as a discrete-event simulation
// does: it fires the pending Afters one due time after another and, after
// each, waits until every other goroutine of the bubble is blocked again
// (synctest.Wait), so that each wakeup is handled at its own time, before
// the clock moves on.
func (c *Clock) Advance(d time.Duration) {
	end := c.Now().Add(d)
	synctest.Wait()
	for {
		next, ok := c.Next()
		if !ok || next.After(end) {
			break
		}
		c.Manual.Advance(next.Sub(c.Now()))
		synctest.Wait()
	}
	c.Manual.Advance(end.Sub(c.Now()))
	synctest.Wait()
}

// Until advances the clock by step until cond holds, and fails the test
// when simulated limit passes first; what names the awaited condition.
func (c *Clock) Until(t testing.TB, step, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	synctest.Wait()
	deadline := c.Now().Add(limit)
	for !cond() {
		if !c.Now().Before(deadline) {
			t.Fatalf("%s: not after %v of simulated time", what, limit)
		}
		c.Advance(step)
	}
}
