package fissim

import (
	"strconv"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/fisactions"
)

// TestISODuration holds the simulator's own reading of a FIS action's ISO
// 8601 duration to the values the FIS actions reference writes ("PT1M
// represents one minute"; PT12H, PT5M, P1D; each duration "from one minute
// to 12 hours" and the like) and to ISO 8601's duration form, refusing what
// FIS never shows (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html).
func TestISODuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration // 0: refused
	}{
		{"PT1M", time.Minute},
		{"PT12H", 12 * time.Hour},
		{"PT5M", 5 * time.Minute},
		{"P1D", 24 * time.Hour},
		{"PT1H30M", 90 * time.Minute},
		{"PT90S", 90 * time.Second},
		{"PT0.5S", 500 * time.Millisecond},
		{"PT1.000000001S", time.Second + time.Nanosecond},
		{"P0DT5M", 5 * time.Minute},
		{"P1DT2H3M4S", 26*time.Hour + 3*time.Minute + 4*time.Second},
		{"PT0S", 0}, // read, but zero: see below
		{"", 0}, {"P", 0}, {"PT", 0}, {"P1DT", 0}, {"T5M", 0}, {"5M", 0}, {"300", 0},
		{"pt5m", 0}, {"PT5m", 0}, {"PT5M ", 0}, {" PT5M", 0}, {"PT 5M", 0},
		{"PT-5M", 0}, {"-PT5M", 0}, {"PT+5M", 0}, {"PT0,5S", 0}, {"PT.5S", 0}, {"PT5.S", 0},
		{"PT0.5M", 0}, {"P1.5D", 0}, {"P1Y", 0}, {"P1M", 0}, {"P1W", 0},
		{"PT5M1H", 0}, {"PT1H1H", 0}, {"PT5MT1S", 0}, {"P1DT1D", 0}, {"PTS", 0}, {"PT5", 0},
		{"PT99999999999999999999H", 0}, {"PT9999999999H", 0}, {"P999999999999D", 0},
		{"PT9223372036.854775808S", 0},
		{"PT١M", 0}, // an Arabic-Indic digit one: not an ASCII digit
	} {
		t.Run(strconv.Quote(tc.in), func(t *testing.T) {
			got, ok := isoDuration(tc.in)
			switch {
			case tc.in == "PT0S":
				if !ok || got != 0 {
					t.Errorf("isoDuration(%q) = %v, %v; want 0, true", tc.in, got, ok)
				}
			case tc.want == 0 && ok:
				t.Errorf("isoDuration(%q) = %v, want it refused", tc.in, got)
			case tc.want != 0 && (!ok || got != tc.want):
				t.Errorf("isoDuration(%q) = %v, %v; want %v", tc.in, got, ok, tc.want)
			}
		})
	}
}

// FuzzISODurationAgrees holds gameday's rule (fisactions.ParseDuration,
// which gameday validate and import use) to the simulator's reading, written
// apart: a value gameday lets through is one the simulated FIS takes, at the
// same length, and the other way round. go test runs the seeds; go test
// -fuzz=FuzzISODurationAgrees ./pkg/sim/fissim searches further.
func FuzzISODurationAgrees(f *testing.F) {
	for _, s := range []string{
		"PT1M", "PT12H", "P1D", "PT1H30M", "PT0.5S", "PT0.333333333333S", "P0DT5M", "P1DT2H3M4S", "PT0S",
		"", "P", "PT", "P1DT", "pt5m", "PT5M ", "PT-5M", "PT0,5S", "PT.5S", "P1W", "P1M", "PT5M1H",
		"PT9999999999H", "P106751D", "P106752D", "PT2562047H", "PT2562048H", "PT9223372036S", "PT9223372037S",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sim, simOK := isoDuration(s)
		rule, err := fisactions.ParseDuration(s)
		if simOK != (err == nil) {
			t.Fatalf("%q: simulator reads %v (%v), gameday's rule %v (%v)", s, sim, simOK, rule, err)
		}
		// The rule reads fractions of a second through a float: allow it a
		// microsecond.
		if d := sim - rule; d > time.Microsecond || d < -time.Microsecond {
			t.Fatalf("%q: simulator reads %v, gameday's rule %v", s, sim, rule)
		}
	})
}
