package fissim_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// detailFields are the members of details that the FIS log schema (version
// 2) documents in "Experiment logging for AWS FIS".
var detailFields = map[string]bool{
	"account_id": true, "action_end_time": true, "action_id": true, "action_name": true,
	"action_start_time": true, "action_state": true, "action_targets": true, "error_information": true,
	"experiment_end_time": true, "experiment_state": true, "experiment_start_time": true,
	"experiment_template_id": true, "page": true, "parameters": true, "resolved_targets": true,
	"resolved_targets_count": true, "status": true, "target_name": true,
	"target_resolution_end_time": true, "target_resolution_start_time": true, "target_type": true,
	"total_pages": true, "total_resolved_targets_count": true,
}

var logTypes = map[string]bool{
	"experiment-start": true, "target-resolution-start": true, "target-resolution-detail": true,
	"target-resolution-end": true, "action-start": true, "action-error": true, "action-end": true,
	"experiment-end": true,
}

var timestampRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

func TestLogsDelivered(t *testing.T) {
	e := newEnv(t)
	id := e.create(t, walkthrough())
	exp := e.start(t, id, "logs")
	end := e.await(t, *exp.Id)

	// Delivery lags LogDelay (2 simulated minutes) behind the records.
	var keys []string
	var bodies map[string][]byte
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		keys, bodies = e.objects.snapshot()
		if n := len(keys); n > 0 && bytes.Contains(bodies[keys[n-1]], []byte(`"log_type":"experiment-end"`)) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(keys) == 0 {
		t.Fatal("no log object delivered")
	}
	keyRE := regexp.MustCompile(`^fis/AWSLogs/123456789012/fis/us-east-1/` + *exp.Id +
		`/(\d{4})/(\d{2})/(\d{2})/123456789012_awsfislogs_us-east-1_` + *exp.Id + `_(\d{4})(\d{2})(\d{2})\d{4}Z_[0-9a-f]{16}\.log$`)
	var records []map[string]any
	for _, k := range keys {
		m := keyRE.FindStringSubmatch(k)
		if m == nil {
			t.Errorf("key %q does not follow FIS's layout", k)
			continue
		}
		if m[1] != m[4] || m[2] != m[5] || m[3] != m[6] {
			t.Errorf("key %q: the date folders and the file's timestamp disagree", k)
		}
		sc := bufio.NewScanner(bytes.NewReader(bodies[k]))
		for sc.Scan() {
			var r map[string]any
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("%s: line %q is not JSON: %v", k, sc.Text(), err)
			}
			records = append(records, r)
		}
	}
	if last := records[len(records)-1]["log_type"]; last != "experiment-end" {
		t.Errorf("last record is %v, want experiment-end", last)
	}
	for i, r := range records {
		var top []string
		for k := range r {
			top = append(top, k)
		}
		sort.Strings(top)
		if diff := cmp.Diff([]string{"details", "event_timestamp", "id", "log_type", "version"}, top); diff != "" {
			t.Errorf("record %d members (-want +got):\n%s", i, diff)
		}
		if r["id"] != *exp.Id || r["version"] != "2" || !logTypes[r["log_type"].(string)] {
			t.Errorf("record %d: id %v version %v log_type %v", i, r["id"], r["version"], r["log_type"])
		}
		if ts, _ := r["event_timestamp"].(string); !timestampRE.MatchString(ts) {
			t.Errorf("record %d: event_timestamp %q", i, ts)
		}
		for k, v := range r["details"].(map[string]any) {
			if !detailFields[k] {
				t.Errorf("record %d (%s): details.%s is not in the documented schema", i, r["log_type"], k)
			}
			if s, ok := v.(string); ok && len(k) > 5 && k[len(k)-5:] == "_time" && !timestampRE.MatchString(s) {
				t.Errorf("record %d: details.%s = %q", i, k, s)
			}
		}
	}
	if got := records[len(records)-1]["details"].(map[string]any)["experiment_state"]; got.(map[string]any)["status"] != string(end.State.Status) {
		t.Errorf("experiment-end state %v, GetExperiment says %s", got, end.State.Status)
	}

	// The golden file holds the records with the run's ids and times masked.
	var golden bytes.Buffer
	for _, r := range records {
		golden.Write(mask(t, r, *exp.Id, id))
		golden.WriteByte('\n')
	}
	path := filepath.Join("testdata", "walkthrough-logs.golden.jsonl")
	if *update {
		if err := os.WriteFile(path, golden.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), golden.String()); diff != "" {
		t.Errorf("log records (-want +got):\n%s", diff)
	}
}

// mask replaces the experiment and template ids and every timestamp so that
// records compare across runs.
func mask(t *testing.T, r map[string]any, expID, tmplID string) []byte {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte(expID), []byte("EXP"))
	b = bytes.ReplaceAll(b, []byte(tmplID), []byte("EXT"))
	return regexp.MustCompile(`"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"`).ReplaceAll(b, []byte(`"TIME"`))
}

func TestLogsToMissingBucketAreDropped(t *testing.T) {
	e := newEnv(t)
	in := walkthrough()
	bucket := "no-such-bucket"
	in.LogConfiguration.S3Configuration.BucketName = &bucket
	id := e.create(t, in)
	exp := e.start(t, id, "nobucket")
	end := e.await(t, *exp.Id)
	if end.State.Status != "completed" {
		t.Errorf("state %s: a missing log bucket must not fail the experiment", end.State.Status)
	}
	time.Sleep(50 * time.Millisecond) // past the delivery delay
	if keys, _ := e.objects.snapshot(); len(keys) != 0 {
		t.Errorf("objects %v written to a bucket that does not exist", keys)
	}
	if recs, ok := e.svc.LogRecords(*exp.Id); !ok || len(recs) == 0 {
		t.Errorf("LogRecords = %d, %v", len(recs), ok)
	}
	_ = context.Background
}
