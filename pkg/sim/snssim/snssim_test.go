package snssim_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim/snssim"
)

const (
	account = "123456789012"
	region  = "eu-west-1"
	topic   = "arn:aws:sns:eu-west-1:123456789012:gameday"
)

var t0 = time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// After never fires: a clock that stands still does not reach a later time.
func (c fixedClock) After(time.Duration) <-chan time.Time { return nil }

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func newClient(t *testing.T) (*snssim.Service, *sns.Client, string) {
	t.Helper()
	svc := snssim.New(fixedClock{t0}, account, region)
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	c := sns.New(sns.Options{
		Region:       region,
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
	})
	return svc, c, srv.URL
}

func TestCreateAndListTopics(t *testing.T) {
	ctx := context.Background()
	svc, c, _ := newClient(t)
	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("gameday")})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	if got := aws.ToString(out.TopicArn); got != topic {
		t.Errorf("TopicArn = %s, want %s", got, topic)
	}
	again, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("gameday")})
	if err != nil || aws.ToString(again.TopicArn) != topic {
		t.Errorf("CreateTopic again = %v, %v; want the same ARN (idempotent)", again, err)
	}
	fifo, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	if err != nil || aws.ToString(fifo.TopicArn) != "arn:aws:sns:eu-west-1:123456789012:orders.fifo" {
		t.Errorf("CreateTopic(orders.fifo) = %v, %v", fifo, err)
	}
	for _, tt := range []struct {
		name  string
		attrs map[string]string
	}{
		{"has space", nil}, {"a:b", nil}, {strings.Repeat("x", 257), nil},
		{"orders.fifo", nil}, {"orders", map[string]string{"FifoTopic": "true"}},
	} {
		_, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(tt.name), Attributes: tt.attrs})
		var ip *types.InvalidParameterException
		if !errors.As(err, &ip) {
			t.Errorf("CreateTopic(%.20q, %v) error = %v, want InvalidParameter", tt.name, tt.attrs, err)
		}
	}

	for i := range 150 {
		if _, err := svc.CreateTopic(fmt.Sprintf("t%03d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	pages := 0
	p := sns.NewListTopicsPaginator(c, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListTopics: %v", err)
		}
		pages++
		for _, tp := range page.Topics {
			got = append(got, aws.ToString(tp.TopicArn))
		}
	}
	if pages != 2 {
		t.Errorf("ListTopics took %d pages, want 2 (100 topics a page)", pages)
	}
	if diff := cmp.Diff(got, svc.Topics()); diff != "" || len(got) != 152 {
		t.Errorf("listed %d topics, want 152; diff with Topics() (-got +want):\n%s", len(got), diff)
	}
}

func TestPublish(t *testing.T) {
	ctx := context.Background()
	svc, c, _ := newClient(t)
	if _, err := svc.CreateTopic("gameday"); err != nil {
		t.Fatal(err)
	}
	out, err := c.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(topic),
		Subject:  aws.String("GameDay carts: passed"),
		Message:  aws.String("GameDay carts: PASSED\nSummary: s3://b/k/summary.md\n"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"verdict": {DataType: aws.String("String"), StringValue: aws.String("passed")},
			"blob":    {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		},
	})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	id := aws.ToString(out.MessageId)
	if !uuidRE.MatchString(id) {
		t.Errorf("MessageId = %q, want a UUID", id)
	}
	if out.SequenceNumber != nil {
		t.Errorf("SequenceNumber = %q on a standard topic", *out.SequenceNumber)
	}
	want := []snssim.Message{{
		MessageID: id, TopicARN: topic, Subject: "GameDay carts: passed",
		Message: "GameDay carts: PASSED\nSummary: s3://b/k/summary.md\n",
		MessageAttributes: map[string]snssim.Attribute{
			"verdict": {DataType: "String", StringValue: "passed"},
			"blob":    {DataType: "Binary", BinaryValue: []byte{0, 1, 2}},
		},
		Time: t0,
	}}
	if diff := cmp.Diff(svc.Messages(), want); diff != "" {
		t.Errorf("Messages() (-got +want):\n%s", diff)
	}

	// TargetArn works as TopicArn does; a JSON structure needs "default".
	if _, err := c.Publish(ctx, &sns.PublishInput{TargetArn: aws.String(topic), Message: aws.String(`{"default":"hi","email":"hello"}`), MessageStructure: aws.String("json")}); err != nil {
		t.Errorf("Publish with TargetArn and MessageStructure json: %v", err)
	}
	if n := len(svc.Messages()); n != 2 {
		t.Errorf("stored %d messages, want 2", n)
	}
}

func TestPublishFIFO(t *testing.T) {
	ctx := context.Background()
	svc, c, _ := newClient(t)
	arn, err := svc.CreateTopic("orders.fifo")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m")})
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("Publish to FIFO without MessageGroupId error = %v, want InvalidParameter", err)
	}
	var seqs []string
	for range 2 {
		out, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d")})
		if err != nil {
			t.Fatalf("Publish to FIFO: %v", err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	if seqs[0] == "" || seqs[0] >= seqs[1] {
		t.Errorf("sequence numbers %q, want increasing", seqs)
	}
}

func TestPublishErrors(t *testing.T) {
	ctx := context.Background()
	svc, c, _ := newClient(t)
	if _, err := svc.CreateTopic("gameday"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		in       sns.PublishInput
		wantCode string
		wantMsg  string
	}{
		{"topic does not exist", sns.PublishInput{TopicArn: aws.String("arn:aws:sns:eu-west-1:123456789012:nope"), Message: aws.String("m")}, "NotFound", "Topic does not exist"},
		{"no topic", sns.PublishInput{Message: aws.String("m")}, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"},
		{"both topic and target", sns.PublishInput{TopicArn: aws.String(topic), TargetArn: aws.String(topic), Message: aws.String("m")}, "InvalidParameter", "Only one of TopicArn or TargetArn"},
		{"malformed ARN", sns.PublishInput{TopicArn: aws.String("gameday"), Message: aws.String("m")}, "InvalidParameter", "Invalid parameter: TopicArn"},
		{"empty message", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("")}, "InvalidParameter", "Invalid parameter: Empty message"},
		{"message over 256 KB", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(strings.Repeat("x", snssim.MaxMessageSize+1))}, "InvalidParameter", "Invalid parameter: Message too long"},
		{"message and attributes over 256 KB", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(strings.Repeat("x", snssim.MaxMessageSize-5)),
			MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}}, "InvalidParameter", "Invalid parameter: Message too long"},
		{"subject over 100 characters", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m"), Subject: aws.String(strings.Repeat("s", 101))}, "InvalidParameter", "Invalid parameter: Subject"},
		// "less than 100 characters long" (SNS API reference, Publish).
		{"subject of 100 characters", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m"), Subject: aws.String(strings.Repeat("é", 100))}, "InvalidParameter", "Invalid parameter: Subject"},
		{"subject with a line break", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m"), Subject: aws.String("a\nb")}, "InvalidParameter", "Invalid parameter: Subject"},
		{"empty subject", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m"), Subject: aws.String("")}, "InvalidParameter", "Invalid parameter: Subject"},
		{"json structure without default", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(`{"email":"x"}`), MessageStructure: aws.String("json")}, "InvalidParameter", "No default entry in JSON message body"},
		{"json structure not JSON", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(`hello`), MessageStructure: aws.String("json")}, "InvalidParameter", "JSON message body failed to parse"},
		{"attribute of unknown type", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m"),
			MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("Float"), StringValue: aws.String("1")}}}, "InvalidParameter", "invalid message attribute type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Publish(ctx, &tt.in)
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("Publish error = %v, want an API error", err)
			}
			if ae.ErrorCode() != tt.wantCode || !strings.Contains(ae.ErrorMessage(), tt.wantMsg) {
				t.Errorf("error = %s: %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), tt.wantCode, tt.wantMsg)
			}
		})
	}
	var nf *types.NotFoundException
	_, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic + "-gone"), Message: aws.String("m")})
	if !errors.As(err, &nf) {
		t.Errorf("Publish to a missing topic error = %T %v, want *types.NotFoundException", err, err)
	}
	if n := len(svc.Messages()); n != 0 {
		t.Errorf("stored %d messages from refused publishes", n)
	}
	// The limits themselves are accepted.
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(strings.Repeat("x", snssim.MaxMessageSize)), Subject: aws.String(strings.Repeat("é", snssim.MaxSubject))}); err != nil {
		t.Errorf("Publish at the limits: %v", err)
	}
}

func TestWire(t *testing.T) {
	svc, _, u := newClient(t)
	if _, err := svc.CreateTopic("gameday"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		method     string
		form       url.Values
		wantStatus int
		wantRoot   string
		wantCode   string
	}{
		{"publish", http.MethodPost, url.Values{"Action": {"Publish"}, "Version": {"2010-03-31"}, "TopicArn": {topic}, "Message": {"m"}}, 200, "PublishResponse", ""},
		{"publish in the query string", http.MethodGet, url.Values{"Action": {"Publish"}, "TopicArn": {topic}, "Message": {"m"}}, 200, "PublishResponse", ""},
		{"missing topic", http.MethodPost, url.Values{"Action": {"Publish"}, "Version": {"2010-03-31"}, "TopicArn": {topic + "x"}, "Message": {"m"}}, 404, "ErrorResponse", "NotFound"},
		{"no action", http.MethodPost, url.Values{"Version": {"2010-03-31"}}, 400, "ErrorResponse", "MissingAction"},
		{"unknown action", http.MethodPost, url.Values{"Action": {"Subscribe"}, "Version": {"2010-03-31"}}, 400, "ErrorResponse", "InvalidAction"},
		{"wrong version", http.MethodPost, url.Values{"Action": {"Publish"}, "Version": {"2011-01-01"}}, 400, "ErrorResponse", "InvalidAction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req *http.Request
			var err error
			if tt.method == http.MethodGet {
				req, err = http.NewRequest(tt.method, u+"/?"+tt.form.Encode(), nil)
			} else {
				req, err = http.NewRequest(tt.method, u+"/", strings.NewReader(tt.form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var doc struct {
				XMLName xml.Name
				Error   struct{ Type, Code, Message string }
				Result  struct {
					MessageID string `xml:"MessageId"`
				} `xml:"PublishResult"`
				Meta struct {
					RequestID string `xml:"RequestId"`
				} `xml:"ResponseMetadata"`
				ReqID string `xml:"RequestId"`
			}
			if err := xml.Unmarshal(b, &doc); err != nil {
				t.Fatalf("body %q is not XML: %v", b, err)
			}
			if resp.StatusCode != tt.wantStatus || doc.XMLName.Local != tt.wantRoot || doc.Error.Code != tt.wantCode {
				t.Errorf("got %d <%s> code %q, want %d <%s> code %q; body %s", resp.StatusCode, doc.XMLName.Local, doc.Error.Code, tt.wantStatus, tt.wantRoot, tt.wantCode, b)
			}
			if doc.XMLName.Space != "http://sns.amazonaws.com/doc/2010-03-31/" {
				t.Errorf("namespace = %q", doc.XMLName.Space)
			}
			if tt.wantCode == "" && (!uuidRE.MatchString(doc.Result.MessageID) || doc.Meta.RequestID == "") {
				t.Errorf("result lacks a MessageId or RequestId: %s", b)
			}
			if tt.wantCode != "" && (doc.Error.Type != "Sender" || doc.Error.Message == "" || doc.ReqID == "") {
				t.Errorf("error lacks Type Sender, a Message or a RequestId: %s", b)
			}
		})
	}
}
