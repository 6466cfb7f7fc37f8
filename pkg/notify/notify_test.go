package notify

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// fakeSNS is a function-type double for Publish that records its inputs.
type fakeSNS struct {
	inputs []*sns.PublishInput
	err    error
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.inputs = append(f.inputs, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sns.PublishOutput{MessageId: aws.String("msg-1")}, nil
}

// fakeEvents records PutEvents inputs and answers with out or err.
type fakeEvents struct {
	inputs []*eventbridge.PutEventsInput
	out    *eventbridge.PutEventsOutput
	err    error
}

func (f *fakeEvents) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	f.inputs = append(f.inputs, in)
	if f.err != nil {
		return nil, f.err
	}
	if f.out != nil {
		return f.out, nil
	}
	return &eventbridge.PutEventsOutput{Entries: []ebtypes.PutEventsResultEntry{{EventId: aws.String("evt-1")}}}, nil
}

const execARN = "arn:aws:states:ap-northeast-1:123456789012:execution:gameday:run-1"

func passedState() gameday.RunState {
	return gameday.RunState{
		RunInput:  gameday.RunInput{GameDay: &gameday.Spec{Metadata: gameday.Metadata{Name: "sock-shop-carts-latency"}}},
		Execution: gameday.Execution{ARN: execARN, Name: "run-1"},
		Start:     &gameday.StartResult{ExperimentID: "EXP1"},
		Archive: &gameday.ArchiveResult{
			URI: "s3://archive/gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_EXP1/", Bucket: "archive",
			Prefix: "gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_EXP1/",
			State:  gameday.StateCompleted, Verdict: "passed", LogsComplete: true, ExperimentID: "EXP1",
			Hypothesis: "held", VerdictReason: "the experiment completed and every check held",
		},
	}
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		state       func() gameday.RunState
		want        Result
		wantDetail  Detail
		wantSubject string // empty: no SNS message
		wantInMsg   []string
	}{
		{
			name:  "passed, with a topic",
			cfg:   Config{TopicARN: "arn:aws:sns:ap-northeast-1:123456789012:gameday"},
			state: passedState,
			want:  Result{MessageID: "msg-1", EventID: "evt-1", EventBus: "default", Verdict: "passed"},
			wantDetail: Detail{
				GameDay: "sock-shop-carts-latency", ExecutionARN: execARN, ExperimentID: "EXP1",
				State: gameday.StateCompleted, Verdict: "passed", VerdictReason: "the experiment completed and every check held",
				Hypothesis: "held", LogsComplete: true,
				Archive: "s3://archive/gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_EXP1/",
				Summary: "s3://archive/gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_EXP1/summary.md",
				Report:  "s3://archive/gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_EXP1/report.html",
			},
			wantSubject: "GameDay sock-shop-carts-latency: passed",
			wantInMsg: []string{
				"GameDay sock-shop-carts-latency: PASSED\n",
				"Summary: s3://archive/gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_EXP1/summary.md\n",
				"Console: https://console.aws.amazon.com/s3/buckets/archive?prefix=gamedays%2Fsock-shop-carts-latency%2F2026-03-10T10-00-00Z_EXP1%2F\n",
				"Execution: " + execARN + "\n",
			},
		},
		{
			name:  "no topic: only the event, on the configured bus",
			cfg:   Config{EventBusName: "gameday-bus"},
			state: passedState,
			want:  Result{EventID: "evt-1", EventBus: "gameday-bus", Verdict: "passed"},
			wantDetail: Detail{
				GameDay: "sock-shop-carts-latency", ExecutionARN: execARN, ExperimentID: "EXP1",
				State: gameday.StateCompleted, Verdict: "passed", VerdictReason: "the experiment completed and every check held",
				Hypothesis: "held", LogsComplete: true,
				Archive: "s3://archive/gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_EXP1/",
				Summary: "s3://archive/gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_EXP1/summary.md",
				Report:  "s3://archive/gamedays/sock-shop-carts-latency/2026-03-10T10-00-00Z_EXP1/report.html",
			},
		},
		{
			name: "archive failed: failed with the caught error",
			cfg:  Config{TopicARN: "arn:aws:sns:ap-northeast-1:123456789012:gameday"},
			state: func() gameday.RunState {
				st := passedState()
				st.Archive = nil
				st.Error = &gameday.CaughtError{Error: "ExperimentTimeout", Cause: "experiment EXP1 is past its deadline\nmore"}
				return st
			},
			want: Result{MessageID: "msg-1", EventID: "evt-1", EventBus: "default", Verdict: "failed"},
			wantDetail: Detail{
				GameDay: "sock-shop-carts-latency", ExecutionARN: execARN, ExperimentID: "EXP1", Verdict: "failed",
				VerdictReason: "the orchestration caught ExperimentTimeout",
				Error:         &gameday.CaughtError{Error: "ExperimentTimeout", Cause: "experiment EXP1 is past its deadline\nmore"},
			},
			wantSubject: "GameDay sock-shop-carts-latency: failed",
			wantInMsg:   []string{"Error: ExperimentTimeout: experiment EXP1 is past its deadline\n"},
		},
		{
			name: "nothing started: skipped archive",
			state: func() gameday.RunState {
				st := passedState()
				st.Start = nil
				st.Archive = &gameday.ArchiveResult{Verdict: "failed", Skipped: "nothing was started"}
				st.Error = &gameday.CaughtError{Error: "GameDayError", Cause: "create template: denied"}
				return st
			},
			want: Result{EventID: "evt-1", EventBus: "default", Verdict: "failed"},
			wantDetail: Detail{
				GameDay: "sock-shop-carts-latency", ExecutionARN: execARN, Verdict: "failed",
				VerdictReason: "the orchestration caught GameDayError", Skipped: "nothing was started",
				Error: &gameday.CaughtError{Error: "GameDayError", Cause: "create template: denied"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ev := &fakeSNS{}, &fakeEvents{}
			got, err := New(tt.cfg, s, ev).Handle(context.Background(), tt.state())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result mismatch (-want +got):\n%s", diff)
			}
			if len(ev.inputs) != 1 || len(ev.inputs[0].Entries) != 1 {
				t.Fatalf("PutEvents inputs = %+v, want one entry", ev.inputs)
			}
			e := ev.inputs[0].Entries[0]
			gotEntry := []string{aws.ToString(e.Source), aws.ToString(e.DetailType), aws.ToString(e.EventBusName), strings.Join(e.Resources, ",")}
			wantEntry := []string{"gameday", "GameDay Completed", got.EventBus, execARN}
			if diff := cmp.Diff(wantEntry, gotEntry); diff != "" {
				t.Errorf("event entry mismatch (-want +got):\n%s", diff)
			}
			var d Detail
			if err := json.Unmarshal([]byte(aws.ToString(e.Detail)), &d); err != nil {
				t.Fatalf("detail is not JSON: %v", err)
			}
			if diff := cmp.Diff(tt.wantDetail, d); diff != "" {
				t.Errorf("detail mismatch (-want +got):\n%s", diff)
			}
			if tt.wantSubject == "" {
				if len(s.inputs) != 0 {
					t.Errorf("published %d SNS messages, want none", len(s.inputs))
				}
				return
			}
			if len(s.inputs) != 1 {
				t.Fatalf("published %d SNS messages, want 1", len(s.inputs))
			}
			p := s.inputs[0]
			if got := aws.ToString(p.Subject); got != tt.wantSubject {
				t.Errorf("subject = %q, want %q", got, tt.wantSubject)
			}
			if got := aws.ToString(p.TopicArn); got != tt.cfg.TopicARN {
				t.Errorf("topic = %q, want %q", got, tt.cfg.TopicARN)
			}
			for _, want := range tt.wantInMsg {
				if !strings.Contains(aws.ToString(p.Message), want) {
					t.Errorf("message lacks %q:\n%s", want, aws.ToString(p.Message))
				}
			}
		})
	}
}

func TestHandleErrors(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	tests := []struct {
		name     string
		sns      *fakeSNS
		events   *fakeEvents
		wantName string
		wantIs   error
	}{
		{"SNS throttled", &fakeSNS{err: throttled}, &fakeEvents{}, gameday.ErrNameThrottled, gameday.ErrThrottled},
		{"SNS other error", &fakeSNS{err: &smithy.GenericAPIError{Code: "AuthorizationError"}}, &fakeEvents{}, gameday.ErrNameInternal, nil},
		{"EventBridge throttled", &fakeSNS{}, &fakeEvents{err: throttled}, gameday.ErrNameThrottled, gameday.ErrThrottled},
		{"failed entry, throttled", &fakeSNS{}, &fakeEvents{out: &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []ebtypes.PutEventsResultEntry{{ErrorCode: aws.String("ThrottlingException"), ErrorMessage: aws.String("slow down")}}}}, gameday.ErrNameThrottled, gameday.ErrThrottled},
		{"failed entry, server error", &fakeSNS{}, &fakeEvents{out: &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []ebtypes.PutEventsResultEntry{{ErrorCode: aws.String("InternalFailure")}}}}, gameday.ErrNameUnavailable, gameday.ErrUnavailable},
		{"failed entry, other", &fakeSNS{}, &fakeEvents{out: &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []ebtypes.PutEventsResultEntry{{ErrorCode: aws.String("AccessDeniedException")}}}}, gameday.ErrNameInternal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{TopicARN: "arn:aws:sns:r:1:t"}, tt.sns, tt.events).Handle(context.Background(), passedState())
			if err == nil {
				t.Fatal("Handle succeeded, want an error")
			}
			if got := gameday.ErrorName(err); got != tt.wantName {
				t.Errorf("error name = %s (%v), want %s", got, err, tt.wantName)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("%v is not %v", err, tt.wantIs)
			}
		})
	}
}

func TestSubjectBounded(t *testing.T) {
	// The longest valid name (63 characters) fits whole; a longer one (from
	// a payload that skipped validation) is cut at SNS's limit.
	longest := "GameDay " + strings.Repeat("a", 63) + ": hypothesis-refuted"
	if got := Subject(Detail{GameDay: strings.Repeat("a", 63), Verdict: "hypothesis-refuted"}); got != longest {
		t.Errorf("Subject() = %q, want %q", got, longest)
	}
	got := Subject(Detail{GameDay: strings.Repeat("b", 120), Verdict: "failed"})
	if want := "GameDay " + strings.Repeat("b", deploy.MaxSubject-len("GameDay ")); got != want {
		t.Errorf("Subject() = %q (%d characters), want %q (%d)", got, len(got), want, len(want))
	}
}

// TestSubjectCutByCharacters: a long subject is cut to 99 characters,
// never inside a UTF-8 character.
func TestSubjectCutByCharacters(t *testing.T) {
	s := Subject(Detail{GameDay: strings.Repeat("遅", 120), Verdict: "passed"})
	if n := utf8.RuneCountInString(s); n != deploy.MaxSubject || !utf8.ValidString(s) {
		t.Errorf("subject %q: %d characters, valid UTF-8 %v", s, n, utf8.ValidString(s))
	}
}

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
