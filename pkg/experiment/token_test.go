package experiment

import (
	"regexp"
	"strings"
	"testing"
)

func TestClientToken(t *testing.T) {
	valid := regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	long := strings.Repeat("x", 80)
	tests := []struct {
		name, step, exec string
		want             string // "" means: only check the shape
	}{
		{name: "short name kept readable", step: "start", exec: "sock-shop-2026-01-02T10-00-00Z", want: "start-sock-shop-2026-01-02T10-00-00Z"},
		{name: "80-character name", step: "start", exec: long},
		{name: "characters FIS would refuse", step: "start", exec: "run 1/ä:é"},
		{name: "template step", step: "template", exec: "abc", want: "template-abc"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ClientToken(tt.step, tt.exec)
			if !valid.MatchString(got) {
				t.Errorf("ClientToken(%q, %q) = %q, not 1..64 of [A-Za-z0-9_-]", tt.step, tt.exec, got)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("ClientToken(%q, %q) = %q, want %q", tt.step, tt.exec, got, tt.want)
			}
			if again := ClientToken(tt.step, tt.exec); again != got {
				t.Errorf("ClientToken is not deterministic: %q then %q", got, again)
			}
			if prev, dup := seen[got]; dup {
				t.Errorf("ClientToken(%q) = %q, same as for %q", tt.exec, got, prev)
			}
			seen[got] = tt.exec
		})
	}
}

func TestClientTokenDistinguishesRewrittenNames(t *testing.T) {
	// Two names that sanitize alike, and two long names sharing a prefix,
	// must not share a token.
	pairs := [][2]string{
		{"run:1", "run_1"},
		{strings.Repeat("a", 70) + "1", strings.Repeat("a", 70) + "2"},
	}
	for _, p := range pairs {
		if a, b := ClientToken("start", p[0]), ClientToken("start", p[1]); a == b {
			t.Errorf("ClientToken(%q) = ClientToken(%q) = %q", p[0], p[1], a)
		}
	}
}
