package gameday

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ParseScheduleExpression checks an EventBridge Scheduler expression:
// cron(minutes hours day-of-month month day-of-week year), rate(N unit) or
// at(yyyy-mm-ddThh:mm:ss). The error says what to write.
func ParseScheduleExpression(expr string) error {
	switch {
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return parseCron(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"))
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return parseRate(strings.TrimSuffix(strings.TrimPrefix(expr, "rate("), ")"))
	case strings.HasPrefix(expr, "at(") && strings.HasSuffix(expr, ")"):
		at := strings.TrimSuffix(strings.TrimPrefix(expr, "at("), ")")
		if _, err := time.Parse("2006-01-02T15:04:05", at); err != nil {
			return fmt.Errorf("%q is not a date and time: write at(2026-03-01T10:00:00)", at)
		}
		return nil
	}
	return fmt.Errorf("%q is not a schedule expression: write cron(0 10 ? * TUE *), rate(7 days) or at(2026-03-01T10:00:00)", expr)
}

var rateExpr = regexp.MustCompile(`^([0-9]+) (minute|minutes|hour|hours|day|days)$`)

func parseRate(s string) error {
	m := rateExpr.FindStringSubmatch(s)
	if m == nil {
		return fmt.Errorf("rate(%s) is not a rate: write rate(N minutes|hours|days), for example rate(7 days)", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 {
		return fmt.Errorf("rate(%s): the value must be a positive whole number", s)
	}
	singular := !strings.HasSuffix(m[2], "s")
	if n == 1 && !singular {
		return fmt.Errorf("rate(%s): write rate(1 %s)", s, strings.TrimSuffix(m[2], "s"))
	}
	if n > 1 && singular {
		return fmt.Errorf("rate(%s): write rate(%d %ss)", s, n, m[2])
	}
	return nil
}

type cronField struct {
	name     string
	min, max int
	names    []string // value names, index 0 = min
	special  string   // extra characters allowed: ? L W #
}

var cronFields = []cronField{
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31, special: "?LW"},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, special: "?L#"},
	{name: "year", min: 1970, max: 2199},
}

func parseCron(s string) error {
	parts := strings.Fields(s)
	if len(parts) != 6 {
		return fmt.Errorf("cron(%s) has %d fields; write 6: minutes hours day-of-month month day-of-week year, for example cron(0 10 ? * TUE *)", s, len(parts))
	}
	for i, p := range parts {
		if err := cronFields[i].check(p); err != nil {
			return fmt.Errorf("cron(%s): %s %q: %w", s, cronFields[i].name, p, err)
		}
	}
	domQ, dowQ := parts[2] == "?", parts[4] == "?"
	if domQ == dowQ {
		return fmt.Errorf("cron(%s): put ? in exactly one of day-of-month and day-of-week, for example cron(0 10 ? * TUE *)", s)
	}
	return nil
}

func (f cronField) value(s string) (int, bool) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, true
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < f.min || n > f.max {
		return 0, false
	}
	return n, true
}

func (f cronField) check(s string) error {
	if s == "?" {
		if !strings.Contains(f.special, "?") {
			return fmt.Errorf("? is only allowed in day-of-month or day-of-week")
		}
		return nil
	}
	for _, item := range strings.Split(s, ",") {
		if err := f.item(item); err != nil {
			return err
		}
	}
	return nil
}

func (f cronField) item(s string) error {
	bad := fmt.Errorf("write a value from %d to %d, a range a-b, a list a,b, a step */n or *", f.min, f.max)
	switch {
	case s == "":
		return bad
	case s == "*":
		return nil
	case strings.Contains(f.special, "L") && f.name == "day-of-month" && (s == "L" || s == "LW"):
		return nil
	case strings.Contains(f.special, "L") && f.name == "day-of-month" && strings.HasPrefix(s, "L-"):
		if n, err := strconv.Atoi(s[2:]); err != nil || n < 1 || n > 30 {
			return bad
		}
		return nil
	case strings.Contains(f.special, "W") && strings.HasSuffix(s, "W"):
		if _, ok := f.value(strings.TrimSuffix(s, "W")); !ok {
			return bad
		}
		return nil
	case strings.Contains(f.special, "#") && strings.Contains(s, "#"):
		d, n, _ := strings.Cut(s, "#")
		k, err := strconv.Atoi(n)
		if _, ok := f.value(d); !ok || err != nil || k < 1 || k > 5 {
			return fmt.Errorf("write day#n, for example 3#2 (the second Tuesday)")
		}
		return nil
	case f.name == "day-of-week" && strings.HasSuffix(s, "L"):
		if s == "L" {
			return nil
		}
		if _, ok := f.value(strings.TrimSuffix(s, "L")); !ok {
			return bad
		}
		return nil
	}
	base, step, hasStep := strings.Cut(s, "/")
	if hasStep {
		n, err := strconv.Atoi(step)
		if err != nil || n < 1 || n > f.max {
			return bad
		}
		if base == "*" {
			return nil
		}
	}
	lo, hi, isRange := strings.Cut(base, "-")
	a, ok := f.value(lo)
	if !ok {
		return bad
	}
	if isRange {
		b, ok := f.value(hi)
		if !ok {
			return bad
		}
		if f.name != "day-of-week" && b < a {
			return fmt.Errorf("range %s runs backwards", base)
		}
	}
	return nil
}
