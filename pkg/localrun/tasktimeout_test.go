package localrun

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/sim"
)

// A Task's timeout bounds its Lambda's run, and a Lambda runs in real time
// however fast the simulated clock goes: at the suite's 120x, a Task of
// TimeoutSeconds 5 gives its Lambda 5 s of wall time (not 42 ms), and still
// times out, after those 5 s, a Lambda that takes longer. The execution's
// own timeout stays on the simulated clock (TestScenarioExecutionTimedOut).
func TestTaskTimeoutIsWallTime(t *testing.T) {
	needNode(t)
	const timeout = 5 * time.Second
	tests := []struct {
		name string
		// takes is how long the Lambda runs; 0: until the test ends.
		takes      time.Duration
		wantStatus string
		wantError  string
	}{
		// 200 ms is 24 simulated seconds at 120x, about five times the
		// Task's 5 s, which bound the Lambda's real time.
		{name: "a Lambda within the timeout", takes: 200 * time.Millisecond, wantStatus: "SUCCEEDED"},
		{name: "a Lambda that never returns", wantStatus: "FAILED", wantError: "States.Timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSim(t, sim.Options{})
			release := make(chan struct{})
			defer close(release)
			srv.Lambda().Register("slow", invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
				wait := (<-chan time.Time)(nil)
				if tt.takes > 0 {
					wait = time.After(tt.takes)
				}
				select {
				case <-wait:
				case <-release:
				}
				return []byte(`{"done":true}`), nil
			}))
			def := fmt.Sprintf(`{"StartAt":"Slow","TimeoutSeconds":3600,"States":{"Slow":{"Type":"Task","Resource":%q,"TimeoutSeconds":%d,"End":true}}}`,
				srv.Lambda().FunctionARN("slow"), int(timeout.Seconds()))
			ex := execution{def: def, name: "slow", stateMachineARN: stateMachineARN(srv),
				arn: fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:slow", srv.Region(), srv.Account(), stateMachineName)}
			// The interpreter's events carry its (simulated) time: it
			// reports the state entered before it starts the Task's timer,
			// and the failure after the timer fired.
			var entered, failed time.Time
			o := Options{rawInput: []byte(`{}`), Progress: func(e Event) {
				switch e.Type {
				case "StateEntered":
					entered = e.Time
				case "StateFailed":
					failed = e.Time
				}
			}}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			res := &Result{}
			if err := interpret(ctx, o, srv, ex, res); err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.wantStatus || res.Error != tt.wantError {
				t.Fatalf("execution %s %s: %s; want %s %s", res.Status, res.Error, res.Cause, tt.wantStatus, tt.wantError)
			}
			// On the wall clock, the timeout comes `timeout` of wall time
			// after the Task was entered: speed times that on the
			// interpreter's clock (less its millisecond rounding).
			want := time.Duration(float64(timeout)*srv.ScaledClock().Speed()) - time.Second
			if waited := failed.Sub(entered); tt.wantError != "" && waited < want {
				t.Errorf("the Task timed out %v (simulated) after it was entered, want at least %v: its %v of wall time", waited, want, timeout)
			}
		})
	}
}
