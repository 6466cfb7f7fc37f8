package fissim_test

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/sim/fissim"
	"github.com/gameday-dev/gameday/pkg/sim/simcheck"
	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/google/go-cmp/cmp"
)

// TestOperationsAgainstBotocore runs testdata/operations.py: boto3 calls
// every FIS operation gameday makes, the ways gameday makes them and the ways
// they fail, and checks each answer against botocore's FIS model: a success's
// body against the output shape, an error's code against the errors the
// model lists for the operation (FIS API reference, each operation's
// Errors), its status and body against the error's shape. It runs under
// each variant of what AWS does not document, and checks which error each
// failing call got.
func TestOperationsAgainstBotocore(t *testing.T) {
	simcheck.Boto3(t)
	wantErr := map[string]string{
		"create, bad action":               "ValidationException",
		"create, bad duration":             "ValidationException",
		"create, tag value 257":            "ValidationException",
		"create, tag key 129":              "ValidationException",
		"create, 51 tags":                  "ValidationException",
		"create, action description 513":   "ValidationException",
		"create, parameter 1025":           "ValidationException",
		"tag template, value 257":          "ValidationException",
		"start, tag value 257":             "ValidationException",
		"get template, unknown":            "ResourceNotFoundException",
		"update, unknown":                  "ResourceNotFoundException",
		"update, bad duration":             "ValidationException",
		"list templates, bad token":        "ValidationException",
		"list templates, maxResults 101":   "ValidationException",
		"start, unknown template":          "ResourceNotFoundException",
		"stop, unknown":                    "ResourceNotFoundException",
		"get, unknown":                     "ResourceNotFoundException",
		"list experiments, bad token":      "ValidationException",
		"list experiments, maxResults 101": "ValidationException",
		"get lever, unknown":               "ResourceNotFoundException",
		"delete template, unknown":         "ResourceNotFoundException",
		"stop ended (stopped)":             "", // per variant, below
		"stop ended (completed)":           "",
		"engage lever again":               "ConflictException",
	}
	for _, tc := range []struct {
		name     string
		variant  fissim.StopEnded
		stopped  string // what StopExperiment answers for an ended experiment
		unlisted string // errors the variant gives that the model does not list
	}{
		{"StopEndedValidation", fissim.StopEndedValidation, "ValidationException", "{}"},
		// Not listed for StopExperiment: a variant only, so that gameday's
		// handlers are tested against it too (docs/fidelity.md, question 10).
		{"StopEndedConflict", fissim.StopEndedConflict, "ConflictException", `{"StopExperiment": ["ConflictException"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr["stop ended (stopped)"], wantErr["stop ended (completed)"] = tc.stopped, tc.stopped
			url := serve(t, fissim.Options{
				Account: account, Region: region, Clock: simclock.New(time.Now(), 1000),
				Variants: fissim.Variants{StopEnded: tc.variant},
			})
			out := simcheck.Python(t, nil, filepath.Join("testdata", "operations.py"), url, tc.unlisted)
			simcheck.Expect(t, out, wantErr)
		})
	}
}

// TestTemplatesAgainstMoto runs testdata/templates_moto.py, the template
// calls moto 5.2.1's FIS serves (it has no experiments), against moto and
// against the simulator, and compares the answers: members, tags kept,
// added and removed, a reused clientToken, a second delete. (moto also
// keeps a deleted template's tags, which the script does not ask for.)
func TestTemplatesAgainstMoto(t *testing.T) {
	simcheck.Boto3(t)
	script := filepath.Join("testdata", "templates_moto.py")
	var sim, moto map[string]any
	for _, r := range []struct {
		url string
		out *map[string]any
	}{{serve(t, fissim.Options{Account: account, Region: region}), &sim}, {simcheck.Moto(t), &moto}} {
		if err := json.Unmarshal(simcheck.Python(t, nil, script, r.url), r.out); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(moto, sim); diff != "" {
		t.Errorf("simulator differs from moto (-moto +simulator):\n%s", diff)
	}
}

// serve serves a simulated FIS on a local port until the test ends and
// returns its URL, for tools outside the test process.
func serve(t *testing.T, o fissim.Options) string {
	t.Helper()
	svc := fissim.New(o)
	srv := httptest.NewServer(svc)
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	return srv.URL
}
