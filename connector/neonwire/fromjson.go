package neonwire

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf16"
	"unsafe"
)

// FromJSON reads a JSON document into a Value, keeping the order of object
// keys: objects become *Dict with str keys, arrays List, true/false/null
// bool/None, numbers without fraction or exponent int64 or *big.Int, other
// numbers float64. Like Python's json.loads it accepts NaN, Infinity and
// -Infinity, and a repeated key keeps its first place and its last value.
// Lone surrogate escapes are kept as Python keeps them (see Value).
// Errors are *SyntaxError values.
func FromJSON(data []byte) (Value, error) {
	return parseJSON(data)
}

// ParseUserValue reads a value typed by a person, as JSON when it is valid
// JSON and as a Python literal otherwise. When it is neither, the error is
// the one from the reading that got further, which is the one that points
// at the real mistake.
func ParseUserValue(src string) (Value, error) {
	v, jsonErr := parseJSON(src)
	if jsonErr == nil {
		return v, nil
	}
	v, pyErr := ParseLiteral(src)
	if pyErr == nil {
		return v, nil
	}
	var js, ps *SyntaxError
	if errors.As(jsonErr, &js) && errors.As(pyErr, &ps) && js.Offset > ps.Offset {
		return nil, fmt.Errorf("not valid JSON: %w", jsonErr)
	}
	return nil, fmt.Errorf("not a valid Python literal: %w", pyErr)
}

// jsonParser reads JSON as Python's json.loads does, into Values. It reads
// strings and byte slices alike, so that neither needs copying first.
type jsonParser[T string | []byte] struct {
	src   T
	pos   int
	depth int
	stack valueStack // elements of the containers being read
	buf   []byte     // scratch for strings with escapes
	keys  keyIndex
	// keepTop lets a top-level string keep a buffer of its own that it
	// was unescaped into (see parseJSONDoc).
	keepTop bool
}

// parseJSON reads one JSON document from src.
func parseJSON[T string | []byte](src T) (Value, error) {
	return (&jsonParser[T]{src: src}).document()
}

// parseJSONDoc is parseJSON for a document read once and dropped, such as
// the JSON layer of a Neon body: when the document is a string with
// escapes, the string keeps the buffer it was unescaped into instead of
// being copied out of it (for a 1 MB body, a copy of about 1 MB).
func parseJSONDoc(src []byte) (Value, error) {
	return (&jsonParser[[]byte]{src: src, keepTop: true}).document()
}

func (j *jsonParser[T]) document() (Value, error) {
	if i := invalidUTF8(j.src); i >= 0 {
		return nil, j.errorAt(i, fmt.Sprintf("invalid UTF-8 (byte 0x%02x)", j.src[i]))
	}
	buf := getBuf()
	defer putBuf(buf)
	j.buf = (*buf)[:0]
	v, err := j.value()
	if j.buf != nil { // nil when a string kept it (keepTop)
		*buf = j.buf
	}
	if err != nil {
		return nil, err
	}
	j.skipSpace()
	if j.pos < len(j.src) {
		return nil, j.errorf("unexpected %s after the JSON value", j.describe(j.pos))
	}
	return v, nil
}

func (j *jsonParser[T]) errorf(format string, args ...any) error {
	return j.errorAt(j.pos, fmt.Sprintf(format, args...))
}

// errorAt and describe convert the source to a string, which is only
// worth its cost once something has gone wrong.
func (j *jsonParser[T]) errorAt(off int, msg string) error {
	return newSyntaxError(string(j.src), off, msg)
}

func (j *jsonParser[T]) describe(off int) string {
	return describeAt(string(j.src), off)
}

func (j *jsonParser[T]) skipSpace() {
	for j.pos < len(j.src) {
		if !isJSONSpace(j.src[j.pos]) {
			return
		}
		j.pos++
	}
}

// value reads any JSON value.
func (j *jsonParser[T]) value() (Value, error) {
	j.skipSpace()
	if j.pos >= len(j.src) {
		return nil, j.errorf("expected a JSON value, found end of input")
	}
	switch c := j.src[j.pos]; {
	case c == '{':
		return j.object()
	case c == '[':
		return j.array()
	case c == '"':
		return j.str()
	case c == '-' || isDigit(c):
		return j.number()
	}
	return j.keyword()
}

// keyword reads true, false, null and Python's NaN, Infinity, -Infinity.
func (j *jsonParser[T]) keyword() (Value, error) {
	for _, k := range jsonKeywords {
		if len(j.src)-j.pos >= len(k.word) && string(j.src[j.pos:j.pos+len(k.word)]) == k.word {
			j.pos += len(k.word)
			return k.value, nil
		}
	}
	return nil, j.errorf("expected a JSON value, found %s", j.describe(j.pos))
}

var jsonKeywords = []struct {
	word  string
	value Value
}{
	{"true", true}, {"false", false}, {"null", nil},
	{"NaN", math.NaN()}, {"Infinity", math.Inf(1)}, {"-Infinity", math.Inf(-1)},
}

func (j *jsonParser[T]) open() error {
	if j.depth >= maxDepth {
		return j.errorf("nesting deeper than %d levels", maxDepth)
	}
	j.depth++
	j.pos++
	return nil
}

// array reads [v, ...].
func (j *jsonParser[T]) array() (Value, error) {
	base := len(j.stack)
	if err := j.open(); err != nil {
		return nil, err
	}
	if j.skipSpace(); j.pos < len(j.src) && j.src[j.pos] == ']' {
		j.pos++
		j.depth--
		return List{}, nil
	}
	for {
		v, err := j.value()
		if err != nil {
			return nil, err
		}
		j.stack = append(j.stack, v)
		done, err := j.separator(']', "array element")
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	j.depth--
	return List(j.stack.take(base)), nil
}

// separator consumes ',' (more follows) or close (done).
func (j *jsonParser[T]) separator(close byte, after string) (done bool, err error) {
	j.skipSpace()
	if j.pos < len(j.src) {
		switch j.src[j.pos] {
		case ',':
			j.pos++
			return false, nil
		case close:
			j.pos++
			return true, nil
		}
	}
	return false, j.errorf("expected ',' or %q after %s, found %s", close, after, j.describe(j.pos))
}

// object reads {"k": v, ...}.
func (j *jsonParser[T]) object() (Value, error) {
	base := len(j.stack)
	if err := j.open(); err != nil {
		return nil, err
	}
	if j.skipSpace(); j.pos < len(j.src) && j.src[j.pos] == '}' {
		j.pos++
		j.depth--
		return &Dict{}, nil
	}
	for {
		if err := j.member(); err != nil {
			return nil, err
		}
		done, err := j.separator('}', "object member")
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	j.depth--
	items, _ := j.keys.dedupeItems(j.stack.takeItems(base)) // str keys are always hashable
	return &Dict{Items: items}, nil
}

// member reads "key": value onto the stack.
func (j *jsonParser[T]) member() error {
	j.skipSpace()
	if j.pos >= len(j.src) || j.src[j.pos] != '"' {
		return j.errorf("expected a string key in double quotes, found %s", j.describe(j.pos))
	}
	k, err := j.str()
	if err != nil {
		return err
	}
	if j.skipSpace(); j.pos >= len(j.src) || j.src[j.pos] != ':' {
		return j.errorf("expected ':' after object key, found %s", j.describe(j.pos))
	}
	j.pos++
	v, err := j.value()
	if err != nil {
		return err
	}
	j.stack = append(j.stack, k, v)
	return nil
}

// str reads a JSON string. Text without escapes is a slice of the source.
// Lone surrogates (\ud800 not followed by a low surrogate, or a lone
// \udc00) are kept, as the Value type describes, as json.loads keeps them.
func (j *jsonParser[T]) str() (Value, error) {
	start := j.pos
	j.pos++
	j.buf = j.buf[:0]
	run, copied := j.pos, false
	for {
		j.pos = plainRunEnd(j.src, j.pos, '"', '\\')
		if j.pos >= len(j.src) {
			return nil, j.errorAt(start, "unterminated string")
		}
		switch c := j.src[j.pos]; {
		case c >= 0x7f:
			j.pos++ // DEL and UTF-8, valid as they are
		case c == '"':
			var s string
			if copied {
				s = j.takeString(append(j.buf, j.src[run:j.pos]...))
			} else {
				s = string(j.src[run:j.pos])
			}
			j.pos++
			return s, nil
		case c == '\\':
			if !copied && (cap(j.buf) < len(j.src)-start || j.keepsTop()) {
				// Unescaping only shrinks text: one buffer the size of the
				// rest of the document serves every string left in it.
				j.buf = make([]byte, 0, len(j.src)-start)
			}
			j.buf = append(j.buf, j.src[run:j.pos]...)
			if err := j.escape(); err != nil {
				return nil, err
			}
			run, copied = j.pos, true
		default:
			return nil, j.errorf("control character U+%04X in string: write it as an escape", c)
		}
	}
}

// keepsTop reports whether the string being read may keep its buffer:
// then it is unescaped into a new one, never into the pooled scratch.
func (j *jsonParser[T]) keepsTop() bool { return j.keepTop && j.depth == 0 }

// takeString returns the unescaped text b, held in j.buf, as a string:
// for a top-level string that may keep it, b itself, which nothing else
// uses afterwards; otherwise a copy.
func (j *jsonParser[T]) takeString(b []byte) string {
	if !j.keepsTop() {
		return string(b)
	}
	j.buf = nil
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// escape decodes one escape sequence at j.pos into j.buf.
func (j *jsonParser[T]) escape() error {
	at := j.pos
	j.pos++
	if j.pos >= len(j.src) {
		return j.errorAt(at, "unterminated string")
	}
	c := j.src[j.pos]
	j.pos++
	switch {
	case jsonSimpleEscape[c] != 0:
		j.buf = append(j.buf, jsonSimpleEscape[c])
	case c == 'u':
		r, size := jsonUEscape(j.src, at)
		if size == 0 {
			return j.errorAt(at, `invalid \u escape: expected 4 hex digits`)
		}
		j.pos = at + size
		j.buf = appendPyRune(j.buf, r)
	default:
		return j.errorAt(at, fmt.Sprintf("invalid escape %s", j.describe(at+1)))
	}
	return nil
}

// jsonUEscape reads the \u escape at src[i:] as json.loads does, for both
// the general path (jsonParser.escape) and the fast one (unescapeJSON): the
// character it stands for, a high surrogate followed by an escaped low one
// being one character and a surrogate without its partner staying as it
// is, and the escape's length; 0 when four hex digits do not follow.
func jsonUEscape[T string | []byte](src T, i int) (r rune, size int) {
	r, ok := hex4At(src, i+2)
	if !ok {
		return 0, 0
	}
	if 0xd800 <= r && r < 0xdc00 && len(src)-i >= 12 && src[i+6] == '\\' && src[i+7] == 'u' {
		if low, ok := hex4At(src, i+8); ok && 0xdc00 <= low && low < 0xe000 {
			return utf16.DecodeRune(r, low), 12
		}
	}
	return r, 6
}

// number reads a JSON number: ints become int64 or *big.Int, the rest
// float64. Python's json accepts Infinity after a minus sign, as here.
func (j *jsonParser[T]) number() (Value, error) {
	start := j.pos
	if j.src[j.pos] == '-' {
		if len(j.src)-j.pos >= 9 && string(j.src[j.pos:j.pos+9]) == "-Infinity" {
			j.pos += 9
			return math.Inf(-1), nil
		}
		j.pos++
	}
	switch {
	case j.pos < len(j.src) && j.src[j.pos] == '0':
		j.pos++
	case j.digits() == 0:
		return nil, j.errorf("expected a digit, found %s", j.describe(j.pos))
	}
	isFloat := false
	if j.pos < len(j.src) && j.src[j.pos] == '.' {
		j.pos++
		isFloat = true
		if j.digits() == 0 {
			return nil, j.errorf("expected a digit after '.', found %s", j.describe(j.pos))
		}
	}
	if j.pos < len(j.src) && j.src[j.pos]|0x20 == 'e' {
		j.pos++
		isFloat = true
		if j.pos < len(j.src) && (j.src[j.pos] == '+' || j.src[j.pos] == '-') {
			j.pos++
		}
		if j.digits() == 0 {
			return nil, j.errorf("expected exponent digits, found %s", j.describe(j.pos))
		}
	}
	text := string(j.src[start:j.pos])
	if isFloat {
		return parseFloat(text), nil
	}
	if len(strings.TrimPrefix(text, "-")) > maxIntDigits {
		return nil, j.errorAt(start, fmt.Sprintf("integer has more than %d digits, which Python refuses", maxIntDigits))
	}
	return parseInt(text, 10), nil
}

// digits skips decimal digits and returns how many there were.
func (j *jsonParser[T]) digits() int {
	start := j.pos
	for j.pos < len(j.src) && isDigit(j.src[j.pos]) {
		j.pos++
	}
	return j.pos - start
}
