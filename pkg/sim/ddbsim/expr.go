package ddbsim

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"unicode"
)

// This file parses and evaluates DynamoDB condition (and filter)
// expressions: comparisons (= <> < <= > >=), BETWEEN, IN, AND, OR, NOT,
// parentheses and the functions attribute_exists, attribute_not_exists,
// attribute_type, begins_with, contains and size, over top-level attribute
// names (#placeholders or plain names) and :value placeholders. Nested
// paths (a.b, a[0]) are refused with a ValidationException naming them.

// cond is a parsed condition.
type cond interface {
	eval(item map[string]value) (bool, error)
}

// operand yields a value (nil when the attribute is missing).
type operand interface {
	get(item map[string]value) value
}

type pathOperand struct{ name string }

func (p pathOperand) get(item map[string]value) value { return item[p.name] }

type valueOperand struct{ v value }

func (v valueOperand) get(map[string]value) value { return v.v }

type sizeOperand struct{ of operand }

func (s sizeOperand) get(item map[string]value) value {
	v := s.of.get(item)
	if v == nil {
		return nil
	}
	n, ok := v.size()
	if !ok {
		return nil
	}
	return value{"N": fmt.Sprint(n)}
}

type compare struct {
	op   string
	l, r operand
}

func (c compare) eval(item map[string]value) (bool, error) {
	l, r := c.l.get(item), c.r.get(item)
	if l == nil || r == nil {
		return c.op == "<>" && !(l == nil && r == nil), nil
	}
	if c.op == "=" || c.op == "<>" {
		eq := l.equal(r)
		return eq == (c.op == "="), nil
	}
	cmp, ok := l.compare(r)
	if !ok {
		return false, nil
	}
	switch c.op {
	case "<":
		return cmp < 0, nil
	case "<=":
		return cmp <= 0, nil
	case ">":
		return cmp > 0, nil
	case ">=":
		return cmp >= 0, nil
	}
	return false, fmt.Errorf("unknown comparator %s", c.op)
}

type between struct{ x, lo, hi operand }

func (b between) eval(item map[string]value) (bool, error) {
	x, lo, hi := b.x.get(item), b.lo.get(item), b.hi.get(item)
	if x == nil || lo == nil || hi == nil {
		return false, nil
	}
	c1, ok1 := x.compare(lo)
	c2, ok2 := x.compare(hi)
	return ok1 && ok2 && c1 >= 0 && c2 <= 0, nil
}

type in struct {
	x    operand
	list []operand
}

func (n in) eval(item map[string]value) (bool, error) {
	x := n.x.get(item)
	if x == nil {
		return false, nil
	}
	for _, o := range n.list {
		if v := o.get(item); v != nil && x.equal(v) {
			return true, nil
		}
	}
	return false, nil
}

type and struct{ l, r cond }

func (a and) eval(item map[string]value) (bool, error) {
	l, err := a.l.eval(item)
	if err != nil || !l {
		return false, err
	}
	return a.r.eval(item)
}

type or struct{ l, r cond }

func (o or) eval(item map[string]value) (bool, error) {
	l, err := o.l.eval(item)
	if err != nil || l {
		return l, err
	}
	return o.r.eval(item)
}

type not struct{ c cond }

func (n not) eval(item map[string]value) (bool, error) {
	v, err := n.c.eval(item)
	return !v, err
}

type function struct {
	name string
	args []operand
}

func (f function) eval(item map[string]value) (bool, error) {
	switch f.name {
	case "attribute_exists":
		return f.args[0].get(item) != nil, nil
	case "attribute_not_exists":
		return f.args[0].get(item) == nil, nil
	case "attribute_type":
		v, t := f.args[0].get(item), f.args[1].get(item)
		if v == nil || t == nil {
			return false, nil
		}
		want, _ := t["S"].(string)
		return v.typ() == want, nil
	case "begins_with":
		v, p := f.args[0].get(item), f.args[1].get(item)
		if v == nil || p == nil || v.typ() != p.typ() || (v.typ() != "S" && v.typ() != "B") {
			return false, nil
		}
		return strings.HasPrefix(v.scalar(), p.scalar()), nil
	case "contains":
		v, x := f.args[0].get(item), f.args[1].get(item)
		if v == nil || x == nil {
			return false, nil
		}
		return v.contains(x), nil
	}
	return false, fmt.Errorf("unknown function %s", f.name)
}

// parser is a recursive-descent parser over one expression.
type parser struct {
	src    string
	toks   []string
	pos    int
	names  map[string]string
	values map[string]value
	// usedNames and usedValues record the placeholders the expression uses.
	usedNames, usedValues map[string]bool
}

func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case strings.ContainsRune("(),", c):
			toks = append(toks, string(c))
			i++
		case c == '=':
			toks = append(toks, "=")
			i++
		case c == '<' || c == '>':
			if i+1 < len(s) && (s[i+1] == '=' || (c == '<' && s[i+1] == '>')) {
				toks = append(toks, s[i:i+2])
				i += 2
			} else {
				toks = append(toks, string(c))
				i++
			}
		case c == '#' || c == ':' || c == '_' || unicode.IsLetter(c) || unicode.IsDigit(c):
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] == '-' || s[j] == '.' || s[j] == '[' || s[j] == ']' || unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j]))) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			return nil, fmt.Errorf("syntax error; token: %q, near: %q", string(c), s[max(0, i-5):min(len(s), i+5)])
		}
	}
	return toks, nil
}

// parseCondition parses expr with its placeholders.
func parseCondition(expr string, names map[string]string, values map[string]value, p *parser) (cond, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, errors.New("the expression can not be empty")
	}
	p.src, p.toks, p.pos, p.names, p.values = expr, toks, 0, names, values
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("syntax error; token: %q, near: %q", p.toks[p.pos], expr)
	}
	return c, nil
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *parser) next() string {
	t := p.peek()
	p.pos++
	return t
}

func (p *parser) expect(t string) error {
	if got := p.next(); got != t {
		return fmt.Errorf("syntax error; token: %q, expected %q, in %q", got, t, p.src)
	}
	return nil
}

func (p *parser) or() (cond, error) {
	return p.binary("OR", p.and, func(l, r cond) cond { return or{l, r} })
}

func (p *parser) and() (cond, error) {
	return p.binary("AND", p.not, func(l, r cond) cond { return and{l, r} })
}

// binary parses operands (of the next tighter level) joined by the
// keyword op, left-associative.
func (p *parser) binary(op string, operand func() (cond, error), join func(l, r cond) cond) (cond, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), op) {
		p.next()
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = join(l, r)
	}
	return l, nil
}

func (p *parser) not() (cond, error) {
	if strings.EqualFold(p.peek(), "NOT") {
		p.next()
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return not{c}, nil
	}
	return p.primary()
}

var conditionFunctions = map[string]int{
	"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2, "contains": 2,
}

func (p *parser) primary() (cond, error) {
	if p.peek() == "(" {
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		return c, p.expect(")")
	}
	if n, ok := conditionFunctions[p.peek()]; ok && p.pos+1 < len(p.toks) && p.toks[p.pos+1] == "(" {
		name := p.next()
		p.next()
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		if len(args) != n {
			return nil, fmt.Errorf("incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))
		}
		if _, ok := args[0].(pathOperand); !ok {
			return nil, fmt.Errorf("operator or function requires a document path; operator or function: %s", name)
		}
		return function{name, args}, nil
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	switch op := p.peek(); {
	case op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=":
		p.next()
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		return compare{op, l, r}, nil
	case strings.EqualFold(op, "BETWEEN"):
		p.next()
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(p.next(), "AND") {
			return nil, fmt.Errorf("syntax error; BETWEEN needs AND, in %q", p.src)
		}
		hi, err := p.operand()
		if err != nil {
			return nil, err
		}
		return between{l, lo, hi}, nil
	case strings.EqualFold(op, "IN"):
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		list, err := p.args()
		if err != nil {
			return nil, err
		}
		return in{l, list}, nil
	}
	return nil, fmt.Errorf("syntax error; token: %q, near: %q", p.peek(), p.src)
}

// args reads operands up to and including the closing parenthesis.
func (p *parser) args() ([]operand, error) {
	var out []operand
	for {
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		out = append(out, o)
		switch t := p.next(); t {
		case ",":
		case ")":
			return out, nil
		default:
			return nil, fmt.Errorf("syntax error; token: %q, in %q", t, p.src)
		}
	}
}

func (p *parser) operand() (operand, error) {
	t := p.next()
	switch {
	case t == "size" && p.peek() == "(":
		p.next()
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		if len(args) != 1 {
			return nil, fmt.Errorf("incorrect number of operands for operator or function; operator or function: size, number of operands: %d", len(args))
		}
		return sizeOperand{args[0]}, nil
	case strings.HasPrefix(t, ":"):
		v, ok := p.values[t]
		if !ok {
			return nil, fmt.Errorf("an expression attribute value used in expression is not defined; attribute value: %s", t)
		}
		p.usedValues[t] = true
		return valueOperand{v}, nil
	case strings.HasPrefix(t, "#"):
		n, ok := p.names[t]
		if !ok {
			return nil, fmt.Errorf("an expression attribute name used in the document path is not defined; attribute name: %s", t)
		}
		p.usedNames[t] = true
		return pathOperand{n}, nil
	case t == "" || strings.ContainsAny(t, "(),=<>"):
		return nil, fmt.Errorf("syntax error; token: %q, near: %q", t, p.src)
	case strings.ContainsAny(t, ".[]"):
		return nil, fmt.Errorf("the simulator supports top-level attribute names only, not the document path %s", t)
	}
	if reserved[strings.ToUpper(t)] {
		return nil, fmt.Errorf("attribute name is a reserved keyword; reserved keyword: %s", t)
	}
	return pathOperand{t}, nil
}

// reserved are the DynamoDB reserved words most likely to be used as
// attribute names by mistake (the full list has 573); a condition naming
// one without a #placeholder is refused, as DynamoDB refuses it.
var reserved = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "BETWEEN": true, "IN": true, "NAME": true, "OWNER": true,
	"TTL": true, "STATUS": true, "STATE": true, "TIMESTAMP": true, "KEY": true, "VALUE": true,
	"DATA": true, "DATE": true, "TIME": true, "USER": true, "COUNT": true, "SIZE": true, "TYPE": true,
}

// value is an AttributeValue as JSON decodes it: {"S": "x"}, {"N": "1"}.
type value map[string]any

func (v value) typ() string {
	for k := range v {
		return k
	}
	return ""
}

func (v value) scalar() string {
	s, _ := v[v.typ()].(string)
	return s
}

func (v value) equal(o value) bool {
	if v.typ() != o.typ() {
		return false
	}
	if v.typ() == "N" {
		c, ok := v.compare(o)
		return ok && c == 0
	}
	return reflect.DeepEqual(v, o)
}

// compare orders two scalars of one type (N numerically, S and B by bytes).
func (v value) compare(o value) (int, bool) {
	if v.typ() != o.typ() {
		return 0, false
	}
	switch v.typ() {
	case "N":
		a, ok1 := new(big.Float).SetString(v.scalar())
		b, ok2 := new(big.Float).SetString(o.scalar())
		if !ok1 || !ok2 {
			return 0, false
		}
		return a.Cmp(b), true
	case "S", "B":
		return strings.Compare(v.scalar(), o.scalar()), true
	}
	return 0, false
}

func (v value) size() (int, bool) {
	switch t := v.typ(); t {
	case "S", "B":
		return len(v.scalar()), true
	case "SS", "NS", "BS", "L":
		l, _ := v[t].([]any)
		return len(l), true
	case "M":
		m, _ := v[t].(map[string]any)
		return len(m), true
	}
	return 0, false
}

func (v value) contains(x value) bool {
	switch t := v.typ(); t {
	case "S":
		return x.typ() == "S" && strings.Contains(v.scalar(), x.scalar())
	case "SS", "NS", "BS":
		l, _ := v[t].([]any)
		for _, e := range l {
			if s, _ := e.(string); s == x.scalar() && t[:1] == x.typ() {
				return true
			}
		}
	case "L":
		l, _ := v[t].([]any)
		for _, e := range l {
			if m, ok := e.(map[string]any); ok && value(m).equal(x) {
				return true
			}
		}
	}
	return false
}
