package preflight

import (
	"context"
	"strings"
	"testing"
	"time"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment/experimenttest"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/lease"
)

// fakeLeases is a stateful lease table: one holder per GameDay.
type fakeLeases struct {
	held     map[string]lease.Lease
	released []string
}

func (f *fakeLeases) Acquire(_ context.Context, g, owner string, until time.Time) (lease.Lease, error) {
	if h, ok := f.held[g]; ok && h.Owner != owner {
		return lease.Lease{}, &lease.HeldError{Holder: h}
	}
	l := lease.Lease{GameDay: g, Owner: owner, AcquiredAt: t0, ExpiresAt: until}
	f.held[g] = l
	return l, nil
}

func (f *fakeLeases) Release(_ context.Context, g, owner string) (bool, error) {
	if h, ok := f.held[g]; ok && h.Owner == owner {
		delete(f.held, g)
		f.released = append(f.released, owner)
		return true, nil
	}
	return false, nil
}

const (
	execA = "arn:aws:states:us-east-1:123456789012:execution:gameday:a"
	execB = "arn:aws:states:us-east-1:123456789012:execution:gameday:b"
)

func TestPreflightLease(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(cw *fakeCloudWatch, f *experimenttest.FIS, l *fakeLeases)
		wantErr    string // error name; "" passes
		wantCause  []string
		wantHolder string // the lease's holder afterwards
	}{
		{name: "free: taken until start + LeaseFor", wantHolder: execB},
		{name: "held by a running execution: refused, naming it and its experiment", setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, l *fakeLeases) {
			l.held["carts-latency"] = lease.Lease{GameDay: "carts-latency", Owner: execA, AcquiredAt: t0, ExpiresAt: t0.Add(2 * time.Hour)}
			f.AddExperiment("EXP-a", fistypes.ExperimentStatusInitiating, map[string]string{deploy.TagExecution: execA})
		}, wantErr: gameday.ErrNamePreflightFailed, wantCause: []string{execA, "whose experiment EXP-a is initiating", "stop-execution"}, wantHolder: execA},
		{name: "a later check refuses: the lease is given back", setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, l *fakeLeases) {
			cw.add("existing-slo-alarm", cwtypes.StateValueAlarm)
		}, wantErr: gameday.ErrNamePreflightFailed, wantCause: []string{"in ALARM"}},
		{name: "an alarm is pending: the lease is kept for the retry", setup: func(cw *fakeCloudWatch, f *experimenttest.FIS, l *fakeLeases) {
			cw.NewState = cwtypes.StateValueInsufficientData
		}, wantErr: gameday.ErrNameAlarmsPending, wantHolder: execB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cw := &fakeCloudWatch{NewState: cwtypes.StateValueOk}
			cw.add("existing-slo-alarm", cwtypes.StateValueOk)
			f := &experimenttest.FIS{}
			l := &fakeLeases{held: map[string]lease.Lease{}}
			if tt.setup != nil {
				tt.setup(cw, f, l)
			}
			p := newPreflight(cw, f)
			p.Leases, p.LeaseFor = l, 2*time.Hour
			st := gameday.RunState{RunInput: gameday.RunInput{GameDay: testSpec()},
				Execution: gameday.Execution{ARN: execB, Name: "b", StartTime: t0.Add(-time.Minute).Format(time.RFC3339)}}
			_, err := p.Handle(context.Background(), st)
			if got := errName(err); got != tt.wantErr {
				t.Fatalf("error %q (%v), want %q", got, err, tt.wantErr)
			}
			for _, w := range tt.wantCause {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the refusal does not say %q: %v", w, err)
				}
			}
			if got := l.held["carts-latency"].Owner; got != tt.wantHolder {
				t.Errorf("holder afterwards %q, want %q", got, tt.wantHolder)
			}
			if tt.name == "free: taken until start + LeaseFor" {
				if got, want := l.held["carts-latency"].ExpiresAt, t0.Add(-time.Minute+2*time.Hour); !got.Equal(want) {
					t.Errorf("expires %s, want the execution's start + LeaseFor %s", got, want)
				}
			}
		})
	}
}

func errName(err error) string {
	if err == nil {
		return ""
	}
	return gameday.ErrorName(err)
}
