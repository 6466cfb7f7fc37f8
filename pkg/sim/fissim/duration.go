package fissim

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// isoDuration reads the value of a FIS action's ISO 8601 duration
// parameter (duration, maxDuration, ...). The FIS actions reference says
// of each: "In the AWS FIS API, the value is a string in ISO 8601 format.
// For example, PT1M represents one minute"
// (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html),
// and writes only such values: PT1M, PT12H, PT5M, P1D. The simulator takes
// ISO 8601's duration form PnDTnHnMnS as written there: a P, then days, then
// a T and hours, minutes and seconds, each part at most once and in that
// order, each a run of ASCII digits and its capital designator, the seconds
// with an optional decimal fraction after a full stop, at least one part,
// and no T without a part after it. Years, months and weeks (not of one
// length), signs, commas, spaces and lower case are refused: FIS shows none
// of them. A value past time.Duration is refused too.
//
// This is written apart from gameday's own rule (fisactions.ParseDuration,
// a regular expression) on purpose: the simulator checks the values
// gameday sends, so it must not share gameday's reading of them
// (fissim's TestISODuration, FuzzISODurationAgrees).
func isoDuration(s string) (time.Duration, bool) {
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0, false
	}
	var total time.Duration
	// The designators allowed, in order: D before the T, H M S after it.
	designators, units := "D", []time.Duration{24 * time.Hour}
	inTime, parts := false, 0
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return 0, false
			}
			inTime, rest = true, rest[1:]
			designators, units = "HMS", []time.Duration{time.Hour, time.Minute, time.Second}
			if rest == "" {
				return 0, false // a T with nothing after it
			}
			continue
		}
		n, frac, i, ok := isoNumber(rest)
		if !ok || i == len(rest) {
			return 0, false // no number, or a number without its designator
		}
		k := strings.IndexByte(designators, rest[i])
		if k < 0 || (frac != "" && rest[i] != 'S') {
			return 0, false // out of order, repeated, not a designator, or a fraction not on seconds
		}
		d, ok := isoPart(n, frac, units[k])
		if !ok || total > math.MaxInt64-d {
			return 0, false
		}
		total += d
		designators, units = designators[k+1:], units[k+1:]
		rest = rest[i+1:]
		parts++
	}
	return total, parts > 0
}

// isoNumber reads the number at the start of s: a run of ASCII digits and
// an optional full stop with more digits (frac, without the stop); i is
// where the number ends. ok is false without a digit, for a stop with no
// digit after it, and past uint64.
func isoNumber(s string) (n uint64, frac string, i int, ok bool) {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if n > (math.MaxUint64-9)/10 {
			return 0, "", 0, false
		}
		n = n*10 + uint64(s[i]-'0')
		i++
	}
	if i == 0 {
		return 0, "", 0, false
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i+1 {
			return 0, "", 0, false
		}
		frac, i = s[i+1:j], j
	}
	return n, frac, i, true
}

// isoPart is n units and, on seconds, the fraction frac (nanoseconds from
// its first nine digits); ok is false past time.Duration.
func isoPart(n uint64, frac string, unit time.Duration) (time.Duration, bool) {
	if n > uint64(math.MaxInt64/int64(unit)) {
		return 0, false
	}
	d := time.Duration(n) * unit
	if frac == "" {
		return d, true
	}
	var f uint64
	for _, c := range (frac + "000000000")[:9] {
		f = f*10 + uint64(c-'0')
	}
	if d > math.MaxInt64-time.Duration(f) {
		return 0, false
	}
	return d + time.Duration(f), true
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
		d, ok := isoDuration(str)
		if !ok {
			return 0, false, fmt.Errorf("%q is not an ISO 8601 duration", str)
		}
		return d, true, nil
	}
	d, err := time.ParseDuration(str)
	if err != nil || d <= 0 {
		return 0, false, fmt.Errorf("%q is not a duration", str)
	}
	return d, true, nil
}
