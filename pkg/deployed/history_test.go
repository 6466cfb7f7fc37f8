package deployed

import (
	"context"
	"strings"
	"testing"
	"time"

	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/deployed/deployedtest"
)

// archivedRuns is an archive bucket with three runs of two GameDays, a run
// whose archive step did not finish (no summary.json) and a stray object.
func archivedRuns() *deployedtest.S3 {
	sum := func(name, start, end, verdict, id string) string {
		return `{"schemaVersion":1,"gameday":"` + name + `","experimentId":"` + id + `","startedAt":"` + start + `","endedAt":"` + end + `","verdict":"` + verdict + `"}`
	}
	return &deployedtest.S3{PageSize: 2, Objects: map[string]string{
		"arch/gamedays/carts/2026-01-10T10-00-00Z_EXP1/summary.json":  sum("carts", "2026-01-10T10:00:00Z", "2026-01-10T10:03:00Z", "passed", "EXP1"),
		"arch/gamedays/carts/2026-01-10T10-00-00Z_EXP1/report.html":   "<html>",
		"arch/gamedays/carts/2026-01-10T10-00-00Z_EXP1/logs/a.json":   "{}",
		"arch/gamedays/carts/2026-03-01T09-00-00Z_EXP3/summary.json":  sum("carts", "2026-03-01T09:00:00Z", "2026-03-01T09:02:00Z", "stopped-by-alarm", "EXP3"),
		"arch/gamedays/carts/2026-03-02T09-00-00Z_EXP4/spec.yaml":     "unfinished",
		"arch/gamedays/orders/2026-02-01T08-00-00Z_EXP2/summary.json": sum("orders", "2026-02-01T08:00:00Z", "2026-02-01T08:05:00Z", "hypothesis-refuted", "EXP2"),
		"arch/gamedays/README": "not a run",
	}}
}

func TestRuns(t *testing.T) {
	tests := []struct {
		name   string
		filter ListFilter
		want   []string // experiment ids, newest first
	}{
		{"all, newest first", ListFilter{}, []string{"EXP3", "EXP2", "EXP1"}},
		{"one GameDay", ListFilter{GameDay: "carts"}, []string{"EXP3", "EXP1"}},
		{"since", ListFilter{Since: time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)}, []string{"EXP3", "EXP2"}},
		{"a GameDay without runs", ListFilter{GameDay: "payment"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s3f := archivedRuns()
			c := &Client{Stack: &StackResolver{ArchiveBucket: "arch"}, Objects: s3f, Keys: s3f}
			runs, err := c.Runs(context.Background(), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, r := range runs {
				got = append(got, r.Summary.ExperimentID)
				if !strings.HasSuffix(r.Prefix, "_"+r.Summary.ExperimentID+"/") {
					t.Errorf("prefix %s does not end with the experiment", r.Prefix)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
			for _, k := range s3f.Gets { // only summaries are read
				if !strings.HasSuffix(k, "/summary.json") {
					t.Errorf("read %s: list and history read only summary.json", k)
				}
			}
		})
	}
}

func TestRunsSinceSkipsOlderFoldersUnread(t *testing.T) {
	s3f := archivedRuns()
	c := &Client{Stack: &StackResolver{ArchiveBucket: "arch"}, Objects: s3f, Keys: s3f}
	if _, err := c.Runs(context.Background(), ListFilter{Since: time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	want := []string{"arch/gamedays/carts/2026-03-01T09-00-00Z_EXP3/summary.json", "arch/gamedays/carts/2026-03-02T09-00-00Z_EXP4/summary.json"}
	if diff := cmp.Diff(want, s3f.Gets); diff != "" {
		t.Errorf("reads (-want +got):\n%s", diff)
	}
}

func TestRunsDamagedSummary(t *testing.T) {
	s3f := archivedRuns()
	s3f.Objects["arch/gamedays/carts/2026-01-10T10-00-00Z_EXP1/summary.json"] = "<html>"
	c := &Client{Stack: &StackResolver{ArchiveBucket: "arch"}, Objects: s3f, Keys: s3f}
	_, err := c.Runs(context.Background(), ListFilter{GameDay: "carts"})
	if err == nil || !strings.Contains(err.Error(), "s3://arch/gamedays/carts/2026-01-10T10-00-00Z_EXP1/summary.json: not a gameday summary") {
		t.Errorf("error = %v, want one naming the damaged summary", err)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"30d", now.AddDate(0, 0, -30), false},
		{"12h", now.Add(-12 * time.Hour), false},
		{"2026-01-31", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), false},
		{"2026-01-31T12:00:00Z", time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC), false},
		{"last week", time.Time{}, true},
		{"-3d", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSince(tt.in, now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseSince(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseSince(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestDashboardURL(t *testing.T) {
	run := &Run{GameDay: "carts", Execution: Execution{ARN: "arn:aws:states:eu-west-1:123456789012:execution:gameday:carts-1"}}
	tests := []struct {
		name    string
		outputs map[string]string
		r       *Run
		want    string
	}{
		{"listed", map[string]string{deploy.OutputDashboards: "carts,orders"}, run, "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/gameday-carts"},
		{"not listed", map[string]string{deploy.OutputDashboards: "orders"}, run, ""},
		{"a stack without the output", map[string]string{}, run, ""},
		{"a run without a GameDay", map[string]string{deploy.OutputDashboards: "carts"}, &Run{Execution: run.Execution}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stacks := &deployedtest.Stacks{Stacks: map[string]cftypes.Stack{"GameDay": deployedtest.Stack("GameDay", tt.outputs)}}
			c := &Client{Stack: &StackResolver{API: stacks, Names: []string{"GameDay"}}}
			if got := c.DashboardURL(context.Background(), tt.r); got != tt.want {
				t.Errorf("DashboardURL = %q, want %q", got, tt.want)
			}
		})
	}
}
