package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// helpGroup is one titled column of the full help.
type helpGroup struct {
	Title    string
	Bindings []key.Binding
}

// newHelp returns the footer renderer styled by s.
func newHelp(s Styles) help.Model {
	h := help.New()
	h.Styles = help.Styles{
		Ellipsis: s.HelpSep, ShortKey: s.HelpKey, ShortDesc: s.HelpDesc, ShortSeparator: s.HelpSep,
		FullKey: s.HelpKey, FullDesc: s.HelpDesc, FullSeparator: s.HelpSep,
	}
	return h
}

// renderShortHelp is the one-line footer for the given bindings.
func renderShortHelp(h help.Model, bindings []key.Binding, width int) string {
	h.SetWidth(width)
	return h.ShortHelpView(bindings)
}

// renderFullHelp lays out the groups as columns, as many side by side as
// the width takes and the rest in rows below, adds the legend of the list's
// markers, and shows height lines of it from line scroll (clamped; the
// clamped value is returned).
func renderFullHelp(s Styles, groups []helpGroup, width, height, scroll int) (string, int) {
	cols := make([]string, 0, len(groups))
	for _, g := range groups {
		if col := renderHelpGroup(s, g); col != "" {
			cols = append(cols, col)
		}
	}
	lines := []string{"", ""}
	for _, row := range packColumns(cols, width, 3) {
		lines = append(lines, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, spaced(row, "   ")...), "\n")...)
		lines = append(lines, "")
	}
	lines = append(lines, styleLines(append(wrapText("The list's event marker: "+markerLegend+". "+markLegend, width),
		wrapText("Its verdict marker (column v): "+verdictLegend, width)...), s.Muted)...)
	scroll = min(max(scroll, 0), max(len(lines)-height, 0))
	title := s.Title.Render("mqscope keys") + s.Muted.Render("  (any other key closes)")
	if len(lines) > height {
		title += s.Muted.Render(fmt.Sprintf("  · lines %d–%d of %d · j/k/pgdn scroll", scroll+1, min(scroll+height, len(lines)), len(lines)))
	}
	lines[0] = title
	if scroll > 0 {
		lines = append([]string{title}, lines[scroll+1:]...)
	}
	return fitBlock(strings.Join(lines, "\n"), width, height), scroll
}

// packColumns fills rows with as many columns (blocks of text) as fit in
// width with gap cells between them; a column wider than width has a row
// of its own.
func packColumns(cols []string, width, gap int) [][]string {
	var rows [][]string
	used := 0
	for _, c := range cols {
		w := lipgloss.Width(c)
		if len(rows) == 0 || used+gap+w > width {
			rows, used = append(rows, []string{c}), w
			continue
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], c)
		used += gap + w
	}
	return rows
}

func renderHelpGroup(s Styles, g helpGroup) string {
	// A binding turned off (browsing a recording: pause, watch, compose)
	// is not offered; a group with none left is left out.
	g.Bindings = slices.DeleteFunc(slices.Clone(g.Bindings), func(b key.Binding) bool { return !b.Enabled() })
	if len(g.Bindings) == 0 {
		return ""
	}
	keyWidth := 0
	for _, b := range g.Bindings {
		keyWidth = max(keyWidth, lipgloss.Width(b.Help().Key))
	}
	lines := []string{s.Bold.Render(g.Title)}
	for _, b := range g.Bindings {
		k := b.Help().Key
		lines = append(lines, s.HelpKey.Render(k)+strings.Repeat(" ", keyWidth-lipgloss.Width(k)+2)+s.HelpDesc.Render(b.Help().Desc))
	}
	return strings.Join(lines, "\n")
}

// spaced puts sep between the items.
func spaced(items []string, sep string) []string {
	out := make([]string, 0, 2*len(items))
	for i, it := range items {
		if i > 0 {
			out = append(out, sep)
		}
		out = append(out, it)
	}
	return out
}
