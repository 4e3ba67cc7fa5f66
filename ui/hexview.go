package ui

import (
	"fmt"
	"strings"
)

// maxHexBytes bounds the hex dump: past it a line says how much is left
// (Y copies the whole wire body).
const maxHexBytes = 64 << 10

// hexDump renders body as offset, hex bytes and printable ASCII, 16 bytes
// a line when width allows, else 8.
func hexDump(body []byte, width int, st *Styles) []string {
	per := 16
	if width < 16*4+12 {
		per = 8
	}
	shown := body[:min(len(body), maxHexBytes)]
	lines := make([]string, 0, len(shown)/per+2)
	for off := 0; off < len(shown); off += per {
		chunk := shown[off:min(off+per, len(shown))]
		lines = append(lines, hexLine(off, chunk, per, st))
	}
	if len(body) == 0 {
		lines = append(lines, st.Muted.Render("(empty body)"))
	}
	return appendMore(lines, len(body)-len(shown), "Y copies the whole wire body", st)
}

func hexLine(off int, chunk []byte, per int, st *Styles) string {
	const digits = "0123456789abcdef"
	var hex, ascii strings.Builder
	for i := range per {
		if i == per/2 {
			hex.WriteByte(' ')
		}
		if i < len(chunk) {
			hex.WriteByte(digits[chunk[i]>>4])
			hex.WriteByte(digits[chunk[i]&0xf])
			hex.WriteByte(' ')
		} else {
			hex.WriteString("   ")
		}
	}
	for _, c := range chunk {
		if c >= 0x20 && c < 0x7f {
			ascii.WriteByte(c)
		} else {
			ascii.WriteByte('.')
		}
	}
	f := &st.Fast // lipgloss's Render on thousands of lines froze the screen
	return f.Muted.render(fmt.Sprintf("%08x", off)) + "  " + f.Text.render(hex.String()) + " " +
		f.Subtle.render("|") + f.JSONString.render(ascii.String()) + f.Subtle.render("|")
}
