package fissim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var iso8601 = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// isoDuration parses an ISO 8601 duration such as PT5M, the only form FIS
// accepts in action parameters.
func isoDuration(s string) (time.Duration, error) {
	m := iso8601.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] != "" {
			n, err := strconv.Atoi(m[i+1])
			if err != nil {
				return 0, fmt.Errorf("%q is not an ISO 8601 duration", s)
			}
			d += time.Duration(n) * unit
		}
	}
	if m[4] != "" {
		f, err := strconv.ParseFloat(m[4], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not an ISO 8601 duration", s)
		}
		d += time.Duration(f * float64(time.Second))
	}
	return d, nil
}

// crDuration reads a Chaos Mesh spec's duration ("180s", Go style); ok is
// false when the spec sets none.
func crDuration(spec map[string]any) (time.Duration, bool, error) {
	v, ok := spec["duration"]
	if !ok || v == nil {
		return 0, false, nil
	}
	str, isStr := v.(string)
	if !isStr {
		return 0, false, fmt.Errorf("must be a string such as 180s")
	}
	str = strings.TrimSpace(str)
	if strings.HasPrefix(str, "P") {
		d, err := isoDuration(str)
		return d, err == nil, err
	}
	d, err := time.ParseDuration(str)
	if err != nil || d <= 0 {
		return 0, false, fmt.Errorf("%q is not a duration", str)
	}
	return d, true, nil
}
