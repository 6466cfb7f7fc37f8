package localrun

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRunFolder: a run never writes into an existing run folder; it takes
// the next free one and says which was taken.
func TestRunFolder(t *testing.T) {
	out := t.TempDir()
	const prefix = "gamedays/carts/2026-11-26T01-02-00Z_EXP1/"
	base := filepath.Join(out, "gamedays", "carts", "2026-11-26T01-02-00Z_EXP1")
	for i, want := range []struct{ folder, taken string }{
		{base, ""},
		{base + "-2", base},
		{base + "-3", base},
	} {
		folder, taken, err := RunFolder(out, prefix)
		if err != nil {
			t.Fatal(err)
		}
		if folder != want.folder || taken != want.taken {
			t.Errorf("run %d: RunFolder = %s, %q; want %s, %q", i+1, folder, taken, want.folder, want.taken)
		}
		if st, err := os.Stat(folder); err != nil || !st.IsDir() {
			t.Errorf("run %d: %s was not created: %v", i+1, folder, err)
		}
	}
}
