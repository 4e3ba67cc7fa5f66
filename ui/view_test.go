package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// checkFrame asserts the frame is exactly width × height cells.
func checkFrame(t *testing.T, m *Model, what string) {
	t.Helper()
	out := m.render()
	if m.width == 0 || m.height == 0 {
		if out != "" {
			t.Fatalf("%s: drew %q with no size", what, out)
		}
		return
	}
	lines := strings.Split(out, "\n")
	if len(lines) != m.height {
		t.Fatalf("%s: %d lines, want %d", what, len(lines), m.height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != m.width {
			t.Fatalf("%s: line %d is %d cells wide, want %d: %q", what, i, w, m.width, ansi.Strip(l))
		}
	}
}

// TestEveryPaneFitsEverySizeWithoutPanicking draws list, detail tabs,
// compose, filter and help at every size from 1×1 up, then a resize storm.
func TestEveryPaneFitsEverySizeWithoutPanicking(t *testing.T) {
	m, _ := testModel(t, 80, 24, "dark", 3)
	states := map[string]func(){
		"list":    func() {},
		"pair":    func() { press(m, "g", "h") },
		"hex":     func() { press(m, "l", "l", "l") },
		"compose": func() { press(m, "c") },
		"filter":  func() { press(m, "esc", "esc", "/") },
		"help":    func() { press(m, "esc", "?") },
	}
	for _, name := range []string{"list", "pair", "hex", "compose", "filter", "help"} {
		states[name]()
		for w := 0; w <= 130; w += 7 {
			for h := 0; h <= 50; h += 3 {
				m.Update(tea.WindowSizeMsg{Width: w, Height: h})
				checkFrame(t, m, fmt.Sprintf("%s at %dx%d", name, w, h))
			}
		}
	}
	for i := range 500 { // resize storm with traffic
		m.Update(tea.WindowSizeMsg{Width: (i * 37) % 220, Height: (i * 13) % 70})
		if i%50 == 0 {
			fillStore(m.env.store, 1)
			m.Update(frameMsg{})
		}
		checkFrame(t, m, fmt.Sprintf("storm %d", i))
	}
}

func TestTooSmallTerminalSaysSo(t *testing.T) {
	m, _ := testModel(t, 59, 20, "dark", 1)
	if !strings.Contains(screen(m), "terminal too small") {
		t.Fatalf("59 columns should be too small:\n%s", screen(m))
	}
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 15})
	if strings.Contains(screen(m), "too small") {
		t.Fatal("60×15 should draw the full layout")
	}
}

// TestGoldenView pins the rendered screen at three sizes in two themes.
// Refresh with: go test ./ui -run TestGoldenView -update
func TestGoldenView(t *testing.T) {
	sizes := [][2]int{{60, 15}, {100, 30}, {200, 50}}
	for _, theme := range []string{"dark", "light"} {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", theme, sz[0], sz[1]), func(t *testing.T) {
				m, _ := testModel(t, sz[0], sz[1], theme, 6)
				press(m, "g", "j", "j") // the second request: not the newest row
				golden.RequireEqual(t, m.render())
			})
		}
	}
}

// TestGoldenCompose pins compose with a reply shown.
func TestGoldenCompose(t *testing.T) {
	m, _ := testModel(t, 160, 45, "dark", 2)
	press(m, "g", "c")
	m.compose.inputs[fieldID].SetValue("0123456789abcdef0123456789abcdef")
	m.compose.revalidate()
	m.compose.result = &requestResult{resp: testResponse()}
	golden.RequireEqual(t, m.render())
}

func TestMonoThemeDrawsNoColours(t *testing.T) {
	m, _ := testModel(t, 120, 30, "mono", 2)
	if out := m.render(); strings.Contains(out, "38;2;") || strings.Contains(out, "48;2;") {
		t.Fatal("the mono palette (NO_COLOR) must not emit colours")
	}
}
