package neonwire

import (
	"encoding/base64"
	"math"
	"math/big"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"mqscope/internal/textsafe"
)

// ToJSON writes v as compact JSON for display, with this mapping:
//
//	dict                    object, in item order; keys that are not str
//	                        are written as their repr: 1 → "1", (1, 2) → "(1, 2)"
//	                        (see jsonKeyNames for when that text is taken)
//	list, tuple, set,
//	frozenset               array
//	bytes                   {"$bytes": "<standard base64>"}
//	float                   number that stays a float (1.0, 1e-07);
//	                        inf, -inf, nan → "inf", "-inf", "nan"
//	int                     number, exact at any size
//	str                     string (valid UTF-8; a lone surrogate is
//	                        written \udXXX, as json.dumps writes it)
//	True, False, None       true, false, null
//
// Strings escape what must not reach a terminal raw, as textsafe.EscapeAt
// decides: control characters, DEL, C1 controls, bidi and zero-width
// characters, U+2028/U+2029 and a run of combining marks past
// textsafe.MaxMarks. The text is safe to print to a terminal, and reads
// back as the same string.
func ToJSON(v Value) []byte {
	return (&jsonWriter{}).value(nil, v, 0)
}

// AppendJSON appends what ToJSON returns to dst, so a caller that renders
// many values can reuse one buffer.
func AppendJSON(dst []byte, v Value) []byte {
	return (&jsonWriter{}).value(dst, v, 0)
}

// ToJSONIndent is ToJSON with one element per line, each level indented
// by indent, as json.MarshalIndent lays it out.
func ToJSONIndent(v Value, indent string) []byte {
	return (&jsonWriter{indent: indent}).value(nil, v, 0)
}

type jsonWriter struct {
	indent string
}

func (w *jsonWriter) value(dst []byte, v Value, level int) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case *big.Int:
		if x == nil {
			return append(dst, "null"...)
		}
		return x.Append(dst, 10)
	case float64:
		return appendJSONFloat(dst, x)
	case string:
		return appendJSONString(dst, x)
	case []byte:
		return w.bytes(dst, x, level)
	case List:
		return w.array(dst, x, level)
	case Tuple:
		return w.array(dst, x, level)
	case Set:
		return w.array(dst, x, level)
	case FrozenSet:
		return w.array(dst, x, level)
	case *Dict:
		return w.object(dst, x, level)
	}
	return w.value(dst, normalizeGo(v), level)
}

// appendJSONFloat writes finite floats in repr form, which JSON reads as a
// float, and non-finite ones as strings, which JSON has no number for.
func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(appendFloatRepr(append(dst, '"'), f), '"')
	}
	return appendFloatRepr(dst, f)
}

func (w *jsonWriter) bytes(dst, b []byte, level int) []byte {
	dst = append(dst, '{')
	dst = w.newline(dst, level+1)
	dst = w.colon(appendJSONString(dst, "$bytes"))
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	dst = append(dst, '"')
	return append(w.newline(dst, level), '}')
}

func (w *jsonWriter) array(dst []byte, elems []Value, level int) []byte {
	if len(elems) == 0 {
		return append(dst, "[]"...)
	}
	dst = append(dst, '[')
	for i, e := range elems {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = w.value(w.newline(dst, level+1), e, level+1)
	}
	return append(w.newline(dst, level), ']')
}

func (w *jsonWriter) object(dst []byte, d *Dict, level int) []byte {
	if d == nil || len(d.Items) == 0 {
		return append(dst, "{}"...)
	}
	dst = append(dst, '{')
	names := jsonKeyNames(d.Items)
	for i, it := range d.Items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = w.newline(dst, level+1)
		if k, ok := it.Key.(string); ok {
			dst = appendJSONString(dst, k)
		} else {
			dst = appendJSONString(dst, names[i])
		}
		dst = w.value(w.colon(dst), it.Value, level+1)
	}
	return append(w.newline(dst, level), '}')
}

// jsonKeyNames returns the JSON names of a dict's keys that are not str,
// by index, or nil when every key is a str. JSON objects must not repeat a
// name, and a repr can be another key's text: {1: 'a', '1': 'b'}. So:
//
//   - a str key is always written as itself;
//   - any other key is written as its repr, "1", unless a str key or an
//     earlier key has that name; then as its repr and Python type,
//     "1 (int)"; and if that is taken too (two NaN keys), with " #2",
//     " #3", ... after it, the first number free.
//
// The names depend only on the keys and their order.
func jsonKeyNames(items []Item) []string {
	var names []string
	for i, it := range items {
		if _, ok := it.Key.(string); !ok {
			if names == nil {
				names = make([]string, len(items))
			}
			names[i] = Repr(it.Key)
		}
	}
	if names == nil {
		return nil
	}
	taken := make(map[string]bool, len(items))
	for _, it := range items {
		if k, ok := it.Key.(string); ok {
			taken[k] = true
		}
	}
	for i, it := range items {
		if _, ok := it.Key.(string); ok {
			continue
		}
		if taken[names[i]] {
			typed := names[i] + " (" + typeName(it.Key) + ")"
			names[i] = typed
			for n := 2; taken[names[i]]; n++ {
				names[i] = typed + " #" + strconv.Itoa(n)
			}
		}
		taken[names[i]] = true
	}
	return names
}

// newline starts a line at the given level when indenting.
func (w *jsonWriter) newline(dst []byte, level int) []byte {
	if w.indent == "" {
		return dst
	}
	dst = append(dst, '\n')
	for range level {
		dst = append(dst, w.indent...)
	}
	return dst
}

func (w *jsonWriter) colon(dst []byte) []byte {
	if w.indent == "" {
		return append(dst, ':')
	}
	return append(dst, ':', ' ')
}

// appendJSONString writes s as a JSON string that keeps printable non-ASCII
// text readable: only what textsafe.EscapeAt escapes, and lone surrogates
// (json.dumps writes them \udXXX), are written as \u escapes. Invalid
// UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	run := 0
	for i := plainRunEnd(s, 0, '"', '\\'); i < len(s); i = plainRunEnd(s, i, '"', '\\') {
		if c := s[i]; c < utf8.RuneSelf {
			dst = textsafe.AppendJSONEscape(append(dst, s[run:i]...), c)
			i++
			run = i
			continue
		}
		r, size := decodePyRune(s, i)
		escape := utf16.IsSurrogate(r)
		if !escape {
			r, size, escape = textsafe.EscapeAt(s, i)
		}
		if !escape {
			i += size
			continue
		}
		dst = append(dst, s[run:i]...)
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = textsafe.AppendJSONRune(dst, r)
		}
		i += size
		run = i
	}
	return append(append(dst, s[run:]...), '"')
}
