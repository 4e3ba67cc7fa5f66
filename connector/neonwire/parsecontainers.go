package neonwire

import (
	"math"
	"math/big"
)

// list reads [a, b, ...].
func (p *parser) list() (Value, error) {
	start, base := p.pos, len(p.stack)
	if err := p.open(); err != nil {
		return nil, err
	}
	if err := p.elements(']', "list item", start, false); err != nil {
		return nil, err
	}
	p.depth--
	return List(p.stack.take(base)), nil
}

// parens reads (), a parenthesised value, or a tuple.
func (p *parser) parens() (Value, error) {
	start, base := p.pos, len(p.stack)
	if err := p.open(); err != nil {
		return nil, err
	}
	if p.peek() == ')' {
		p.pos++
		p.depth--
		return Tuple{}, nil
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	switch p.peek() {
	case ')':
		p.pos++
		p.depth--
		return v, nil
	case ',':
		p.pos++
		p.stack = append(p.stack, v)
		if err := p.elements(')', "tuple item", start, false); err != nil {
			return nil, err
		}
		p.depth--
		return Tuple(p.stack.take(base)), nil
	}
	return nil, p.unclosed(')', "value", start)
}

// elements reads comma-separated values up to close onto p.stack; the
// opening bracket and any first element have been consumed. Set elements
// must be hashable.
func (p *parser) elements(close byte, what string, start int, hashable bool) error {
	for {
		if p.peek() == close {
			p.pos++
			return nil
		}
		elemPos := p.pos
		v, err := p.value()
		if err != nil {
			return err
		}
		if hashable {
			if err := p.checkHashable(v, elemPos); err != nil {
				return err
			}
		}
		p.stack = append(p.stack, v)
		switch p.peek() {
		case ',':
			p.pos++
		case close:
			p.pos++
			return nil
		default:
			return p.unclosed(close, what, start)
		}
	}
}

// unclosed reports a missing separator or closing bracket, pointing back at
// where the container began.
func (p *parser) unclosed(close byte, after string, start int) error {
	opened := newSyntaxError(p.src, start, "")
	return p.errorf("expected ',' or %q after %s, found %s (bracket opened at line %d:%d)",
		close, after, describeAt(p.src, p.pos), opened.Line, opened.Col)
}

// braces reads a dict or a set literal; which one depends on whether the
// first element is followed by a colon.
func (p *parser) braces() (Value, error) {
	start, base := p.pos, len(p.stack)
	if err := p.open(); err != nil {
		return nil, err
	}
	if p.peek() == '}' {
		p.pos++
		p.depth--
		return &Dict{}, nil
	}
	keyPos := p.pos
	first, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.checkHashable(first, keyPos); err != nil {
		return nil, err
	}
	if p.peek() == ':' {
		return p.dictRest(first, start, base)
	}
	p.stack = append(p.stack, first)
	switch p.peek() {
	case ',':
		p.pos++
	case '}':
	default:
		return nil, p.errorf("expected ':' (dict), ',' or '}' (set) after the first element, found %s", describeAt(p.src, p.pos))
	}
	if err := p.elements('}', "set element", start, true); err != nil {
		return nil, err
	}
	p.depth--
	elems, _ := p.keys.dedupeElems(p.stack.take(base))
	return Set(elems), nil
}

// dictRest reads the rest of a dict whose first key has been read.
func (p *parser) dictRest(key Value, start, base int) (Value, error) {
	for {
		if err := p.expect(':', "after dict key"); err != nil {
			return nil, err
		}
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, key, val)
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			return p.closeDict(base), nil
		default:
			return nil, p.unclosed('}', "dict value", start)
		}
		if p.peek() == '}' {
			return p.closeDict(base), nil
		}
		keyPos := p.pos
		if key, err = p.value(); err != nil {
			return nil, err
		}
		if err := p.checkHashable(key, keyPos); err != nil {
			return nil, err
		}
	}
}

// closeDict consumes '}' and builds the dict from the key/value pairs on
// the stack. Keys were checked to be hashable as they were read.
func (p *parser) closeDict(base int) *Dict {
	p.pos++
	p.depth--
	items, _ := p.keys.dedupeItems(p.stack.takeItems(base))
	return &Dict{Items: items}
}

// checkHashable reports, at off, a dict key or set element that Python
// could not hash.
func (p *parser) checkHashable(v Value, off int) error {
	if err := hashable(v); err != nil {
		return p.errorAt(off, "%v (a dict key or set element must be hashable)", err)
	}
	return nil
}

// name reads True, False, None, inf, nan, set(...) or frozenset(...).
func (p *parser) name() (Value, error) {
	start := p.pos
	word := p.word()
	switch word {
	case "True":
		return true, nil
	case "False":
		return false, nil
	case "None":
		return nil, nil
	case "inf":
		return math.Inf(1), nil
	case "nan":
		return math.NaN(), nil
	case "set", "frozenset":
		return p.call(word, start)
	case "true", "false", "null":
		return nil, p.errorAt(start, "%s is JSON, not Python: write True, False or None", word)
	case "Ellipsis", "range", "bytearray":
		if p.allowExpr {
			return p.exprName(word, start)
		}
	}
	return nil, p.errorAt(start, "name %q is not a Python literal (expected True, False, None, inf, nan, set() or frozenset())", word)
}

// word reads an identifier.
func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.src) && isNameChar(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// call reads the argument list of set(...) or frozenset(...): nothing, or
// one list, tuple or set literal.
func (p *parser) call(fn string, start int) (Value, error) {
	if p.peek() != '(' {
		return nil, p.errorAt(start, "%s is only a literal when called: %s() or %s([...])", fn, fn, fn)
	}
	if err := p.open(); err != nil {
		return nil, err
	}
	var elems []Value
	if p.peek() != ')' {
		argPos := p.pos
		arg, err := p.value()
		if err != nil {
			return nil, err
		}
		if elems, err = p.callElements(fn, arg, argPos); err != nil {
			return nil, err
		}
		if p.peek() == ',' {
			p.pos++
		}
	}
	if err := p.expect(')', "to close "+fn+"("); err != nil {
		return nil, err
	}
	p.depth--
	if fn == "set" {
		return Set(elems), nil
	}
	return FrozenSet(elems), nil
}

// callElements turns the argument of set() or frozenset() into its distinct
// elements.
func (p *parser) callElements(fn string, arg Value, argPos int) ([]Value, error) {
	var elems []Value
	switch a := arg.(type) {
	case List:
		elems = a
	case Tuple:
		elems = a
	case Set:
		elems = a
	case FrozenSet:
		elems = a
	default:
		return nil, p.errorAt(argPos, "%s() argument must be a list, tuple or set literal, not %s", fn, typeName(arg))
	}
	for _, e := range elems {
		if err := p.checkHashable(e, argPos); err != nil {
			return nil, err
		}
	}
	out, _ := p.keys.dedupeElems(elems)
	return out, nil
}

// signed reads a number with one leading sign, as literal_eval allows:
// -1, - 1.5, -(2), -inf.
func (p *parser) signed() (Value, error) {
	neg := p.src[p.pos] == '-'
	p.pos++
	parens := 0
	for p.peek() == '(' {
		if err := p.open(); err != nil {
			return nil, err
		}
		parens++
	}
	v, err := p.unsignedNumber()
	if err != nil {
		return nil, err
	}
	for ; parens > 0; parens-- {
		if err := p.expect(')', "after the number"); err != nil {
			return nil, err
		}
		p.depth--
	}
	if neg {
		v = negate(v)
	}
	return v, nil
}

// unsignedNumber reads a number literal, inf or nan.
func (p *parser) unsignedNumber() (Value, error) {
	c := p.peek()
	switch {
	case isDigit(c) || c == '.':
		return p.number()
	case isNameStart(c):
		start := p.pos
		switch w := p.word(); w {
		case "inf":
			return math.Inf(1), nil
		case "nan":
			return math.NaN(), nil
		}
		p.pos = start
	}
	return nil, p.errorf("expected a number after the sign, found %s", describeAt(p.src, p.pos))
}

// negate returns -v for an int or float.
func negate(v Value) Value {
	switch x := v.(type) {
	case int64:
		return -x
	case *big.Int:
		return normInt(new(big.Int).Neg(x))
	case float64:
		return -x
	}
	return v
}

// normInt returns n as an int64 when it fits, as the Value model requires.
func normInt(n *big.Int) Value {
	if n.IsInt64() {
		return n.Int64()
	}
	return n
}
