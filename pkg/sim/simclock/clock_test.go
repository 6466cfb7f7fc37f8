package simclock

import (
	"context"
	"testing"
	"time"
)

func TestClockRunsFaster(t *testing.T) {
	origin := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := New(origin, 100)
	if got := c.Now(); got.Before(origin) || got.Sub(origin) > time.Second*10 {
		t.Fatalf("Now() = %v right after New, want close to %v", got, origin)
	}
	before, wallBefore := c.Now(), time.Now()
	if err := c.Sleep(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if elapsed := c.Now().Sub(before); elapsed < 10*time.Second {
		t.Errorf("after a simulated 10s sleep, %v passed", elapsed)
	}
	// 10 simulated seconds are 100 ms of wall time at speed 100.
	if wall := time.Since(wallBefore); wall > 5*time.Second {
		t.Errorf("a simulated 10s sleep took %v of wall time, want about 100ms", wall)
	}
	if got, want := c.Wall(time.Minute), 600*time.Millisecond; got != want {
		t.Errorf("Wall(1m) = %v, want %v", got, want)
	}
	o, w := c.Anchor()
	if !o.Equal(origin) || w.IsZero() {
		t.Errorf("Anchor() = %v, %v", o, w)
	}
}

func TestSleepHonoursContext(t *testing.T) {
	c := New(time.Time{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); err == nil {
		t.Error("Sleep on a cancelled context returned nil")
	}
}

func TestZeroSpeedIsRealTime(t *testing.T) {
	if got := New(time.Time{}, 0).Speed(); got != 1 {
		t.Errorf("Speed() = %v, want 1", got)
	}
}
