package cwsim

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
)

// TestEvaluationCadence runs Run on a clock stepped 10 s at a time, with
// a 30 s ingestion delay: a minute alarm changes state only on minute
// boundaries, a 10-second one on 10-second boundaries, and a datum counts
// once it has been ingested. The transitions' times are the evaluations'.
func TestEvaluationCadence(t *testing.T) {
	clock := simclock.NewManual(testOrigin.Add(-time.Second))
	s := New(clock, testAccount, testRegion)
	s.SetIngestionDelay(30 * time.Second)
	minute := alarmParams("minute", "GreaterThanThreshold", 50, 1, 0, "")
	high := alarmParams("high", "GreaterThanThreshold", 50, 1, 0, "")
	high["MetricName"], high["Period"] = "HighLatency", "10"
	putAlarm(t, s, minute)
	putAlarm(t, s, high)
	var mu sync.Mutex
	var got []string
	s.OnTransition(func(tr Transition) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, tr.Time.Format("15:04:05")+" "+tr.AlarmName+" "+tr.To)
	})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { s.Run(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	put := func(name string, at time.Time, v float64, highRes bool) {
		res := 60
		if highRes {
			res = 1
		}
		s.PutMetrics("SockShop", []Datum{{MetricName: name, Dimensions: map[string]string{"service": "carts"},
			Timestamp: at, Values: []float64{v}, StorageResolution: res}})
	}
	sec := func(n int) time.Time { return testOrigin.Add(time.Duration(n) * time.Second) }
	// What is put when the clock reaches a time: never a 10-second
	// boundary, so never while Run evaluates.
	puts := map[time.Time]func(){
		sec(15):  func() { put("Latency", sec(15), 100, false) },     // visible at 12:00:45: ALARM at 12:01:00
		sec(115): func() { put("Latency", sec(115), 0, false) },      // 12:01:55, visible at 12:02:25: OK at 12:03:00, not 12:02:00
		sec(135): func() { put("HighLatency", sec(135), 100, true) }, // 12:02:15, visible at 12:02:20 (5 s): ALARM at 12:02:20
	}
	waitRun := func() { // Run is waiting for its next boundary
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := clock.BlockUntil(ctx, 1); err != nil {
			t.Fatalf("Run is not waiting on the clock: %v", err)
		}
	}
	for step := sec(0); !step.After(sec(200)); step = step.Add(5 * time.Second) {
		waitRun()
		clock.Advance(step.Sub(clock.Now()))
		if f, ok := puts[step]; ok {
			f()
		}
	}
	waitRun()
	want := []string{
		"12:01:00 minute ALARM",
		"12:02:20 high ALARM",
		"12:02:50 high INSUFFICIENT_DATA", // its three periods, 12:02:20-12:02:50, hold no data
		"12:03:00 minute OK",
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("transitions (-want +got):\n%s", diff)
	}
}
