package gameday

import (
	"fmt"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/fisactions"
)

// Duration is a length of time written Go / Chaos Mesh style ("90s", "5m",
// "1h30m") or ISO 8601 ("PT5M", "PT1H30M"). The zero value means "not set".
type Duration struct{ time.Duration }

// ParseDuration reads a duration of gameday's own fields (maxDuration:,
// a schedule's window): Go / Chaos Mesh or ISO 8601, spaces around it and
// the case of an ISO 8601 one ignored. A FIS action's parameter, which is
// sent as written, is read by fisactions.ParseDuration instead.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Duration{}, fmt.Errorf("empty duration")
	}
	if s[0] == 'P' || s[0] == 'p' {
		// gameday's own fields take the FIS form in either case; gameday
		// writes it to FIS as ISO8601 does.
		d, err := fisactions.ParseDuration(strings.ToUpper(s))
		if err != nil {
			return Duration{}, fmt.Errorf("%q is not an ISO 8601 duration (write PT5M, PT1H30M)", s)
		}
		return Duration{d}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return Duration{}, fmt.Errorf("%q is not a duration (write 90s, 5m, 1h30m or PT5M)", s)
	}
	if d < 0 {
		return Duration{}, fmt.Errorf("%q is negative", s)
	}
	return Duration{d}, nil
}

// IsZero reports whether the duration was left unset.
func (d Duration) IsZero() bool { return d.Duration == 0 }

// ISO8601 formats the duration as FIS wants it, for example PT3M or PT1H30M.
// Sub-second parts are rounded up to the next second.
func (d Duration) ISO8601() string {
	secs := int64((d.Duration + time.Second - 1) / time.Second)
	if secs <= 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("PT")
	if h := secs / 3600; h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m := secs % 3600 / 60; m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if s := secs % 60; s > 0 {
		fmt.Fprintf(&b, "%dS", s)
	}
	return b.String()
}

// Short writes d as a person writes it in a GameDay: without Go's zero
// tails ("5m", "1h30m", "90s" rather than "5m0s", "1h30m0s").
func Short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// String formats the duration Go style ("3m0s").
func (d Duration) String() string { return d.Duration.String() }

// MarshalText writes the Go form, which ParseDuration reads back.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// UnmarshalText reads either form.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
