package simclock

import (
	"context"
	"testing"
	"time"
)

func TestManual(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := NewManual(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("Now() = %v, want %v", got, t0)
	}
	select {
	case got := <-c.After(0):
		if !got.Equal(t0) {
			t.Errorf("After(0) fired at %v, want %v", got, t0)
		}
	default:
		t.Error("After(0) did not fire at once")
	}
	late, early := c.After(2*time.Minute), c.After(time.Minute)
	if n := c.Waiters(); n != 2 {
		t.Fatalf("Waiters() = %d, want 2", n)
	}
	c.Advance(59 * time.Second)
	select {
	case <-early:
		t.Fatal("After(1m) fired after 59s")
	default:
	}
	c.Advance(time.Second)
	if got := <-early; !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("After(1m) fired at %v, want %v", got, t0.Add(time.Minute))
	}
	c.Advance(time.Hour)
	if got := <-late; !got.Equal(t0.Add(2 * time.Minute)) {
		t.Errorf("After(2m) fired at %v, want %v", got, t0.Add(2*time.Minute))
	}
	if got, want := c.Now(), t0.Add(time.Hour+time.Minute); !got.Equal(want) {
		t.Errorf("Now() = %v, want %v", got, want)
	}
	if n := c.Waiters(); n != 0 {
		t.Errorf("Waiters() = %d after every After fired, want 0", n)
	}
}

// TestManualBlockUntil: a test waits for the goroutine under test to reach
// its wait, then advances the clock past it, with no real sleep.
func TestManualBlockUntil(t *testing.T) {
	c := NewManual(time.Unix(0, 0))
	done := make(chan time.Time, 1)
	go func() { done <- <-c.After(5 * time.Minute) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.BlockUntil(ctx, 1); err != nil {
		t.Fatalf("BlockUntil() = %v: the sleeper never waited", err)
	}
	c.Advance(5 * time.Minute)
	if got, want := <-done, time.Unix(0, 0).Add(5*time.Minute); !got.Equal(want) {
		t.Errorf("After(5m) fired at %v, want %v", got, want)
	}
	short, cancelShort := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancelShort()
	if err := c.BlockUntil(short, 1); err == nil {
		t.Error("BlockUntil(1) with no waiter = nil, want the context's error")
	}
}

func TestManualNext(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := NewManual(t0)
	if at, ok := c.Next(); ok {
		t.Fatalf("Next() = %v with nothing pending, want none", at)
	}
	c.After(2 * time.Minute)
	c.After(time.Minute)
	if at, ok := c.Next(); !ok || !at.Equal(t0.Add(time.Minute)) {
		t.Errorf("Next() = %v, %v, want %v", at, ok, t0.Add(time.Minute))
	}
	c.Advance(time.Minute)
	if at, ok := c.Next(); !ok || !at.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("after the first fired, Next() = %v, %v, want %v", at, ok, t0.Add(2*time.Minute))
	}
	c.Advance(time.Minute)
	if at, ok := c.Next(); ok {
		t.Errorf("Next() = %v with everything fired, want none", at)
	}
}
