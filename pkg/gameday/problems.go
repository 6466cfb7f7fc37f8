package gameday

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem is one thing wrong with a GameDay file. Path is the field path in
// the file (spec.faults[0].maxDuration); Line and Col are 1-based and zero
// when the problem has no position (a spec decoded from JSON).
type Problem struct {
	File    string
	Line    int
	Col     int
	Path    string
	Message string
}

// String formats the problem as FILE:LINE:COL: field.path: message, leaving
// out what is unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteString(":")
	}
	if p.Line > 0 {
		if p.File == "" {
			b.WriteString("line ")
		}
		b.WriteString(strconv.Itoa(p.Line))
		b.WriteString(":")
		if p.Col > 0 {
			b.WriteString(strconv.Itoa(p.Col))
			b.WriteString(":")
		}
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in a file; it is the error that Parse and
// the validators return, one problem per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Err returns ps as an error, or nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// Sort orders the problems by position, then path, and drops exact duplicates.
func (ps Problems) Sort() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Path < b.Path
	})
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// problems collects problems while checking. outer holds the fields of
// the structs that shape is inside, innermost last.
type problems struct {
	list  Problems
	outer []*fieldSet
}

func (r *problems) add(path, format string, args ...any) {
	r.list = append(r.list, Problem{Path: path, Message: fmt.Sprintf(format, shortenQuoted(format, args)...)})
}

// maxEcho is how many characters of a value a message quotes.
const maxEcho = 80

// shortenQuoted shortens the string values that format quotes (%q) to
// maxEcho characters, so that an enormous value is not echoed whole.
func shortenQuoted(format string, args []any) []any {
	var out []any
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			i++
			continue
		}
		for i++; i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0; i++ {
		}
		if i < len(format) && format[i] == 'q' && n < len(args) {
			if v, ok := args[n].(string); ok {
				if short := Shorten(v, maxEcho); short != v {
					if out == nil {
						out = append([]any(nil), args...)
					}
					out[n] = short
				}
			}
		}
		n++
	}
	if out == nil {
		return args
	}
	return out
}

// Shorten cuts s to at most n characters (not bytes: a UTF-8 character is
// never split), ending it with "…" when cut.
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Messages of a field with its zero value: "required" when it is not in
// the file; when it is (period: 0), Document.Locate says it is invalid.
const (
	msgPeriodRequired = "required: seconds, a multiple of 60 (10, 20 or 30 for a high-resolution metric)"
	msgPeriodZero     = "0 is not a CloudWatch period: use a multiple of 60 seconds (10, 20 or 30 for a high-resolution metric)"
)

// ifWritten is what a "required" message becomes when the field is in the
// file with its zero value.
var ifWritten = map[string]string{msgPeriodRequired: msgPeriodZero}

// Child paths: field names join with ".", list indexes use [i].
func child(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
