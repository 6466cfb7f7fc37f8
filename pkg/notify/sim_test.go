package notify

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// TestSimLongSubject notifies the simulated SNS, which holds a subject to
// "less than 100 characters long" (the Publish reference), of runs whose
// subject must be cut: a name from a payload that skipped validation, in
// ASCII and in characters of several bytes. With a subject of 100
// characters, as notify cut it before, SNS may refuse the message and the
// step fail.
func TestSimLongSubject(t *testing.T) {
	s, cfg := simtest.New(t, sim.Options{})
	topic, err := s.SNS().CreateTopic("gameday")
	if err != nil {
		t.Fatal(err)
	}
	n := New(Config{TopicARN: topic}, sns.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg))
	for _, name := range []string{strings.Repeat("b", 120), strings.Repeat("遅", 120)} {
		st := passedState()
		st.GameDay.Metadata.Name = name
		res, err := n.Handle(context.Background(), st)
		if err != nil {
			t.Fatalf("notify a run of %d-character name: %v", utf8.RuneCountInString(name), err)
		}
		if res.MessageID == "" {
			t.Errorf("notify = %+v, want a message id", res)
		}
	}
	msgs := s.SNS().Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages on the topic, want 2", len(msgs))
	}
	for _, m := range msgs {
		if n := utf8.RuneCountInString(m.Subject); n != deploy.MaxSubject {
			t.Errorf("subject %q: %d characters, want %d", m.Subject, n, deploy.MaxSubject)
		}
	}
}
