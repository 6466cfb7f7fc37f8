package eventsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// TestThroughSimulator puts an event through the simulator's one endpoint,
// routed by the SigV4 scope "events", and sees it in Events() and in the
// inspection JSON.
func TestThroughSimulator(t *testing.T) {
	s, cfg := simtest.New(t, sim.Options{Speed: 60})
	c := eventbridge.NewFromConfig(cfg)
	before := s.Clock().Now()
	out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("gameday"), DetailType: aws.String("GameDay Completed"), Detail: aws.String(`{"verdict":"passed"}`)},
		{Source: aws.String("gameday"), DetailType: aws.String("GameDay Completed"), Detail: aws.String(`{}`), EventBusName: aws.String("nope")},
	}})
	if err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
	if out.FailedEntryCount != 1 || aws.ToString(out.Entries[1].ErrorCode) != "ResourceNotFoundException" {
		t.Errorf("PutEvents = %d failed, entries %+v; want the second to fail with ResourceNotFoundException", out.FailedEntryCount, out.Entries)
	}
	evs := s.Events().Events()
	if len(evs) != 1 {
		t.Fatalf("simulator holds %d events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.ID != aws.ToString(out.Entries[0].EventId) || ev.Account != s.Account() || ev.Region != s.Region() {
		t.Errorf("event %+v does not match id %s, account %s, region %s", ev, aws.ToString(out.Entries[0].EventId), s.Account(), s.Region())
	}
	if ev.Time.Before(before) || ev.Time.After(s.Clock().Now()) {
		t.Errorf("event time %v is not on the simulator's clock (%v..%v)", ev.Time, before, s.Clock().Now())
	}

	buses, err := c.ListEventBuses(context.Background(), &eventbridge.ListEventBusesInput{})
	if err != nil || len(buses.EventBuses) != 1 || aws.ToString(buses.EventBuses[0].Arn) != "arn:aws:events:us-east-1:123456789012:event-bus/default" {
		t.Errorf("ListEventBuses = %+v, %v; want the default bus", buses, err)
	}

	resp, err := http.Get(s.URL() + sim.InspectPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ins struct {
		Events []struct {
			ID         string          `json:"id"`
			DetailType string          `json:"detail-type"`
			Detail     json.RawMessage `json:"detail"`
		} `json:"events"`
		SNSMessages []any `json:"snsMessages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ins); err != nil {
		t.Fatalf("decode inspection: %v", err)
	}
	if len(ins.Events) != 1 || ins.Events[0].ID != ev.ID || ins.Events[0].DetailType != "GameDay Completed" || string(ins.Events[0].Detail) != `{"verdict":"passed"}` {
		t.Errorf("inspection events = %+v, want the one event", ins.Events)
	}
	if ins.SNSMessages == nil {
		t.Errorf("inspection snsMessages is null, want []")
	}
}

// TestUnsignedJSON: an EventBridge request without SigV4 gets a JSON error
// the SDKs can parse.
func TestUnsignedJSON(t *testing.T) {
	s, _ := simtest.New(t, sim.Options{})
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", bytes.NewReader([]byte(`{"Entries":[]}`)))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Type string `json:"__type"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if resp.StatusCode != http.StatusBadRequest || body.Type != "UnrecognizedClientException" {
		t.Errorf("unsigned PutEvents = %d %s, want 400 UnrecognizedClientException", resp.StatusCode, body.Type)
	}
}

// TestAWSCLI drives the simulator with the AWS CLI v1 (botocore's awsJson
// client): put-events, list-event-buses and a per-entry error.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH")
	}
	s, _ := simtest.New(t, sim.Options{})
	var put struct {
		FailedEntryCount int
		Entries          []struct{ EventId, ErrorCode, ErrorMessage string }
	}
	awsCLI(t, s, &put, "events", "put-events", "--entries",
		`[{"Source":"gameday","DetailType":"GameDay Completed","Detail":"{\"verdict\":\"failed\"}","Resources":["arn:aws:states:us-east-1:123456789012:execution:gd:x"]},`+
			`{"Source":"gameday","DetailType":"GameDay Completed","Detail":"[1]"}]`)
	if put.FailedEntryCount != 1 || !uuidRE.MatchString(put.Entries[0].EventId) || put.Entries[1].ErrorCode != "MalformedDetail" {
		t.Errorf("put-events = %+v, want one event id and one MalformedDetail", put)
	}
	evs := s.Events().Events()
	if len(evs) != 1 {
		t.Fatalf("simulator holds %d events, want 1", len(evs))
	}
	got := []string{evs[0].ID, evs[0].Source, evs[0].DetailType, string(evs[0].Detail), evs[0].Resources[0], evs[0].EventBusName}
	want := []string{put.Entries[0].EventId, "gameday", "GameDay Completed", `{"verdict":"failed"}`, "arn:aws:states:us-east-1:123456789012:execution:gd:x", "default"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("stored event (-got +want):\n%s", diff)
	}

	var buses struct{ EventBuses []struct{ Name, Arn string } }
	awsCLI(t, s, &buses, "events", "list-event-buses")
	if len(buses.EventBuses) != 1 || buses.EventBuses[0].Name != "default" {
		t.Errorf("list-event-buses = %+v, want the default bus", buses)
	}
}

func awsCLI(t *testing.T, s *sim.Server, out any, args ...string) {
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
		t.Fatalf("aws %v: %v: %s", args, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("aws %v: decode %q: %v", args, stdout.String(), err)
	}
}
