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
			svc := fissim.New(fissim.Options{
				Account: account, Region: region, Clock: simclock.New(time.Now(), 1000),
				Variants: fissim.Variants{StopEnded: tc.variant},
			})
			srv := httptest.NewServer(svc)
			t.Cleanup(func() {
				srv.Close()
				svc.Close()
			})
			out := simcheck.Python(t, nil, filepath.Join("testdata", "operations.py"), srv.URL, tc.unlisted)
			var res struct {
				Calls  [][4]any `json:"calls"`
				Errors []string `json:"errors"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("operations.py output %q: %v", out, err)
			}
			for _, e := range res.Errors {
				t.Errorf("botocore model: %s", e)
			}
			seen := map[string]bool{}
			for _, c := range res.Calls {
				name, code := c[0].(string), c[3].(string)
				seen[name] = true
				if want, ok := wantErr[name]; ok && code != want {
					t.Errorf("%s: %s answered %q, want %s", name, c[1], code, want)
				} else if !ok && code != "" {
					t.Errorf("%s: %s answered %q, want success", name, c[1], code)
				}
			}
			for name := range wantErr {
				if !seen[name] {
					t.Errorf("operations.py made no call %q", name)
				}
			}
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
	svc := fissim.New(fissim.Options{Account: account, Region: region})
	srv := httptest.NewServer(svc)
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	script := filepath.Join("testdata", "templates_moto.py")
	var sim, moto map[string]any
	for _, r := range []struct {
		url string
		out *map[string]any
	}{{srv.URL, &sim}, {simcheck.Moto(t), &moto}} {
		if err := json.Unmarshal(simcheck.Python(t, nil, script, r.url), r.out); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(moto, sim); diff != "" {
		t.Errorf("simulator differs from moto (-moto +simulator):\n%s", diff)
	}
}
