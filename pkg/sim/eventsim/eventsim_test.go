package eventsim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gameday-dev/gameday/pkg/sim/eventsim"
)

const (
	account = "123456789012"
	region  = "eu-west-1"
)

var t0 = time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)

// fixedClock is a clock that stands still at t.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// After never fires: a clock that stands still does not reach a later time.
func (c fixedClock) After(time.Duration) <-chan time.Time { return nil }

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// newClient serves a fresh Service over HTTP and returns it with an SDK
// client pointed at it.
func newClient(t *testing.T) (*eventsim.Service, *eventbridge.Client, string) {
	t.Helper()
	svc := eventsim.New(fixedClock{t0}, account, region)
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	c := eventbridge.New(eventbridge.Options{
		Region:       region,
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
	})
	return svc, c, srv.URL
}

func entry(source, detailType, detail string) types.PutEventsRequestEntry {
	e := types.PutEventsRequestEntry{}
	if source != "" {
		e.Source = aws.String(source)
	}
	if detailType != "" {
		e.DetailType = aws.String(detailType)
	}
	if detail != "" {
		e.Detail = aws.String(detail)
	}
	return e
}

func onBus(e types.PutEventsRequestEntry, bus string) types.PutEventsRequestEntry {
	e.EventBusName = aws.String(bus)
	return e
}

// result is a PutEventsResultEntry with the event id reduced to whether it
// is a UUID.
type result struct {
	UUID              bool
	ErrorCode, ErrMsg string
}

func TestPutEventsEntries(t *testing.T) {
	good := entry("gameday", "GameDay Completed", `{"verdict":"passed"}`)
	tests := []struct {
		name       string
		entries    []types.PutEventsRequestEntry
		wantFailed int32
		want       []result
		wantStored int
	}{
		{
			name:    "one good entry on the default bus",
			entries: []types.PutEventsRequestEntry{good},
			want:    []result{{UUID: true}}, wantStored: 1,
		},
		{
			name:    "by name and by ARN",
			entries: []types.PutEventsRequestEntry{onBus(good, "default"), onBus(good, "arn:aws:events:eu-west-1:123456789012:event-bus/default")},
			want:    []result{{UUID: true}, {UUID: true}}, wantStored: 2,
		},
		{
			name: "missing fields fail their own entry only",
			entries: []types.PutEventsRequestEntry{
				entry("", "t", `{}`), good, entry("s", "", `{}`), entry("s", "t", ""),
			},
			wantFailed: 3,
			want: []result{
				{ErrorCode: "InvalidArgument", ErrMsg: "Parameter Source is not valid. Reason: Source is a required argument."},
				{UUID: true},
				{ErrorCode: "InvalidArgument", ErrMsg: "Parameter DetailType is not valid. Reason: DetailType is a required argument."},
				{ErrorCode: "InvalidArgument", ErrMsg: "Parameter Detail is not valid. Reason: Detail is a required argument."},
			},
			wantStored: 1,
		},
		{
			name: "detail must be a JSON object",
			entries: []types.PutEventsRequestEntry{
				entry("s", "t", `not json`), entry("s", "t", `[1,2]`), entry("s", "t", `"text"`), entry("s", "t", `null`), entry("s", "t", `{"a":[1]}`),
			},
			wantFailed: 4,
			want: []result{
				{ErrorCode: "MalformedDetail", ErrMsg: "Detail is malformed."},
				{ErrorCode: "MalformedDetail", ErrMsg: "Detail is malformed."},
				{ErrorCode: "MalformedDetail", ErrMsg: "Detail is malformed."},
				{ErrorCode: "MalformedDetail", ErrMsg: "Detail is malformed."},
				{UUID: true},
			},
			wantStored: 1,
		},
		{
			name:       "aws. sources are reserved",
			entries:    []types.PutEventsRequestEntry{entry("aws.fis", "t", `{}`)},
			wantFailed: 1,
			want:       []result{{ErrorCode: "NotAuthorizedForSourceException", ErrMsg: "Not authorized for the source."}},
		},
		{
			name:       "unknown bus",
			entries:    []types.PutEventsRequestEntry{onBus(good, "gameday-bus"), onBus(good, "arn:aws:events:eu-west-1:999999999999:event-bus/default")},
			wantFailed: 2,
			want: []result{
				{ErrorCode: "ResourceNotFoundException", ErrMsg: "Event bus gameday-bus does not exist."},
				{ErrorCode: "ResourceNotFoundException", ErrMsg: "Event bus arn:aws:events:eu-west-1:999999999999:event-bus/default does not exist."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, c, _ := newClient(t)
			out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: tt.entries})
			if err != nil {
				t.Fatalf("PutEvents: %v", err)
			}
			if out.FailedEntryCount != tt.wantFailed {
				t.Errorf("FailedEntryCount = %d, want %d", out.FailedEntryCount, tt.wantFailed)
			}
			var got []result
			ids := map[string]bool{}
			for _, e := range out.Entries {
				id := aws.ToString(e.EventId)
				got = append(got, result{UUID: uuidRE.MatchString(id), ErrorCode: aws.ToString(e.ErrorCode), ErrMsg: aws.ToString(e.ErrorMessage)})
				if id != "" {
					if ids[id] {
						t.Errorf("event id %s returned twice", id)
					}
					ids[id] = true
				}
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("entries (-got +want):\n%s", diff)
			}
			stored := svc.Events()
			if len(stored) != tt.wantStored {
				t.Fatalf("stored %d events, want %d", len(stored), tt.wantStored)
			}
			for _, ev := range stored {
				if !ids[ev.ID] {
					t.Errorf("stored event %s was not among the returned ids %v", ev.ID, ids)
				}
			}
		})
	}
}

func TestPutEventsStoresEvents(t *testing.T) {
	svc, c, _ := newClient(t)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e1 := entry("gameday", "GameDay Completed", `{"gameday":"carts","verdict":"passed"}`)
	e1.Resources = []string{"arn:aws:states:eu-west-1:123456789012:execution:gameday:run-1"}
	e2 := entry("tests", "Other", `{"n":1}`)
	e2.Time = aws.Time(at)
	if _, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{e1, e2}}); err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
	want := []eventsim.Event{
		{
			Version: "0", DetailType: "GameDay Completed", Source: "gameday", Account: account, Region: region,
			Time: t0, Resources: []string{"arn:aws:states:eu-west-1:123456789012:execution:gameday:run-1"},
			Detail: json.RawMessage(`{"gameday":"carts","verdict":"passed"}`), EventBusName: "default", Received: t0,
		},
		{
			Version: "0", DetailType: "Other", Source: "tests", Account: account, Region: region,
			Time: at, Resources: []string{}, Detail: json.RawMessage(`{"n":1}`), EventBusName: "default", Received: t0,
		},
	}
	if diff := cmp.Diff(svc.Events(), want, cmpopts.IgnoreFields(eventsim.Event{}, "ID")); diff != "" {
		t.Errorf("Events() (-got +want):\n%s", diff)
	}
	b, err := json.Marshal(svc.Events()[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"detail-type":"GameDay Completed"`, `"source":"gameday"`, `"detail":{"gameday":"carts","verdict":"passed"}`, `"eventBusName":"default"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("event JSON %s lacks %s", b, key)
		}
	}
}

func TestPutEventsRequestErrors(t *testing.T) {
	big := `{"pad":"` + strings.Repeat("x", eventsim.MaxRequestSize) + `"}`
	half := `{"pad":"` + strings.Repeat("x", eventsim.MaxRequestSize/2) + `"}`
	many := make([]types.PutEventsRequestEntry, eventsim.MaxEntries+1)
	for i := range many {
		many[i] = entry("s", "t", `{}`)
	}
	tests := []struct {
		name     string
		entries  []types.PutEventsRequestEntry
		wantCode string
		wantMsg  string
	}{
		{"no entries", []types.PutEventsRequestEntry{}, "ValidationException", "Member must have length greater than or equal to 1"},
		{"eleven entries", many, "ValidationException", "Member must have length less than or equal to 10"},
		{"one entry over 256 KB", []types.PutEventsRequestEntry{entry("s", "t", big)}, "ValidationException", "Total size of the entries in the request is over the limit."},
		{"two entries over 256 KB together", []types.PutEventsRequestEntry{entry("s", "t", half), entry("s", "t", half)}, "ValidationException", "Total size of the entries in the request is over the limit."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, c, _ := newClient(t)
			_, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: tt.entries})
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("PutEvents error = %v, want an API error", err)
			}
			if ae.ErrorCode() != tt.wantCode || !strings.Contains(ae.ErrorMessage(), tt.wantMsg) {
				t.Errorf("error = %s: %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), tt.wantCode, tt.wantMsg)
			}
			if n := len(svc.Events()); n != 0 {
				t.Errorf("stored %d events from a refused request", n)
			}
		})
	}
}

func TestPutEventsAtTheSizeLimit(t *testing.T) {
	svc, c, _ := newClient(t)
	// Source (1) + DetailType (1) + Detail: exactly 256 KB is accepted.
	detail := `{"p":"` + strings.Repeat("x", eventsim.MaxRequestSize-2-len(`{"p":""}`)) + `"}`
	out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry("s", "t", detail)}})
	if err != nil {
		t.Fatalf("PutEvents at the limit: %v", err)
	}
	if out.FailedEntryCount != 0 || len(svc.Events()) != 1 {
		t.Errorf("FailedEntryCount = %d, stored %d; want 0 and 1", out.FailedEntryCount, len(svc.Events()))
	}
}

func TestEventBuses(t *testing.T) {
	ctx := context.Background()
	_, c, _ := newClient(t)
	list := func() []string {
		t.Helper()
		out, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
		if err != nil {
			t.Fatalf("ListEventBuses: %v", err)
		}
		var got []string
		for _, b := range out.EventBuses {
			got = append(got, aws.ToString(b.Name)+" "+aws.ToString(b.Arn))
		}
		return got
	}
	if diff := cmp.Diff(list(), []string{"default arn:aws:events:eu-west-1:123456789012:event-bus/default"}); diff != "" {
		t.Errorf("ListEventBuses (-got +want):\n%s", diff)
	}

	_, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("gameday")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Event bus gameday does not exist." {
		t.Fatalf("DescribeEventBus(gameday) error = %v, want ResourceNotFoundException", err)
	}

	created, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("gameday")})
	if err != nil {
		t.Fatalf("CreateEventBus: %v", err)
	}
	if got, want := aws.ToString(created.EventBusArn), "arn:aws:events:eu-west-1:123456789012:event-bus/gameday"; got != want {
		t.Errorf("EventBusArn = %s, want %s", got, want)
	}
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("gameday")})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("second CreateEventBus error = %v, want ResourceAlreadyExistsException", err)
	}
	for _, bad := range []string{"default", "aws.fis", "has space"} {
		_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(bad)})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" {
			t.Errorf("CreateEventBus(%q) error = %v, want ValidationException", bad, err)
		}
	}
	if diff := cmp.Diff(list(), []string{
		"default arn:aws:events:eu-west-1:123456789012:event-bus/default",
		"gameday arn:aws:events:eu-west-1:123456789012:event-bus/gameday",
	}); diff != "" {
		t.Errorf("ListEventBuses after create (-got +want):\n%s", diff)
	}
	desc, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
	if err != nil || aws.ToString(desc.Name) != "default" {
		t.Errorf("DescribeEventBus() = %v, %v; want the default bus", desc, err)
	}

	// Paging: one bus a page.
	p := eventbridge.ListEventBusesInput{Limit: aws.Int32(1)}
	var names []string
	for range 3 {
		out, err := c.ListEventBuses(ctx, &p)
		if err != nil {
			t.Fatalf("ListEventBuses page: %v", err)
		}
		for _, b := range out.EventBuses {
			names = append(names, aws.ToString(b.Name))
		}
		if out.NextToken == nil {
			break
		}
		p.NextToken = out.NextToken
	}
	if diff := cmp.Diff(names, []string{"default", "gameday"}); diff != "" {
		t.Errorf("paged bus names (-got +want):\n%s", diff)
	}

	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		onBus(entry("s", "t", `{}`), "gameday"),
		onBus(entry("s", "t", `{}`), "arn:aws:events:eu-west-1:123456789012:event-bus/gameday"),
	}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Errorf("PutEvents on the new bus = %+v, %v; want no failures", out, err)
	}
}

func TestUnknownOperation(t *testing.T) {
	_, c, url := newClient(t)
	_, err := c.ListRules(context.Background(), &eventbridge.ListRulesInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnknownOperationException" {
		t.Errorf("ListRules error = %v, want UnknownOperationException", err)
	}

	tests := []struct {
		name, method, target, body string
		wantStatus                 int
		wantType                   string
	}{
		{"no target", http.MethodPost, "", `{}`, 400, "UnknownOperationException"},
		{"another service's target", http.MethodPost, "AmazonSNS.Publish", `{}`, 400, "UnknownOperationException"},
		{"GET", http.MethodGet, "AWSEvents.PutEvents", ``, 400, "UnknownOperationException"},
		{"body is not JSON", http.MethodPost, "AWSEvents.PutEvents", `{"Entries":`, 400, "SerializationException"},
		{"entries is not a list", http.MethodPost, "AWSEvents.PutEvents", `{"Entries":{}}`, 400, "SerializationException"},
		{"no entries", http.MethodPost, "AWSEvents.PutEvents", `{}`, 400, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, url+"/", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			if tt.target != "" {
				req.Header.Set("X-Amz-Target", tt.target)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(b, &body); err != nil {
				t.Fatalf("error body %q is not JSON: %v", b, err)
			}
			if resp.StatusCode != tt.wantStatus || body.Type != tt.wantType || body.Message == "" {
				t.Errorf("got %d %s %q, want %d %s with a message", resp.StatusCode, body.Type, body.Message, tt.wantStatus, tt.wantType)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}
