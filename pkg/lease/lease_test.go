package lease

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim/ddbsim"
	"github.com/gameday-dev/gameday/pkg/sim/simclock"
)

// newTable is a lease table in the simulator, reached by the real SDK.
func newTable(t *testing.T, c *simclock.Manual) (*Table, *dynamodb.Client) {
	t.Helper()
	srv := httptest.NewServer(ddbsim.New(c, "123456789012", "us-east-1"))
	t.Cleanup(srv.Close)
	client := dynamodb.NewFromConfig(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if err := CreateTable(context.Background(), client, "leases"); err != nil {
		t.Fatal(err)
	}
	return &Table{API: client, Name: "leases", Now: c.Now}, client
}

func TestLeaseLifecycle(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	c := simclock.NewManual(t0)
	tbl, _ := newTable(t, c)
	ctx := context.Background()
	const a, b = "arn:aws:states:us-east-1:123456789012:execution:gameday:a", "arn:aws:states:us-east-1:123456789012:execution:gameday:b"

	steps := []struct {
		name      string
		at        time.Duration
		do        func() error
		wantErr   error
		wantOwner string // the lease's holder afterwards; "" none
	}{
		{"a takes the free lease", 0, func() error { _, err := tbl.Acquire(ctx, "carts", a, t0.Add(time.Hour)); return err }, nil, a},
		{"b is refused while a holds it", time.Minute, func() error { _, err := tbl.Acquire(ctx, "carts", b, t0.Add(2*time.Hour)); return err }, ErrHeld, a},
		{"a takes it again (retried preflight)", 2 * time.Minute, func() error { _, err := tbl.Acquire(ctx, "carts", a, t0.Add(time.Hour)); return err }, nil, a},
		{"b cannot release a's lease", 3 * time.Minute, func() error {
			ok, err := tbl.Release(ctx, "carts", b)
			if ok {
				return errors.New("released")
			}
			return err
		}, nil, a},
		{"b takes the expired lease", time.Hour, func() error { _, err := tbl.Acquire(ctx, "carts", b, t0.Add(3*time.Hour)); return err }, nil, b},
		{"b releases", time.Hour, func() error {
			ok, err := tbl.Release(ctx, "carts", b)
			if !ok && err == nil {
				return errors.New("not released")
			}
			return err
		}, nil, ""},
		{"releasing twice is no error", time.Hour, func() error { _, err := tbl.Release(ctx, "carts", b); return err }, nil, ""},
	}
	for _, s := range steps {
		c.Advance(t0.Add(s.at).Sub(c.Now()))
		err := s.do()
		if !errors.Is(err, s.wantErr) || (s.wantErr == nil && err != nil) {
			t.Fatalf("%s: err = %v, want %v", s.name, err, s.wantErr)
		}
		var held *HeldError
		if errors.As(err, &held) && held.Holder.Owner != a {
			t.Errorf("%s: the refusal names %s, want %s", s.name, held.Holder.Owner, a)
		}
		got, err := tbl.Get(ctx, "carts")
		if err != nil {
			t.Fatal(err)
		}
		owner := ""
		if got != nil {
			owner = got.Owner
		}
		if owner != s.wantOwner {
			t.Errorf("%s: holder %q, want %q", s.name, owner, s.wantOwner)
		}
	}
}

func TestListPages(t *testing.T) {
	c := simclock.NewManual(time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC))
	tbl, _ := newTable(t, c)
	ctx := context.Background()
	var want []string
	for _, g := range []string{"a", "b", "c"} {
		if _, err := tbl.Acquire(ctx, g, "owner-"+g, c.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		want = append(want, g)
	}
	got, err := tbl.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range got {
		names = append(names, l.GameDay)
		if !l.ExpiresAt.Equal(c.Now().Add(time.Hour)) || !l.AcquiredAt.Equal(c.Now()) {
			t.Errorf("lease %+v: times not kept", l)
		}
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}

// noOldItem is DynamoDB answering a failed condition without the old item
// (as it does when ReturnValuesOnConditionCheckFailure is not honoured):
// Acquire reads the holder back.
type noOldItem struct{ API }

func (n noOldItem) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := n.API.PutItem(ctx, in, opt...)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil, &types.ConditionalCheckFailedException{Message: ccf.Message}
	}
	return out, err
}

func TestHolderReadBackWithoutOldItem(t *testing.T) {
	c := simclock.NewManual(time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC))
	tbl, _ := newTable(t, c)
	ctx := context.Background()
	if _, err := tbl.Acquire(ctx, "carts", "first", c.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	tbl.API = noOldItem{tbl.API}
	_, err := tbl.Acquire(ctx, "carts", "second", c.Now().Add(time.Hour))
	var held *HeldError
	if !errors.As(err, &held) || held.Holder.Owner != "first" {
		t.Fatalf("err = %v, want a HeldError naming first", err)
	}
}

func TestMissingTable(t *testing.T) {
	c := simclock.NewManual(time.Now())
	tbl, _ := newTable(t, c)
	tbl.Name = "nope-table"
	_, err := tbl.Acquire(context.Background(), "carts", "x", c.Now().Add(time.Hour))
	if err == nil || errors.Is(err, ErrHeld) {
		t.Fatalf("err = %v, want the missing table", err)
	}
}
