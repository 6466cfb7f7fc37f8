// Package lease is the run lease: one DynamoDB item per GameDay, held by
// the Step Functions execution that runs it, so that two executions of one
// GameDay never both pass preflight. It is taken with a conditional
// PutItem (no item, an expired one, or one this execution already holds),
// released with a conditional DeleteItem (only by its holder), and carries
// its expiry as the table's TTL attribute (epoch seconds) so that DynamoDB
// deletes forgotten leases; readers compare the expiry themselves, since
// DynamoDB may keep an expired item for days.
package lease

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gameday-dev/gameday/pkg/awserr"
)

// Attribute names of a lease item. AttrExpiresAt is the table's TTL
// attribute.
const (
	AttrGameDay    = "gameday"
	AttrOwner      = "owner"
	AttrAcquiredAt = "acquiredAt"
	AttrExpiresAt  = "expiresAt"
)

// API is what the lease calls; *dynamodb.Client satisfies it.
type API interface {
	dynamodb.ScanAPIClient
	PutItem(ctx context.Context, params *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, params *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	DeleteItem(ctx context.Context, params *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Slack is what a lease lasts past its execution's longest possible end
// (start + execution timeout): the guard and the sweeper give back a lease
// whose execution has ended; past Slack, the lease has expired anyway.
const Slack = 20 * time.Minute

// Lease is one GameDay's lease.
type Lease struct {
	GameDay    string
	Owner      string // the holding execution's ARN
	AcquiredAt time.Time
	ExpiresAt  time.Time
}

// Expired reports whether the lease has expired at now.
func (l Lease) Expired(now time.Time) bool { return !now.Before(l.ExpiresAt) }

// ErrHeld is what Acquire returns (as a *HeldError) when another execution
// holds the lease.
var ErrHeld = errors.New("lease held by another execution")

// HeldError names the holder of a lease.
type HeldError struct{ Holder Lease }

func (e *HeldError) Error() string {
	return fmt.Sprintf("GameDay %s is leased to execution %s until %s", e.Holder.GameDay, e.Holder.Owner, e.Holder.ExpiresAt.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrHeld) true.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Table is the lease table.
type Table struct {
	API  API
	Name string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (t *Table) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// acquireCondition lets the put through when there is no lease, when it has
// expired, or when this owner holds it already (a retried preflight).
const acquireCondition = "attribute_not_exists(#g) OR #e <= :now OR #o = :owner"

// Acquire takes gameday's lease for owner until the given time. When
// another execution holds it, the error is a *HeldError naming it.
func (t *Table) Acquire(ctx context.Context, gameday, owner string, until time.Time) (Lease, error) {
	now := t.now().UTC()
	l := Lease{GameDay: gameday, Owner: owner, AcquiredAt: now, ExpiresAt: until.UTC().Truncate(time.Second)}
	// Two tries: a holder seen failing the condition may release before we
	// read it back.
	for range 2 {
		_, err := t.API.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                           aws.String(t.Name),
			Item:                                item(l),
			ConditionExpression:                 aws.String(acquireCondition),
			ExpressionAttributeNames:            map[string]string{"#g": AttrGameDay, "#e": AttrExpiresAt, "#o": AttrOwner},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":now": epoch(now), ":owner": &types.AttributeValueMemberS{Value: owner}},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		var ccf *types.ConditionalCheckFailedException
		if !errors.As(err, &ccf) {
			if err != nil {
				return Lease{}, fmt.Errorf("take lease of %s: %w", gameday, awserr.Classify(err))
			}
			return l, nil
		}
		// DynamoDB returns the holder with ALL_OLD; read it when it does not.
		holder, ok := parse(ccf.Item)
		if !ok {
			got, err := t.Get(ctx, gameday)
			if err != nil {
				return Lease{}, err
			}
			if got == nil {
				continue
			}
			holder = *got
		}
		return Lease{}, &HeldError{Holder: holder}
	}
	return Lease{}, fmt.Errorf("take lease of %s: it was released and taken again while we looked: try again", gameday)
}

// Release gives gameday's lease up if owner holds it. It reports whether it
// deleted the lease; a lease already gone, or held by another execution, is
// left alone and is not an error.
func (t *Table) Release(ctx context.Context, gameday, owner string) (bool, error) {
	_, err := t.API.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(t.Name),
		Key:                       key(gameday),
		ConditionExpression:       aws.String("#o = :owner"),
		ExpressionAttributeNames:  map[string]string{"#o": AttrOwner},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: owner}},
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("release lease of %s: %w", gameday, awserr.Classify(err))
	}
	return true, nil
}

// Get reads gameday's lease (consistently); nil when there is none.
func (t *Table) Get(ctx context.Context, gameday string) (*Lease, error) {
	out, err := t.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.Name), Key: key(gameday), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read lease of %s: %w", gameday, awserr.Classify(err))
	}
	l, ok := parse(out.Item)
	if !ok {
		return nil, nil
	}
	return &l, nil
}

// List reads every lease in the table, expired ones included, through the
// real Scan paginator.
func (t *Table) List(ctx context.Context) ([]Lease, error) {
	var out []Lease
	p := dynamodb.NewScanPaginator(t.API, &dynamodb.ScanInput{TableName: aws.String(t.Name), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list leases: %w", awserr.Classify(err))
		}
		for _, it := range page.Items {
			if l, ok := parse(it); ok {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

func key(gameday string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrGameDay: &types.AttributeValueMemberS{Value: gameday}}
}

func epoch(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}

func item(l Lease) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrGameDay:    &types.AttributeValueMemberS{Value: l.GameDay},
		AttrOwner:      &types.AttributeValueMemberS{Value: l.Owner},
		AttrAcquiredAt: &types.AttributeValueMemberS{Value: l.AcquiredAt.Format(time.RFC3339)},
		AttrExpiresAt:  epoch(l.ExpiresAt),
	}
}

// parse reads a lease item; ok is false for an empty or foreign item.
func parse(it map[string]types.AttributeValue) (Lease, bool) {
	var l Lease
	g, ok1 := it[AttrGameDay].(*types.AttributeValueMemberS)
	o, ok2 := it[AttrOwner].(*types.AttributeValueMemberS)
	e, ok3 := it[AttrExpiresAt].(*types.AttributeValueMemberN)
	if !ok1 || !ok2 || !ok3 {
		return l, false
	}
	secs, err := strconv.ParseInt(e.Value, 10, 64)
	if err != nil {
		return l, false
	}
	l.GameDay, l.Owner, l.ExpiresAt = g.Value, o.Value, time.Unix(secs, 0).UTC()
	if a, ok := it[AttrAcquiredAt].(*types.AttributeValueMemberS); ok {
		l.AcquiredAt, _ = time.Parse(time.RFC3339, a.Value)
	}
	return l, true
}
