// Package themes holds mqscope's colour palettes as semantic tokens: plain
// hex colour strings named for what they mean (text, selection, danger,
// JSON key…), not for where they are drawn. It imports nothing from Bubble
// Tea or Lip Gloss, so palettes can be added, tested and reviewed apart from
// the code that turns them into styles (ui/styles.go).
package themes

import (
	"fmt"
	"slices"
	"strings"
)

// Auto is the theme name that means "dark or light, whichever matches the
// terminal's background". It is the default when no theme is chosen.
const Auto = "auto"

// Mono is the name of the palette without colours, used when NO_COLOR is set.
const Mono = "mono"

// Palette is one theme. Every colour is "#RRGGBB"; in the Mono palette every
// colour is empty, which means "the terminal's default".
type Palette struct {
	Name string
	Dark bool // drawn for a dark terminal background

	// Background is painted by the UI behind the whole screen while the
	// palette is in use (it sets the terminal's default background, which
	// comes back on exit), so every other colour is drawn on it, or on
	// Surface or Selection, whatever the terminal's own background is: a
	// light palette stays readable in a dark terminal. Tests check each
	// colour against it. Empty means nothing is painted; a palette without
	// one must then read on dark and light terminals alike (only mono,
	// which has no colours, does so).
	Background string

	Text   string // body text
	Muted  string // secondary text: labels, column headers, times
	Subtle string // the least important text: separators, hints

	Surface      string // bars (header, status, tabs)
	Selection    string // background of the selected row
	SelectedText string // text on Selection
	Border       string // pane borders
	BorderFocus  string // border of the focused pane

	Primary   string // titles, the active tab, key names in help
	Secondary string // the second accent: counts, filter text
	Success   string // connected, a reply that arrived
	Warning   string // reconnecting, paused, peek/consume notes
	Danger    string // failed, unroutable, timeouts, parse errors
	Info      string // informational notes

	Request string // marker of a request whose reply is known
	Reply   string // marker of a reply

	JSONKey    string
	JSONString string
	JSONNumber string
	JSONBool   string
	JSONNull   string
	JSONPunct  string
}

// palettes in the order `t` cycles through them.
var palettes = []Palette{dark, light, highContrast, colorBlind, mono}

var dark = Palette{
	Name: "dark", Dark: true, Background: "#16161E",
	Text: "#E4E4EA", Muted: "#A9ABB8", Subtle: "#7F8399",
	Surface: "#24283B", Selection: "#2E3C64", SelectedText: "#FFFFFF",
	Border: "#5F6689", BorderFocus: "#7AA2F7",
	Primary: "#7AA2F7", Secondary: "#BB9AF7",
	Success: "#9ECE6A", Warning: "#E0AF68", Danger: "#F7768E", Info: "#7DCFFF",
	Request: "#7DCFFF", Reply: "#9ECE6A",
	JSONKey: "#7AA2F7", JSONString: "#9ECE6A", JSONNumber: "#FF9E64",
	JSONBool: "#BB9AF7", JSONNull: "#A9ABB8", JSONPunct: "#7C7F98",
}

var light = Palette{
	Name: "light", Dark: false, Background: "#FFFFFF",
	Text: "#1F2328", Muted: "#57606A", Subtle: "#6A737D",
	Surface: "#EAEEF2", Selection: "#CFE2FF", SelectedText: "#0D1117",
	Border: "#868E96", BorderFocus: "#0969DA",
	Primary: "#0969DA", Secondary: "#8250DF",
	Success: "#1A7F37", Warning: "#9A6700", Danger: "#CF222E", Info: "#0550AE",
	Request: "#0550AE", Reply: "#1A7F37",
	JSONKey: "#0550AE", JSONString: "#116329", JSONNumber: "#953800",
	JSONBool: "#8250DF", JSONNull: "#57606A", JSONPunct: "#6E7781",
}

// highContrast uses pure colours on black, for low vision and for
// projectors.
var highContrast = Palette{
	Name: "high-contrast", Dark: true, Background: "#000000",
	Text: "#FFFFFF", Muted: "#E0E0E0", Subtle: "#B0B0B0",
	Surface: "#000000", Selection: "#FFFF00", SelectedText: "#000000",
	Border: "#FFFFFF", BorderFocus: "#FFFF00",
	Primary: "#00FFFF", Secondary: "#FF80FF",
	Success: "#00FF00", Warning: "#FFFF00", Danger: "#FF6060", Info: "#00FFFF",
	Request: "#00FFFF", Reply: "#00FF00",
	JSONKey: "#00FFFF", JSONString: "#00FF00", JSONNumber: "#FFFF00",
	JSONBool: "#FF80FF", JSONNull: "#E0E0E0", JSONPunct: "#B0B0B0",
}

// colorBlind draws from the Okabe–Ito palette, which stays distinct under
// the common colour-vision deficiencies: success and danger differ in
// lightness and hue (sky blue against vermillion), never by red/green alone.
// Vermillion is lifted a little from Okabe–Ito's #D55E00 so that errors in
// the status bar hold 4.5:1 on its Surface.
var colorBlind = Palette{
	Name: "colorblind", Dark: true, Background: "#141414",
	Text: "#EDEDED", Muted: "#B4B4B4", Subtle: "#808080",
	Surface: "#202020", Selection: "#0F4C75", SelectedText: "#FFFFFF",
	Border: "#666666", BorderFocus: "#56B4E9",
	Primary: "#56B4E9", Secondary: "#CC79A7",
	Success: "#56B4E9", Warning: "#F0E442", Danger: "#D8680F", Info: "#009E73",
	Request: "#56B4E9", Reply: "#F0E442",
	JSONKey: "#56B4E9", JSONString: "#F0E442", JSONNumber: "#E69F00",
	JSONBool: "#CC79A7", JSONNull: "#B4B4B4", JSONPunct: "#8A8A8A",
}

// mono has no colours at all; the UI marks selection and focus with
// reverse video and bold instead.
var mono = Palette{Name: Mono, Dark: true}

// Names lists the palettes, in the order `t` cycles through them. Auto is
// not among them: it is a choice between dark and light, not a palette.
func Names() []string {
	names := make([]string, len(palettes))
	for i, p := range palettes {
		names[i] = p.Name
	}
	return names
}

// ByName returns the palette called name (case-insensitive). An unknown
// name's error lists the known ones.
func ByName(name string) (Palette, error) {
	if strings.EqualFold(name, Auto) {
		return Palette{}, fmt.Errorf("theme %q is not a palette: it picks %s or %s from the terminal's background (see Default)", name, dark.Name, light.Name)
	}
	for _, p := range palettes {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	return Palette{}, fmt.Errorf("unknown theme %q (known: %s, or %s)", name, strings.Join(Names(), ", "), Auto)
}

// Default is the palette for a dark or light terminal background.
func Default(darkBackground bool) Palette {
	if darkBackground {
		return dark
	}
	return light
}

// Next is the palette after name in the cycle, wrapping around; an unknown
// name starts the cycle.
func Next(name string) Palette {
	i := slices.IndexFunc(palettes, func(p Palette) bool { return strings.EqualFold(p.Name, name) })
	return palettes[(i+1)%len(palettes)]
}

// IsMono reports whether the palette has no colours.
func (p Palette) IsMono() bool { return p.Text == "" }
