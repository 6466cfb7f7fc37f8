package ddbsim

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/sim/simcheck"
	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/google/go-cmp/cmp"
)

// TestLeaseProtocolAgainstMoto runs testdata/lease_protocol.py (boto3)
// against moto_server and against the simulator, and compares the answers
// step by step. Where moto 5.2.1 is known to differ from DynamoDB, the
// simulator is held to what the DynamoDB documentation says instead.
func TestLeaseProtocolAgainstMoto(t *testing.T) {
	simcheck.Boto3(t)
	srv := httptest.NewServer(New(simclock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), "123456789012", "us-east-1"))
	defer srv.Close()
	sim := runScript(t, srv.URL)
	moto := runScript(t, simcheck.Moto(t))

	// DynamoDB refuses placeholders that are defined but unused, or used
	// but undefined, with a ValidationException ("Expression attribute
	// names and values" in the developer guide); moto 5.2.1 accepts the
	// first and answers 500 to the second.
	documented := map[string]any{
		"unused value":    map[string]any{"error": "ValidationException"},
		"undefined value": map[string]any{"error": "ValidationException"},
		"undefined name":  map[string]any{"error": "ValidationException"},
	}
	if len(sim) != len(moto) {
		t.Fatalf("the simulator answered %d steps, moto %d", len(sim), len(moto))
	}
	for i, s := range sim {
		m := moto[i]
		name := s[0].(string)
		if want, ok := documented[name]; ok {
			if diff := cmp.Diff(want, s[1]); diff != "" {
				t.Errorf("step %q: the simulator differs from DynamoDB's documented answer (-want +got):\n%s", name, diff)
			}
			t.Logf("step %q: moto answers %v, the simulator (as DynamoDB) %v", name, m[1], s[1])
			continue
		}
		if diff := cmp.Diff(m, s); diff != "" {
			t.Errorf("step %q: the simulator differs from moto (-moto +sim):\n%s", name, diff)
		}
	}
}

func runScript(t *testing.T, endpoint string) [][]any {
	t.Helper()
	cmd := exec.Command("python3", "testdata/lease_protocol.py")
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+endpoint, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("lease_protocol.py against %s: %v\n%s", endpoint, err, stderr)
	}
	var steps [][]any
	if err := json.Unmarshal(out, &steps); err != nil {
		t.Fatalf("decode the script's output: %v\n%s", err, out)
	}
	return steps
}
