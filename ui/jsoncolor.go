package ui

import "strings"

// colorJSON syntax-colours JSON text (as neonwire.ToJSONIndent writes it):
// keys, strings, numbers, booleans, null and punctuation each get their
// token's style. It never fails: bytes it does not recognise pass through.
func colorJSON(src string, st *Styles) string {
	var b strings.Builder
	b.Grow(len(src) * 2)
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '"':
			end := stringEnd(src, i)
			style := st.Fast.JSONString
			if isKey(src, end) {
				style = st.Fast.JSONKey
			}
			b.WriteString(style.render(src[i:end]))
			i = end
		case c == '-' || (c >= '0' && c <= '9'):
			end := i + 1
			for end < len(src) && strings.IndexByte("0123456789.eE+-", src[end]) >= 0 {
				end++
			}
			b.WriteString(st.Fast.JSONNumber.render(src[i:end]))
			i = end
		case strings.HasPrefix(src[i:], "true"), strings.HasPrefix(src[i:], "false"):
			end := i + 4
			if c == 'f' {
				end++
			}
			b.WriteString(st.Fast.JSONBool.render(src[i:end]))
			i = end
		case strings.HasPrefix(src[i:], "null"):
			b.WriteString(st.Fast.JSONNull.render("null"))
			i += 4
		case strings.IndexByte("{}[],:", c) >= 0:
			b.WriteString(st.Fast.JSONPunct.render(src[i : i+1]))
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// stringEnd is the index just past the JSON string starting at src[i].
func stringEnd(src string, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		case '\n':
			return j // unterminated: stop at the line end
		}
	}
	return len(src)
}

// isKey reports whether the string ending at end is an object key.
func isKey(src string, end int) bool {
	for ; end < len(src); end++ {
		switch src[end] {
		case ' ', '\t':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}
