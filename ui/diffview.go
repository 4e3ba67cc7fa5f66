package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/connector/neonwire"
	"mqscope/internal/textsafe"
	"mqscope/internal/valuediff"
	"mqscope/store"
)

// diffView is the field-by-field diff d shows: of two marked messages, or
// of a reply and the reply its re-sent request got (resend.go).
type diffView struct {
	title   string // what is compared with what
	changes []valuediff.Change
	scroll  int
}

// openDiff shows the diff d asks for: the two marked messages; with none
// marked, the selected row's recorded reply against the reply its re-send
// got.
func (m *Model) openDiff() tea.Cmd {
	marked := m.marks.entries(m.env.store)
	switch len(marked) {
	case 2:
		a, b := &marked[0], &marked[1]
		if b.Seq < a.Seq {
			a, b = b, a // older first: what changed since
		}
		return m.showDiff("diff of "+diffSide(a, m.env)+" → "+diffSide(b, m.env), valuediff.Diff(a.Decoded.Value, b.Decoded.Value))
	case 0:
		return m.diffResent()
	case 1:
		return m.setStatus("1 marked: mark one more message (m) to diff the two", true)
	}
	return m.setStatus(fmt.Sprintf("%d marked: d diffs two messages; m on a marked row unmarks it", len(marked)), true)
}

// diffResent diffs the selected row's reply with the reply its re-send got.
func (m *Model) diffResent() tea.Cmd {
	e, _ := m.selected()
	if e == nil {
		return m.setStatus("nothing selected: mark two messages with m, then d diffs them", true)
	}
	res, ok := m.resultFor(e)
	switch {
	case !ok:
		return m.setStatus("no message marked, and the selected row was not re-sent: mark two messages with m, or re-send with r first", true)
	case !res.Replied():
		return m.setStatus("its re-send got no reply ("+res.Verdict+"): nothing to compare", true)
	case res.Seq == 0 || !res.hadReply:
		return m.setStatus("the original request got no reply: nothing to compare the new reply with", true)
	}
	return m.showDiff("diff of the recorded reply → the reply to its re-send "+shortID(res.MessageID)+" (message_id and routing_key ignored)", res.Changes)
}

func (m *Model) showDiff(title string, changes []valuediff.Change) tea.Cmd {
	m.diff = diffView{title: title, changes: changes}
	m.openOverlay(modeDiff)
	return nil
}

// diffSide names one side of a diff: "request 4051f3b3 on neon_api_input
// at 09:08:54.989 (seq 12)".
func diffSide(e *store.Entry, env env) string {
	return fmt.Sprintf("%s %s (seq %d)", rowKind(e), describeRow(e, env), e.Seq)
}

// diffKey scrolls the diff; y copies it as plain text; esc closes it.
func (m *Model) diffKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	page := max(m.layout().list+m.layout().lower-3, 1)
	switch {
	case key.Matches(msg, k.Back, k.Quit):
		m.closeOverlay()
	case key.Matches(msg, k.CopyBody):
		return copyCmd("diff as text", m.diff.text())
	case key.Matches(msg, k.Up):
		m.diff.scroll--
	case key.Matches(msg, k.Down):
		m.diff.scroll++
	case key.Matches(msg, k.PageUp):
		m.diff.scroll -= page
	case key.Matches(msg, k.PageDown):
		m.diff.scroll += page
	case key.Matches(msg, k.Top):
		m.diff.scroll = 0
	case key.Matches(msg, k.Bottom):
		m.diff.scroll = len(m.diff.changes) * maxDetailLines // clamped as drawn
	}
	return nil
}

// text is the plain-text form y copies: the title, then valuediff's lines.
func (d *diffView) text() string {
	if len(d.changes) == 0 {
		return d.title + "\nno differences\n"
	}
	return d.title + "\n" + valuediff.Text(d.changes)
}

// summary counts the changes by kind: "3 changes: 1 added, 1 removed, 1
// changed".
func (d *diffView) summary() string {
	var added, removed, changed int
	for _, c := range d.changes {
		switch c.Kind {
		case valuediff.Added:
			added++
		case valuediff.Removed:
			removed++
		default:
			changed++
		}
	}
	return fmt.Sprintf("%d change%s: %d added, %d removed, %d changed", len(d.changes), plural(len(d.changes), "", "s"), added, removed, changed)
}

// renderDiff draws the diff in height rows: a title, the counts, then one
// coloured entry per change, wrapped to the width, from the scroll on.
func (m *Model) renderDiff(height int) string {
	d := &m.diff
	st := &m.st
	head := []string{
		st.Title.Render("diff") + st.Muted.Render("  (y copies as text · esc closes)"),
	}
	head = append(head, styleLines(wrapText(textsafe.Row(d.title), m.width), st.Text)...)
	head = append(head, st.Muted.Render(d.summary()))
	body := diffLines(d.changes, m.width, st)
	if len(body) == 0 {
		body = []string{st.Muted.Render("no differences")}
	}
	rows := max(height-len(head), 1)
	d.scroll = min(max(d.scroll, 0), max(len(body)-rows, 0))
	end := min(d.scroll+rows, len(body))
	return fitBlock(strings.Join(append(head, body[d.scroll:end]...), "\n"), m.width, height)
}

// diffLines are the changes as drawn: "+ path: new" in the reply colour,
// "- path: old" in the danger colour, "~ path: old → new" in the warning
// colour, each wrapped to width.
func diffLines(changes []valuediff.Change, width int, st *Styles) []string {
	var out []string
	for _, c := range changes {
		var line string
		style := st.Warn
		switch c.Kind {
		case valuediff.Added:
			line, style = "+ "+c.Path+": "+diffValue(c.New), st.Reply
		case valuediff.Removed:
			line, style = "- "+c.Path+": "+diffValue(c.Old), st.Danger
		default:
			line = "~ " + c.Path + ": " + diffValue(c.Old) + " → " + diffValue(c.New)
		}
		for _, l := range strings.Split(ansi.Hardwrap(textsafe.Row(line), max(width, 1), true), "\n") {
			out = append(out, style.Render(l))
		}
	}
	return out
}

// diffValue is a value as the diff shows it: its Python repr, cut when it
// is very long (y copies it whole).
func diffValue(v neonwire.Value) string {
	r := neonwire.Repr(v)
	if len(r) > maxDetailBytes {
		return clip(r, maxDetailBytes) + "…"
	}
	return r
}
