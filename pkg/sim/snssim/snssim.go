// Package snssim serves the part of the Amazon SNS API that gameday uses:
// CreateTopic, ListTopics and Publish. SNS speaks awsQuery (a form posted to
// /, Action=...&Version=2010-03-31, answered in XML) to both the
// aws-sdk-go-v2 client and the AWS CLI. Published messages are kept so that
// tests and `gameday run --local` can see them.
//
// Fidelity notes:
//   - Publish checks what SNS documents: a TopicArn or TargetArn that names
//     an existing topic (NotFound, HTTP 404, otherwise), a non-empty
//     Message, at most 256 KB with its attributes, a Subject of UTF-8
//     "with no line breaks or control characters, and less than 100
//     characters long" (the Publish reference; so at most 99: moto 5.2.1
//     takes 100, which SNS's words do not promise), and, with
//     MessageStructure json, a JSON object with a "default" key. FIFO topics
//     (names ending in .fifo) need a MessageGroupId and get a
//     SequenceNumber.
//   - Not checked: the limit of 10 message attributes per message, that a
//     Number attribute holds a number, and a FIFO topic's
//     MessageDeduplicationId (content-based deduplication is assumed).
//     Topic ARNs must be in the aws partition.
//   - Messages are stored, not delivered: there are no subscriptions,
//     filter policies, phone numbers or platform endpoints.
package snssim

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// Limits SNS documents.
const (
	// MaxMessageSize is the most a message and its attributes may weigh.
	MaxMessageSize = 256 * 1024
	// MaxSubject is the most characters a subject may have: "less than
	// 100 characters long".
	MaxSubject = 99
	// listPage is how many topics ListTopics returns at a time.
	listPage = 100
)

const (
	apiVersion = "2010-03-31"
	xmlns      = "http://sns.amazonaws.com/doc/2010-03-31/"
	maxBody    = 2 << 20
)

// Attribute is a message attribute.
type Attribute struct {
	DataType    string `json:"dataType"`
	StringValue string `json:"stringValue,omitempty"`
	BinaryValue []byte `json:"binaryValue,omitempty"`
}

// Message is a message the simulator accepted.
type Message struct {
	MessageID         string               `json:"messageId"`
	TopicARN          string               `json:"topicArn"`
	Subject           string               `json:"subject,omitempty"`
	Message           string               `json:"message"`
	MessageStructure  string               `json:"messageStructure,omitempty"`
	MessageAttributes map[string]Attribute `json:"messageAttributes,omitempty"`
	MessageGroupID    string               `json:"messageGroupId,omitempty"`
	SequenceNumber    string               `json:"sequenceNumber,omitempty"`
	// Time is when the simulator accepted the message, on its clock.
	Time time.Time `json:"time"`
}

// Service is a simulated SNS for one account and Region.
type Service struct {
	clock           simclock.Clock
	account, region string

	mu       sync.Mutex
	topics   map[string]string // ARN → name
	seq      uint64
	messages []Message
	policies map[string]string // ARN → policy JSON (none: SNS's default)
	refusals []Refusal
}

// New returns a Service with no topics.
func New(clock simclock.Clock, account, region string) *Service {
	return &Service{clock: clock, account: account, region: region, topics: map[string]string{}}
}

// TopicARN is the ARN of the topic name in the service's account and Region.
func (s *Service) TopicARN(name string) string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.region, s.account, name)
}

var topicName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// CreateTopic creates the topic name, as the CreateTopic action does, and
// returns its ARN; it is idempotent.
func (s *Service) CreateTopic(name string) (string, error) {
	base, fifo := strings.CutSuffix(name, ".fifo")
	if !topicName.MatchString(base) || (fifo && len(name) > 256) {
		return "", &wire.Error{Code: "InvalidParameter", Status: http.StatusBadRequest,
			Message: "Invalid parameter: Topic Name"}
	}
	arn := s.TopicARN(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.topics[arn] = name
	return arn, nil
}

// Topics lists the topics' ARNs in order.
func (s *Service) Topics() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.topics))
}

// Messages returns every published message, oldest first.
func (s *Service) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	copy(out, s.messages)
	return out
}

// ServeHTTP answers awsQuery requests: Action and Version in a form body
// (POST) or the query string.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { api.Serve(s, w, r) }

var api = wire.QueryService[*Service]{
	Proto: wire.Query{XMLNS: xmlns}, Version: apiVersion, IDs: wire.NewRequestIDs("5e5e5e00"), MaxBody: maxBody,
	Ops: map[string]wire.QueryOp[*Service]{
		"CreateTopic": (*Service).opCreateTopic,
		"ListTopics":  (*Service).opListTopics,
		"Publish":     (*Service).opPublish,
		// Topic policies (policy.go).
		"SetTopicAttributes": (*Service).opSetTopicAttributes,
		"GetTopicAttributes": (*Service).opGetTopicAttributes,
	},
}

func (s *Service) opCreateTopic(form url.Values) (any, *wire.Error) {
	if form.Get("Name") == "" {
		return nil, &wire.Error{Code: "InvalidParameter", Status: http.StatusBadRequest,
			Message: "Invalid parameter: Topic Name"}
	}
	name := form.Get("Name")
	if strings.HasSuffix(name, ".fifo") != (attributes(form, "Attributes")["FifoTopic"] == "true") {
		return nil, &wire.Error{Code: "InvalidParameter", Status: http.StatusBadRequest,
			Message: "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."}
	}
	arn, err := s.CreateTopic(name)
	if err != nil {
		return nil, err.(*wire.Error)
	}
	return struct {
		XMLName  xml.Name `xml:"CreateTopicResult"`
		TopicArn string
	}{TopicArn: arn}, nil
}

// attributes reads an awsQuery map, Prefix.entry.N.key / .value.
func attributes(form url.Values, prefix string) map[string]string {
	out := map[string]string{}
	for i := 1; ; i++ {
		k := fmt.Sprintf("%s.entry.%d.", prefix, i)
		key, ok := form[k+"key"]
		if !ok {
			return out
		}
		out[key[0]] = form.Get(k + "value")
	}
}

func (s *Service) opListTopics(form url.Values) (any, *wire.Error) {
	topics := s.Topics()
	start, end, next, ok := wire.Page(form.Get("NextToken"), "topics", listPage, len(topics))
	if !ok {
		return nil, &wire.Error{Code: "InvalidParameter", Status: http.StatusBadRequest,
			Message: "Invalid parameter: NextToken"}
	}
	type member struct{ TopicArn string }
	out := struct {
		XMLName   xml.Name `xml:"ListTopicsResult"`
		Topics    []member `xml:"Topics>member"`
		NextToken string   `xml:",omitempty"`
	}{Topics: []member{}, NextToken: next}
	for _, arn := range topics[start:end] {
		out.Topics = append(out.Topics, member{arn})
	}
	return out, nil
}

func invalid(what string) *wire.Error {
	return &wire.Error{Code: "InvalidParameter", Status: http.StatusBadRequest, Message: "Invalid parameter: " + what}
}

func (s *Service) opPublish(form url.Values) (any, *wire.Error) {
	arn := form.Get("TopicArn")
	if t := form.Get("TargetArn"); t != "" {
		if arn != "" {
			return nil, invalid("TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn may be specified")
		}
		arn = t
	}
	if arn == "" {
		if form.Get("PhoneNumber") != "" {
			return nil, invalid("PhoneNumber Reason: the simulator does not send SMS")
		}
		return nil, invalid("TopicArn or TargetArn Reason: no value for required parameter")
	}
	if !strings.HasPrefix(arn, "arn:aws:sns:") || strings.Count(arn, ":") != 5 {
		return nil, invalid("TopicArn")
	}
	msg := form.Get("Message")
	if msg == "" {
		return nil, invalid("Empty message")
	}
	subject, hasSubject := form["Subject"]
	if hasSubject && !validSubject(subject[0]) {
		return nil, invalid("Subject")
	}
	attrs, size, aerr := messageAttributes(form)
	if aerr != nil {
		return nil, aerr
	}
	if len(msg)+size > MaxMessageSize {
		return nil, invalid("Message too long")
	}
	structure := form.Get("MessageStructure")
	switch structure {
	case "":
	case "json":
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(msg), &m); err != nil || m == nil {
			return nil, invalid("Message Structure - JSON message body failed to parse")
		}
		if _, ok := m["default"]; !ok {
			return nil, invalid("Message Structure - No default entry in JSON message body")
		}
	default:
		return nil, invalid("MessageStructure")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	name, ok := s.topics[arn]
	if !ok {
		return nil, &wire.Error{Code: "NotFound", Status: http.StatusNotFound, Message: "Topic does not exist"}
	}
	m := Message{
		MessageID: uuid.NewString(), TopicARN: arn, Message: msg, MessageStructure: structure,
		MessageAttributes: attrs, MessageGroupID: form.Get("MessageGroupId"), Time: s.clock.Now().UTC(),
	}
	if hasSubject {
		m.Subject = subject[0]
	}
	if strings.HasSuffix(name, ".fifo") {
		if m.MessageGroupID == "" {
			return nil, invalid("The MessageGroupId parameter is required for FIFO topics")
		}
		s.seq++
		m.SequenceNumber = fmt.Sprintf("%020d", s.seq)
	}
	s.messages = append(s.messages, m)
	return struct {
		XMLName        xml.Name `xml:"PublishResult"`
		MessageID      string   `xml:"MessageId"`
		SequenceNumber string   `xml:",omitempty"`
	}{MessageID: m.MessageID, SequenceNumber: m.SequenceNumber}, nil
}

// validSubject: UTF-8 text of 1 to MaxSubject characters with no line breaks or
// control characters, not beginning with a space.
func validSubject(s string) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxSubject || unicode.IsSpace(rune(s[0])) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// messageAttributes reads MessageAttributes.entry.N.Name and .Value.*, and
// returns them with the bytes they count towards the message size.
func messageAttributes(form url.Values) (map[string]Attribute, int, *wire.Error) {
	var out map[string]Attribute
	size := 0
	for i := 1; ; i++ {
		k := fmt.Sprintf("MessageAttributes.entry.%d.", i)
		names, ok := form[k+"Name"]
		if !ok {
			return out, size, nil
		}
		name := names[0]
		a := Attribute{DataType: form.Get(k + "Value.DataType"), StringValue: form.Get(k + "Value.StringValue")}
		if name == "" || len(name) > 256 {
			return nil, 0, invalid("Message attribute name is empty or longer than 256 characters")
		}
		if a.DataType == "" {
			return nil, 0, invalid(fmt.Sprintf("The message attribute '%s' must contain non-empty message attribute type.", name))
		}
		if b := form.Get(k + "Value.BinaryValue"); b != "" {
			v, err := base64.StdEncoding.DecodeString(b)
			if err != nil {
				return nil, 0, invalid(fmt.Sprintf("The message attribute '%s' has an invalid binary value.", name))
			}
			a.BinaryValue = v
		}
		base, _, _ := strings.Cut(a.DataType, ".")
		switch base {
		case "String", "Number":
			if a.StringValue == "" {
				return nil, 0, invalid(fmt.Sprintf("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType))
			}
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return nil, 0, invalid(fmt.Sprintf("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType))
			}
		default:
			return nil, 0, invalid(fmt.Sprintf("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name))
		}
		if out == nil {
			out = map[string]Attribute{}
		}
		out[name] = a
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
}
