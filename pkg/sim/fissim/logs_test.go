package fissim_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gameday-dev/gameday/pkg/golden"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim/fissim"
)

// documented is what the FIS user guide says each log record type holds
// (testdata/log-record-fields.json names the section).
type documented struct {
	Source  string `json:"source"`
	Records map[string]struct {
		Details  []string          `json:"details"`
		Optional map[string]string `json:"optional"`
	} `json:"records"`
}

func loadDocumented(t *testing.T) documented {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "log-record-fields.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d documented
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("log-record-fields.json: %v", err)
	}
	return d
}

var timestampRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

func TestLogsDelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		id := e.create(t, walkthrough())
		exp := e.start(t, id, "logs")
		end := e.await(t, *exp.Id)

		// Delivery lags LogDelay (2 simulated minutes) behind the records.
		var keys []string
		var bodies map[string][]byte
		e.clock.Until(t, time.Second, awaitLimit, "experiment-end delivered", func() bool {
			keys, bodies = e.objects.snapshot()
			n := len(keys)
			return n > 0 && bytes.Contains(bodies[keys[n-1]], []byte(`"log_type":"experiment-end"`))
		})
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
		doc := loadDocumented(t)
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
			if _, ok := doc.Records[r["log_type"].(string)]; r["id"] != *exp.Id || r["version"] != "2" || !ok {
				t.Errorf("record %d: id %v version %v log_type %v", i, r["id"], r["version"], r["log_type"])
			}
			if ts, _ := r["event_timestamp"].(string); !timestampRE.MatchString(ts) {
				t.Errorf("record %d: event_timestamp %q", i, ts)
			}
			for k, v := range r["details"].(map[string]any) {
				if s, ok := v.(string); ok && len(k) > 5 && k[len(k)-5:] == "_time" && !timestampRE.MatchString(s) {
					t.Errorf("record %d: details.%s = %q", i, k, s)
				}
			}
		}
		if got := records[len(records)-1]["details"].(map[string]any)["experiment_state"]; got.(map[string]any)["status"] != string(end.State.Status) {
			t.Errorf("experiment-end state %v, GetExperiment says %s", got, end.State.Status)
		}

		// The golden file holds the records with the run's ids and times masked.
		var masked bytes.Buffer
		for _, r := range records {
			masked.Write(mask(t, r, *exp.Id, id))
			masked.WriteByte('\n')
		}
		golden.Check(t, filepath.Join("testdata", "walkthrough-logs.golden.jsonl"), masked.Bytes())
	})
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
	synctest.Test(t, func(t *testing.T) {
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
		e.clock.Advance(5 * time.Minute) // past the delivery delay (2 minutes)
		if keys, _ := e.objects.snapshot(); len(keys) != 0 {
			t.Errorf("objects %v written to a bucket that does not exist", keys)
		}
		if recs, ok := e.svc.LogRecords(*exp.Id); !ok || len(recs) == 0 {
			t.Errorf("LogRecords = %d, %v", len(recs), ok)
		}
		_ = context.Background
	})
}

// TestLogRecordsAsDocumented runs experiments that complete, fail at target
// resolution and fail in an action, and checks every record against the
// guide's example of its type: the documented members and no others, the
// conditional ones exactly when their condition holds, and values that
// agree with GetExperiment.
func TestLogRecordsAsDocumented(t *testing.T) {
	doc := loadDocumented(t)
	tests := []struct {
		name string
		mod  func(in *fis.CreateExperimentTemplateInput)
		// want is the log types in order.
		want []string
	}{
		{
			name: "completed",
			mod:  func(*fis.CreateExperimentTemplateInput) {},
			want: []string{"experiment-start", "target-resolution-start", "target-resolution-detail", "target-resolution-end", "action-start", "action-end", "experiment-end"},
		},
		{
			name: "target resolution fails",
			mod: func(in *fis.CreateExperimentTemplateInput) {
				in.Targets["cluster"] = types.CreateExperimentTemplateTargetInput{ResourceType: aws.String("aws:eks:cluster"),
					ResourceArns: []string{"arn:aws:eks:us-east-1:123456789012:cluster/prod"}, SelectionMode: aws.String("ALL")}
			},
			want: []string{"experiment-start", "target-resolution-start", "target-resolution-detail", "target-resolution-end", "experiment-end"},
		},
		{
			name: "action fails",
			mod: func(in *fis.CreateExperimentTemplateInput) {
				in.Actions["carts-delay"] = crAction("10m", "PT1M", "carts")
			},
			want: []string{"experiment-start", "target-resolution-start", "target-resolution-detail", "target-resolution-end", "action-start", "action-error", "action-end", "experiment-end"},
		},
		{
			name: "action without targets",
			mod: func(in *fis.CreateExperimentTemplateInput) {
				in.Targets = nil
				in.Actions = map[string]types.CreateExperimentTemplateActionInput{
					"pause": {ActionId: aws.String(fissim.ActionWait), Parameters: map[string]string{"duration": "PT1M"}},
				}
			},
			want: []string{"experiment-start", "action-start", "action-end", "experiment-end"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t)
				in := walkthrough()
				tt.mod(in)
				tmpl := e.create(t, in)
				end := e.await(t, *e.start(t, tmpl, "doc").Id)
				recs, ok := e.svc.LogRecords(*end.Id)
				if !ok {
					t.Fatal("no records")
				}
				var got []string
				resolvedIn := map[string]int{} // target → resolved targets over its -end pages
				counted := map[string]int{}    // target → resolved_targets_count of its -detail
				for i, rec := range recs {
					got = append(got, rec.LogType)
					d := roundTrip(t, rec.Details)
					spec := doc.Records[rec.LogType]
					for _, k := range spec.Details {
						if _, ok := d[k]; !ok {
							t.Errorf("record %d (%s): details.%s missing", i, rec.LogType, k)
						}
					}
					for k := range d {
						if !slices.Contains(spec.Details, k) && spec.Optional[k] == "" {
							t.Errorf("record %d (%s): details.%s is not documented for this record type", i, rec.LogType, k)
						}
					}
					checkConditional(t, i, rec.LogType, d, in)
					checkAgainstExperiment(t, i, rec.LogType, d, end)
					name, _ := d["target_name"].(string)
					switch rec.LogType {
					case "target-resolution-detail":
						counted[name] = int(d["resolved_targets_count"].(float64))
					case "target-resolution-end":
						resolvedIn[name] += len(d["resolved_targets"].([]any))
					}
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("log types (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(resolvedIn, counted); diff != "" {
					t.Errorf("resolved_targets_count of -detail against the -end pages' resolved_targets (-pages +count):\n%s", diff)
				}
			})
		})
	}
}

func roundTrip(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkConditional checks that each optional member is there exactly when
// the guide's condition for it holds.
func checkConditional(t *testing.T, i int, logType string, d map[string]any, in *fis.CreateExperimentTemplateInput) {
	t.Helper()
	_, hasErr := d["error_information"]
	switch logType {
	case "target-resolution-detail":
		if failed := d["status"] == "failed"; hasErr != failed {
			t.Errorf("record %d (%s): status %v with error_information %v", i, logType, d["status"], d["error_information"])
		}
		if d["status"] != "failed" && d["status"] != "completed" {
			t.Errorf("record %d (%s): status %v, want failed or completed", i, logType, d["status"])
		}
	case "target-resolution-end":
		if hasErr != (len(d["resolved_targets"].([]any)) == 0) {
			t.Errorf("record %d (%s): error_information %v with resolved targets %v", i, logType, d["error_information"], d["resolved_targets"])
		}
		if p, n := d["page"].(float64), d["total_pages"].(float64); p < 1 || p > n {
			t.Errorf("record %d (%s): page %v of %v", i, logType, p, n)
		}
	case "action-start":
		a := in.Actions[d["action_name"].(string)]
		if _, ok := d["parameters"]; ok != (len(a.Parameters) > 0) {
			t.Errorf("record %d (%s): parameters %v, template gives %v", i, logType, d["parameters"], a.Parameters)
		}
		if _, ok := d["action_targets"]; ok != (len(a.Targets) > 0) {
			t.Errorf("record %d (%s): action_targets %v, template gives %v", i, logType, d["action_targets"], a.Targets)
		}
	}
}

// checkAgainstExperiment checks the states a record carries against the
// ended experiment as GetExperiment gives it.
func checkAgainstExperiment(t *testing.T, i int, logType string, d map[string]any, end *types.Experiment) {
	t.Helper()
	switch logType {
	case "action-error", "action-end":
		a := end.Actions[d["action_name"].(string)]
		want := map[string]any{"status": string(a.State.Status), "reason": aws.ToString(a.State.Reason)}
		if diff := cmp.Diff(want, d["action_state"]); diff != "" {
			t.Errorf("record %d (%s): action_state against GetExperiment (-want +got):\n%s", i, logType, diff)
		}
		if logType == "action-error" && (a.State.Status != types.ExperimentActionStatusFailed || d["account_id"] != account) {
			t.Errorf("record %d (%s) for an action in state %s, account %v", i, logType, a.State.Status, d["account_id"])
		}
	case "experiment-end":
		want := map[string]any{"status": string(end.State.Status), "reason": aws.ToString(end.State.Reason)}
		if diff := cmp.Diff(want, d["experiment_state"]); diff != "" {
			t.Errorf("record %d (%s): experiment_state against GetExperiment (-want +got):\n%s", i, logType, diff)
		}
	case "experiment-start":
		if d["experiment_template_id"] != aws.ToString(end.ExperimentTemplateId) {
			t.Errorf("record %d (%s): experiment_template_id %v, want %s", i, logType, d["experiment_template_id"], aws.ToString(end.ExperimentTemplateId))
		}
	}
}
