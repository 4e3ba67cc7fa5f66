package ui

import (
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"mqscope/store"
)

// markGlyph starts the body cell of a marked row. It is part of the text,
// not only a colour, so a mark shows at every width and in every theme,
// NO_COLOR included.
const markGlyph = "● "

// markLegend explains the mark, for the help.
const markLegend = "● before the body: marked with m (R re-sends the marked requests, d diffs two marked messages)"

// marks are the rows marked with m, by seq, in the order they were
// marked. A mark belongs to the message, not to the view: a filter that
// hides a marked row keeps its mark, and R and d still act on it; only a
// row the store has evicted (or x cleared) loses its mark.
type marks struct {
	seqs []uint64
}

func (k *marks) has(seq uint64) bool { return slices.Contains(k.seqs, seq) }

// toggle marks seq, or unmarks it; it reports whether seq is now marked.
func (k *marks) toggle(seq uint64) bool {
	if i := slices.Index(k.seqs, seq); i >= 0 {
		k.seqs = slices.Delete(k.seqs, i, i+1)
		return false
	}
	k.seqs = append(k.seqs, seq)
	return true
}

// prune forgets the marks of rows st no longer holds.
func (k *marks) prune(st *store.Store) {
	k.seqs = slices.DeleteFunc(k.seqs, func(seq uint64) bool {
		_, ok := st.Get(seq)
		return !ok
	})
}

// entries are the marked rows st still holds, in the order marked.
func (k *marks) entries(st *store.Store) []store.Entry {
	k.prune(st)
	out := make([]store.Entry, 0, len(k.seqs))
	for _, seq := range k.seqs {
		if e, ok := st.Get(seq); ok {
			out = append(out, e)
		}
	}
	return out
}

// markPrefix is what the body cell of e starts with: the glyph when e is
// marked.
func (c rowCtx) markPrefix(e *store.Entry) string {
	if c.marks != nil && len(c.marks.seqs) > 0 && c.marks.has(e.Seq) {
		return markGlyph
	}
	return ""
}

// toggleMark marks or unmarks the selected row and says how many are
// marked, and how many of them the filter hides.
func (m *Model) toggleMark() tea.Cmd {
	e, _ := m.selected()
	if e == nil {
		return m.setStatus("nothing selected to mark", true)
	}
	verb := "unmarked"
	if m.marks.toggle(e.Seq) {
		verb = "marked"
	}
	return m.setStatus(verb+" "+rowKind(e)+" "+describeRow(e, m.env)+" · "+m.marksNote(), false)
}

// marksNote counts the marks for the status line: "2 marked (1 hidden by
// the filter)".
func (m *Model) marksNote() string {
	m.marks.prune(m.env.store)
	note := fmt.Sprintf("%d marked", len(m.marks.seqs))
	hidden := 0
	for _, seq := range m.marks.seqs {
		if m.view.Index(seq) < 0 {
			hidden++
		}
	}
	if hidden > 0 {
		note += fmt.Sprintf(" (%d hidden by the filter)", hidden)
	}
	return note
}
