package deployed

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	dt "github.com/gameday-dev/gameday/pkg/deployed/deployedtest"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// forgetExperiment drops the start step's output from the history, as when
// Step Functions truncated it: the run's experiment is then unknown.
func forgetExperiment(e *dt.Execution) *dt.Execution {
	for i, ev := range e.History {
		if d := ev.StateExitedEventDetails; d != nil && *d.Name != workflow.StateInit && *d.Name != workflow.StatePreflight {
			s := "{truncated"
			e.History[i].StateExitedEventDetails = &types.StateExitedEventDetails{Name: d.Name, Output: &s}
		}
	}
	return e
}

func TestFindArchive(t *testing.T) {
	name := execName(1)
	prefix := dt.ArchivePrefix(testGameDay)
	other := "gamedays/" + testGameDay + "/2026-11-26T01-03-00Z_EXPother/"
	before := "gamedays/" + testGameDay + "/2026-11-25T01-02-00Z_EXPolder/"
	summary := func(execution string) string { return `{"schemaVersion":1,"executionArn":"` + execution + `"}` }
	tests := []struct {
		name       string
		exec       *dt.Execution
		objects    map[string]string
		bucketFlag string
		want       *Archive // Run is not compared
		wantGets   []string
		wantErr    string
		wantIs     error
	}{
		{name: "succeeded: from the output", exec: dt.NewExecution(testSM, name, testGameDay, "bucket-in-output", dt.Succeeded),
			want: &Archive{Bucket: "bucket-in-output", Prefix: prefix}},
		{name: "the flag wins", exec: dt.NewExecution(testSM, name, testGameDay, "bucket-in-output", dt.Succeeded), bucketFlag: "mine",
			want: &Archive{Bucket: "mine", Prefix: prefix}},
		{name: "failed: from the history", exec: dt.NewExecution(testSM, name, testGameDay, testBucket, dt.FailedArchived),
			want: &Archive{Bucket: testBucket, Prefix: prefix}},
		{name: "archive step failed: by experiment", exec: dt.NewExecution(testSM, name, testGameDay, testBucket, dt.FailedUnarchived),
			objects: map[string]string{testBucket + "/" + other + "summary.json": "{}", testBucket + "/" + prefix + "summary.md": "# x"},
			want:    &Archive{Bucket: testBucket, Prefix: prefix}},
		{name: "experiment unknown: by the summary's execution", exec: forgetExperiment(dt.NewExecution(testSM, name, testGameDay, testBucket, dt.FailedUnarchived)),
			objects: map[string]string{
				testBucket + "/" + other + "summary.json":  summary(execARN("someone-else")),
				testBucket + "/" + prefix + "summary.json": summary(execARN(name)),
				testBucket + "/" + before + "summary.json": summary(execARN(name)), // before the run: not read
			},
			want:     &Archive{Bucket: testBucket, Prefix: prefix},
			wantGets: []string{testBucket + "/" + other + "summary.json", testBucket + "/" + prefix + "summary.json"}},
		{name: "archive missing", exec: dt.NewExecution(testSM, name, testGameDay, testBucket, dt.FailedUnarchived),
			objects: map[string]string{testBucket + "/" + other + "summary.json": "{}"},
			wantErr: "report " + name + ": no archive of the run under s3://" + testBucket + "/gamedays/" + testGameDay + "/", wantIs: gameday.ErrNotFound},
		{name: "experiment unknown, archive missing", exec: forgetExperiment(dt.NewExecution(testSM, name, testGameDay, testBucket, dt.FailedUnarchived)),
			objects:  map[string]string{testBucket + "/" + other + "summary.json": summary(execARN("someone-else"))},
			wantGets: []string{testBucket + "/" + other + "summary.json"},
			wantErr:  "no archive of the run under", wantIs: gameday.ErrNotFound},
		{name: "still running", exec: dt.NewExecution(testSM, name, testGameDay, testBucket, dt.ExperimentRunning),
			wantErr: "report " + name + ": the run is still RUNNING (experiment running); its report is written when it ends", wantIs: ErrNoReport},
		{name: "refused by preflight", exec: dt.NewExecution(testSM, name, testGameDay, testBucket, dt.RefusedByPreflight),
			wantErr: "the run started no experiment (FAILED: PreflightFailed: stop-condition alarm gameday-x-errors is in ALARM)", wantIs: ErrNoReport},
		{name: "archived nothing", exec: dt.NewExecution(testSM, name, testGameDay, testBucket, dt.SkippedArchive),
			wantErr: "the run archived nothing (the run started no experiment)", wantIs: ErrNoReport},
		{name: "no such run", exec: dt.NewExecution(testSM, "other", testGameDay, testBucket, dt.Succeeded),
			wantErr: "no such execution", wantIs: gameday.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, s3 := newClient(&dt.SFN{Executions: []*dt.Execution{tc.exec}}, tc.objects)
			c.Stack.ArchiveBucket = tc.bucketFlag
			got, err := c.FindArchive(context.Background(), name)
			checkErr(t, err, tc.wantErr, tc.wantIs)
			if got != nil {
				if got.Run == nil || got.Run.Name != name {
					t.Errorf("archive of run %+v, want %s", got.Run, name)
				}
				got.Run = nil
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Archive (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantGets, s3.Gets); diff != "" {
				t.Errorf("objects read (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadObject(t *testing.T) {
	prefix := dt.ArchivePrefix(testGameDay)
	a := &Archive{Bucket: testBucket, Prefix: prefix, Run: &Run{Execution: Execution{Name: "r1"}}}
	c, _ := newClient(&dt.SFN{}, map[string]string{testBucket + "/" + prefix + "summary.md": "# Verdict: passed\n"})
	got, err := c.ReadObject(context.Background(), a, SummaryMD)
	if err != nil || string(got) != "# Verdict: passed\n" {
		t.Errorf("got %q, %v; want the summary", got, err)
	}
	_, err = c.ReadObject(context.Background(), a, SummaryJSON)
	checkErr(t, err, "read s3://"+testBucket+"/"+prefix+"summary.json: the archive has no summary.json (the archive step may have failed; see gameday status r1): NoSuchKey", gameday.ErrNotFound)
}

func TestDownload(t *testing.T) {
	prefix := dt.ArchivePrefix(testGameDay)
	objects := map[string]string{
		testBucket + "/" + prefix:                                     "", // a folder marker
		testBucket + "/" + prefix + "summary.md":                      "md",
		testBucket + "/" + prefix + "summary.json":                    "{}",
		testBucket + "/" + prefix + "spec.yaml":                       "spec",
		testBucket + "/" + prefix + "logs/AWSLogs/1/fis/r/x/2026.log": "log",
		testBucket + "/gamedays/" + testGameDay + "/other/summary.md": "not this run",
		"other-bucket/" + prefix + "summary.md":                       "not this bucket",
	}
	a := &Archive{Bucket: testBucket, Prefix: prefix}
	tests := []struct {
		name    string
		extra   map[string]string
		want    map[string]string // relative path -> content
		wantErr string
		wantIs  error
	}{
		{name: "the run's folder", want: map[string]string{
			prefix + "summary.md": "md", prefix + "summary.json": "{}", prefix + "spec.yaml": "spec",
			prefix + "logs/AWSLogs/1/fis/r/x/2026.log": "log",
		}},
		{name: "a key that climbs out", extra: map[string]string{testBucket + "/" + prefix + "../../../../escape": "x"},
			wantErr: "the key is not a safe local path"},
		{name: "empty", extra: nil, wantErr: "no objects", wantIs: gameday.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs := map[string]string{}
			if tc.name != "empty" {
				for k, v := range objects {
					objs[k] = v
				}
			}
			for k, v := range tc.extra {
				objs[k] = v
			}
			c, _ := newClient(&dt.SFN{}, objs)
			dir := t.TempDir()
			files, err := c.Download(context.Background(), a, dir)
			checkErr(t, err, tc.wantErr, tc.wantIs)
			if tc.want == nil {
				if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape")); err == nil {
					t.Errorf("wrote outside %s", dir)
				}
				return
			}
			got := map[string]string{}
			err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(p)
				rel, _ := filepath.Rel(dir, p)
				got[filepath.ToSlash(rel)] = string(b)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if len(files) != len(tc.want) || !slices.IsSortedFunc(files, strings.Compare) {
				t.Errorf("returned %v, want the %d files in key order", files, len(tc.want))
			}
		})
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct {
		key  string
		want string
		ok   bool
	}{
		{"gamedays/a/b/summary.md", filepath.FromSlash("gamedays/a/b/summary.md"), true},
		{"gamedays/a/../../x", "", false},
		{"/etc/passwd", "", false},
		{"a/./b", "", false},
		{`a\..\b`, "", false},
		{"", "", false},
		{"..", "", false},
	}
	for _, tc := range tests {
		got, ok := localPath(tc.key)
		if got != tc.want || ok != tc.ok {
			t.Errorf("localPath(%q) = %q, %t; want %q, %t", tc.key, got, ok, tc.want, tc.ok)
		}
	}
}
