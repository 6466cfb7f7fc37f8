package main

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// TestExitCode: the one mapping from a command's error to the exit code,
// and what finish prints for each.
func TestExitCode(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantCode  int
		wantPrint string
	}{
		{"nil", nil, exitOK, ""},
		{"usage", usagef("run takes one GameDay file, got %d arguments", 2), exitUsage, "gameday: run takes one GameDay file, got 2 arguments\n"},
		{"wrapped usage", fmt.Errorf("x: %w", usagef("bad")), exitUsage, "gameday: x: bad\n"},
		{"reported problems", errReported, exitInvalid, ""},
		{"an outcome", &exitError{code: 4}, 4, ""},
		{"any other error, on one line", errors.New("describe run x:\n  no such   execution"), exitInvalid, "gameday: describe run x: no such execution\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := finish(&env{stderr: &stderr}, tt.err)
			if code != tt.wantCode || stderr.String() != tt.wantPrint {
				t.Errorf("finish(%v) = %d, printed %q; want %d, %q", tt.err, code, stderr.String(), tt.wantCode, tt.wantPrint)
			}
		})
	}
}

// TestCommandsDistinct: every command has its own name and a summary.
func TestCommandsDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands() {
		a := c.about
		if a.name == "" || a.summary == "" || seen[a.name] {
			t.Errorf("command %+v: empty or duplicate name, or no summary", a)
		}
		seen[a.name] = true
		if lookup(a.name) == nil {
			t.Errorf("lookup(%q) = nil", a.name)
		}
	}
}
