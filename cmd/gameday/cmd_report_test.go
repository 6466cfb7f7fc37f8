package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	dt "github.com/gameday-dev/gameday/pkg/deployed/deployedtest"
)

func TestReportCommand(t *testing.T) {
	prefix := dt.ArchivePrefix("sock-shop-carts-latency")
	out := t.TempDir()
	objects := map[string]string{
		fakeBucket + "/" + prefix + "summary.md":   "# sock-shop-carts-latency: passed\n",
		fakeBucket + "/" + prefix + "summary.json": `{"schemaVersion":1,"verdict":"passed"}`,
		fakeBucket + "/" + prefix + "report.html":  "<html></html>\n",
	}
	tests := []struct {
		name       string
		args       []string
		point      dt.Point
		objects    map[string]string
		wantCode   int
		wantStdout string
		wantStderr string // substring
		wantFiles  []string
	}{
		{name: "summary.md", args: []string{"report", cartsRun}, point: dt.Succeeded, objects: objects,
			wantCode: exitOK, wantStdout: "# sock-shop-carts-latency: passed\n"},
		{name: "summary.json", args: []string{"report", "--json", cartsRun}, point: dt.Succeeded, objects: objects,
			wantCode: exitOK, wantStdout: `{"schemaVersion":1,"verdict":"passed"}` + "\n"},
		{name: "the latest run of a GameDay", args: []string{"report", "sock-shop-carts-latency"}, point: dt.Succeeded, objects: objects,
			wantCode: exitOK, wantStdout: "# sock-shop-carts-latency: passed\n"},
		{name: "a failed run's archive", args: []string{"report", cartsARN()}, point: dt.FailedArchived, objects: objects,
			wantCode: exitOK, wantStdout: "# sock-shop-carts-latency: passed\n"},
		{name: "download", args: []string{"report", cartsRun, "--out", out}, point: dt.Succeeded, objects: objects,
			wantCode: exitOK,
			wantStdout: "downloaded 3 files of s3://" + fakeBucket + "/" + prefix + " to " + filepath.Join(out, filepath.FromSlash(prefix)) + "\n" +
				"report:  " + filepath.Join(out, filepath.FromSlash(prefix), "summary.md") + "\n" +
				"page:    " + filepath.Join(out, filepath.FromSlash(prefix), "report.html") + "\n",
			wantFiles: []string{"report.html", "summary.json", "summary.md"}},
		{name: "still running", args: []string{"report", cartsRun}, point: dt.ExperimentRunning, objects: objects,
			wantCode: exitInvalid, wantStderr: "gameday: report " + cartsRun + ": the run is still RUNNING (experiment running); its report is written when it ends: no report\n"},
		{name: "no summary", args: []string{"report", cartsRun}, point: dt.Succeeded,
			wantCode: exitInvalid, wantStderr: "the archive has no summary.md (the archive step may have failed; see gameday status " + cartsRun + ")"},
		{name: "archive missing", args: []string{"report", cartsRun}, point: dt.FailedUnarchived,
			wantCode: exitInvalid, wantStderr: "no archive of the run under s3://" + fakeBucket + "/gamedays/sock-shop-carts-latency/"},
		{name: "no run", args: []string{"report"}, wantCode: exitUsage, wantStderr: "gameday: report takes one RUN"},
		{name: "json and out", args: []string{"report", "x", "--json", "--out", "d"}, wantCode: exitUsage, wantStderr: "--json and --out do not go together"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStack(t, false)
			if tc.point != "" {
				f.add(cartsRun, tc.point)
			}
			for k, v := range tc.objects {
				f.s3.Objects[k] = v
			}
			checkCLI(t, f.deployed, tc.args, tc.wantCode, tc.wantStdout, tc.wantStderr)
			if tc.wantFiles != nil {
				entries, err := os.ReadDir(filepath.Join(out, filepath.FromSlash(prefix)))
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range entries {
					got = append(got, e.Name())
				}
				if diff := cmp.Diff(tc.wantFiles, got); diff != "" {
					t.Errorf("files (-want +got):\n%s", diff)
				}
			}
		})
	}
}
