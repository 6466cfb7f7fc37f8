package fissim

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestResolutionEndPages(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	e := &experiment{id: "EXPpages"}
	e.logs = newLogBuffer()
	for _, n := range []int{0, 1, 10, 25} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e.logs.all = nil
			var resolved []map[string]any
			for i := range n {
				resolved = append(resolved, map[string]any{"arn": fmt.Sprint("arn:", i)})
			}
			s.emitResolutionEnd(e, "pods", "aws:eks:pod", "2026-03-04T05:06:07Z", "", resolved)
			type pg struct{ Page, Total, Count int }
			var got []pg
			for _, r := range e.logs.all {
				d := r.Details
				got = append(got, pg{d["page"].(int), d["total_pages"].(int), len(d["resolved_targets"].([]map[string]any))})
			}
			want := map[int][]pg{
				0:  {{1, 1, 0}},
				1:  {{1, 1, 1}},
				10: {{1, 1, 10}},
				25: {{1, 3, 10}, {2, 3, 10}, {3, 3, 5}},
			}[n]
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogKey(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, tc := range []struct{ prefix, want string }{
		{"", "AWSLogs/123456789012/fis/us-east-1/EXP1/2026/03/04/123456789012_awsfislogs_us-east-1_EXP1_202603040506Z_abc.log"},
		{"fis/", "fis/AWSLogs/123456789012/fis/us-east-1/EXP1/2026/03/04/123456789012_awsfislogs_us-east-1_EXP1_202603040506Z_abc.log"},
	} {
		if got := LogKey(tc.prefix, "123456789012", "us-east-1", "EXP1", at, "abc"); got != tc.want {
			t.Errorf("LogKey(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
}
