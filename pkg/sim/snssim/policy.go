package snssim

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// This file holds topic policies: SetTopicAttributes and
// GetTopicAttributes for the Policy attribute, and their evaluation when an
// AWS service (CloudWatch alarms) publishes to a topic. A topic without a
// policy of its own has SNS's default policy, which admits principals of
// the owner account only: a service principal is refused, which is why a
// CloudWatch alarm whose topic policy does not admit cloudwatch.amazonaws.com
// notifies nobody.
//
// Fidelity notes: statements are evaluated for the Service principal, the
// sns:Publish action (sns:*, * and a list also match), the topic ARN (or *)
// and the condition operators StringEquals, StringLike, ArnEquals and
// ArnLike (with IfExists variants); a statement with any other operator
// does not match, so that an unsupported policy refuses rather than admits.
// An explicit Deny wins over an Allow.

// ServicePrincipal is an AWS service publishing on its own behalf, with
// the request context its service adds (aws:SourceAccount, aws:SourceArn).
type ServicePrincipal struct {
	Service       string // cloudwatch.amazonaws.com
	SourceAccount string
	SourceARN     string
}

// Refusal is a service publish a topic policy refused.
type Refusal struct {
	TopicARN  string           `json:"topicArn"`
	Principal ServicePrincipal `json:"principal"`
	Subject   string           `json:"subject,omitempty"`
}

// ErrAuthorization is returned by PublishAs when the topic policy does not
// admit the principal (SNS answers AuthorizationError).
var ErrAuthorization = errors.New("AuthorizationError: the topic policy does not allow the principal to publish")

// SetPolicy sets a topic's policy, as SetTopicAttributes AttributeName=Policy does.
func (s *Service) SetPolicy(topicARN, policy string) error {
	if err := checkPolicy(policy); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.topics[topicARN]; !ok {
		return &wire.Error{Code: "NotFound", Status: http.StatusNotFound, Message: "Topic does not exist"}
	}
	if s.policies == nil {
		s.policies = map[string]string{}
	}
	s.policies[topicARN] = policy
	return nil
}

// Refusals lists the service publishes that topic policies refused.
func (s *Service) Refusals() []Refusal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.refusals)
}

// PublishAs publishes as an AWS service would (a CloudWatch alarm action):
// the topic's policy decides; a refusal is recorded and returned as
// ErrAuthorization.
func (s *Service) PublishAs(p ServicePrincipal, topicARN, subject, message string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.topics[topicARN]; !ok {
		return "", &wire.Error{Code: "NotFound", Status: http.StatusNotFound, Message: "Topic does not exist"}
	}
	if !admits(s.policies[topicARN], p, topicARN) {
		s.refusals = append(s.refusals, Refusal{TopicARN: topicARN, Principal: p, Subject: subject})
		return "", ErrAuthorization
	}
	m := Message{MessageID: uuid.NewString(), TopicARN: topicARN, Subject: subject, Message: message, Time: s.clock.Now().UTC()}
	s.messages = append(s.messages, m)
	return m.MessageID, nil
}

type policyDoc struct {
	Statement []statement
}

type statement struct {
	Sid       string
	Effect    string
	Principal json.RawMessage
	Action    stringList
	Resource  stringList
	Condition map[string]map[string]stringList
}

// stringList is a policy value that is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("a policy value is neither a string nor a list of strings: %s", b)
	}
	*l = many
	return nil
}

func checkPolicy(policy string) error {
	var doc policyDoc
	if err := json.Unmarshal([]byte(policy), &doc); err != nil || len(doc.Statement) == 0 {
		return &wire.Error{Code: "InvalidParameter", Status: http.StatusBadRequest, Message: "Invalid parameter: Policy Error: null"}
	}
	return nil
}

// admits evaluates policy (empty: SNS's default, which admits no service).
func admits(policy string, p ServicePrincipal, topicARN string) bool {
	if policy == "" {
		return false
	}
	var doc policyDoc
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	allowed := false
	for _, st := range doc.Statement {
		if !st.matches(p, topicARN) {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		if st.Effect == "Allow" {
			allowed = true
		}
	}
	return allowed
}

func (st statement) matches(p ServicePrincipal, topicARN string) bool {
	var principal struct{ Service stringList }
	if string(st.Principal) != `"*"` {
		if json.Unmarshal(st.Principal, &principal) != nil || !slices.Contains(principal.Service, p.Service) {
			return false
		}
	}
	if !slices.ContainsFunc(st.Action, func(a string) bool { return a == "sns:Publish" || a == "sns:*" || a == "*" }) {
		return false
	}
	if !slices.ContainsFunc(st.Resource, func(r string) bool { return r == topicARN || r == "*" }) {
		return false
	}
	ctx := map[string]string{"aws:sourceaccount": p.SourceAccount, "aws:sourcearn": p.SourceARN}
	for op, kv := range st.Condition {
		base, ifExists := strings.CutSuffix(op, "IfExists")
		for k, want := range kv {
			got, ok := ctx[strings.ToLower(k)]
			if !ok || got == "" {
				if ifExists {
					continue
				}
				return false
			}
			var match func(pattern string) bool
			switch base {
			case "StringEquals", "ArnEquals":
				match = func(w string) bool { return w == got }
			case "StringLike", "ArnLike":
				match = func(w string) bool { return glob(w).MatchString(got) }
			default:
				return false
			}
			if !slices.ContainsFunc(want, match) {
				return false
			}
		}
	}
	return true
}

// glob turns a policy wildcard pattern (* and ?) into a regexp.
func glob(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func (s *Service) opSetTopicAttributes(form url.Values) (any, *wire.Error) {
	arn, name := form.Get("TopicArn"), form.Get("AttributeName")
	switch name {
	case "Policy":
		if err := s.SetPolicy(arn, form.Get("AttributeValue")); err != nil {
			var ae *wire.Error
			if errors.As(err, &ae) {
				return nil, ae
			}
			return nil, invalid("Policy")
		}
	case "DisplayName", "DeliveryPolicy", "KmsMasterKeyId", "TracingConfig":
		s.mu.Lock()
		_, ok := s.topics[arn]
		s.mu.Unlock()
		if !ok {
			return nil, &wire.Error{Code: "NotFound", Status: http.StatusNotFound, Message: "Topic does not exist"}
		}
	default:
		return nil, invalid("AttributeName")
	}
	return struct {
		XMLName xml.Name `xml:"SetTopicAttributesResult"`
	}{}, nil
}

func (s *Service) opGetTopicAttributes(form url.Values) (any, *wire.Error) {
	arn := form.Get("TopicArn")
	s.mu.Lock()
	_, ok := s.topics[arn]
	policy := s.policies[arn]
	s.mu.Unlock()
	if !ok {
		return nil, &wire.Error{Code: "NotFound", Status: http.StatusNotFound, Message: "Topic does not exist"}
	}
	if policy == "" {
		policy = s.defaultPolicy(arn)
	}
	type entry struct {
		Key   string `xml:"key"`
		Value string `xml:"value"`
	}
	return struct {
		XMLName    xml.Name `xml:"GetTopicAttributesResult"`
		Attributes []entry  `xml:"Attributes>entry"`
	}{Attributes: []entry{{"TopicArn", arn}, {"Owner", s.account}, {"Policy", policy}}}, nil
}

// defaultPolicy is SNS's default topic policy: the owner account only.
func (s *Service) defaultPolicy(arn string) string {
	b, _ := json.Marshal(map[string]any{
		"Version": "2008-10-17", "Id": "__default_policy_ID",
		"Statement": []any{map[string]any{
			"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
			"Action":    []string{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
			"Resource":  arn,
			"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceOwner": s.account}},
		}},
	})
	return string(b)
}
