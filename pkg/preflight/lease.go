package preflight

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gameday-dev/gameday/pkg/experiment"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/lease"
)

// Leases takes and gives back run leases; *lease.Table satisfies it.
type Leases interface {
	Acquire(ctx context.Context, gameday, owner string, until time.Time) (lease.Lease, error)
	Release(ctx context.Context, gameday, owner string) (bool, error)
}

var _ Leases = (*lease.Table)(nil)

// takeLease takes the GameDay's lease for the execution, or refuses the run
// naming the execution that holds it (and its experiments, if it has
// started any).
func (p *Preflight) takeLease(ctx context.Context, st gameday.RunState) error {
	if p.Leases == nil {
		return nil
	}
	name, owner := st.GameDay.Metadata.Name, st.Execution.ARN
	if owner == "" {
		return errors.New("preflight: the run carries no execution ARN to hold the lease")
	}
	start := p.now()
	if t, err := time.Parse(time.RFC3339Nano, st.Execution.StartTime); err == nil && t.Before(start) {
		start = t
	}
	_, err := p.Leases.Acquire(ctx, name, owner, start.Add(p.LeaseFor))
	var held *lease.HeldError
	if !errors.As(err, &held) {
		return err
	}
	h := held.Holder
	return refuse("GameDay %s is already being run by execution %s%s (lease taken %s, expires %s): wait for that run to end, "+
		"or stop it with 'aws stepfunctions stop-execution --execution-arn %s', then start again",
		name, h.Owner, p.experimentsOf(ctx, h.Owner), h.AcquiredAt.Format(time.RFC3339), h.ExpiresAt.Format(time.RFC3339), h.Owner)
}

// keepOrRelease gives the lease back when preflight refuses the run, so
// that the next run need not wait for the sweeper. While an alarm is
// pending the state machine retries preflight, which takes the same lease
// again: it is kept.
func (p *Preflight) keepOrRelease(ctx context.Context, st gameday.RunState, refusal error) error {
	if p.Leases == nil || gameday.ErrorName(refusal) == gameday.ErrNameAlarmsPending {
		return refusal
	}
	if _, err := p.Leases.Release(ctx, st.GameDay.Metadata.Name, st.Execution.ARN); err != nil {
		return errors.Join(refusal, fmt.Errorf("give the lease back (the sweeper will): %w", err))
	}
	return refusal
}

// experimentsOf says which experiments the execution has started, for the
// refusal: ", whose experiment EXP1 is running"; empty when it has started
// none yet or FIS cannot say.
func (p *Preflight) experimentsOf(ctx context.Context, executionARN string) string {
	found, err := experiment.ByExecution(ctx, p.FIS, executionARN)
	if err != nil || len(found) == 0 {
		return ""
	}
	var ids []string
	for _, e := range found {
		ids = append(ids, aws.ToString(e.Id)+" is "+string(e.State.Status))
	}
	return ", whose experiment " + strings.Join(ids, ", experiment ")
}
