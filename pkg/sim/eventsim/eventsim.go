// Package eventsim serves the part of the Amazon EventBridge API that
// gameday uses: PutEvents on an event bus, with ListEventBuses,
// DescribeEventBus and CreateEventBus to see and add buses. It speaks
// awsJson1_1 (POST /, X-Amz-Target: AWSEvents.<Operation>), as both the
// aws-sdk-go-v2 client and the AWS CLI do, and keeps every event it accepts
// so that tests and `gameday run --local` can see what was published.
//
// Fidelity notes:
//   - Validation follows EventBridge: 1 to 10 entries and at most 256 KB in
//     all (ValidationException for the whole request); per entry, Source,
//     DetailType and Detail are required (InvalidArgument), Detail must be a
//     JSON object (MalformedDetail), and sources beginning with "aws." are
//     reserved (NotAuthorizedForSourceException).
//   - An entry for a bus that does not exist fails with ErrorCode
//     ResourceNotFoundException. EventBridge has been seen to accept such
//     events and drop them silently; the simulator reports them instead, so
//     that a wrong EVENT_BUS_NAME shows up locally.
//   - Events are stored, not routed: there are no rules, targets, archives,
//     global endpoints (EndpointId is ignored) or resource policies.
package eventsim

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// Limits EventBridge documents for PutEvents.
const (
	// MaxEntries is the most entries one PutEvents request may carry.
	MaxEntries = 10
	// MaxRequestSize is the most the entries of one request may weigh, as
	// EventBridge counts it (see entrySize).
	MaxRequestSize = 256 * 1024
	// DefaultBus is the account's default event bus.
	DefaultBus = "default"
)

// Event is an event the simulator accepted, in the shape EventBridge
// delivers events to targets, plus the bus it was put on.
type Event struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       time.Time       `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
	// EventBusName is the name of the bus the event was put on.
	EventBusName string `json:"eventBusName"`
	// Received is when the simulator accepted the event, on its clock; Time
	// is the entry's own Time when it had one, else Received.
	Received time.Time `json:"received"`
}

// Bus is an event bus.
type Bus struct {
	Name         string
	ARN          string
	Description  string
	CreationTime time.Time
}

// Service is a simulated EventBridge for one account and Region.
type Service struct {
	clock           simclock.Clock
	account, region string

	mu     sync.Mutex
	buses  map[string]Bus
	events []Event
}

// New returns a Service with the account's default bus.
func New(clock simclock.Clock, account, region string) *Service {
	s := &Service{clock: clock, account: account, region: region, buses: map[string]Bus{}}
	s.buses[DefaultBus] = Bus{Name: DefaultBus, ARN: s.BusARN(DefaultBus), CreationTime: clock.Now()}
	return s
}

// BusARN is the ARN of the bus name in the service's account and Region.
func (s *Service) BusARN(name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/%s", s.region, s.account, name)
}

// Buses lists the buses by name.
func (s *Service) Buses() []Bus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Bus, 0, len(s.buses))
	for _, b := range s.buses {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Events returns every accepted event, oldest first.
func (s *Service) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, len(s.events))
	for i, e := range s.events {
		e.Resources = append([]string{}, e.Resources...)
		e.Detail = append(json.RawMessage(nil), e.Detail...)
		out[i] = e
	}
	return out
}

// ServeHTTP answers awsJson1_1 requests: POST / with X-Amz-Target
// AWSEvents.<Operation>.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { api.Serve(s, w, r) }

var api = wire.JSONService[*Service]{
	Name: "EventBridge", Target: "AWSEvents",
	Proto:   wire.JSON{Version: "1.1"},
	IDs:     wire.NewRequestIDs("e7e47b00"),
	MaxBody: 2 << 20,
	Ops: map[string]wire.Op[*Service]{
		"PutEvents":        wire.Decode((*Service).putEvents),
		"ListEventBuses":   wire.Decode((*Service).listEventBuses),
		"DescribeEventBus": wire.Decode((*Service).describeEventBus),
		"CreateEventBus":   wire.Decode((*Service).createEventBus),
	},
}

// epochSeconds is an awsJson timestamp: seconds since the epoch, possibly
// fractional.
type epochSeconds struct{ time.Time }

func (t *epochSeconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("timestamp is not epoch seconds: %w", err)
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
	return nil
}

func (t epochSeconds) MarshalJSON() ([]byte, error) {
	return json.Marshal(float64(t.UnixMilli()) / 1e3)
}

type putEntry struct {
	Source       *string
	DetailType   *string
	Detail       *string
	EventBusName *string
	Resources    []string
	Time         *epochSeconds
	TraceHeader  *string
}

type resultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

type putEventsOutput struct {
	Entries          []resultEntry
	FailedEntryCount int
}

func (s *Service) putEvents(in struct {
	Entries    *[]putEntry
	EndpointID *string `json:"EndpointId"`
}) (any, *wire.Error) {
	if in.Entries == nil {
		return nil, validation("Value null at 'entries' failed to satisfy constraint: Member must not be null")
	}
	entries := *in.Entries
	switch {
	case len(entries) < 1:
		return nil, validation("Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1")
	case len(entries) > MaxEntries:
		return nil, validation(fmt.Sprintf("Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d", MaxEntries))
	}
	size := 0
	for _, e := range entries {
		size += entrySize(e)
	}
	if size > MaxRequestSize {
		return nil, &wire.Error{Code: "ValidationException", Status: http.StatusBadRequest,
			Message: "Total size of the entries in the request is over the limit."}
	}

	now := s.clock.Now().UTC()
	out := putEventsOutput{Entries: make([]resultEntry, len(entries))}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range entries {
		ev, res := s.accept(e, now)
		if res.ErrorCode != "" {
			out.FailedEntryCount++
			out.Entries[i] = res
			continue
		}
		s.events = append(s.events, ev)
		out.Entries[i] = resultEntry{EventID: ev.ID}
	}
	return out, nil
}

// entrySize is an entry's size as EventBridge counts it: 14 bytes for a
// Time, plus the UTF-8 bytes of Source, DetailType, Detail and each
// resource.
func entrySize(e putEntry) int {
	n := 0
	if e.Time != nil {
		n += 14
	}
	for _, p := range []*string{e.Source, e.DetailType, e.Detail} {
		if p != nil {
			n += len(*p)
		}
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// accept checks one entry and, when it is good, makes its event; the
// caller holds s.mu.
func (s *Service) accept(e putEntry, now time.Time) (Event, resultEntry) {
	required := func(name string, p *string) *resultEntry {
		if p == nil || *p == "" {
			return &resultEntry{ErrorCode: "InvalidArgument",
				ErrorMessage: fmt.Sprintf("Parameter %s is not valid. Reason: %s is a required argument.", name, name)}
		}
		return nil
	}
	for _, f := range []struct {
		name string
		p    *string
	}{{"Source", e.Source}, {"DetailType", e.DetailType}, {"Detail", e.Detail}} {
		if bad := required(f.name, f.p); bad != nil {
			return Event{}, *bad
		}
	}
	if strings.HasPrefix(*e.Source, "aws.") {
		return Event{}, resultEntry{ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source."}
	}
	var detail map[string]json.RawMessage
	if err := json.Unmarshal([]byte(*e.Detail), &detail); err != nil || detail == nil {
		return Event{}, resultEntry{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
	}
	bus, ok := s.resolveBus(e.EventBusName)
	if !ok {
		return Event{}, resultEntry{ErrorCode: "ResourceNotFoundException",
			ErrorMessage: fmt.Sprintf("Event bus %s does not exist.", deref(e.EventBusName))}
	}
	at := now
	if e.Time != nil {
		at = e.Time.Time
	}
	return Event{
		Version: "0", ID: uuid.NewString(), DetailType: *e.DetailType, Source: *e.Source,
		Account: s.account, Region: s.region, Time: at.UTC(),
		Resources: append([]string{}, e.Resources...),
		Detail:    json.RawMessage(*e.Detail), EventBusName: bus, Received: now,
	}, resultEntry{}
}

// resolveBus finds the bus an entry names, by name or ARN (empty: the
// default bus); the caller holds s.mu.
func (s *Service) resolveBus(p *string) (string, bool) {
	name := deref(p)
	if name == "" {
		return DefaultBus, true
	}
	if strings.HasPrefix(name, "arn:") {
		for n, b := range s.buses {
			if b.ARN == name {
				return n, true
			}
		}
		return "", false
	}
	_, ok := s.buses[name]
	return name, ok
}

type busOut struct {
	Name         string
	Arn          string
	Description  string        `json:",omitempty"`
	CreationTime *epochSeconds `json:",omitempty"`
}

func busJSON(b Bus) busOut {
	return busOut{Name: b.Name, Arn: b.ARN, Description: b.Description, CreationTime: &epochSeconds{b.CreationTime}}
}

func (s *Service) listEventBuses(in struct {
	NamePrefix *string
	Limit      *int
	NextToken  *string
}) (any, *wire.Error) {
	if in.Limit != nil && (*in.Limit < 1 || *in.Limit > 100) {
		return nil, validation(fmt.Sprintf("Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *in.Limit))
	}
	var all []busOut
	for _, b := range s.Buses() {
		if strings.HasPrefix(b.Name, deref(in.NamePrefix)) {
			all = append(all, busJSON(b))
		}
	}
	limit := len(all)
	if in.Limit != nil {
		limit = *in.Limit
	}
	start, end, next, ok := wire.Page(deref(in.NextToken), "buses", limit, len(all))
	if !ok {
		return nil, validation("The NextToken provided is not valid.")
	}
	out := struct {
		EventBuses []busOut
		NextToken  string `json:",omitempty"`
	}{EventBuses: append([]busOut{}, all[start:end]...), NextToken: next}
	return out, nil
}

func (s *Service) describeEventBus(in struct{ Name *string }) (any, *wire.Error) {
	s.mu.Lock()
	name, ok := s.resolveBus(in.Name)
	b := s.buses[name]
	s.mu.Unlock()
	if !ok {
		return nil, &wire.Error{Code: "ResourceNotFoundException", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Event bus %s does not exist.", deref(in.Name))}
	}
	return busJSON(b), nil
}

var busName = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`)

func (s *Service) createEventBus(in struct {
	Name        *string
	Description *string
}) (any, *wire.Error) {
	name := deref(in.Name)
	if name == "" {
		return nil, validation("Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	if !busName.MatchString(name) || strings.HasPrefix(name, "aws.") || name == DefaultBus {
		return nil, validation(fmt.Sprintf("Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+ and not be 'default' or begin with 'aws.'", name))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buses[name]; ok {
		return nil, &wire.Error{Code: "ResourceAlreadyExistsException", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Event bus %s already exists.", name)}
	}
	b := Bus{Name: name, ARN: s.BusARN(name), Description: deref(in.Description), CreationTime: s.clock.Now()}
	s.buses[name] = b
	return struct {
		EventBusArn string
		Description string `json:",omitempty"`
	}{b.ARN, b.Description}, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func validation(msg string) *wire.Error {
	return &wire.Error{Code: "ValidationException", Status: http.StatusBadRequest, Message: "1 validation error detected: " + msg}
}
