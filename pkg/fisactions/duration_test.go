package fisactions

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	const generic = "FIS wants PT5M or PT1H30M"
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string // part of the error; "" when the value is read
	}{
		{in: "PT5M", want: 5 * time.Minute},
		{in: "PT1H30M", want: 90 * time.Minute},
		{in: "PT90S", want: 90 * time.Second},
		{in: "PT0.5S", want: 500 * time.Millisecond},
		{in: "P1D", want: 24 * time.Hour},
		{in: "P1DT2H", want: 26 * time.Hour},
		{in: "PT12H", want: 12 * time.Hour},
		{in: "PT5M ", err: `FIS wants "PT5M", without the spaces`},
		{in: " PT5M", err: `FIS wants "PT5M", without the spaces`},
		{in: "\tpt5m\n", err: `FIS wants "PT5M", without the spaces`},
		{in: "pt5m", err: `FIS wants capital letters, "PT5M"`},
		{in: "PT5m", err: `FIS wants capital letters, "PT5M"`},
		{in: "5m", err: generic},
		{in: "300", err: generic},
		{in: "PT 5M", err: generic},
		{in: "PT-5M", err: generic},
		{in: "PT", err: generic},
		{in: "P", err: generic},
		{in: "P1DT", err: generic},
		{in: "", err: generic},
		{in: "   ", err: generic},
		{in: "PT99999999999999999999H", err: generic},
		{in: "PT9999999999H", err: generic},
		{in: "P999999999999D", err: generic},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDuration(tc.in)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("ParseDuration(%q) = %v, want %v", tc.in, err, tc.want)
			case tc.err == "" && got != tc.want:
				t.Errorf("ParseDuration(%q) = %v, want %v", tc.in, got, tc.want)
			case tc.err != "" && err == nil:
				t.Errorf("ParseDuration(%q) = %v, want an error containing %q", tc.in, got, tc.err)
			case tc.err != "" && !strings.Contains(err.Error(), tc.err):
				t.Errorf("ParseDuration(%q) error = %q, want it to contain %q", tc.in, err, tc.err)
			case tc.err != "" && !strings.Contains(err.Error(), "is not an ISO 8601 duration"):
				t.Errorf("ParseDuration(%q) error = %q, want it to say it is not an ISO 8601 duration", tc.in, err)
			}
		})
	}
}
