package themes

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// colourFields are the Palette fields that hold colours.
func colourFields(p Palette) map[string]string {
	out := map[string]string{}
	v := reflect.ValueOf(p)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Type.Kind() == reflect.String && f.Name != "Name" {
			out[f.Name] = v.Field(i).String()
		}
	}
	return out
}

// xterm256 is the standard xterm RGB of an ANSI-256 index from 16 up: the
// 6×6×6 cube, then the 24 greys. Indexes 0–15 have no standard value (each
// terminal theme sets its own), so no contrast can be promised for them.
func xterm256(n int) ([3]uint8, error) {
	switch {
	case n >= 16 && n <= 231:
		level := [6]uint8{0, 95, 135, 175, 215, 255}
		n -= 16
		return [3]uint8{level[n/36], level[n/6%6], level[n%6]}, nil
	case n >= 232 && n <= 255:
		g := uint8(8 + 10*(n-232))
		return [3]uint8{g, g, g}, nil
	}
	return [3]uint8{}, fmt.Errorf("ANSI colour %d has no fixed RGB value (0–15 are the terminal's own; use 16–255 or #RRGGBB)", n)
}

// rgb parses a colour token as Lip Gloss reads it: "#RRGGBB" or an ANSI-256
// index.
func rgb(s string) ([3]uint8, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return xterm256(n)
	}
	var out [3]uint8
	if len(s) != 7 || s[0] != '#' {
		return out, fmt.Errorf("colour %q is neither #RRGGBB nor an ANSI-256 index", s)
	}
	for i := range 3 {
		n, err := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return out, fmt.Errorf("colour %q: %v", s, err)
		}
		out[i] = uint8(n)
	}
	return out, nil
}

// luminance is the WCAG 2.x relative luminance of a colour token (sRGB's
// 0.04045 knee; WCAG 2.0's 0.03928 differs for no 8-bit value).
func luminance(t *testing.T, colour string) float64 {
	t.Helper()
	c, err := rgb(colour)
	if err != nil {
		t.Fatal(err)
	}
	var lin [3]float64
	for i, v := range c {
		s := float64(v) / 255
		if s <= 0.04045 {
			lin[i] = s / 12.92
		} else {
			lin[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*lin[0] + 0.7152*lin[1] + 0.0722*lin[2]
}

// contrast is the WCAG 2.x contrast ratio of two colour tokens, 1 to 21.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestContrastMathMatchesWCAGAndXterm(t *testing.T) {
	for _, c := range []struct {
		token, hex string
	}{
		{"16", "#000000"}, {"231", "#FFFFFF"}, {"196", "#FF0000"}, {"67", "#5F87AF"},
		{"232", "#080808"}, {"235", "#262626"}, {"252", "#D0D0D0"}, {"255", "#EEEEEE"},
	} {
		a, err := rgb(c.token)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := rgb(c.hex); a != b {
			t.Errorf("ANSI %s = %v, want xterm's %s", c.token, a, c.hex)
		}
	}
	for _, bad := range []string{"0", "7", "15", "256", "-1", "#12345", "#GG0000", "red", ""} {
		if _, err := rgb(bad); err == nil {
			t.Errorf("rgb(%q) accepted a colour with no fixed RGB value", bad)
		}
	}
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#FFFFFF", 21},
		{"#777777", "#FFFFFF", 4.48}, // the classic just-fails-AA grey
		{"235", "#000000", 1.39},     // the issue: light text on a dark terminal
		{"252", "#FFFFFF", 1.54},     // the issue: light borders on white
		{"#FFFFFF", "#FFFFFF", 1},
	} {
		if got := contrast(t, c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

func TestEveryColouredPaletteSetsEveryToken(t *testing.T) {
	for _, p := range palettes {
		if p.IsMono() {
			for name, c := range colourFields(p) {
				if c != "" {
					t.Errorf("%s: %s = %q, want empty in the mono palette", p.Name, name, c)
				}
			}
			continue
		}
		for name, c := range colourFields(p) {
			if c == "" {
				if name != "Background" {
					t.Errorf("%s: token %s is not set", p.Name, name)
				}
				continue
			}
			if _, err := rgb(c); err != nil {
				t.Errorf("%s: %s: %v", p.Name, name, err)
			}
		}
	}
}

// terminals are the backgrounds a theme may be shown over: any theme can be
// chosen with --theme or `t` whatever the terminal's own background is.
var terminals = []struct{ name, bg string }{
	{"black", "#000000"},
	{"dark grey", "#1E1E1E"},
	{"white", "#FFFFFF"},
}

// shownOn is the background p's colours land on in a terminal whose own
// background is terminal: the palette's Background, which the UI paints
// behind the whole screen (ui.Styles.Screen; ui/styles_test.go checks it
// is painted), or, when it has none, the terminal's.
func shownOn(p Palette, terminal string) string {
	if p.Background != "" {
		return p.Background
	}
	return terminal
}

// pairing is one foreground token on the background it is drawn on.
type pairing struct {
	fg, on    string // field names
	fgHex, bg string
	min       float64
}

// Minimum ratios: WCAG 2.x AA for text (1.4.3) and for the borders that
// show where panes are (1.4.11); high-contrast aims at AAA text (1.4.6).
const (
	textAA   = 4.5
	textAAA  = 7
	borderAA = 3
)

// onScreen, onSurface and onSelection say where each token is drawn (see
// ui/styles.go); painted are the backgrounds. Every colour token must be in
// one of them, so a new token cannot dodge the check.
var (
	onScreen = []string{
		"Text", "Muted", "Subtle", "Primary", "Secondary", "Success", "Warning", "Danger", "Info",
		"Request", "Reply", "JSONKey", "JSONString", "JSONNumber", "JSONBool", "JSONNull", "JSONPunct",
	}
	bordersOnScreen = []string{"Border", "BorderFocus"}
	onSurface       = []string{"Text", "Muted", "Danger"} // header and status bars, the unfocused selection
	onSelection     = []string{"SelectedText"}
	painted         = []string{"Background", "Surface", "Selection"}
)

// pairings lists every foreground token of p on the background it lands on
// when the screen shows screen.
func pairings(p Palette, screen string) []pairing {
	c := colourFields(p)
	text := textAA
	if p.Name == "high-contrast" {
		text = textAAA
	}
	var out []pairing
	add := func(fgs []string, on, bg string, min float64) {
		for _, fg := range fgs {
			out = append(out, pairing{fg: fg, on: on, fgHex: c[fg], bg: bg, min: min})
		}
	}
	add(onScreen, "screen", screen, text)
	add(bordersOnScreen, "screen", screen, borderAA)
	add(onSurface, "Surface", c["Surface"], text)
	add(onSelection, "Selection", c["Selection"], text)
	return out
}

func TestEveryColourTokenHasAContrastRule(t *testing.T) {
	known := map[string]bool{}
	for _, group := range [][]string{onScreen, bordersOnScreen, onSurface, onSelection, painted} {
		for _, f := range group {
			known[f] = true
		}
	}
	for name := range colourFields(Palette{}) {
		if !known[name] {
			t.Errorf("Palette.%s has no contrast rule in pairings: say where it is drawn", name)
		}
		delete(known, name)
	}
	for name := range known {
		t.Errorf("pairings names %s, which Palette does not have", name)
	}
}

// TestEveryThemeIsReadableOnDarkAndLightTerminals is the check:
// every theme, shown in a black, a dark grey and a white terminal, holds
// WCAG AA for every text token (4.5:1; 7:1 in high-contrast) and for
// borders (3:1) against what is really behind it. -v logs the weakest.
func TestEveryThemeIsReadableOnDarkAndLightTerminals(t *testing.T) {
	for _, p := range palettes {
		if p.IsMono() {
			continue // no colours: the terminal's own foreground on its own background
		}
		for _, term := range terminals {
			screen := shownOn(p, term.bg)
			minText, minBorder := 21.0, 21.0
			var weakText, weakBorder string
			for _, c := range pairings(p, screen) {
				got := contrast(t, c.fgHex, c.bg)
				if got < c.min {
					t.Errorf("%s theme in a %s terminal: %s %s on %s %s is %.2f:1, want ≥ %.1f:1",
						p.Name, term.name, c.fg, c.fgHex, c.on, c.bg, got, c.min)
				}
				if c.min == borderAA && got < minBorder {
					minBorder, weakBorder = got, c.fg
				} else if c.min != borderAA && got < minText {
					minText, weakText = got, c.fg+" on "+c.on
				}
			}
			t.Logf("%-13s in a %-9s terminal: text ≥ %5.2f:1 (%s), borders ≥ %5.2f:1 (%s)",
				p.Name, term.name, minText, weakText, minBorder, weakBorder)
		}
	}
}

func TestDarkFlagMatchesBackground(t *testing.T) {
	for _, p := range palettes {
		if p.IsMono() || p.Background == "" {
			continue
		}
		if dark := luminance(t, p.Background) < 0.2; dark != p.Dark {
			t.Errorf("%s: Dark = %v but background %s says %v", p.Name, p.Dark, p.Background, dark)
		}
	}
}

// TestColourBlindSafePaletteSeparatesStatusByLightness checks that success
// and danger differ by more than hue, which is what deuteranopia and
// protanopia lose.
func TestColourBlindSafePaletteSeparatesStatusByLightness(t *testing.T) {
	if got := contrast(t, colorBlind.Success, colorBlind.Danger); got < 1.5 {
		t.Errorf("success/danger lightness ratio %.2f:1, want ≥ 1.5:1", got)
	}
	if colorBlind.Success == colorBlind.Danger || colorBlind.Request == colorBlind.Reply {
		t.Error("colorblind palette reuses one colour for opposite meanings")
	}
}

func TestNamesListsEveryPaletteInCycleOrder(t *testing.T) {
	want := []string{"dark", "light", "high-contrast", "colorblind", "mono"}
	if got := Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	names := Names()
	names[0] = "changed"
	if Names()[0] != "dark" {
		t.Fatal("Names() hands out the package's own slice")
	}
	for _, n := range want {
		if p, err := ByName(n); err != nil || p.Name != n {
			t.Errorf("ByName(%q) = %q, %v", n, p.Name, err)
		}
	}
}

func TestByNameIsCaseInsensitiveAndListsKnownNamesOnError(t *testing.T) {
	p, err := ByName("High-Contrast")
	if err != nil || p.Name != "high-contrast" {
		t.Fatalf("ByName(High-Contrast) = %q, %v", p.Name, err)
	}
	for _, bad := range []string{"drak", "", "solarized"} {
		_, err = ByName(bad)
		want := fmt.Sprintf("unknown theme %q (known: dark, light, high-contrast, colorblind, mono, or auto)", bad)
		if err == nil || err.Error() != want {
			t.Errorf("ByName(%q) error = %v, want %s", bad, err, want)
		}
	}
	for _, auto := range []string{Auto, "AUTO"} {
		if _, err := ByName(auto); err == nil || !strings.Contains(err.Error(), "not a palette") {
			t.Errorf("ByName(%q) error = %v, want one saying auto is not a palette", auto, err)
		}
	}
}

func TestNextCyclesThroughEveryPaletteAndWraps(t *testing.T) {
	seen := map[string]bool{}
	name := "dark"
	for range palettes {
		seen[name] = true
		name = Next(name).Name
	}
	if name != "dark" || len(seen) != len(palettes) {
		t.Fatalf("cycle visited %v and ended at %q", seen, name)
	}
	if Next("nonsense").Name != palettes[0].Name {
		t.Fatal("an unknown name should start the cycle")
	}
}

func TestDefaultFollowsBackground(t *testing.T) {
	if !Default(true).Dark || Default(false).Dark {
		t.Fatal("Default(dark) should pick a palette for that background")
	}
}
