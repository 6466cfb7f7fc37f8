package fisactions

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// isoDuration is the grammar of an ISO 8601 duration as FIS shows it in
// the actions reference (PT1M, PT12H): days and time parts, capital
// letters, seconds with an optional fraction.
var isoDuration = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// ParseDuration reads the value of an ISO 8601 duration parameter of a FIS
// action (duration, maxDuration, ...) by the one rule gameday holds every
// such value to: the value gameday validates, imports, sends to FIS and
// the simulator accepts. The form is the one the FIS documentation writes,
// PT5M or PT1H30M, exactly. FIS documents no other (its API reference gives
// parameter values the pattern [\S]+, and says nothing of case), and gameday
// sends a raw action's parameters as written: so a value with spaces around
// it or in lower case is refused, with the value to write instead, rather
// than sent to a service that may refuse it once the GameDay is running.
func ParseDuration(s string) (time.Duration, error) {
	d, ok := parseISO(s)
	if ok {
		return d, nil
	}
	const want = "FIS wants PT5M or PT1H30M"
	switch t := strings.TrimSpace(s); {
	case t != s && t != "":
		if _, ok := parseISO(strings.ToUpper(t)); ok {
			return 0, fmt.Errorf("%q is not an ISO 8601 duration: FIS wants %q, without the spaces", s, strings.ToUpper(t))
		}
	case strings.ToUpper(s) != s:
		if _, ok := parseISO(strings.ToUpper(s)); ok {
			return 0, fmt.Errorf("%q is not an ISO 8601 duration: FIS wants capital letters, %q", s, strings.ToUpper(s))
		}
	}
	return 0, fmt.Errorf("%q is not an ISO 8601 duration: %s", s, want)
}

// parseISO parses s by the grammar; ok is false for anything else, for a
// bare P or PT, a T with no time after it, or a length past time.Duration.
func parseISO(s string) (time.Duration, bool) {
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, false
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 64)
		if err != nil || n > (math.MaxInt64-int64(d))/int64(unit) {
			return 0, false
		}
		d += time.Duration(n) * unit
	}
	if m[4] != "" {
		f, err := strconv.ParseFloat(m[4], 64)
		if err != nil || f*float64(time.Second) >= float64(math.MaxInt64-int64(d)) {
			return 0, false
		}
		d += time.Duration(f * float64(time.Second))
	}
	return d, true
}
