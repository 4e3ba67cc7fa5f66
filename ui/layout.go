package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// The smallest terminal the full layout is drawn in; below it the UI says
// so instead of drawing something unreadable.
const (
	minWidth  = 60
	minHeight = 15
)

// layout is how the screen's rows are shared out for one frame.
type layout struct {
	width    int
	header   int // always 1
	alert    int // the filter line or a connection problem, and their wrapped errors
	list     int // rows of the message list, its column header included; 0 when compose hides it
	lower    int // rows of the detail or compose pane, borders included
	status   int // 1, or more while a transient message needs them
	footer   int // always 1
	tooSmall bool
}

// minPanes is the fewest rows the list and the lower pane share: alert
// and status lines give way below it.
const minPanes = 8

// composeHidesList is the height below which compose takes the list's rows
// too: two rows of list are of no use, and the reply needs the room.
const composeHidesList = 20

// computeLayout shares height rows between the panes. Compose gets more of
// the screen than the detail pane because it holds an editor.
func computeLayout(width, height, alert, status int, compose bool) layout {
	l := layout{width: width, header: 1, status: 1, footer: 1}
	if width < minWidth || height < minHeight {
		l.tooSmall = true
		return l
	}
	spare := height - l.header - l.footer - minPanes - 1
	l.status = max(min(status, spare-alert), 1)
	l.alert = max(min(alert, spare-l.status+1), 0)
	rest := height - l.header - l.alert - l.status - l.footer
	switch {
	case compose && height < composeHidesList:
		l.list = 0
	case compose:
		l.list = max(3, rest/4)
	default:
		// The live list is what people watch; the detail pane needs only
		// a typical Neon dict's dozen lines.
		l.list = max(4, rest/2)
	}
	l.lower = rest - l.list
	return l
}

// textWidth is the width of s in cells. Plain printable ASCII, the common
// case on every row, is measured by its length; anything else (escape
// sequences, wide or combining characters) by the full grapheme rules.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// fitLine makes s exactly width cells wide: cut with an ellipsis, or padded.
func fitLine(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := textWidth(s)
	if w > width {
		return ansi.Truncate(s, width, "…")
	}
	return s + strings.Repeat(" ", width-w)
}

// fitBlock makes s exactly width × height cells: lines are cut or padded,
// missing lines added, extra lines dropped.
func fitBlock(s string, width, height int) string {
	if height <= 0 {
		return ""
	}
	lines := strings.SplitN(s, "\n", height+1)
	if len(lines) > height {
		lines = lines[:height]
	}
	var b strings.Builder
	for i := range height {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString(fitLine(line, width))
	}
	return b.String()
}

// tooSmallView says how large the terminal is and what size is needed,
// wrapped to whatever space there is (down to one cell).
func tooSmallView(s Styles, width, height int) string {
	lines := styleLines(wrapText(fmt.Sprintf("terminal too small: %d×%d", width, height), width), s.Warn)
	need := fmt.Sprintf("mqscope needs at least %d×%d", minWidth, minHeight)
	lines = append(lines, styleLines(wrapText(need, width), s.Muted)...)
	lines = append(lines, styleLines(wrapText("(q quits)", width), s.Muted)...)
	return fitBlock(strings.Join(lines, "\n"), width, height)
}

// drawPane frames content with a rounded border and one column of padding
// on each side, in exactly width × height cells.
func drawPane(content string, width, height int, border span) string {
	if width < 4 || height < 2 {
		return fitBlock("", width, height)
	}
	var b strings.Builder
	b.WriteString(border.render("╭" + strings.Repeat("─", width-2) + "╮"))
	left, right := border.render("│")+" ", " "+border.render("│")
	if height > 2 {
		for _, line := range strings.Split(fitBlock(content, width-4, height-2), "\n") {
			b.WriteByte('\n')
			b.WriteString(left)
			b.WriteString(line)
			b.WriteString(right)
		}
	}
	b.WriteByte('\n')
	b.WriteString(border.render("╰" + strings.Repeat("─", width-2) + "╯"))
	return b.String()
}

// wrapText word-wraps s (which may hold escape sequences) to width,
// breaking a word only when it is longer than a line, and drops the
// spaces a break leaves at the end of a line. No text is lost: errors are
// wrapped onto as many lines as they need.
func wrapText(s string, width int) []string {
	if width <= 0 {
		return nil
	}
	lines := strings.Split(ansi.Wrap(s, width, ""), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}
