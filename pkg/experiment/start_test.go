package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/awsfake"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/experiment/experimenttest"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

const (
	execARN = "arn:aws:states:us-east-1:123456789012:execution:gameday:run-1"
	// ownSM is execARN's state machine.
	ownSM = "arn:aws:states:us-east-1:123456789012:stateMachine:gameday"
)

func testSpec(desc string) *gameday.Spec {
	return &gameday.Spec{
		TypeMeta: gameday.TypeMeta{APIVersion: gameday.APIVersion, Kind: gameday.Kind},
		Metadata: gameday.Metadata{Name: "carts-latency", Description: desc, Tags: map[string]string{"env": "staging"}},
		Spec: gameday.Body{
			Faults:   []gameday.Fault{{Name: "carts-delay", MaxDuration: gameday.Duration{Duration: 5 * time.Minute}}},
			Timeouts: gameday.Timeouts{Experiment: gameday.Duration{Duration: 30 * time.Minute}},
		},
	}
}

// fakeRender stands in for fistemplate.Render: the digest tag is the
// description, so a test changes the digest by changing the description.
func fakeRender(s *gameday.Spec) (*fis.CreateExperimentTemplateInput, error) {
	if s.Metadata.Description == "unrenderable" {
		return nil, errors.New("fault carts-delay: too long")
	}
	return &fis.CreateExperimentTemplateInput{
		Description: aws.String(s.Metadata.Description),
		RoleArn:     aws.String("arn:aws:iam::123456789012:role/gameday-fis"),
		Tags:        map[string]string{deploy.TagName: s.Metadata.Name, deploy.TagDigest: "digest-" + s.Metadata.Description, "env": "staging"},
	}, nil
}

func fakeUpdate(id string, in *fis.CreateExperimentTemplateInput) *fis.UpdateExperimentTemplateInput {
	return &fis.UpdateExperimentTemplateInput{Id: aws.String(id), Description: in.Description, RoleArn: in.RoleArn}
}

func newStarter(f *experimenttest.FIS) *Starter {
	return &Starter{API: f, Render: fakeRender, Update: fakeUpdate, Now: func() time.Time { return t0 }}
}

func startState(spec *gameday.Spec) gameday.RunState {
	return gameday.RunState{
		RunInput:  gameday.RunInput{GameDay: spec},
		Execution: gameday.Execution{ARN: execARN, Name: "run-1"},
	}
}

func TestStarterTemplateActions(t *testing.T) {
	tests := []struct {
		name        string
		existing    map[string]string // tags of an existing template; nil: none
		role        string            // the existing template's role (default: the rendered one)
		others      int               // templates of other GameDays
		wantAction  string
		wantCalls   map[string]int
		wantTmplTag string
	}{
		{name: "creates when none", wantAction: TemplateCreated, others: 3,
			wantCalls:   map[string]int{"CreateExperimentTemplate": 1, "UpdateExperimentTemplate": 0, "TagResource": 0},
			wantTmplTag: "digest-v1"},
		{name: "reuses when the digest is unchanged", existing: map[string]string{deploy.TagName: "carts-latency", deploy.TagStateMachine: ownSM, deploy.TagDigest: "digest-v1"}, others: 3,
			wantAction:  TemplateReused,
			wantCalls:   map[string]int{"CreateExperimentTemplate": 0, "UpdateExperimentTemplate": 0, "TagResource": 0},
			wantTmplTag: "digest-v1"},
		{name: "updates when the deployment changed under the same digest", existing: map[string]string{deploy.TagName: "carts-latency", deploy.TagStateMachine: ownSM, deploy.TagDigest: "digest-v1"}, others: 3,
			role:        "arn:aws:iam::123456789012:role/old-stack-role",
			wantAction:  TemplateUpdated,
			wantCalls:   map[string]int{"CreateExperimentTemplate": 0, "UpdateExperimentTemplate": 1, "TagResource": 1},
			wantTmplTag: "digest-v1"},
		{name: "creates its own when the GameDay's template is another state machine's",
			existing: map[string]string{deploy.TagName: "carts-latency", deploy.TagStateMachine: "arn:aws:states:us-east-1:123456789012:stateMachine:other-run", deploy.TagDigest: "digest-v1"}, others: 3,
			wantAction:  TemplateCreated,
			wantCalls:   map[string]int{"CreateExperimentTemplate": 1, "UpdateExperimentTemplate": 0, "TagResource": 0, "DeleteExperimentTemplate": 0},
			wantTmplTag: "digest-v1"},
		{name: "creates its own when the GameDay's template carries no state machine",
			existing: map[string]string{deploy.TagName: "carts-latency", deploy.TagDigest: "digest-v1"}, others: 3,
			wantAction:  TemplateCreated,
			wantCalls:   map[string]int{"CreateExperimentTemplate": 1, "UpdateExperimentTemplate": 0, "TagResource": 0, "DeleteExperimentTemplate": 0},
			wantTmplTag: "digest-v1"},
		{name: "updates and retags when the digest changed", existing: map[string]string{deploy.TagName: "carts-latency", deploy.TagStateMachine: ownSM, deploy.TagDigest: "digest-v0"}, others: 3,
			wantAction:  TemplateUpdated,
			wantCalls:   map[string]int{"CreateExperimentTemplate": 0, "UpdateExperimentTemplate": 1, "TagResource": 1},
			wantTmplTag: "digest-v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &experimenttest.FIS{}
			for i := range tt.others { // spread over pages before and after ours
				f.AddTemplate("EXT-other-"+string(rune('a'+i)), map[string]string{deploy.TagName: "other"})
			}
			if tt.existing != nil {
				tmpl := f.AddTemplate("EXT-ours", tt.existing)
				tmpl.Input, _ = fakeRender(testSpec("v1"))
				if tt.role != "" {
					tmpl.Input.RoleArn = aws.String(tt.role)
				}
			}
			got, err := newStarter(f).Handle(context.Background(), startState(testSpec("v1")))
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			if got.TemplateAction != tt.wantAction {
				t.Errorf("TemplateAction = %q, want %q", got.TemplateAction, tt.wantAction)
			}
			for op, n := range tt.wantCalls {
				if c := f.Count(op); c != n {
					t.Errorf("%s called %d times, want %d", op, c, n)
				}
			}
			tmpl := f.Templates[got.ExperimentTemplateID]
			if tmpl == nil {
				t.Fatalf("template %q does not exist", got.ExperimentTemplateID)
			}
			if tmpl.Tags[deploy.TagDigest] != tt.wantTmplTag || tmpl.Tags[deploy.TagName] != "carts-latency" || tmpl.Tags[deploy.TagStateMachine] != ownSM {
				t.Errorf("template tags = %v, want %s=%s and %s=%s", tmpl.Tags, deploy.TagDigest, tt.wantTmplTag, deploy.TagStateMachine, ownSM)
			}
			if f.Count("ListExperimentTemplates") < 2 {
				t.Errorf("ListExperimentTemplates: %d pages read, want the paginator to read them all", f.Count("ListExperimentTemplates"))
			}
		})
	}
}

func TestStarterStartsOneExperimentHoweverRetried(t *testing.T) {
	f := &experimenttest.FIS{}
	s := newStarter(f)
	var results []gameday.StartResult
	for range 6 {
		got, err := s.Handle(context.Background(), startState(testSpec("v1")))
		if err != nil {
			t.Fatalf("Handle() error = %v", err)
		}
		results = append(results, got)
	}
	if n := len(f.Experiments); n != 1 {
		t.Fatalf("%d experiments started, want 1", n)
	}
	if n := len(f.Templates); n != 1 {
		t.Fatalf("%d templates created, want 1", n)
	}
	want := gameday.StartResult{
		ExperimentID: results[0].ExperimentID, ExperimentTemplateID: results[0].ExperimentTemplateID,
		TemplateAction: TemplateCreated, ClientToken: "start-run-1",
		StartedAt: t0, Deadline: t0.Add(30 * time.Minute),
	}
	if diff := cmp.Diff(want, results[0]); diff != "" {
		t.Errorf("first result mismatch (-want +got):\n%s", diff)
	}
	for i, r := range results[1:] {
		if r.ExperimentID != want.ExperimentID || r.TemplateAction != TemplateReused || !r.Deadline.Equal(want.Deadline) {
			t.Errorf("retry %d = %+v, want the same experiment, template reused", i+1, r)
		}
	}
	wantTags := map[string]string{deploy.TagName: "carts-latency", deploy.TagExecution: execARN, "env": "staging"}
	if diff := cmp.Diff(wantTags, f.ExperimentTags[want.ExperimentID]); diff != "" {
		t.Errorf("experiment tags mismatch (-want +got):\n%s", diff)
	}
}

func TestStarterErrors(t *testing.T) {
	tests := []struct {
		name     string
		state    gameday.RunState
		fail     map[string]error
		wantName string
		sentinel error
	}{
		{name: "no gameday", state: gameday.RunState{Execution: gameday.Execution{Name: "run-1"}}, wantName: gameday.ErrNameInvalidGameDay},
		{name: "no execution name", state: gameday.RunState{RunInput: gameday.RunInput{GameDay: testSpec("v1")}}, wantName: gameday.ErrNameInternal},
		{name: "render fails", state: startState(testSpec("unrenderable")), wantName: gameday.ErrNameInvalidGameDay},
		{name: "start throttled", state: startState(testSpec("v1")),
			fail: map[string]error{"StartExperiment": experimenttest.APIError("ThrottlingException")}, wantName: gameday.ErrNameThrottled, sentinel: gameday.ErrThrottled},
		{name: "quota", state: startState(testSpec("v1")),
			fail: map[string]error{"StartExperiment": experimenttest.APIError("ServiceQuotaExceededException")}, wantName: gameday.ErrNameInternal, sentinel: gameday.ErrQuota},
		{name: "list templates fails", state: startState(testSpec("v1")),
			fail: map[string]error{"ListExperimentTemplates": experimenttest.APIError("TooManyRequestsException")}, wantName: gameday.ErrNameThrottled, sentinel: gameday.ErrThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &experimenttest.FIS{Recorder: awsfake.Recorder{Fail: tt.fail}}
			_, err := newStarter(f).Handle(context.Background(), tt.state)
			if err == nil {
				t.Fatal("Handle() error = nil")
			}
			if got := gameday.ErrorName(err); got != tt.wantName {
				t.Errorf("ErrorName(%v) = %s, want %s", err, got, tt.wantName)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("Handle() error = %v, want errors.Is %v", err, tt.sentinel)
			}
			if len(f.Experiments) != 0 {
				t.Errorf("%d experiments started, want none", len(f.Experiments))
			}
		})
	}
}

func TestSameDeployment(t *testing.T) {
	base := func() (*types.ExperimentTemplate, *fis.CreateExperimentTemplateInput) {
		in := &fis.CreateExperimentTemplateInput{
			RoleArn: aws.String("role"),
			LogConfiguration: &types.CreateExperimentTemplateLogConfigurationInput{
				S3Configuration: &types.ExperimentTemplateS3LogConfigurationInput{BucketName: aws.String("logs"), Prefix: aws.String("fis-logs/")}},
			StopConditions: []types.CreateExperimentTemplateStopConditionInput{
				{Source: aws.String("aws:cloudwatch:alarm"), Value: aws.String("arn:a")},
				{Source: aws.String("aws:cloudwatch:alarm"), Value: aws.String("arn:b")}},
			Targets: map[string]types.CreateExperimentTemplateTargetInput{"Cluster": {ResourceArns: []string{"arn:cluster"}}},
		}
		tm := &types.ExperimentTemplate{
			RoleArn: aws.String("role"),
			LogConfiguration: &types.ExperimentTemplateLogConfiguration{
				S3Configuration: &types.ExperimentTemplateS3LogConfiguration{BucketName: aws.String("logs"), Prefix: aws.String("fis-logs/")}},
			StopConditions: []types.ExperimentTemplateStopCondition{
				{Source: aws.String("aws:cloudwatch:alarm"), Value: aws.String("arn:b")},
				{Source: aws.String("aws:cloudwatch:alarm"), Value: aws.String("arn:a")}},
			Targets: map[string]types.ExperimentTemplateTarget{"Cluster": {ResourceArns: []string{"arn:cluster"}}},
		}
		return tm, in
	}
	tests := []struct {
		name   string
		change func(*types.ExperimentTemplate)
		want   bool
	}{
		{"same, stop conditions in another order", func(*types.ExperimentTemplate) {}, true},
		{"role", func(t *types.ExperimentTemplate) { t.RoleArn = aws.String("old") }, false},
		{"log bucket", func(t *types.ExperimentTemplate) { t.LogConfiguration.S3Configuration.BucketName = aws.String("old") }, false},
		{"no log configuration", func(t *types.ExperimentTemplate) { t.LogConfiguration = nil }, false},
		{"stop condition ARN", func(t *types.ExperimentTemplate) { t.StopConditions[0].Value = aws.String("arn:c") }, false},
		{"cluster ARN", func(t *types.ExperimentTemplate) {
			t.Targets["Cluster"] = types.ExperimentTemplateTarget{ResourceArns: []string{"arn:other"}}
		}, false},
		{"extra target", func(t *types.ExperimentTemplate) { t.Targets["More"] = types.ExperimentTemplateTarget{} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, in := base()
			tt.change(tm)
			if got := sameDeployment(tm, in); got != tt.want {
				t.Errorf("sameDeployment() = %v, want %v", got, tt.want)
			}
		})
	}
	if sameDeployment(nil, &fis.CreateExperimentTemplateInput{}) {
		t.Error("sameDeployment(nil) = true")
	}
}

// TestStarterNeedsItsExecution: without an execution ARN the template
// would belong to no state machine; the start refuses before any call.
func TestStarterNeedsItsExecution(t *testing.T) {
	for _, arn := range []string{"", "run-1", "arn:aws:states:us-east-1:123456789012:stateMachine:gameday"} {
		f := &experimenttest.FIS{}
		st := startState(testSpec("v1"))
		st.Execution.ARN = arn
		if _, err := newStarter(f).Handle(context.Background(), st); err == nil || !strings.Contains(err.Error(), "execution") {
			t.Errorf("Handle with execution ARN %q = %v, want a refusal naming the execution", arn, err)
		}
		if n := f.Count("CreateExperimentTemplate") + f.Count("StartExperiment") + f.Count("ListExperimentTemplates"); n != 0 {
			t.Errorf("execution ARN %q: %d FIS calls, want none", arn, n)
		}
	}
}

// TestStarterArchivesWhatItSent: the request kept for template.json is the
// one sent to FIS, gameday's own tags included.
func TestStarterArchivesWhatItSent(t *testing.T) {
	f := &experimenttest.FIS{}
	s := newStarter(f)
	s.Encode = func(in *fis.CreateExperimentTemplateInput) ([]byte, error) { return json.Marshal(in.Tags) }
	got, err := s.Handle(context.Background(), startState(testSpec("v1")))
	if err != nil {
		t.Fatal(err)
	}
	var sent map[string]string
	if err := json.Unmarshal(got.Template, &sent); err != nil {
		t.Fatalf("Template = %s: %v", got.Template, err)
	}
	created := f.Templates[got.ExperimentTemplateID].Tags
	if sent[deploy.TagStateMachine] != ownSM || sent[deploy.TagName] != "carts-latency" || !cmp.Equal(sent, created) {
		t.Errorf("archived tags %v, created with %v; want the same, with %s=%s", sent, created, deploy.TagStateMachine, ownSM)
	}
}

// TestStarterRefusesAStateTooLarge: a run whose state, once started, would
// leave less than gameday.RunReserve below Step Functions' quota starts
// nothing (past the quota the execution would fail uncaught, the
// experiment running); one with room starts.
func TestStarterRefusesAStateTooLarge(t *testing.T) {
	room := gameday.MaxPayload - gameday.RunReserve
	tests := []struct {
		name             string
		yaml, template   int // bytes of spec YAML and of rendered template
		wantExperiments  int
		wantInvalidError bool
	}{
		{name: "small: starts", yaml: 4 << 10, template: 2 << 10, wantExperiments: 1},
		{name: "a long file: nothing started", yaml: room, template: 2 << 10, wantInvalidError: true},
		{name: "a large template: nothing started", yaml: 4 << 10, template: room, wantInvalidError: true},
		{name: "file and template together: nothing started", yaml: room / 2, template: room / 2, wantInvalidError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &experimenttest.FIS{}
			s := newStarter(f)
			s.Encode = func(*fis.CreateExperimentTemplateInput) ([]byte, error) {
				return []byte(`"` + strings.Repeat("x", tt.template-2) + `"`), nil
			}
			st := startState(testSpec("v1"))
			st.SpecYAML = strings.Repeat("#", tt.yaml)
			_, err := s.Handle(context.Background(), st)
			if got := err != nil && gameday.ErrorName(err) == gameday.ErrNameInvalidGameDay; got != tt.wantInvalidError {
				t.Errorf("Handle() error = %v, want %s: %v", err, gameday.ErrNameInvalidGameDay, tt.wantInvalidError)
			}
			if len(f.Experiments) != tt.wantExperiments || (tt.wantInvalidError && len(f.Templates) != 0) {
				t.Errorf("%d experiments, %d templates, want %d experiments (and no template when refused)", len(f.Experiments), len(f.Templates), tt.wantExperiments)
			}
		})
	}
}
