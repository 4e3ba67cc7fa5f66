package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mqscope/store"
	"mqscope/themes"
)

// onKey routes a key press: quit and help first, then whatever has the
// keyboard (picker, filter, compose), then the global bindings.
func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case msg.String() == "ctrl+c":
		return tea.Quit
	case m.showHelp:
		m.showHelp = false
		return nil
	case m.picker != nil:
		return m.pickerKey(msg)
	case m.filtering:
		return m.filterKey(msg)
	case m.focus == paneCompose && m.showing:
		return m.composeKey(msg)
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.NextPane):
		return m.nextPane()
	case key.Matches(msg, k.Back):
		m.back()
	case key.Matches(msg, k.Filter):
		return m.startFilter()
	case key.Matches(msg, k.Pause):
		m.togglePause()
	case key.Matches(msg, k.Clear):
		m.clear()
	case key.Matches(msg, k.Theme):
		m.autoTheme = false
		m.setPalette(themes.Next(m.st.Palette.Name))
		return m.setStatus("theme "+m.st.Palette.Name, false)
	case key.Matches(msg, k.Compose):
		return m.openCompose()
	case key.Matches(msg, k.CopyBody):
		return m.copySelected(copyBody)
	case key.Matches(msg, k.CopyWire):
		return m.copySelected(copyWire)
	case key.Matches(msg, k.CopyID):
		return m.copySelected(copyID)
	case key.Matches(msg, k.PrevTab):
		m.detail.nextTab(-1)
	case key.Matches(msg, k.NextTab):
		m.detail.nextTab(1)
	default:
		m.navigate(msg)
	}
	return nil
}

// navigate moves the list selection or scrolls the detail pane.
func (m *Model) navigate(msg tea.KeyPressMsg) {
	k := m.keys
	page := max(m.list.height-1, 1)
	delta := 0
	switch {
	case key.Matches(msg, k.Up):
		delta = -1
	case key.Matches(msg, k.Down):
		delta = 1
	case key.Matches(msg, k.PageUp):
		delta = -page
	case key.Matches(msg, k.PageDown):
		delta = page
	case key.Matches(msg, k.Top):
		if m.focus == paneDetail {
			m.detail.scroll = 0
		} else {
			m.list.top(m.view)
		}
		return
	case key.Matches(msg, k.Bottom):
		if m.focus == paneDetail {
			m.detail.scrollBy(maxDetailLines)
		} else {
			m.list.bottom(m.view)
		}
		return
	}
	if delta == 0 {
		return
	}
	if m.focus == paneDetail {
		m.detail.scrollBy(delta)
		return
	}
	m.list.move(m.view, delta)
}

// onWheel scrolls whatever is under the mouse.
func (m *Model) onWheel(mouse tea.Mouse) {
	delta := 3
	switch mouse.Button {
	case tea.MouseWheelUp:
		delta = -3
	case tea.MouseWheelDown:
	default:
		return
	}
	l := m.layout()
	if mouse.Y < l.header+l.alert+l.list {
		m.list.move(m.view, delta)
	} else if !m.showing {
		m.detail.scrollBy(delta)
	}
}

// nextPane cycles list → detail or compose → list.
func (m *Model) nextPane() tea.Cmd {
	switch {
	case m.focus != paneList:
		m.focus = paneList
	case m.showing:
		m.focus = paneCompose
		return m.compose.focus(m.compose.field)
	default:
		m.focus = paneDetail
	}
	return nil
}

// back leaves the detail pane, or closes compose when the list has focus.
func (m *Model) back() {
	if m.focus == paneList && m.showing {
		m.showing = false
		m.resize(m.width, m.height)
	}
	m.focus = paneList
}

func (m *Model) togglePause() {
	m.paused = !m.paused
	if !m.paused {
		m.list.sync(m.view)
	}
}

// clear empties the store (and so the list); the filter stays.
func (m *Model) clear() {
	m.env.store.Clear()
	m.view = m.env.store.NewView(m.view.Filter())
	m.list.reset()
	m.detail.scroll = 0
}

// copySelected copies part of the selected message.
func (m *Model) copySelected(kind copyKind) tea.Cmd {
	e, _ := m.selected()
	if e == nil {
		return m.setStatus("nothing selected to copy", true)
	}
	what, text, ok := copyText(e, kind)
	if !ok {
		return m.setStatus("the selected message has no "+[]string{"decoded body", "wire body", "message_id"}[kind], true)
	}
	return copyCmd(what, text)
}

// startFilter opens the filter line with the current filter to edit.
func (m *Model) startFilter() tea.Cmd {
	m.filtering = true
	m.filterErr = ""
	if f := m.view.Filter(); f != nil {
		m.filterInput.SetValue(f.String())
	}
	m.filterInput.CursorEnd()
	m.resize(m.width, m.height)
	return m.filterInput.Focus()
}

// filterKey edits the filter; enter applies it (an empty one shows all),
// esc leaves it as it was.
func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.filtering = false
		m.filterInput.Blur()
		m.resize(m.width, m.height)
		return nil
	case key.Matches(msg, m.keys.Apply):
		return m.applyFilter(m.filterInput.Value())
	}
	var cmd tea.Cmd
	m.filterInput, cmd = m.filterInput.Update(msg)
	return cmd
}

// applyFilter switches the list to a view of the messages q matches.
func (m *Model) applyFilter(q string) tea.Cmd {
	var f *store.Filter
	if strings.TrimSpace(q) != "" {
		parsed, err := store.ParseFilter(q)
		if err != nil {
			m.filterErr = err.Error()
			return nil
		}
		f = parsed
	}
	m.filtering, m.filterErr = false, ""
	m.filterInput.Blur()
	m.view = m.env.store.NewView(f)
	m.list.reset()
	m.resize(m.width, m.height)
	m.list.sync(m.view)
	return nil
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.filtering:
		var cmd tea.Cmd
		m.filterInput, cmd = m.filterInput.Update(msg)
		return cmd
	case m.focus == paneCompose && m.showing:
		return m.compose.update(msg)
	}
	return nil
}
