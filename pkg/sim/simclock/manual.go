package simclock

import (
	"context"
	"slices"
	"sync"
	"time"
)

var _ Clock = (*Manual)(nil)

// Manual is a clock for unit tests: its time moves only when the test
// advances it, so a test that waits for simulated time waits for nothing
// real and cannot flake on a loaded machine. The zero value is not usable;
// use NewManual.
type Manual struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	changed chan struct{} // closed and replaced when a waiter is added
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewManual returns a clock standing at now.
func NewManual(now time.Time) *Manual {
	return &Manual{now: now.UTC(), changed: make(chan struct{})}
}

// Now is the clock's time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives once the clock has been advanced
// by d (at once for d <= 0).
func (c *Manual) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{at: c.now.Add(d), ch: ch})
	close(c.changed)
	c.changed = make(chan struct{})
	return ch
}

// Advance moves the clock d forward and fires every After whose time has
// come, in time order.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	var due, kept []waiter
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
		} else {
			due = append(due, w)
		}
	}
	c.waiters = kept
	slices.SortStableFunc(due, func(a, b waiter) int { return a.at.Compare(b.at) })
	for _, w := range due {
		w.ch <- w.at
	}
}

// Next is the time of the earliest After that has not fired yet; false
// when none is pending.
func (c *Manual) Next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) == 0 {
		return time.Time{}, false
	}
	next := c.waiters[0].at
	for _, w := range c.waiters[1:] {
		if w.at.Before(next) {
			next = w.at
		}
	}
	return next, true
}

// Waiters is how many Afters have not fired yet.
func (c *Manual) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

// BlockUntil waits until at least n Afters are pending (a goroutine under
// test has reached its wait), or ctx is done.
func (c *Manual) BlockUntil(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		pending, changed := len(c.waiters), c.changed
		c.mu.Unlock()
		if pending >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}
