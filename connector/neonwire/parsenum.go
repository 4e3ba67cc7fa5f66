package neonwire

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// maxIntDigits is Python's default limit on the digits of a decimal int
// (sys.int_info.default_max_str_digits). Python refuses longer literals, and
// the limit keeps the quadratic decimal conversion cheap.
const maxIntDigits = 4300

// number reads an unsigned int or float literal.
func (p *parser) number() (Value, error) {
	start := p.pos
	if p.src[p.pos] == '0' && p.pos+1 < len(p.src) {
		switch p.src[p.pos+1] | 0x20 {
		case 'x':
			return p.prefixedInt(16, "hexadecimal")
		case 'o':
			return p.prefixedInt(8, "octal")
		case 'b':
			return p.prefixedInt(2, "binary")
		}
	}
	intDigits, err := p.digitPart()
	if err != nil {
		return nil, err
	}
	isFloat, err := p.fraction(intDigits > 0)
	if err != nil {
		return nil, err
	}
	if p.allowExpr && p.pos < len(p.src) && p.src[p.pos]|0x20 == 'j' {
		p.pos++
		if err := p.numberEnd(start); err != nil {
			return nil, err
		}
		return p.expr(exprComplex), nil
	}
	if err := p.numberEnd(start); err != nil {
		return nil, err
	}
	text := p.src[start:p.pos]
	if isFloat {
		return parseFloat(text), nil
	}
	return p.decimalInt(text, start)
}

// fraction reads the optional ".digits" and exponent of a float literal and
// reports whether there was either.
func (p *parser) fraction(haveInt bool) (bool, error) {
	isFloat := false
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		isFloat = true
		p.pos++
		n, err := p.digitPart()
		if err != nil {
			return false, err
		}
		if n == 0 && !haveInt {
			return false, p.errorf("expected a digit after '.', found %s", describeAt(p.src, p.pos))
		}
	}
	if p.pos < len(p.src) && p.src[p.pos]|0x20 == 'e' {
		isFloat = true
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		n, err := p.digitPart()
		if err != nil {
			return false, err
		}
		if n == 0 {
			return false, p.errorf("invalid decimal literal: expected exponent digits, found %s", describeAt(p.src, p.pos))
		}
	}
	return isFloat, nil
}

// digitPart reads decimal digits with single underscores between them and
// returns how many digits it read.
func (p *parser) digitPart() (int, error) {
	n := 0
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if isDigit(c) {
			n++
			p.pos++
			continue
		}
		if c == '_' && n > 0 && p.pos+1 < len(p.src) && isDigit(p.src[p.pos+1]) {
			p.pos++
			continue
		}
		if c == '_' {
			return 0, p.errorf("invalid decimal literal: '_' must separate two digits")
		}
		break
	}
	return n, nil
}

// numberEnd rejects what may not directly follow a number.
func (p *parser) numberEnd(start int) error {
	if p.pos >= len(p.src) {
		return nil
	}
	c := p.src[p.pos]
	if c|0x20 == 'j' {
		return p.errorAt(start, "complex numbers are not supported")
	}
	if isNameChar(c) {
		return p.errorf("invalid decimal literal: unexpected %s", describeAt(p.src, p.pos))
	}
	return nil
}

// decimalInt converts a decimal int literal, refusing leading zeros as
// Python does (they would mean octal in Python 2).
func (p *parser) decimalInt(text string, start int) (Value, error) {
	clean := strings.ReplaceAll(text, "_", "")
	if len(clean) > 1 && clean[0] == '0' && strings.Trim(clean, "0") != "" {
		return nil, p.errorAt(start, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers")
	}
	if len(clean) > maxIntDigits {
		return nil, p.errorAt(start, "integer literal has %d digits; Python accepts at most %d", len(clean), maxIntDigits)
	}
	return parseInt(clean, 10), nil
}

// prefixedInt reads 0x, 0o or 0b ints; the prefix is at p.pos.
func (p *parser) prefixedInt(base int, name string) (Value, error) {
	start := p.pos
	p.pos += 2
	n := 0
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '_' && p.pos+1 < len(p.src) && digitValue(p.src[p.pos+1]) < base {
			p.pos++
			continue
		}
		if digitValue(c) >= base {
			break
		}
		n++
		p.pos++
	}
	if p.pos < len(p.src) && isNameChar(p.src[p.pos]) {
		if c := p.src[p.pos]; isDigit(c) {
			return nil, p.errorf("invalid digit '%c' in %s literal", c, name)
		}
		return nil, p.errorf("invalid %s literal: unexpected %s", name, describeAt(p.src, p.pos))
	}
	if n == 0 {
		return nil, p.errorAt(start, "invalid %s literal: no digits", name)
	}
	v := parseInt(strings.ReplaceAll(p.src[start+2:p.pos], "_", ""), base)
	if n, ok := v.(*big.Int); ok && tooManyDigits(n) {
		return nil, p.errorAt(start, "integer literal is too large: Python cannot print ints of more than %d digits", maxIntDigits)
	}
	return v, nil
}

// tooManyDigits reports whether n has more decimal digits than Python
// prints. Such ints cannot come from a Python repr, and printing them would
// cost time quadratic in their size.
func tooManyDigits(n *big.Int) bool {
	// 2^14280 has 4299 digits and 2^14286 has 4301 (log2(10) ≈ 3.32).
	const surelyFits, surelyNot = 14280, 14286
	switch bitLen := n.BitLen(); {
	case bitLen <= surelyFits:
		return false
	case bitLen > surelyNot:
		return true
	}
	return len(new(big.Int).Abs(n).String()) > maxIntDigits
}

// digitValue is the value of a digit in bases up to 16, or 99.
func digitValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case 'a' <= c|0x20 && c|0x20 <= 'f':
		return int(c|0x20-'a') + 10
	}
	return 99
}

// parseInt converts validated digits to an int64 or, when too large, a
// *big.Int.
func parseInt(digits string, base int) Value {
	if n, err := strconv.ParseInt(digits, base, 64); err == nil {
		return n
	}
	n, _ := new(big.Int).SetString(digits, base)
	return normInt(n)
}

// parseFloat converts a validated float literal. Out-of-range literals
// become inf or 0.0, as in Python.
func parseFloat(text string) float64 {
	f, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0 // unreachable: text was validated by number
	}
	return f
}
