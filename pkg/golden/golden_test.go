package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors, fatals int
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.errors++ }
func (r *recorder) Fatalf(string, ...any) { r.fatals++ }
func (r *recorder) Fatal(...any)          { r.fatals++ }

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "x.golden")
	t.Run("missing file", func(t *testing.T) {
		r := &recorder{TB: t}
		Check(r, path, []byte("a\n"))
		if r.fatals != 1 {
			t.Errorf("a missing golden file: %d fatals, want 1", r.fatals)
		}
	})
	t.Run("update writes", func(t *testing.T) {
		*update = true
		t.Cleanup(func() { *update = false })
		r := &recorder{TB: t}
		Check(r, path, []byte("a\n"))
		if b, err := os.ReadFile(path); err != nil || string(b) != "a\n" || r.errors+r.fatals != 0 {
			t.Errorf("after -update: file %q, %v; %d errors", b, err, r.errors+r.fatals)
		}
	})
	t.Run("same", func(t *testing.T) {
		r := &recorder{TB: t}
		Check(r, path, []byte("a\n"))
		if r.errors+r.fatals != 0 {
			t.Errorf("equal output reported %d failures", r.errors+r.fatals)
		}
	})
	t.Run("different", func(t *testing.T) {
		r := &recorder{TB: t}
		Check(r, path, []byte("b\n"))
		if r.errors != 1 {
			t.Errorf("different output: %d errors, want 1", r.errors)
		}
	})
}
