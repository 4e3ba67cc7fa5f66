package ui

import (
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
	alert    int // 1 when a connection problem is shown
	list     int // rows of the message list, its column header included
	lower    int // rows of the detail or compose pane, borders included
	status   int // always 1
	footer   int // always 1
	tooSmall bool
}

// computeLayout shares height rows between the panes. Compose gets more of
// the screen than the detail pane because it holds an editor.
func computeLayout(width, height, alert int, compose bool) layout {
	l := layout{width: width, header: 1, status: 1, footer: 1}
	if width < minWidth || height < minHeight {
		l.tooSmall = true
		return l
	}
	l.alert = alert
	rest := height - l.header - l.alert - l.status - l.footer
	if compose {
		l.list = max(3, rest/4)
	} else {
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

// tooSmallView says what size is needed, cut to whatever space there is
// (down to one cell).
func tooSmallView(s Styles, width, height int) string {
	msg := s.Warn.Render("terminal too small") + "\n" +
		s.Muted.Render("mqscope needs at least 60×15") + "\n" +
		s.Muted.Render("(q quits)")
	return fitBlock(msg, width, height)
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
