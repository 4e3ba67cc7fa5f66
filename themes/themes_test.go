package themes

import (
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

func parseHex(t *testing.T, s string) [3]float64 {
	t.Helper()
	if len(s) != 7 || s[0] != '#' {
		t.Fatalf("colour %q is not #RRGGBB", s)
	}
	var rgb [3]float64
	for i := range 3 {
		n, err := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", s, err)
		}
		rgb[i] = float64(n) / 255
	}
	return rgb
}

// luminance is the WCAG 2 relative luminance.
func luminance(t *testing.T, hex string) float64 {
	rgb := parseHex(t, hex)
	for i, c := range rgb {
		if c <= 0.03928 {
			rgb[i] = c / 12.92
		} else {
			rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestEveryColouredPaletteSetsEveryTokenAsHex(t *testing.T) {
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
				t.Errorf("%s: token %s is not set", p.Name, name)
				continue
			}
			parseHex(t, c)
		}
	}
}

// TestTextIsReadable pins WCAG contrast: body and JSON text at least 4.5:1
// against the background (7:1 for high-contrast), the selected row's text
// against the selection, and secondary text at least 3:1.
func TestTextIsReadable(t *testing.T) {
	for _, p := range palettes {
		if p.IsMono() {
			continue
		}
		strong := 4.5
		if p.Name == "high-contrast" {
			strong = 7
		}
		checks := []struct {
			fg, bg, what string
			min          float64
		}{
			{p.Text, p.Background, "Text", strong},
			{p.Text, p.Surface, "Text on Surface", strong},
			{p.SelectedText, p.Selection, "SelectedText on Selection", strong},
			{p.Muted, p.Background, "Muted", 4.5},
			{p.Subtle, p.Background, "Subtle", 3},
			{p.Primary, p.Background, "Primary", 4.5},
			{p.Danger, p.Background, "Danger", 4.5},
			{p.Warning, p.Background, "Warning", 4.5},
			{p.Success, p.Background, "Success", 4.5},
			{p.JSONKey, p.Background, "JSONKey", 4.5},
			{p.JSONString, p.Background, "JSONString", 4.5},
			{p.JSONNumber, p.Background, "JSONNumber", 4.5},
			{p.JSONBool, p.Background, "JSONBool", 4.5},
			{p.JSONNull, p.Background, "JSONNull", 4.5},
			{p.JSONPunct, p.Background, "JSONPunct", 3},
		}
		for _, c := range checks {
			if got := contrast(t, c.fg, c.bg); got < c.min {
				t.Errorf("%s: %s contrast %.2f:1, want ≥ %.1f:1", p.Name, c.what, got, c.min)
			}
		}
	}
}

func TestDarkFlagMatchesBackground(t *testing.T) {
	for _, p := range palettes {
		if p.IsMono() {
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

func TestByNameIsCaseInsensitiveAndListsKnownNamesOnError(t *testing.T) {
	p, err := ByName("High-Contrast")
	if err != nil || p.Name != "high-contrast" {
		t.Fatalf("ByName(High-Contrast) = %q, %v", p.Name, err)
	}
	_, err = ByName("solarized")
	if err == nil || !strings.Contains(err.Error(), "dark, light, high-contrast, colorblind, mono") {
		t.Fatalf("ByName(solarized) error = %v, want the list of names", err)
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
