package store

// escapeC1 rewrites the C1 controls (U+0080 to U+009F) in b[from:] as \u
// escapes and returns b. The JSON lines of `mqscope tail` go to terminals,
// and routing keys, headers and properties come off the network: printed
// raw, U+009B starts a control sequence just as ESC [ does. encoding/json
// escapes only the C0 controls, which the line escapes too. Outside strings
// a JSON line is ASCII, so every C1 control found is inside a string and
// the escape reads back as the same character.
func escapeC1(b []byte, from int) []byte {
	first := indexC1(b[from:])
	if first < 0 {
		return b
	}
	first += from
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:first]...)
	for i := first; i < len(b); i++ {
		if isC1At(b, i) {
			out = append(out, '\\', 'u', '0', '0', hexDigits[b[i+1]>>4], hexDigits[b[i+1]&0xF])
			i++
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// indexC1 returns the offset of the first UTF-8 encoded C1 control in b,
// or -1.
func indexC1(b []byte) int {
	for i := range b {
		if isC1At(b, i) {
			return i
		}
	}
	return -1
}

// isC1At reports whether a C1 control's two UTF-8 bytes start at b[i].
func isC1At(b []byte, i int) bool {
	return b[i] == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] < 0xa0
}
