package ui

import (
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"

	"mqscope/themes"
)

// Styles are every style the UI draws with, derived once from a palette's
// semantic tokens (crush's quickstyle pattern). Views never build styles;
// switching theme rebuilds this struct.
type Styles struct {
	Palette themes.Palette

	// Screen is the palette's background, painted behind the whole screen
	// (tea.View.BackgroundColor): every colour below is chosen against it,
	// whatever the terminal's own background is. Nil in mono.
	Screen color.Color

	Text, Muted, Subtle  lipgloss.Style
	Bold                 lipgloss.Style
	Title                lipgloss.Style // app name in the header
	Bar                  lipgloss.Style // header and status bar background
	BarKey, BarValue     lipgloss.Style
	BarError             lipgloss.Style
	Selected             lipgloss.Style // the selected row
	SelectedBlur         lipgloss.Style // the selected row while another pane has focus
	ColumnHeader         lipgloss.Style
	OK, Warn, Danger     lipgloss.Style
	Info, Accent         lipgloss.Style
	Unroutable           lipgloss.Style
	Request, Reply       lipgloss.Style
	TabActive, TabIdle   lipgloss.Style
	Label                lipgloss.Style // field labels in compose
	Input, InputFocus    lipgloss.Style
	Alert                lipgloss.Style // the connection-problem line
	HelpKey, HelpDesc    lipgloss.Style
	HelpSep              lipgloss.Style
	JSONKey, JSONString  lipgloss.Style
	JSONNumber, JSONBool lipgloss.Style
	JSONNull, JSONPunct  lipgloss.Style
	PaneBorder           lipgloss.Style // colour of a pane's border
	PaneBorderFocus      lipgloss.Style // colour of the focused pane's border

	Fast spans // the styles above that hot paths draw with
}

// span is a style reduced to the escape sequences around its text. The
// per-frame hot paths (list cells, pane borders, JSON tokens) use spans:
// lipgloss's general Render measures and re-wraps its input each call,
// which for a 200×50 frame costs more than the whole frame budget.
type span struct{ on, off string }

// spanOf captures the sequences a style puts around a character. It is
// only valid for styles without width, padding, margins or borders.
func spanOf(s lipgloss.Style) span {
	out := s.Render("X")
	i := strings.IndexByte(out, 'X')
	if i < 0 {
		return span{}
	}
	return span{on: out[:i], off: out[i+1:]}
}

// render wraps text in the span.
func (s span) render(text string) string {
	if s.on == "" {
		return text
	}
	return s.on + text + s.off
}

// spans are the fast forms of the styles the hot paths use.
type spans struct {
	Text, Muted, Subtle, Accent, Bold         span
	Request, Reply, Unroutable, Danger, Warn  span
	OK                                        span
	ColumnHeader, Selected, SelectedBlur      span
	Border, BorderFocus                       span
	JSONKey, JSONString, JSONNumber, JSONBool span
	JSONNull, JSONPunct                       span
}

func newSpans(s *Styles) spans {
	return spans{
		Text: spanOf(s.Text), Muted: spanOf(s.Muted), Subtle: spanOf(s.Subtle), Accent: spanOf(s.Accent), Bold: spanOf(s.Bold),
		Request: spanOf(s.Request), Reply: spanOf(s.Reply), Unroutable: spanOf(s.Unroutable),
		Danger: spanOf(s.Danger), Warn: spanOf(s.Warn), OK: spanOf(s.OK),
		ColumnHeader: spanOf(s.ColumnHeader), Selected: spanOf(s.Selected), SelectedBlur: spanOf(s.SelectedBlur),
		Border: spanOf(s.PaneBorder), BorderFocus: spanOf(s.PaneBorderFocus),
		JSONKey: spanOf(s.JSONKey), JSONString: spanOf(s.JSONString), JSONNumber: spanOf(s.JSONNumber),
		JSONBool: spanOf(s.JSONBool), JSONNull: spanOf(s.JSONNull), JSONPunct: spanOf(s.JSONPunct),
	}
}

// colour turns a token into a colour; an empty token (the mono palette)
// is the terminal's default.
func colour(hex string) color.Color {
	if hex == "" {
		return lipgloss.NoColor{}
	}
	return lipgloss.Color(hex)
}

// NewStyles derives the styles of a palette.
func NewStyles(p themes.Palette) Styles {
	fg := func(hex string) lipgloss.Style { return lipgloss.NewStyle().Foreground(colour(hex)) }
	s := Styles{Palette: p}
	if p.Background != "" {
		s.Screen = colour(p.Background)
	}
	s.Text = fg(p.Text)
	s.Muted = fg(p.Muted)
	s.Subtle = fg(p.Subtle)
	s.Bold = fg(p.Text).Bold(true)
	s.Title = fg(p.Primary).Bold(true)
	s.Bar = fg(p.Text).Background(colour(p.Surface))
	s.BarKey = fg(p.Muted).Background(colour(p.Surface))
	s.BarValue = fg(p.Text).Background(colour(p.Surface)).Bold(true)
	s.BarError = fg(p.Danger).Background(colour(p.Surface)).Bold(true)
	s.Selected = fg(p.SelectedText).Background(colour(p.Selection)).Bold(true)
	s.SelectedBlur = fg(p.Text).Background(colour(p.Surface))
	s.ColumnHeader = fg(p.Muted).Bold(true)
	s.OK = fg(p.Success)
	s.Warn = fg(p.Warning)
	s.Danger = fg(p.Danger)
	s.Info = fg(p.Info)
	s.Accent = fg(p.Secondary)
	s.Unroutable = fg(p.Danger).Bold(true)
	s.Request = fg(p.Request)
	s.Reply = fg(p.Reply)
	s.TabActive = fg(p.Primary).Bold(true).Underline(true)
	s.TabIdle = fg(p.Muted)
	s.PaneBorder = fg(p.Border)
	s.PaneBorderFocus = fg(p.BorderFocus)
	s.Label = fg(p.Muted)
	s.Input = fg(p.Text)
	s.InputFocus = fg(p.Primary).Bold(true)
	s.Alert = fg(p.Danger).Bold(true)
	s.HelpKey = fg(p.Primary).Bold(true)
	s.HelpDesc = fg(p.Muted)
	s.HelpSep = fg(p.Subtle)
	s.JSONKey = fg(p.JSONKey)
	s.JSONString = fg(p.JSONString)
	s.JSONNumber = fg(p.JSONNumber)
	s.JSONBool = fg(p.JSONBool)
	s.JSONNull = fg(p.JSONNull).Italic(true)
	s.JSONPunct = fg(p.JSONPunct)
	if p.IsMono() {
		// Without colours, selection and focus need another cue.
		s.Selected = lipgloss.NewStyle().Reverse(true)
		s.SelectedBlur = lipgloss.NewStyle().Underline(true)
		s.TabActive = lipgloss.NewStyle().Reverse(true)
		s.Unroutable = lipgloss.NewStyle().Bold(true).Underline(true)
		s.PaneBorderFocus = lipgloss.NewStyle().Bold(true)
	}
	s.Fast = newSpans(&s)
	return s
}

// borderSpan is the border of a pane, brighter when it has focus.
func borderSpan(st *Styles, focused bool) span {
	if focused {
		return st.Fast.BorderFocus
	}
	return st.Fast.Border
}
