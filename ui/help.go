package ui

import (
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

// renderFullHelp lays out the groups as columns when they fit side by side
// and stacks them otherwise, adds the legend of the list's event markers,
// then cuts to the height given.
func renderFullHelp(s Styles, groups []helpGroup, width, height int) string {
	cols := make([]string, 0, len(groups))
	for _, g := range groups {
		if col := renderHelpGroup(s, g); col != "" {
			cols = append(cols, col)
		}
	}
	body := lipgloss.JoinHorizontal(lipgloss.Top, spaced(cols, "   ")...)
	if lipgloss.Width(body) > width {
		body = strings.Join(cols, "\n\n")
	}
	title := s.Title.Render("mqscope keys") + s.Muted.Render("  (any key closes)")
	legend := strings.Join(styleLines(append(wrapText("The list's event marker: "+markerLegend+". "+markLegend, width),
		wrapText("Its verdict marker (column v): "+verdictLegend, width)...), s.Muted), "\n")
	return fitBlock(title+"\n\n"+body+"\n\n"+legend, width, height)
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
