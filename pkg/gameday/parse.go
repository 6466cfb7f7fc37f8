package gameday

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Limits on input, checked before anything is decoded.
const (
	// MaxFileSize is the largest GameDay file read (1 MiB).
	MaxFileSize = 1 << 20
	// MaxNodes bounds the YAML nodes of a file after anchors and aliases are
	// expanded, so that an alias bomb is refused before it is built.
	MaxNodes = 50_000
	// maxDepth bounds nesting.
	maxDepth = 64
)

// Pos is a 1-based line and column in a file.
type Pos struct{ Line, Col int }

// Document is a GameDay file decoded, with the position of each field so
// that later checks can point at the line to fix.
type Document struct {
	// File is the name the problems carry.
	File string
	// Spec is the decoded GameDay.
	Spec *Spec
	pos  map[string]Pos
	// refused are the paths ParseDocument dropped as unknown or mistyped.
	refused []string
}

// Locate fills the file name and the position of each problem from its path
// (the nearest enclosing field that is in the file, for a missing field).
func (d *Document) Locate(ps Problems) Problems {
	out := make(Problems, len(ps))
	for i, p := range ps {
		p.File = d.File
		if _, written := d.pos[p.Path]; written && ifWritten[p.Message] != "" {
			p.Message = ifWritten[p.Message]
		}
		if p.Line == 0 {
			if pos, ok := d.PosOf(p.Path); ok {
				p.Line, p.Col = pos.Line, pos.Col
			}
		}
		out[i] = p
	}
	return out.Sort()
}

// PosOf is the position of the field at path, or of its nearest ancestor.
func (d *Document) PosOf(path string) (Pos, bool) {
	for {
		if p, ok := d.pos[path]; ok {
			return p, true
		}
		if path == "" {
			return Pos{}, false
		}
		path = parent(path)
	}
}

// parent drops the last segment of a path: a.b[2] → a.b, a.b → a.
func parent(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// Parse reads a GameDay file: YAML to Spec, unknown fields refused, then
// every check that needs no Chaos Mesh types (Check). On bad input it
// returns all problems at once as Problems.
func Parse(name string, data []byte) (*Spec, error) {
	doc, ps := ParseDocument(name, data)
	if doc == nil {
		return nil, ps
	}
	if ps := doc.Merge(ps, Check(doc.Spec)); len(ps) > 0 {
		return nil, ps
	}
	return doc.Spec, nil
}

// Merge adds the problems of a later check to those ParseDocument found,
// located in the file, leaving out those at or under a field that
// ParseDocument already refused (and dropped), and the "required" ones of a
// field that the user wrote but ParseDocument refused: one that holds a
// refused field, or one misspelt (faultz: for faults:). The refused field's
// problem says what is wrong.
func (d *Document) Merge(found Problems, later Problems) Problems {
	out := append(Problems{}, found...)
	for _, p := range d.Locate(later) {
		if !d.dropped(p.Path) && !(strings.HasPrefix(p.Message, "required") && d.writtenButRefused(p.Path)) {
			out = append(out, p)
		}
	}
	return out.Sort()
}

func (d *Document) writtenButRefused(path string) bool {
	for _, p := range d.refused {
		if path != "" && (strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[")) {
			return true
		}
	}
	// path or one of its ancestors misspelt: a refused sibling close to it.
	for a := path; a != ""; a, _ = splitPath(a) {
		parent, name := splitPath(a)
		name, _, _ = strings.Cut(name, "[")
		for _, p := range d.refused {
			if rp, rn := splitPath(p); rp == parent && suggest(rn, []string{name}) != "" {
				return true
			}
		}
	}
	return false
}

// splitPath splits a field path at its last field name: spec.faults gives
// spec and faults.
func splitPath(path string) (parent, name string) {
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}

func (d *Document) dropped(path string) bool {
	for _, p := range d.refused {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") || p == "" {
			return true
		}
	}
	return false
}

// syntaxHint says what to do about a YAML syntax error: a repeated key, or
// (most often) an indentation, quote or bracket out of place.
func syntaxHint(msg string) string {
	if strings.Contains(msg, "already defined") {
		return "keep one of the two keys"
	}
	return "check the indentation, quotes and brackets here and on the line above"
}

// sizeProblem says that a file of size bytes is too large to be a GameDay.
func sizeProblem(size int64) string {
	return fmt.Sprintf("file is %d bytes (%.1f MiB); a GameDay file must be at most %d bytes (1 MiB)", size, float64(size)/(1<<20), MaxFileSize)
}

// ReadFile reads a GameDay (or policy) file for ParseDocument: at most one
// byte past MaxFileSize, so that an oversized file is refused by its size
// (as Problems) without being read whole. A directory, or a file it cannot
// read, is an error that names it.
func ReadFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s is a directory: name the files, for example %s/*.yaml", name, name)
	} else if err == nil && st.Mode().IsRegular() && st.Size() > MaxFileSize {
		// Its real size, not the MaxFileSize+1 bytes read.
		return nil, Problems{{File: name, Message: sizeProblem(st.Size())}}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err // an *os.PathError: it names the file
	}
	return data, nil
}

// ParseDocument decodes a GameDay file strictly: not YAML, several
// documents, oversized or explosive input, unknown fields and mistyped
// values, without the semantic checks of Check. Problems carry the file name
// and positions. The document is nil when nothing could be decoded; else
// unknown and mistyped fields are left out of doc.Spec so that the rest can
// still be checked.
func ParseDocument(name string, data []byte) (*Document, Problems) {
	spec, doc, ps := ParseFile[Spec](name, data, Kind)
	if doc == nil {
		return nil, ps
	}
	doc.Spec = spec
	return doc, ps
}

// ParseFile decodes any file written like a GameDay (one YAML mapping with
// apiVersion, kind, metadata and spec: a GameDay, a GameDayPolicy) into a
// T, with the same limits, the same strict shape check (unknown fields with
// the closest known name, mistyped values) and positions. kind names the
// file in messages. The document (for Locate and Merge; its Spec is nil)
// is nil when nothing could be decoded.
func ParseFile[T any](name string, data []byte, kind string) (*T, *Document, Problems) {
	top, pos, ps := readYAML(name, data, kind)
	if top == nil {
		return nil, nil, ps
	}
	doc := &Document{File: name, pos: pos}
	if ps := otherKind(top, kind); len(ps) > 0 {
		return nil, nil, doc.Locate(ps)
	}
	ps = PruneShape(top, reflect.TypeFor[T](), "")
	for _, p := range ps {
		doc.refused = append(doc.refused, p.Path)
	}
	v, err := decodeJSON[T](top)
	if err != nil {
		return nil, nil, append(doc.Locate(ps), Problem{File: name, Message: fmt.Sprintf("decode: %v", err)})
	}
	return v, doc, doc.Locate(ps)
}

// otherKind is the apiVersion and kind problems of a file of another kind
// than kind (a GameDay given as a policy, a policy as a GameDay, a
// ConfigMap): its fields are not wrong but another kind's, so these are its
// only problems. A file that leaves kind out or misspells it (Gameday) is
// taken for a kind and gets every problem.
func otherKind(top map[string]any, kind string) Problems {
	k, _ := top["kind"].(string)
	if k == "" || strings.EqualFold(k, kind) {
		return nil
	}
	v, _ := top["apiVersion"].(string)
	return CheckFileKind(TypeMeta{APIVersion: v, Kind: k}, kind)
}

// readYAML reads one YAML mapping into plain values with the position of
// each field, refusing what is not YAML, several documents, and oversized or
// explosive input.
func readYAML(name string, data []byte, kind string) (map[string]any, map[string]Pos, Problems) {
	fail := func(line, col int, path, format string, args ...any) (map[string]any, map[string]Pos, Problems) {
		return nil, nil, Problems{{File: name, Line: line, Col: col, Path: path, Message: fmt.Sprintf(format, args...)}}
	}
	article := "a " + kind
	if len(data) > MaxFileSize {
		return fail(0, 0, "", "%s", sizeProblem(int64(len(data))))
	}
	// A UTF-8 byte order mark, as some editors on Windows write, is not
	// part of the YAML.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(bytes.TrimSpace(data)) == 0 {
		return fail(0, 0, "", "empty file: %s starts with apiVersion: %s and kind: %s", article, APIVersion, kind)
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return fail(0, 0, "", "not a YAML text file (binary or not UTF-8): %s is a UTF-8 YAML file", article)
	}
	if line, msg := prescan(data); msg != "" {
		return fail(line, 1, "", "%s", msg)
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		if line, col, ok := tabIndent(data); ok {
			return fail(line, col, "", "tab used for indentation: YAML allows only spaces; indent with spaces")
		}
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			tk := ye.GetToken()
			return fail(tk.Position.Line, tk.Position.Column, "", "not valid YAML: %s: %s", ye.GetMessage(), syntaxHint(ye.GetMessage()))
		}
		return fail(0, 0, "", "not valid YAML: %s", firstLine(err.Error()))
	}
	var docs []*ast.DocumentNode
	for _, d := range file.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		return fail(0, 0, "", "empty file: %s starts with apiVersion: %s and kind: %s", article, APIVersion, kind)
	case len(docs) > 1:
		p := docs[1].Body.GetToken().Position
		return fail(p.Line, 1, "", "%d YAML documents in one file: write one %s per file", len(docs), kind)
	}

	c := &converter{pos: map[string]Pos{}, anchors: map[string]ast.Node{}, sizes: map[ast.Node]int{}}
	root := unwrap(docs[0].Body)
	if n := c.size(root, 0); c.deep {
		return fail(0, 0, "", "nested more than %d levels deep: %s is not that deep", maxDepth, article)
	} else if n > MaxNodes || c.bomb {
		return fail(0, 0, "", "anchors and aliases expand to more than %d nodes: write the values out or share less", MaxNodes)
	}
	c.anchors = map[string]ast.Node{}
	value := c.convert(root, "", true, 0)
	if len(c.problems) > 0 {
		return nil, nil, withFile(name, c.problems)
	}
	top, ok := value.(map[string]any)
	if !ok {
		p := posOf(root)
		return fail(p.Line, p.Col, "", "not %s: the file must be a YAML mapping with apiVersion, kind, metadata and spec", article)
	}
	c.pos[""] = posOf(root)
	if m, ok := root.(*ast.MappingNode); ok && len(m.Values) > 0 {
		c.pos[""] = posOf(m.Values[0].Key)
	}
	return top, c.pos, nil
}

// decodeJSON turns the generic value into a T through JSON, the same path
// a spec carried by the state machine takes.
func decodeJSON[T any](v map[string]any) (*T, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s T
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	return &s, nil
}

func withFile(name string, ps Problems) Problems {
	for i := range ps {
		ps[i].File = name
	}
	return ps.Sort()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// tabIndent finds the first line indented with a tab (YAML forbids tabs in
// indentation; the parser's own error for it is obscure).
func tabIndent(data []byte) (line, col int, ok bool) {
	for i, l := range bytes.Split(data, []byte("\n")) {
		trimmed := bytes.TrimLeft(l, " \t")
		indent := l[:len(l)-len(trimmed)]
		if j := bytes.IndexByte(indent, '\t'); j >= 0 && len(trimmed) > 0 && trimmed[0] != '#' {
			return i + 1, j + 1, true
		}
	}
	return 0, 0, false
}

// maxAliases bounds the aliases (*name) of a file.
const maxAliases = 1000

// prescan refuses, before the YAML parser (which recurses per level) sees
// them, flow collections ([ and {) or block sequence dashes on one line that
// nest past maxDepth, and more than maxAliases aliases. Indentation alone
// cannot nest that deep in a file of MaxFileSize. Quotes and comments are
// skipped roughly: a miss only lets the parser see the file.
func prescan(data []byte) (line int, msg string) {
	deep := fmt.Sprintf("nested more than %d levels deep: a GameDay is not that deep", maxDepth)
	depth, aliases := 0, 0
	valueStart := true // at a place where a value may start
	line = 1
	for i := 0; i < len(data); i++ {
		ch := data[i]
		switch ch {
		case '\n':
			line++
			valueStart = true
			if dashes(data, i+1, true) > maxDepth {
				return line, deep
			}
			continue
		case ' ', '\t', '\r':
			continue
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			i--
			continue
		case '[', '{':
			if valueStart {
				depth++
				if depth > maxDepth {
					return line, deep
				}
			}
			valueStart = true
			continue
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '"', '\'':
			if valueStart {
				var lines int
				i, lines = skipQuoted(data, i+1, ch)
				line += lines
			}
		case '*':
			if valueStart {
				if aliases++; aliases > maxAliases {
					return line, fmt.Sprintf("more than %d aliases (*name): write the values out", maxAliases)
				}
			}
		case ':', ',', '-', '?':
			valueStart = true
			continue
		}
		valueStart = false
	}
	if dashes(data, 0, false) > maxDepth { // the first line's
		return 1, deep
	}
	return 0, ""
}

// dashes counts the block sequence dashes ("- ") that begin the line at
// data[from:]; withEOL counts a dash that ends the line too.
func dashes(data []byte, from int, withEOL bool) int {
	n := 0
	for j := from; j+1 < len(data) && (data[j] == ' ' || data[j] == '-'); j++ {
		if data[j] == '-' && (data[j+1] == ' ' || withEOL && data[j+1] == '\n') {
			n++
		}
	}
	return n
}

// skipQuoted returns the index of the quote that closes the scalar opened
// just before data[from] (len(data) when none does), and the line breaks
// inside it.
func skipQuoted(data []byte, from int, quote byte) (end, lines int) {
	i := from
	for ; i < len(data); i++ {
		switch {
		case data[i] == '\\' && quote == '"':
			i++
		case data[i] == quote:
			return i, lines
		case data[i] == '\n':
			lines++
		}
	}
	return i, lines
}

// converter turns the YAML AST into plain values (map[string]any, []any,
// string, int64, float64, bool, nil), recording where each field is.
type converter struct {
	pos      map[string]Pos
	anchors  map[string]ast.Node
	sizes    map[ast.Node]int
	bomb     bool
	deep     bool
	problems Problems
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.TagNode:
			if v.Value == nil {
				return v
			}
			n = v.Value
		case *ast.CommentGroupNode:
			return nil
		default:
			return n
		}
	}
}

func posOf(n ast.Node) Pos {
	if n == nil || n.GetToken() == nil {
		return Pos{}
	}
	p := n.GetToken().Position
	return Pos{Line: p.Line, Col: p.Column}
}

// size counts the nodes of n with aliases expanded, memoized per anchor so
// that counting a bomb is itself cheap; it stops early past MaxNodes.
func (c *converter) size(n ast.Node, depth int) int {
	n = unwrap(n)
	if n == nil || c.bomb {
		return 1
	}
	if depth > maxDepth {
		c.deep, c.bomb = true, true
		return MaxNodes + 1
	}
	if s, ok := c.sizes[n]; ok {
		return s
	}
	total := 1
	add := func(k int) {
		total += k
		if total > MaxNodes {
			c.bomb = true
		}
	}
	switch v := n.(type) {
	case *ast.AnchorNode:
		total = c.size(v.Value, depth+1)
		if v.Name != nil {
			c.anchors[v.Name.GetToken().Value] = v.Value
		}
	case *ast.AliasNode:
		if v.Value != nil {
			if target, ok := c.anchors[v.Value.GetToken().Value]; ok {
				total = c.size(target, depth+1)
			}
		}
	case *ast.MappingNode:
		for _, mv := range v.Values {
			add(c.size(mv.Key, depth+1) + c.size(mv.Value, depth+1))
		}
	case *ast.MappingValueNode:
		add(c.size(v.Key, depth+1) + c.size(v.Value, depth+1))
	case *ast.SequenceNode:
		for _, e := range v.Values {
			add(c.size(e, depth+1))
		}
	}
	if total > MaxNodes {
		c.bomb = true
	}
	c.sizes[n] = total
	return total
}

func (c *converter) problem(n ast.Node, path, format string, args ...any) {
	p := posOf(n)
	c.problems = append(c.problems, Problem{Line: p.Line, Col: p.Col, Path: path, Message: fmt.Sprintf(format, args...)})
}

// convert returns the plain value of n. record says whether positions are
// recorded (not inside an alias, whose text is elsewhere).
func (c *converter) convert(n ast.Node, path string, record bool, depth int) any {
	n = unwrap(n)
	if n == nil {
		return nil
	}
	if depth > maxDepth {
		c.problem(n, path, "nested more than %d levels deep", maxDepth)
		return nil
	}
	switch v := n.(type) {
	case *ast.NullNode:
		return nil
	case *ast.StringNode:
		return v.Value
	case *ast.LiteralNode:
		if v.Value == nil {
			return ""
		}
		return v.Value.Value
	case *ast.IntegerNode:
		switch i := v.Value.(type) {
		case int64:
			return i
		case uint64:
			if i <= math.MaxInt64 {
				return int64(i)
			}
			return float64(i)
		}
		return v.Value
	case *ast.FloatNode:
		return v.Value
	case *ast.BoolNode:
		return v.Value
	case *ast.InfinityNode, *ast.NanNode:
		c.problem(n, path, "%s is not a finite number", n.GetToken().Value)
		return nil
	case *ast.TagNode:
		c.problem(n, path, "YAML tag %s is not supported: write the plain value", v.Start.Value)
		return nil
	case *ast.AnchorNode:
		if v.Name != nil {
			c.anchors[v.Name.GetToken().Value] = v.Value
		}
		return c.convert(v.Value, path, record, depth+1)
	case *ast.AliasNode:
		name := ""
		if v.Value != nil {
			name = v.Value.GetToken().Value
		}
		target, ok := c.anchors[name]
		if !ok {
			c.problem(n, path, "alias *%s names no anchor defined before it", name)
			return nil
		}
		return c.convert(target, path, false, depth+1)
	case *ast.MappingNode:
		m := make(map[string]any, len(v.Values))
		for _, mv := range v.Values {
			c.entry(m, mv, path, record, depth)
		}
		return m
	case *ast.MappingValueNode:
		m := make(map[string]any, 1)
		c.entry(m, v, path, record, depth)
		return m
	case *ast.SequenceNode:
		s := make([]any, len(v.Values))
		for i, e := range v.Values {
			p := index(path, i)
			if record {
				c.pos[p] = posOf(unwrap(e))
			}
			s[i] = c.convert(e, p, record, depth+1)
		}
		return s
	}
	c.problem(n, path, "unsupported YAML node %s", n.Type())
	return nil
}

func (c *converter) entry(m map[string]any, mv *ast.MappingValueNode, path string, record bool, depth int) {
	if mv.Key == nil {
		return
	}
	if mv.Key.IsMergeKey() {
		c.problem(mv.Key, path, "merge keys (<<) are not supported: write the fields out")
		return
	}
	var key string
	switch k := unwrap(mv.Key).(type) {
	case *ast.StringNode:
		key = k.Value
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NullNode:
		key = k.GetToken().Value
	case *ast.MappingKeyNode:
		c.problem(mv.Key, path, "complex mapping keys (?) are not supported")
		return
	default:
		c.problem(mv.Key, path, "a mapping key must be a plain string")
		return
	}
	p := child(path, key)
	if _, dup := m[key]; dup {
		c.problem(mv.Key, p, "duplicate key %q", key)
		return
	}
	if record {
		c.pos[p] = posOf(mv.Key)
	}
	m[key] = c.convert(mv.Value, p, record, depth+1)
}

// quoteHint shows a scalar as the user would quote it.
func quoteHint(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	default:
		return strconv.Quote(fmt.Sprint(x))
	}
}
