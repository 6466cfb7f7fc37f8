package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/guard"
)

// FISStateChangeDetail is the detail of an FIS "Experiment State Change"
// event (FIS user guide, "Monitor experiments using EventBridge").
type FISStateChangeDetail struct {
	ExperimentID         string        `json:"experiment-id"`
	ExperimentTemplateID string        `json:"experiment-template-id"`
	NewState             FISStateValue `json:"new-state"`
	OldState             FISStateValue `json:"old-state"`
}

// FISStateValue is one side of the state change.
type FISStateValue struct {
	Status gameday.State `json:"status"`
	Reason string        `json:"reason"`
}

// SFNStatusChangeDetail is the detail of a Step Functions "Execution Status
// Change" event. Fields the service sends as null are pointers.
type SFNStatusChangeDetail struct {
	ExecutionARN        string       `json:"executionArn"`
	StateMachineARN     string       `json:"stateMachineArn"`
	Name                string       `json:"name"`
	Status              string       `json:"status"`
	StartDate           int64        `json:"startDate"` // epoch milliseconds
	StopDate            *int64       `json:"stopDate"`
	Input               string       `json:"input"`
	Output              *string      `json:"output"`
	InputDetails        *DataDetails `json:"inputDetails"`
	OutputDetails       *DataDetails `json:"outputDetails"`
	Error               *string      `json:"error"`
	Cause               *string      `json:"cause"`
	RedriveCount        int          `json:"redriveCount"`
	RedriveDate         *int64       `json:"redriveDate"`
	RedriveStatus       string       `json:"redriveStatus"`
	RedriveStatusReason *string      `json:"redriveStatusReason"`
}

// DataDetails says whether the input or output was included in the event.
type DataDetails struct {
	Included bool `json:"included"`
}

// strict decodes data into v, refusing unknown fields and trailing data.
func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// sameJSON compares two documents as JSON values.
func sameJSON(t *testing.T, want, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got: %v", err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("re-encoded payload differs (-file +re-encoded):\n%s", diff)
	}
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// roundTripEvent decodes an EventBridge event and its detail strictly,
// re-encodes both and compares with the file.
func roundTripEvent(t *testing.T, data []byte, detail any) lambdaevents.EventBridgeEvent {
	t.Helper()
	var ev lambdaevents.EventBridgeEvent
	if err := strict(data, &ev); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	if err := strict(ev.Detail, detail); err != nil {
		t.Fatalf("decode detail: %v", err)
	}
	d, err := json.Marshal(detail)
	if err != nil {
		t.Fatal(err)
	}
	out := ev
	out.Detail = d
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, data, b)
	return ev
}

func roundTripRunInput(t *testing.T, data []byte) gameday.RunInput {
	t.Helper()
	var in gameday.RunInput
	if err := strict(data, &in); err != nil {
		t.Fatalf("decode RunInput: %v", err)
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, data, b)
	if in.GameDay == nil || in.GameDay.Metadata.Name == "" || len(in.GameDay.Spec.Faults) == 0 {
		t.Errorf("RunInput carries no usable GameDay: %+v", in.GameDay)
	}
	return in
}

func TestRunInputFromSchedule(t *testing.T) {
	in := roundTripRunInput(t, read(t, "run-input-schedule.json"))
	if in.Source != "schedule" {
		t.Errorf("source = %q, want schedule", in.Source)
	}
	if in.GameDay.Spec.Schedule == nil || !in.GameDay.Spec.Schedule.ScheduleEnabled() {
		t.Errorf("a scheduled run's GameDay has no enabled schedule: %+v", in.GameDay.Spec.Schedule)
	}
}

func TestRunInputManual(t *testing.T) {
	in := roundTripRunInput(t, read(t, "run-input-manual.json"))
	if in.Source != "manual" {
		t.Errorf("source = %q, want manual", in.Source)
	}
	// specYaml is the file as written: it must decode to the same GameDay.
	var fromYAML gameday.Spec
	if err := yaml.UnmarshalWithOptions([]byte(in.SpecYAML), &fromYAML, yaml.Strict()); err != nil {
		t.Fatalf("specYaml: %v", err)
	}
	a, _ := json.Marshal(fromYAML)
	b, _ := json.Marshal(in.GameDay)
	sameJSON(t, a, b)
	// And it is the example it was made from.
	if want := read(t, filepath.Join("..", "examples", in.GameDay.Metadata.Name+".yaml")); string(want) != in.SpecYAML {
		t.Errorf("specYaml is not examples/%s.yaml as written", in.GameDay.Metadata.Name)
	}
}

func TestFISExperimentStateChange(t *testing.T) {
	var d FISStateChangeDetail
	ev := roundTripEvent(t, read(t, "fis-experiment-state-change.json"), &d)
	if ev.DetailType != "FIS Experiment State Change" || ev.Source != "aws.fis" {
		t.Errorf("detail-type %q, source %q", ev.DetailType, ev.Source)
	}
	if len(ev.Resources) != 1 || !strings.HasSuffix(ev.Resources[0], ":experiment/"+d.ExperimentID) {
		t.Errorf("resources %v do not name experiment %s", ev.Resources, d.ExperimentID)
	}
	known := map[gameday.State]bool{}
	for _, s := range []gameday.State{gameday.StatePending, gameday.StateInitiating, gameday.StateRunning, gameday.StateCompleted, gameday.StateStopping, gameday.StateStopped, gameday.StateFailed, gameday.StateCancelled} {
		known[s] = true
	}
	for _, s := range []gameday.State{d.NewState.Status, d.OldState.Status} {
		if !known[s] {
			t.Errorf("state %q is not an FIS experiment state", s)
		}
	}
	if ev.Time.IsZero() {
		t.Error("event time did not decode")
	}
}

func TestSFNExecutionStatusChange(t *testing.T) {
	data := read(t, "sfn-execution-status-change.json")
	var d SFNStatusChangeDetail
	ev := roundTripEvent(t, data, &d)
	if ev.DetailType != guard.DetailType || ev.Source != "aws.states" {
		t.Errorf("detail-type %q, source %q", ev.DetailType, ev.Source)
	}
	if len(ev.Resources) != 1 || ev.Resources[0] != d.ExecutionARN {
		t.Errorf("resources %v, want the execution %s", ev.Resources, d.ExecutionARN)
	}
	if d.StopDate == nil || *d.StopDate < d.StartDate {
		t.Errorf("stopDate %v before startDate %d", d.StopDate, d.StartDate)
	}
	// The execution's input is a RunInput.
	if d.InputDetails == nil || !d.InputDetails.Included {
		t.Fatal("the sample should include the input")
	}
	roundTripRunInput(t, []byte(d.Input))

	// What the guard reads from this event.
	var g guard.StatusDetail
	if err := json.Unmarshal(ev.Detail, &g); err != nil {
		t.Fatal(err)
	}
	want := guard.StatusDetail{ExecutionARN: d.ExecutionARN, StateMachineARN: d.StateMachineARN, Name: d.Name, Status: "ABORTED"}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("guard.StatusDetail (-want +got):\n%s", diff)
	}
}

// TestEveryFileIsTested keeps this directory and the tests in step.
func TestEveryFileIsTested(t *testing.T) {
	files, err := filepath.Glob("*.json")
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]bool{
		"run-input-schedule.json":          true,
		"run-input-manual.json":            true,
		"fis-experiment-state-change.json": true,
		"sfn-execution-status-change.json": true,
	}
	for _, f := range files {
		if !tested[f] {
			t.Errorf("%s has no round-trip test", f)
		}
		delete(tested, f)
	}
	for f := range tested {
		t.Errorf("%s is missing", f)
	}
}

// TestStrictDecodingBites checks that the round trips above would notice a
// misspelt or unknown field, in the envelope or in the detail.
func TestStrictDecodingBites(t *testing.T) {
	data := read(t, "fis-experiment-state-change.json")
	tests := []struct{ name, from, to string }{
		{"envelope", `"detail-type"`, `"detailType"`},
		{"detail", `"experiment-template-id"`, `"experimentTemplateId"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := []byte(strings.Replace(string(data), tt.from, tt.to, 1))
			var ev lambdaevents.EventBridgeEvent
			err := strict(bad, &ev)
			if err == nil {
				var d FISStateChangeDetail
				err = strict(ev.Detail, &d)
			}
			if err == nil {
				t.Errorf("a payload with %s renamed to %s decoded strictly", tt.from, tt.to)
			}
		})
	}
}
