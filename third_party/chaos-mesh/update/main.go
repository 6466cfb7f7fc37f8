// Command update regenerates third_party/chaos-mesh/api: the parts of Chaos
// Mesh's API module that gameday links (api/v1alpha1 and
// api/genericwebhook), copied from the module cache at the exact version
// go.mod pins, with mechanical deletions only.
//
// Upstream's v1alpha1 registers every type with controller-runtime's
// scheme and implements controller-runtime's admission webhooks; linking
// it pulls in controller-runtime, client-go and every Kubernetes API group
// (most of the preflight Lambda). gameday only decodes a spec into these
// types and runs Chaos Mesh's own defaulting and validation
// (genericwebhook.Default and Validate, ScheduleSpec.Validate), so the copy
// keeps every type, field, tag and method and drops only:
//
//  1. every top-level declaration that uses a controller-runtime package
//     (sigs.k8s.io/controller-runtime/...): the scheme builder, the
//     webhook.CustomValidator/CustomDefaulter methods (ValidateCreate,
//     ValidateUpdate, ValidateDelete, Default(ctx, obj)), the interfaces
//     naming them, kinds.go's client.Object registry;
//  2. then, repeatedly, every top-level declaration that names one dropped
//     in 1 or 2 (AddToScheme, the init functions calling
//     SchemeBuilder.Register, ...);
//  3. the imports left unused, and the marker comments (// +kubebuilder:...)
//     standing alone before a dropped declaration.
//
// One edit, not a deletion: a package-level logger taken from
// controller-runtime (`var log = ctrl.Log.WithName("api")`) becomes
// logr.Discard(), which is what controller-runtime's logger does until
// its SetLogger is called, which nothing in gameday does. And the copy's
// import of genericwebhook points at the copy.
//
// Each file keeps its upstream name and licence header, under a
// "Code generated ... DO NOT EDIT." line naming the version. Run it from
// the module root:
//
//	go run ./third_party/chaos-mesh/update
//
// update_test.go regenerates into a temporary directory and fails when the
// result differs from the checked-in copy.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

const (
	// Module is the upstream module; its version is the one go.mod pins.
	Module = "github.com/chaos-mesh/chaos-mesh/api"
	// Local is the import path of the copy.
	Local = "github.com/gameday-dev/gameday/third_party/chaos-mesh/api"
	// controllerRuntime is the module whose uses are cut.
	controllerRuntime = "sigs.k8s.io/controller-runtime"
	logrPath          = "github.com/go-logr/logr"
)

// packages are the upstream packages copied, relative to the module.
var packages = []string{"genericwebhook", "v1alpha1"}

func main() {
	out := flag.String("out", "third_party/chaos-mesh/api", "the directory to write the copy into (replaced)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "update:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	src, err := ModuleDir()
	if err != nil {
		return err
	}
	return Generate(src.Dir, src.Version, out)
}

// Source is the pinned upstream module in the module cache.
type Source struct {
	Version string
	Dir     string
}

// ModuleDir finds the module version go.mod pins and its directory in the
// module cache, downloading it when the cache lacks it.
func ModuleDir() (Source, error) {
	var s Source
	b, err := exec.Command("go", "list", "-m", "-json", Module).Output()
	if err != nil {
		return s, fmt.Errorf("go list -m %s: %w", Module, exitErr(err))
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("go list -m %s: %w", Module, err)
	}
	if s.Dir != "" {
		return s, nil
	}
	b, err = exec.Command("go", "mod", "download", "-json", Module+"@"+s.Version).Output()
	if err != nil {
		return s, fmt.Errorf("go mod download %s: %w", Module, exitErr(err))
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("go mod download %s: %w", Module, err)
	}
	if s.Dir == "" {
		return s, fmt.Errorf("go mod download %s: no directory", Module)
	}
	return s, nil
}

func exitErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, bytes.TrimSpace(ee.Stderr))
	}
	return err
}

// Generate writes the trimmed copy of the module at srcDir (version
// version) into out, replacing what out held.
func Generate(srcDir, version, out string) error {
	files := map[string][]byte{}
	lic, err := os.ReadFile(filepath.Join(srcDir, "LICENSE"))
	if err != nil {
		return fmt.Errorf("read licence: %w", err)
	}
	files["LICENSE"] = lic
	for _, pkg := range packages {
		got, err := trimPackage(filepath.Join(srcDir, pkg), version, pkg)
		if err != nil {
			return fmt.Errorf("%s: %w", pkg, err)
		}
		for name, b := range got {
			files[path.Join(pkg, name)] = b
		}
	}
	if err := os.RemoveAll(out); err != nil {
		return fmt.Errorf("clear %s: %w", out, err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(out, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", n, err)
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", n, err)
		}
	}
	return nil
}

// trimPackage returns the trimmed, formatted non-test files of the package
// in dir, by file name. A file left with no declarations is left out.
func trimPackage(dir, version, pkg string) (map[string][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read package: %w", err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
		files = append(files, f)
		names = append(names, n)
	}
	for _, f := range files {
		discardLoggers(f)
	}
	cut(files)
	out := map[string][]byte{}
	for i, f := range files {
		if len(f.Decls) == 0 || (len(f.Decls) == 1 && isImportDecl(f.Decls[0])) {
			continue
		}
		pruneImports(f)
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(p, Module+"/") {
				imp.Path.Value = strconv.Quote(Local + strings.TrimPrefix(p, Module))
			}
		}
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "// Code generated by go run ./third_party/chaos-mesh/update from %s@%s/%s/%s; DO NOT EDIT.\n\n", Module, version, pkg, names[i])
		if err := format.Node(&buf, fset, f); err != nil {
			return nil, fmt.Errorf("format %s: %w", names[i], err)
		}
		b, err := format.Source(buf.Bytes())
		if err != nil {
			return nil, fmt.Errorf("format %s: %w", names[i], err)
		}
		out[names[i]] = b
	}
	return out, nil
}

func isImportDecl(d ast.Decl) bool {
	g, ok := d.(*ast.GenDecl)
	return ok && g.Tok == token.IMPORT
}

// crNames are the names under which f imports controller-runtime packages.
func crNames(f *ast.File) map[string]bool {
	names := map[string]bool{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p != controllerRuntime && !strings.HasPrefix(p, controllerRuntime+"/") {
			continue
		}
		for _, n := range importNames(imp) {
			names[n] = true
		}
	}
	return names
}

// discardLoggers replaces each package-level `x = <controller-runtime
// package>.Log.WithName(...)` by `x = logr.Discard()`.
func discardLoggers(f *ast.File) {
	cr := crNames(f)
	changed := false
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, v := range vs.Values {
				if isCRLogger(v, cr) {
					// Positions within the old expression's keep the
					// declaration's extent (and its comments) in place.
					x, sel := ast.NewIdent("logr"), ast.NewIdent("Discard")
					x.NamePos, sel.NamePos = v.Pos(), v.Pos()
					vs.Values[i] = &ast.CallExpr{Fun: &ast.SelectorExpr{X: x, Sel: sel}, Lparen: v.End() - 2, Rparen: v.End() - 1}
					changed = true
				}
			}
		}
	}
	if changed && !slices.ContainsFunc(f.Imports, func(i *ast.ImportSpec) bool { return i.Path.Value == strconv.Quote(logrPath) }) {
		addImport(f, logrPath)
	}
}

// isCRLogger reports whether e is pkg.Log.WithName(...) with pkg a
// controller-runtime import.
func isCRLogger(e ast.Expr, cr map[string]bool) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "WithName" {
		return false
	}
	logSel, ok := sel.X.(*ast.SelectorExpr)
	if !ok || logSel.Sel.Name != "Log" {
		return false
	}
	id, ok := logSel.X.(*ast.Ident)
	return ok && cr[id.Name]
}

func addImport(f *ast.File, p string) {
	spec := &ast.ImportSpec{Path: &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(p)}}
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			g.Specs = append(g.Specs, spec)
			if !g.Lparen.IsValid() {
				g.Lparen, g.Rparen = g.Pos(), g.End()
			}
			f.Imports = append(f.Imports, spec)
			return
		}
	}
	f.Decls = append([]ast.Decl{&ast.GenDecl{Tok: token.IMPORT, Specs: []ast.Spec{spec}}}, f.Decls...)
	f.Imports = append(f.Imports, spec)
}

// cut drops, across the package's files, every top-level declaration (or
// spec of a grouped one) that uses controller-runtime, then every one that
// names a dropped one, until none is left to drop.
func cut(files []*ast.File) {
	dropped := map[string]bool{}
	for {
		more := false
		for _, f := range files {
			cr := crNames(f)
			var keep []ast.Decl
			prevEnd := f.Name.End()
			for _, d := range f.Decls {
				before := prevEnd
				prevEnd = d.End()
				if isImportDecl(d) {
					keep = append(keep, d)
					continue
				}
				if g, ok := d.(*ast.GenDecl); ok {
					var specs []ast.Spec
					for _, s := range g.Specs {
						if refers(f, s, cr, dropped) {
							declared(s, dropped)
							dropComments(f, specRange(g, s))
							more = true
							continue
						}
						specs = append(specs, s)
					}
					if len(specs) == 0 {
						dropComments(f, nodeRange(g, g.Doc))
						dropMarkers(f, before, g.Pos())
						continue
					}
					g.Specs = specs
					keep = append(keep, g)
					continue
				}
				fd := d.(*ast.FuncDecl)
				if refers(f, fd, cr, dropped) {
					if fd.Recv == nil && fd.Name.Name != "init" {
						dropped[fd.Name.Name] = true
					}
					dropComments(f, nodeRange(fd, fd.Doc))
					dropMarkers(f, before, fd.Pos())
					more = true
					continue
				}
				keep = append(keep, d)
			}
			f.Decls = keep
		}
		if !more {
			return
		}
	}
}

type span struct{ from, to token.Pos }

func nodeRange(n ast.Node, doc *ast.CommentGroup) span {
	s := span{n.Pos(), n.End()}
	if doc != nil {
		s.from = doc.Pos()
	}
	return s
}

func specRange(g *ast.GenDecl, s ast.Spec) span {
	var doc, line *ast.CommentGroup
	switch s := s.(type) {
	case *ast.ValueSpec:
		doc, line = s.Doc, s.Comment
	case *ast.TypeSpec:
		doc, line = s.Doc, s.Comment
	}
	if !g.Lparen.IsValid() && g.Doc != nil { // type X ... with the doc on the decl
		doc = g.Doc
	}
	r := nodeRange(s, doc)
	if line != nil {
		r.to = line.End()
	}
	return r
}

// dropComments removes the comments inside r from f.
func dropComments(f *ast.File, r span) {
	f.Comments = slices.DeleteFunc(f.Comments, func(c *ast.CommentGroup) bool {
		return c.Pos() >= r.from && c.End() <= r.to
	})
}

// dropMarkers removes the code-generator markers (comments of // +...
// lines only, such as // +kubebuilder:object:generate=false) standing
// between the previous declaration's end and a dropped one's start.
func dropMarkers(f *ast.File, from, to token.Pos) {
	f.Comments = slices.DeleteFunc(f.Comments, func(c *ast.CommentGroup) bool {
		if c.Pos() < from || c.End() > to {
			return false
		}
		for _, l := range c.List {
			if !strings.HasPrefix(l.Text, "// +") {
				return false
			}
		}
		return true
	})
}

// declared adds the names s declares to names.
func declared(s ast.Spec, names map[string]bool) {
	switch s := s.(type) {
	case *ast.ValueSpec:
		for _, n := range s.Names {
			if n.Name != "_" {
				names[n.Name] = true
			}
		}
	case *ast.TypeSpec:
		names[s.Name.Name] = true
	}
}

// refers reports whether n (in f) uses a controller-runtime package (named
// in cr) or names a dropped package-level declaration. Package-level names
// are the identifiers the parser resolved to f's scope or left unresolved
// (it resolves only within a file); selectors' field names and composite
// literals' keys are skipped.
func refers(f *ast.File, n ast.Node, cr, dropped map[string]bool) bool {
	found := false
	skip := map[*ast.Ident]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			skip[n.Sel] = true
			if id, ok := n.X.(*ast.Ident); ok && id.Obj == nil && cr[id.Name] {
				found = true
			}
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok {
				skip[id] = true
			}
		case *ast.Ident:
			if !skip[n] && (n.Obj == nil || f.Scope.Lookup(n.Name) == n.Obj) && dropped[n.Name] {
				found = true
			}
		}
		return true
	})
	return found
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// importNames are the names a file may use an import by: its own name, or
// the guesses from its path (the last element, without a go- prefix, or
// the one before a /vN).
func importNames(imp *ast.ImportSpec) []string {
	if imp.Name != nil {
		return []string{imp.Name.Name}
	}
	p, _ := strconv.Unquote(imp.Path.Value)
	elems := strings.Split(p, "/")
	last := elems[len(elems)-1]
	names := []string{last, strings.TrimPrefix(last, "go-")}
	if majorVersion.MatchString(last) && len(elems) > 1 {
		names = append(names, elems[len(elems)-2])
	}
	return names
}

// pruneImports removes the imports f no longer uses (blank and dot
// imports stay).
func pruneImports(f *ast.File) {
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil {
				used[id.Name] = true
			}
		}
		return true
	})
	keep := func(imp *ast.ImportSpec) bool {
		if imp.Name != nil && (imp.Name.Name == "_" || imp.Name.Name == ".") {
			return true
		}
		return slices.ContainsFunc(importNames(imp), func(n string) bool { return used[n] })
	}
	var decls []ast.Decl
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			decls = append(decls, d)
			continue
		}
		var specs []ast.Spec
		for _, s := range g.Specs {
			if keep(s.(*ast.ImportSpec)) {
				specs = append(specs, s)
			} else {
				dropComments(f, span{s.Pos(), s.End()})
			}
		}
		if len(specs) > 0 {
			g.Specs = specs
			decls = append(decls, g)
		}
	}
	f.Decls = decls
	f.Imports = slices.DeleteFunc(f.Imports, func(imp *ast.ImportSpec) bool { return !keep(imp) })
}
