package snssim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/notify"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// TestThroughSimulator creates a topic and publishes to it through the
// simulator's one endpoint, routed by the SigV4 scope "sns".
func TestThroughSimulator(t *testing.T) {
	ctx := context.Background()
	s, cfg := simtest.New(t, sim.Options{})
	c := sns.NewFromConfig(cfg)
	created, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("gameday-notify")})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	arn := aws.ToString(created.TopicArn)
	if arn != "arn:aws:sns:us-east-1:123456789012:gameday-notify" {
		t.Errorf("TopicArn = %s", arn)
	}
	out, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String("s"), Message: aws.String("hello")})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	msgs := s.SNS().Messages()
	if len(msgs) != 1 || msgs[0].MessageID != aws.ToString(out.MessageId) || msgs[0].Message != "hello" {
		t.Errorf("Messages() = %+v, want the one message %s", msgs, aws.ToString(out.MessageId))
	}
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn + "-x"), Message: aws.String("hello")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("Publish to a missing topic error = %v, want NotFound", err)
	}
	list, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil || len(list.Topics) != 1 || aws.ToString(list.Topics[0].TopicArn) != arn {
		t.Errorf("ListTopics = %+v, %v; want the one topic", list, err)
	}
}

// TestNotifyEndToEnd runs the notify step with the real SNS and EventBridge
// clients against the simulator: one message on the topic, one "GameDay
// Completed" event on the default bus.
func TestNotifyEndToEnd(t *testing.T) {
	ctx := context.Background()
	s, cfg := simtest.New(t, sim.Options{})
	topicARN, err := s.SNS().CreateTopic("gameday-notify")
	if err != nil {
		t.Fatal(err)
	}
	st := gameday.RunState{
		RunInput:  gameday.RunInput{GameDay: &gameday.Spec{Metadata: gameday.Metadata{Name: "carts-latency"}}, Source: "local"},
		Execution: gameday.Execution{ARN: "arn:aws:states:us-east-1:123456789012:execution:gameday:carts-latency-1", Name: "carts-latency-1"},
		Start:     &gameday.StartResult{ExperimentID: "EXP123"},
		Archive: &gameday.ArchiveResult{
			URI: "s3://gameday-archive/gamedays/carts-latency/20261126T010000Z_EXP123/", Bucket: "gameday-archive",
			State: gameday.StateCompleted, Verdict: "passed", LogsComplete: true, ExperimentID: "EXP123",
			Hypothesis: "checkout p99 stays under 2 s", VerdictReason: "every phase held",
		},
	}
	n := notify.New(notify.Config{TopicARN: topicARN, EventBusName: "default"}, sns.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg))
	res, err := n.Handle(ctx, st)
	if err != nil {
		t.Fatalf("notify: %v", err)
	}

	msgs := s.SNS().Messages()
	if len(msgs) != 1 {
		t.Fatalf("published %d messages, want 1", len(msgs))
	}
	d := notify.DetailOf(st)
	m := msgs[0]
	if diff := cmp.Diff([]string{m.MessageID, m.TopicARN, m.Subject, m.Message}, []string{res.MessageID, topicARN, notify.Subject(d), notify.Message(d)}); diff != "" {
		t.Errorf("SNS message (-got +want):\n%s", diff)
	}
	if !strings.Contains(m.Message, "Summary: s3://gameday-archive/gamedays/carts-latency/20261126T010000Z_EXP123/summary.md") {
		t.Errorf("message does not point at the summary:\n%s", m.Message)
	}

	evs := s.Events().Events()
	if len(evs) != 1 {
		t.Fatalf("put %d events, want 1", len(evs))
	}
	ev := evs[0]
	if diff := cmp.Diff(
		[]string{ev.ID, ev.EventBusName, ev.Source, ev.DetailType, strings.Join(ev.Resources, ",")},
		[]string{res.EventID, "default", notify.EventSource, notify.EventDetailType, st.Execution.ARN},
	); diff != "" {
		t.Errorf("event (-got +want):\n%s", diff)
	}
	var got notify.Detail
	if err := json.Unmarshal(ev.Detail, &got); err != nil {
		t.Fatalf("event detail %s: %v", ev.Detail, err)
	}
	if diff := cmp.Diff(got, d); diff != "" {
		t.Errorf("event detail (-got +want):\n%s", diff)
	}
	if res.Verdict != "passed" || res.EventBus != "default" {
		t.Errorf("result = %+v", res)
	}
}

// TestNotifyMissingTopic: a TOPIC_ARN that names no topic fails the notify
// step with gameday.ErrNotFound, as in AWS, and puts no event.
func TestNotifyMissingTopic(t *testing.T) {
	s, cfg := simtest.New(t, sim.Options{})
	n := notify.New(notify.Config{TopicARN: "arn:aws:sns:us-east-1:123456789012:absent"}, sns.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg))
	_, err := n.Handle(context.Background(), gameday.RunState{Execution: gameday.Execution{ARN: "arn:x"}})
	if !errors.Is(err, gameday.ErrNotFound) {
		t.Errorf("notify error = %v, want ErrNotFound", err)
	}
	if len(s.Events().Events()) != 0 || len(s.SNS().Messages()) != 0 {
		t.Errorf("a failed notify left %d events and %d messages", len(s.Events().Events()), len(s.SNS().Messages()))
	}
}

// TestAWSCLI drives SNS in the simulator with the AWS CLI v1 (awsQuery).
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH")
	}
	s, _ := simtest.New(t, sim.Options{})
	var created struct{ TopicArn string }
	if err := awsCLI(t, s, &created, "sns", "create-topic", "--name", "gameday"); err != nil {
		t.Fatal(err)
	}
	if created.TopicArn != "arn:aws:sns:us-east-1:123456789012:gameday" {
		t.Errorf("create-topic = %+v", created)
	}
	var pub struct{ MessageId string }
	if err := awsCLI(t, s, &pub, "sns", "publish", "--topic-arn", created.TopicArn, "--subject", "GameDay carts: passed", "--message", "all good",
		"--message-attributes", `{"verdict":{"DataType":"String","StringValue":"passed"}}`); err != nil {
		t.Fatal(err)
	}
	if !uuidRE.MatchString(pub.MessageId) {
		t.Errorf("publish MessageId = %q", pub.MessageId)
	}
	msgs := s.SNS().Messages()
	if len(msgs) != 1 {
		t.Fatalf("simulator holds %d messages, want 1", len(msgs))
	}
	if diff := cmp.Diff([]string{msgs[0].MessageID, msgs[0].Subject, msgs[0].Message, msgs[0].MessageAttributes["verdict"].StringValue},
		[]string{pub.MessageId, "GameDay carts: passed", "all good", "passed"}); diff != "" {
		t.Errorf("stored message (-got +want):\n%s", diff)
	}
	var topics struct{ Topics []struct{ TopicArn string } }
	if err := awsCLI(t, s, &topics, "sns", "list-topics"); err != nil {
		t.Fatal(err)
	}
	if len(topics.Topics) != 1 || topics.Topics[0].TopicArn != created.TopicArn {
		t.Errorf("list-topics = %+v", topics)
	}
	err := awsCLI(t, s, nil, "sns", "publish", "--topic-arn", created.TopicArn+"-gone", "--message", "x")
	if err == nil || !strings.Contains(err.Error(), "(NotFound)") || !strings.Contains(err.Error(), "Topic does not exist") {
		t.Errorf("publish to a missing topic = %v, want a NotFound error", err)
	}
}

func awsCLI(t *testing.T, s *sim.Server, out any, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", s.URL(), "--output", "json"}, args...)...)
	home := t.TempDir()
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=" + s.Region(),
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_PAGER=",
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return errors.New(err.Error() + ": " + stderr.String())
	}
	if out != nil {
		if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
			t.Fatalf("aws %v: decode %q: %v", args, stdout.String(), err)
		}
	}
	return nil
}
