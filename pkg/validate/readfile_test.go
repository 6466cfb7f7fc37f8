package validate

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// TestReadFile: a file is read and checked as File checks its bytes; what
// cannot be read is an error naming it, and an oversized file is refused by
// its size without being parsed.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	good := "../../examples/sock-shop-carts-latency.yaml"
	goodData, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, bytes.Replace(goodData, []byte("  faults:"), []byte("  faultz:"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("#\n"), gameday.MaxFileSize), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file string
		problem    string // part of a positioned problem, or "" when none
		plain      bool   // an error that is not Problems
	}{
		{name: "good", file: good},
		{name: "bad", file: bad, problem: `unknown field "faultz"`},
		{name: "oversized", file: big, problem: "a GameDay file must be at most 1048576 bytes"},
		{name: "missing", file: filepath.Join(dir, "none.yaml"), plain: true},
		{name: "directory", file: dir, plain: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, data, err := ReadFile(tc.file)
			var ps gameday.Problems
			isProblems := errors.As(err, &ps)
			switch {
			case tc.problem == "" && !tc.plain:
				if err != nil {
					t.Fatalf("ReadFile(%s) = %v", tc.file, err)
				}
				want, ferr := File(tc.file, goodData)
				if ferr != nil || s.Metadata.Name != want.Metadata.Name || !bytes.Equal(data, goodData) {
					t.Errorf("ReadFile(%s) = %s, %d bytes; want File's %s and the file's %d bytes", tc.file, s.Metadata.Name, len(data), want.Metadata.Name, len(goodData))
				}
			case tc.problem != "":
				if !isProblems || !strings.Contains(err.Error(), tc.problem) || !strings.HasPrefix(err.Error(), tc.file+":") {
					t.Errorf("ReadFile(%s) error = %v (%T), want Problems of %s containing %q", tc.file, err, err, tc.file, tc.problem)
				}
			case tc.plain:
				if err == nil || isProblems || !strings.Contains(err.Error(), tc.file) {
					t.Errorf("ReadFile(%s) error = %v (%T), want an error naming the file that is not Problems", tc.file, err, err)
				}
			}
			if err != nil && (s != nil || data != nil) {
				t.Errorf("ReadFile(%s) = %v, %d bytes with error %v; want neither", tc.file, s, len(data), err)
			}
		})
	}
	var pe *fs.PathError
	if _, _, err := ReadFile(filepath.Join(dir, "none.yaml")); !errors.As(err, &pe) {
		t.Errorf("a missing file: %v, want an *fs.PathError", err)
	}
}
