package neonwire

import (
	"math/big"
	"strings"
)

// neon_mq_connector's b64_to_dict runs eval on the body's text, not
// ast.literal_eval, so a Neon service accepts more than literals. Python
// writes some of it itself: repr of a complex number is 1j or (1+2j), of
// Ellipsis is Ellipsis, of a range range(0, 3), of a bytearray
// bytearray(b'...'), and eval reads each back. A body holding those is not
// one that real Neon services reject, but mqscope has no Value for them:
// detection reads such text with allowExpr, labels it EncPyExpr and names
// what it found. Anything else eval might run (calls of other names,
// arithmetic, attribute access) is not recognised and stays unreadable.

// exprKind is a set of the expressions met.
type exprKind uint8

const (
	exprComplex exprKind = 1 << iota
	exprEllipsis
	exprRange
	exprBytearray
)

var exprNames = []struct {
	kind      exprKind
	name, typ string
}{
	{exprComplex, "complex number", "complex"},
	{exprEllipsis, "Ellipsis", "ellipsis"},
	{exprRange, "range()", "range"},
	{exprBytearray, "bytearray()", "bytearray"},
}

// String names the kinds in k, such as "complex number, range()".
func (k exprKind) String() string {
	var names []string
	for _, e := range exprNames {
		if k&e.kind != 0 {
			names = append(names, e.name)
		}
	}
	return strings.Join(names, ", ")
}

// typeName is Python's name for the type of a single kind.
func (k exprKind) typeName() string {
	for _, e := range exprNames {
		if k == e.kind {
			return e.typ
		}
	}
	return "object"
}

// pyExpr stands for a value mqscope reads but does not model. It only
// exists while detection reads a body; no Value returned holds one.
type pyExpr struct {
	kind exprKind
}

// parseExpression reads src as b64_to_dict's eval would, but only as far
// as literals and the expressions above go, and returns which of those
// expressions it met (none when src is a plain literal).
func parseExpression(src string) (exprKind, error) {
	_, kinds, err := parse(src, true, true)
	return kinds, err
}

// expr records an expression of kind k and returns its stand-in.
func (p *parser) expr(k exprKind) Value {
	p.exprs |= k
	return pyExpr{k}
}

// complexTail reads the rest of real ± imaginary, as Python writes complex
// numbers with a real part: (1+2j), (-0-1j). After anything else, or when
// no imaginary number follows the sign, it reads nothing.
func (p *parser) complexTail(v Value, err error) (Value, error) {
	if err != nil || !p.allowExpr || !isRealOrComplex(v) {
		return v, err
	}
	save := p.pos
	if c := p.peek(); c != '+' && c != '-' {
		p.pos = save
		return v, nil
	}
	p.pos++
	if c := p.peek(); isDigit(c) || c == '.' {
		if w, err := p.number(); err == nil && w == (pyExpr{exprComplex}) {
			return w, nil
		}
	}
	p.pos = save
	return v, nil
}

func isRealOrComplex(v Value) bool {
	switch v.(type) {
	case int64, *big.Int, float64:
		return true
	}
	return v == pyExpr{exprComplex}
}

// exprName reads Ellipsis, range(...) or bytearray(...).
func (p *parser) exprName(word string, start int) (Value, error) {
	if word == "Ellipsis" {
		return p.expr(exprEllipsis), nil
	}
	if p.peek() != '(' {
		return nil, p.errorAt(start, "name %q is not a Python literal", word)
	}
	if err := p.open(); err != nil {
		return nil, err
	}
	var args []Value
	for p.peek() != ')' {
		argPos := p.pos
		a, err := p.value()
		if err != nil {
			return nil, err
		}
		if !exprArgOK(word, a, len(args)) {
			return nil, p.errorAt(argPos, "%s() argument that eval would not accept", word)
		}
		args = append(args, a)
		if p.peek() != ',' {
			break
		}
		p.pos++
	}
	if err := p.expect(')', "to close "+word+"("); err != nil {
		return nil, err
	}
	p.depth--
	if word == "range" {
		if len(args) == 0 {
			return nil, p.errorAt(start, "range() needs at least one argument")
		}
		return p.expr(exprRange), nil
	}
	return p.expr(exprBytearray), nil
}

// exprArgOK accepts what repr writes inside range(...) (up to three ints)
// and bytearray(...) (one bytes literal).
func exprArgOK(fn string, a Value, before int) bool {
	switch fn {
	case "range":
		switch a.(type) {
		case int64, *big.Int, bool:
			return before < 3
		}
	case "bytearray":
		_, ok := a.([]byte)
		return ok && before == 0
	}
	return false
}
