package store

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// FilterError is a filter that could not be parsed. Column is the 1-based
// position (in characters) of the offending term, for the UI to point at.
type FilterError struct {
	Column int
	Msg    string
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("filter column %d: %s", e.Column, e.Msg)
}

// fieldNames maps the names usable before ':' to what they test.
var fieldNames = map[string]field{
	"body":     fieldBody,
	"queue":    fieldQueue,
	"vhost":    fieldVHost,
	"exchange": fieldExchange,
	"rk":       fieldRoutingKey,
	"id":       fieldID,
	"mode":     fieldMode,
	"event":    fieldEvent,
	"enc":      fieldEncoding,
	"verdict":  fieldVerdict,
}

const knownFields = "queue, vhost, exchange, rk, id, body, header.NAME, mode, event, enc, verdict"

// enumValues lists the values the exact-match fields accept.
var enumValues = map[field][]string{
	fieldMode: {
		string(capture.ModeFirehose), string(capture.ModeTap), string(capture.ModePeek),
		string(capture.ModeConsume), string(capture.ModeSent), string(capture.ModeReply),
	},
	fieldEvent: {
		string(capture.EventPublish), string(capture.EventDeliver),
		string(capture.EventConsume), string(capture.EventPeek), string(capture.EventGap),
		string(capture.EventUnreadable), string(capture.EventVerdict),
	},
	// The codes of package verdict, which store cannot import (it imports
	// store); TestVerdictFilterKnowsEveryCode keeps the two lists equal.
	fieldVerdict: {"replied", "error_reply", "unroutable", "refused", "expired", "no_reply", "reply_unroutable", "late_reply", "id_mismatch"},
	fieldEncoding: {
		string(neonwire.EncNeon), string(neonwire.EncPyExpr), string(neonwire.EncB64JSON), string(neonwire.EncJSON),
		string(neonwire.EncText), string(neonwire.EncBinary), string(EncUndecoded),
	},
}

// ParseFilter parses a filter query. Terms are separated by spaces and must
// all match (AND):
//
//	word            the decoded body contains word (case-insensitive)
//	"two words"     the same, with spaces (\" and \\ escape)
//	/regex/         the decoded body matches regex (case-insensitive); a
//	                word starting with / but not ending with / is a plain word
//	field:value     queue:, vhost:, exchange:, rk:, id:, body: contain value
//	                (value may be quoted or a /regex/; "" means empty);
//	                header.NAME: the header's value contains value;
//	                mode:, event:, enc:, verdict: equal value
//	-term           the term must not match
//
// An empty query matches everything.
func ParseFilter(q string) (*Filter, error) {
	p := filterParser{src: q}
	f := &Filter{query: q}
	for p.skipSpace(); !p.eof(); p.skipSpace() {
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		f.terms = append(f.terms, t)
		f.needsText = f.needsText || t.field == fieldBody
	}
	// Cheap field tests first, body searches last, regexes after substrings.
	slices.SortStableFunc(f.terms, func(a, b term) int { return a.cost() - b.cost() })
	return f, nil
}

type filterParser struct {
	src string
	pos int
}

func (p *filterParser) eof() bool { return p.pos >= len(p.src) }

func (p *filterParser) atSpace() bool {
	return !p.eof() && isSpace(p.src[p.pos])
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func (p *filterParser) skipSpace() {
	for p.atSpace() {
		p.pos++
	}
}

func (p *filterParser) errAt(pos int, format string, args ...any) error {
	return &FilterError{Column: utf8.RuneCountInString(p.src[:pos]) + 1, Msg: fmt.Sprintf(format, args...)}
}

// term parses one possibly negated term.
func (p *filterParser) term() (term, error) {
	start := p.pos
	negate := p.src[p.pos] == '-'
	if negate {
		p.pos++
		if p.eof() || p.atSpace() {
			return term{}, p.errAt(start, "'-' must be followed by the term to exclude")
		}
	}
	var t term
	var err error
	if name, ok := p.fieldName(); ok {
		t, err = p.fieldTerm(name)
	} else {
		t, err = p.value(fieldBody, "body")
	}
	t.negate = negate
	return t, err
}

// fieldName consumes "name:" when the term starts with a letter-led name
// followed by a colon, and returns the name.
func (p *filterParser) fieldName() (string, bool) {
	i := p.pos
	if i >= len(p.src) || !isLetter(p.src[i]) {
		return "", false
	}
	for i < len(p.src) && (isLetter(p.src[i]) || isDigit(p.src[i]) || strings.IndexByte("_.-", p.src[i]) >= 0) {
		i++
	}
	if i >= len(p.src) || p.src[i] != ':' {
		return "", false
	}
	name := p.src[p.pos:i]
	p.pos = i + 1
	return name, true
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// fieldTerm parses the value after "name:".
func (p *filterParser) fieldTerm(name string) (term, error) {
	start := p.pos - len(name) - 1
	lower := strings.ToLower(name)
	if h, ok := strings.CutPrefix(lower, "header."); ok {
		if h == "" {
			return term{}, p.errAt(start, "header. needs a header name, as in header.x-trace:abc")
		}
		t, err := p.value(fieldHeader, name)
		t.header = name[len("header."):]
		return t, err
	}
	f, ok := fieldNames[lower]
	if !ok {
		return term{}, p.errAt(start, "unknown field %q (known: %s); put the term in quotes to search the body for it", name, knownFields)
	}
	if values, ok := enumValues[f]; ok {
		return p.enumValue(f, lower, values)
	}
	return p.value(f, lower)
}

// value parses a /regex/, a "quoted string" or a word as the pattern of a
// term on field f.
func (p *filterParser) value(f field, name string) (term, error) {
	start := p.pos
	if p.eof() || p.atSpace() {
		return term{}, p.errAt(start, "%s: needs a value (use \"\" to match an empty %s)", name, name)
	}
	switch p.src[p.pos] {
	case '/':
		if end := p.regexClose(); end >= 0 {
			return p.regexTerm(f, end)
		}
	case '"':
		s, err := p.quoted()
		if err != nil {
			return term{}, err
		}
		return newTextTerm(f, s, s == ""), nil
	}
	return newTextTerm(f, p.word(), false), nil
}

// enumValue parses the value of mode:, event: or enc:, which must be one
// of values.
func (p *filterParser) enumValue(f field, name string, values []string) (term, error) {
	start := p.pos
	var v string
	switch {
	case !p.eof() && p.src[p.pos] == '"':
		s, err := p.quoted()
		if err != nil {
			return term{}, err
		}
		v = s
	case !p.eof() && !p.atSpace():
		v = p.word()
	}
	v = strings.ToLower(v)
	if !slices.Contains(values, v) {
		return term{}, p.errAt(start, "%s: must be one of %s", name, strings.Join(values, ", "))
	}
	return term{field: f, text: v}, nil
}

// word consumes everything up to the next space.
func (p *filterParser) word() string {
	start := p.pos
	for !p.eof() && !p.atSpace() {
		p.pos++
	}
	return p.src[start:p.pos]
}

// regexClose returns the index of the '/' closing a regex opened at p.pos:
// the first unescaped '/' that ends the term. Without one the term is a
// plain word, so vhost:/neon_api and paths like /a/b need no quoting.
func (p *filterParser) regexClose() int {
	for i := p.pos + 1; i < len(p.src); i++ {
		switch {
		case p.src[i] == '\\':
			i++
		case p.src[i] == '/' && (i+1 == len(p.src) || isSpace(p.src[i+1])):
			return i
		}
	}
	return -1
}

// regexTerm consumes /regex/, whose closing '/' is at end, and compiles it
// case-insensitively. Slashes inside need no escape (\/ works too).
func (p *filterParser) regexTerm(f field, end int) (term, error) {
	start := p.pos
	src := p.src[start+1 : end]
	p.pos = end + 1
	if src == "" {
		return term{}, p.errAt(start, "empty regex //")
	}
	if _, err := regexp.Compile(src); err != nil {
		return term{}, p.errAt(start, "bad regex: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	re, err := regexp.Compile("(?i)" + src)
	if err != nil {
		return term{}, p.errAt(start, "bad regex: %v", err)
	}
	return term{field: f, re: re, must: []byte(requiredLiteral(src))}, nil
}

// quoted consumes a double-quoted string, in which \" and \\ are escapes,
// and returns its content. The closing quote must end the term.
func (p *filterParser) quoted() (string, error) {
	start := p.pos
	var b strings.Builder
	for i := p.pos + 1; i < len(p.src); i++ {
		c := p.src[i]
		switch {
		case c == '\\' && i+1 < len(p.src) && (p.src[i+1] == '"' || p.src[i+1] == '\\'):
			b.WriteByte(p.src[i+1])
			i++
		case c == '"':
			p.pos = i + 1
			if !p.eof() && !p.atSpace() {
				return "", p.errAt(p.pos, "unexpected text after closing \"; put a space between terms")
			}
			return b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return "", p.errAt(start, "quote is not closed: add a \" at the end")
}
