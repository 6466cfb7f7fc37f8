package gameday

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestShorten: text is cut by characters, never inside a UTF-8 character,
// and a quoted value in a problem is shortened, not echoed whole.
func TestShorten(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"カートの遅延テスト", 5, "カートの…"},
		{strings.Repeat("é", 200), 3, "éé…"},
	}
	for _, tt := range tests {
		got := Shorten(tt.in, tt.n)
		if got != tt.want || !utf8.ValidString(got) {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	var r problems
	r.add("metadata.name", "%q is not a DNS-1123 label (%d%%)", strings.Repeat("a", 5000), 5)
	want := `"` + strings.Repeat("a", maxEcho-1) + `…" is not a DNS-1123 label (5%)`
	if got := r.list[0].Message; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}
