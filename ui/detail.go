package ui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"mqscope/connector/neonwire"
	"mqscope/internal/textsafe"
	"mqscope/store"
	"mqscope/verdict"
)

// detailTab is one view of the selected message.
type detailTab int

const (
	tabDecoded detailTab = iota
	tabWire
	tabHex
	tabProps
	tabPair
	tabCount
)

var tabNames = [tabCount]string{"Decoded", "Wire", "Hex", "Properties & headers", "Pair"}

// maxDetailLines bounds how much of one body is laid out; the rest is a
// copy away (y / Y).
const maxDetailLines = 5000

// maxDetailBytes bounds the text of one body that is wrapped and coloured.
// That work runs on the UI's goroutine and costs time in proportion to the
// text: a 16 MiB body laid out whole froze the screen for seconds and took
// hundreds of megabytes. 256 KiB is thousands of lines at any width.
const maxDetailBytes = 256 << 10

// detailPane shows the selected message in one of its tabs and scrolls.
type detailPane struct {
	tab    detailTab
	scroll int

	key   detailKey // what lines were laid out for
	lines []string

	// timeline is the Pair tab's timeline of the selected request (nil
	// when it is none); the model sets it before render, and bumps
	// timelineVersion when it changes.
	timeline        *verdict.Timeline
	timelineVersion int
	// extra adds lines to the Pair tab: the re-sends of the message's
	// request (resend.go). Setting lines to nil lays the tab out again.
	extra func(e *store.Entry, width int, st *Styles) []string
}

// detailKey identifies a layout of the pane's content: the same message in
// the same tab, width and theme is laid out once, not on every frame.
type detailKey struct {
	seq    uint64
	tab    detailTab
	width  int
	theme  string
	paired bool
	// timeline is the version of the timeline shown in the Pair tab.
	timeline int
}

func (d *detailPane) nextTab(delta int) {
	d.tab = (d.tab + detailTab(delta) + tabCount) % tabCount
	d.scroll = 0
}

func (d *detailPane) scrollBy(n int) { d.scroll = max(d.scroll+n, 0) }

// render draws the pane for e (nil when nothing is selected); pair is the
// other side of e's request/reply pair when known.
func (d *detailPane) render(e, pair *store.Entry, width, height int, st *Styles, focused bool) string {
	if width < 4 || height < 3 {
		return fitBlock("", width, height)
	}
	inner, rows := width-4, height-3 // border, one column of padding each side, tab bar
	var content []string
	if e == nil {
		content = []string{st.Muted.Render("No message selected.")}
	} else {
		content = d.layout(e, pair, inner, st)
	}
	d.scroll = min(d.scroll, max(len(content)-rows, 0))
	visible := content[d.scroll:min(d.scroll+rows, len(content))]
	tabs := d.renderTabs(st, inner, scrollNote(d.scroll, len(visible), len(content), focused))
	body := tabs + "\n" + strings.Join(visible, "\n")
	return drawPane(body, width, height, borderSpan(st, focused))
}

// scrollNote says that the pane holds more than it shows, which part is
// on screen, and how to scroll it; "" when everything is shown.
func scrollNote(scroll, shown, total int, focused bool) string {
	if shown >= total {
		return ""
	}
	note := fmt.Sprintf("lines %d–%d of %d", scroll+1, scroll+shown, total)
	if focused {
		return note + " · j/k scroll"
	}
	return note + " · tab, then j/k scrolls"
}

// renderTabs is the tab bar, with the scroll note at its right end when
// there is room for both.
func (d *detailPane) renderTabs(st *Styles, width int, note string) string {
	parts := make([]string, tabCount)
	for i, name := range tabNames {
		if detailTab(i) == d.tab {
			parts[i] = st.TabActive.Render(name)
		} else {
			parts[i] = st.TabIdle.Render(name)
		}
	}
	tabs := strings.Join(parts, st.Subtle.Render(" │ "))
	if note != "" {
		gap := width - textWidth(tabs) - textWidth(note)
		if gap < 2 {
			// Narrow: the note wins over the last tabs' names, which
			// h/l still reach.
			tabs = ansi.Truncate(tabs, max(width-textWidth(note)-2, 0), "…")
			gap = width - textWidth(tabs) - textWidth(note)
		}
		if gap >= 1 {
			tabs += strings.Repeat(" ", gap) + st.Muted.Render(note)
		}
	}
	return fitLine(tabs, width)
}

// layout returns the content lines of e for the current tab, from the
// cache when nothing that affects them has changed.
func (d *detailPane) layout(e, pair *store.Entry, width int, st *Styles) []string {
	key := detailKey{e.Seq, d.tab, width, st.Palette.Name, pair != nil, d.timelineVersion}
	if key == d.key && d.lines != nil {
		return d.lines
	}
	if key.seq != d.key.seq {
		d.scroll = 0
	}
	var lines []string
	switch d.tab {
	case tabDecoded:
		lines = decodedLines(e, width, st)
	case tabWire:
		lines = wireLines(e.Msg.Body, width, st)
	case tabHex:
		lines = hexDump(e.Msg.Body, width, st)
	case tabProps:
		lines = propLines(e, width, st)
	case tabPair:
		lines = pairLines(e, pair, width, st)
		if d.timeline != nil {
			lines = append(append(timelineLines(d.timeline, width, st), ""), lines...)
		}
		if d.extra != nil {
			lines = append(lines, d.extra(e, width, st)...)
		}
	}
	if len(lines) > maxDetailLines {
		more := len(lines) - maxDetailLines
		lines = append(lines[:maxDetailLines], st.Muted.Render(fmt.Sprintf("… %d more lines (y copies the whole body)", more)))
	}
	d.key, d.lines = key, lines
	return lines
}

// decodedLines is the decoded body as coloured, indented JSON, or the text,
// with a note when the body is not Neon-encoded.
func decodedLines(e *store.Entry, width int, st *Styles) []string {
	var head []string
	if e.Decoded.Err != nil {
		head = append(head, st.Danger.Render("not a valid Neon body: "+textsafe.Row(e.Decoded.Err.Error())))
	}
	switch e.Decoded.Encoding {
	case neonwire.EncNeon:
	case neonwire.EncB64JSON, neonwire.EncJSON:
		head = append(head, st.Warn.Render(fmt.Sprintf("%s body: not Neon-encoded, real Neon services reject it", e.Decoded.Encoding)))
	case neonwire.EncText:
		s, _ := e.Decoded.Value.(string)
		return append(head, wrapLines(s, width, st, "y copies the whole body")...)
	case neonwire.EncPyExpr:
		s, _ := e.Decoded.Value.(string)
		head = append(head, st.Warn.Render(e.Decoded.Label()+": shown as text, never evaluated"))
		return append(head, wrapLines(s, width, st, "y copies the whole body")...)
	case store.EncUndecoded:
		// The decode error already says why and how large: the Wire and Hex
		// tabs show it as sent.
		return append(head, st.Muted.Render("see the Wire or Hex tab; Y copies the wire body"))
	default:
		return append(head, st.Muted.Render(fmt.Sprintf("binary body (%s): see the Hex tab", humanBytes(e.Size))))
	}
	return append(head, jsonLines(e.Decoded.Value, width, st)...)
}

// jsonLines is v as coloured, indented JSON, wrapped to width (see
// wrapJSONLine); past maxDetailBytes a line says how much is left.
func jsonLines(v neonwire.Value, width int, st *Styles) []string {
	text, rest := clipDetail(string(neonwire.ToJSONIndent(v, "  ")))
	width = max(width, 1)
	var lines []string
	for _, line := range strings.Split(colorJSON(text, st), "\n") {
		lines = appendWrappedJSON(lines, line, width)
	}
	return appendMore(lines, rest, "y copies the whole body", st)
}

// minHangWidth is the narrowest text a hanging continuation line is given;
// below it continuation lines start at the left edge.
const minHangWidth = 12

// appendWrappedJSON appends one line of indented JSON fitted to width. A
// long line breaks at spaces where it can and its continuation lines hang
// two columns in from its indentation, so the structure stays readable;
// and no piece is a lone comma or bracket, which read as a line of its own.
func appendWrappedJSON(out []string, line string, width int) []string {
	if textWidth(line) <= width {
		return append(out, line)
	}
	indent := len(line) - len(strings.TrimLeft(line, " "))
	hang := indent + 2
	if width-hang < minHangWidth {
		indent, hang = 0, 0
	}
	body := line[indent:]
	limit := width - hang
	pieces := strings.Split(ansi.Wrap(body, limit, ""), "\n")
	if orphan(pieces) && limit > 4 {
		pieces = strings.Split(ansi.Wrap(body, limit-3, ""), "\n")
	}
	for i, p := range pieces {
		lead := hang
		if i == 0 {
			lead = indent
		}
		out = append(out, strings.Repeat(" ", lead)+p)
	}
	return out
}

// orphan reports whether the last of several wrapped pieces is only a
// little punctuation, such as the "," after a value that filled the line.
func orphan(pieces []string) bool {
	if len(pieces) < 2 {
		return false
	}
	last := strings.TrimSpace(ansi.Strip(pieces[len(pieces)-1]))
	return len(last) <= 2 && strings.Trim(last, ",:{}[]") == ""
}

// wireLines is the body as received: text wrapped to width, or a pointer to
// the Hex tab when it is not text.
func wireLines(body []byte, width int, st *Styles) []string {
	if !utf8.Valid(body) {
		return []string{st.Muted.Render("not UTF-8 text: see the Hex tab")}
	}
	if len(body) == 0 {
		return []string{st.Muted.Render("(empty body)")}
	}
	return wrapLines(string(body), width, st, "Y copies the whole wire body")
}

// wrapLines hard-wraps plain text and styles it as body text; past
// maxDetailBytes a line says how much is left and how to get it.
func wrapLines(s string, width int, st *Styles, howToGetAll string) []string {
	s, rest := clipDetail(s)
	s = textsafe.Lines(s) // a body must not drive, reorder or hide on the terminal
	lines := strings.Split(ansi.Hardwrap(s, max(width, 1), true), "\n")
	for i, l := range lines {
		lines[i] = st.Fast.Text.render(l)
	}
	return appendMore(lines, rest, howToGetAll, st)
}

// clipDetail cuts s to at most maxDetailBytes, at the last line break
// before the limit when there is one (so no line is cut in half), else on
// a rune boundary. rest is how many bytes were left out.
func clipDetail(s string) (shown string, rest int) {
	if len(s) <= maxDetailBytes {
		return s, 0
	}
	shown = clip(s, maxDetailBytes)
	if i := strings.LastIndexByte(shown, '\n'); i > 0 {
		shown = shown[:i]
	}
	return shown, len(s) - len(shown)
}

// appendMore adds the line saying that rest bytes are not shown, if any.
func appendMore(lines []string, rest int, howToGetAll string, st *Styles) []string {
	if rest == 0 {
		return lines
	}
	return append(lines, st.Fast.Muted.render(fmt.Sprintf("… %s more (%s)", humanBytes(rest), howToGetAll)))
}
