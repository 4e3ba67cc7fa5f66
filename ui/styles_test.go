package ui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mqscope/themes"
)

// painted is the background a frame paints behind the whole screen, as
// #RRGGBB, or "" when the terminal's own shows.
func painted(m *Model) string {
	c := m.View().BackgroundColor
	if c == nil {
		return ""
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02X%02X%02X", r>>8, g>>8, b>>8)
}

// TestChosenThemePaintsItsBackground: the themes' contrast is tested
// against their Background, which only holds if the UI paints it.
func TestChosenThemePaintsItsBackground(t *testing.T) {
	for _, name := range themes.Names() {
		p, err := themes.ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := testModel(t, 100, 30, name, 1)
		if got := painted(m); got != p.Background {
			t.Errorf("theme %s paints %q, want its background %q", name, got, p.Background)
		}
	}
}

func TestThemeKeyPaintsTheNextThemesBackground(t *testing.T) {
	m, _ := testModel(t, 100, 30, "dark", 1)
	press(m, "t")
	if p, _ := themes.ByName("light"); painted(m) != p.Background || p.Background == "" {
		t.Fatalf("after t from dark the screen is %q, want light's %q", painted(m), p.Background)
	}
}

// TestAutoThemePaintsOnlyOnceTheTerminalAnswered: painting before the
// terminal reports its background would make it report the painted one.
func TestAutoThemePaintsOnlyOnceTheTerminalAnswered(t *testing.T) {
	m, _ := testModel(t, 100, 30, "", 1)
	if got := painted(m); got != "" {
		t.Fatalf("auto theme paints %s before the terminal told its background", got)
	}
	m.Update(tea.BackgroundColorMsg{Color: white})
	if got, want := painted(m), themes.Default(false).Background; got != want || want == "" {
		t.Fatalf("auto theme on a white terminal paints %q, want %q", got, want)
	}
}

func TestNoColorPaintsNothing(t *testing.T) {
	m, _ := testModel(t, 100, 30, "", 1)
	m.env.noColor = true
	m.autoTheme = false
	m.setPalette(initialPalette(m.env))
	if got := painted(m); got != "" {
		t.Fatalf("NO_COLOR paints %s", got)
	}
}
