package sim_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimulatorReadsOnlyTheCatalogue holds the simulator to what it may take
// from gameday's own code (docs/architecture.md): of pkg/fisactions, the
// catalogue of FIS actions (data checked against the FIS actions reference)
// and the names of the custom-resource action's parameters, never a rule.
// A rule the simulator shared with gameday, such as fisactions.ParseDuration,
// would make a mistake in it pass every test against the simulator; the
// simulator keeps its own (fissim's isoDuration, FuzzISODurationAgrees).
func TestSimulatorReadsOnlyTheCatalogue(t *testing.T) {
	allowed := map[string]bool{
		"All": true, "Get": true, "Action": true, "Parameter": true,
		"InjectCustomResource": true, "InjectSpec": true, "InjectNamespace": true,
		"InjectKind": true, "InjectAPIVersion": true, "InjectMaxDuration": true,
	}
	fset := token.NewFileSet()
	used := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		name := ""
		for _, imp := range f.Imports {
			if strings.Trim(imp.Path.Value, `"`) == "github.com/gameday-dev/gameday/pkg/fisactions" {
				name = "fisactions"
				if imp.Name != nil {
					name = imp.Name.Name
				}
			}
		}
		if name == "" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == name {
				used++
				if !allowed[sel.Sel.Name] {
					t.Errorf("%s: the simulator uses fisactions.%s; it may read the catalogue only, and keep its own rules", fset.Position(sel.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used == 0 {
		t.Fatal("no use of fisactions found under pkg/sim: the walk found nothing to check")
	}
}
