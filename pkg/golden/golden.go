// Package golden compares what a test produced with a golden file and, when
// the tests run with -update, rewrites the file first. It is the one -update
// flag of every package's tests: `go test ./pkg/x -update` refreshes x's
// golden files under testdata/.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Check compares got with the golden file at path, reporting a difference
// as a test error (-want +got). With -update it writes got there first,
// creating its folder.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from what the test produced (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}
