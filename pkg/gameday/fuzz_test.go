package gameday

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must not panic, and it
// returns either a spec or Problems, never both or neither. The seed corpus
// is every file under testdata, so it runs in go test.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/good/*.yaml", "testdata/bad/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("{"))
	f.Add([]byte("apiVersion: gameday/v1alpha1\nkind: GameDay\nmetadata: {name: x}\nspec: {faults: [{name: a, fis: {actionId: 'aws:fis:wait', parameters: {duration: PT1M}}}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if (s == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v: want exactly one of spec and error", s, err)
		}
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("Parse error %T %q is not a non-empty Problems", err, err)
			}
		}
	})
}
