// Package docs holds the project's design notes; its test keeps the package
// map in architecture.md true to the code.
package docs

import (
	"bufio"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gameday-dev/gameday/"

// mapRow is one line of the package map: the packages it is about
// (`pkg/sim/*` stands for every package below pkg/sim) and what they may
// import, relative to pkg/.
type mapRow struct {
	line     int
	packages []string
	allowed  []string
}

var backticked = regexp.MustCompile("`([^`]+)`")

func readMap(t *testing.T) []mapRow {
	t.Helper()
	f, err := os.Open("architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []mapRow
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) != 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue // not a row of the table (its header, its rule, prose)
		}
		r := mapRow{line: n}
		for _, m := range backticked.FindAllStringSubmatch(cells[1], -1) {
			r.packages = append(r.packages, m[1])
		}
		for _, m := range backticked.FindAllStringSubmatch(cells[3], -1) {
			if strings.HasPrefix(m[1], "third_party/") { // vendored code: named from the root
				r.allowed = append(r.allowed, m[1])
			} else {
				r.allowed = append(r.allowed, "pkg/"+m[1])
			}
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("architecture.md: no rows found in the package map")
	}
	return rows
}

// matches reports whether the package path p (relative to the module) is
// named by pattern, where a trailing /* stands for every package below.
func matches(pattern, p string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "/*"); ok {
		return strings.HasPrefix(p, prefix+"/")
	}
	return p == pattern
}

// packages lists the module's Go packages with non-test files, relative to
// the module, with the module packages each imports (test files aside).
func packages(t *testing.T) map[string][]string {
	t.Helper()
	root := ".."
	pkgs := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules" || name == "cdk.out") {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(path, 0)
		if err != nil || len(bp.GoFiles) == 0 {
			return nil // no Go files here, or only tests (as in docs/)
		}
		rel, _ := filepath.Rel(root, path)
		var own []string
		for _, imp := range bp.Imports {
			if p, ok := strings.CutPrefix(imp, module); ok {
				own = append(own, p)
			}
		}
		pkgs[filepath.ToSlash(rel)] = own
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestPackageMap checks docs/architecture.md against the code: every
// package has a row, every row names a package that exists, and every
// import between gameday's packages is one its row allows.
func TestPackageMap(t *testing.T) {
	rows := readMap(t)
	pkgs := packages(t)
	rowOf := func(p string) *mapRow { // an exact name wins over a /* pattern
		var found *mapRow
		for i := range rows {
			for _, pattern := range rows[i].packages {
				if pattern == p {
					return &rows[i]
				}
				if matches(pattern, p) {
					found = &rows[i]
				}
			}
		}
		return found
	}
	for _, r := range rows {
		for _, pattern := range r.packages {
			exists := false
			for p := range pkgs {
				exists = exists || matches(pattern, p)
			}
			if !exists {
				t.Errorf("architecture.md:%d: %s: no such package", r.line, pattern)
			}
		}
	}
	names := make([]string, 0, len(pkgs))
	for p := range pkgs {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		r := rowOf(p)
		if r == nil {
			t.Errorf("architecture.md: package %s has no row in the package map", p)
			continue
		}
		for _, imp := range pkgs[p] {
			if !slices.ContainsFunc(r.allowed, func(a string) bool { return matches(a, imp) }) {
				t.Errorf("architecture.md:%d: %s imports %s, which its row does not allow", r.line, p, imp)
			}
		}
	}
}
