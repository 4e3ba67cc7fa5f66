package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mqscope/store"
	"mqscope/themes"
)

// onKey handles a key press: ctrl+c quits from anywhere, and every other
// key goes where the mode routes it.
func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	cmd := route(m.mode).key(m, msg)
	m.noteFollow()
	return cmd
}

// onPaste gives a paste to the text field of the mode, if it has one.
func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	return route(m.mode).paste(m, msg)
}

// paneKey handles a key while the list or the detail pane has the
// keyboard: the global bindings, then moving.
func (m *Model) paneKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.env.offline != "" && (msg.String() == "c" || msg.String() == "w" || msg.String() == "b") {
		return m.setStatus("browsing a recording: there is no broker to send to or watch", true)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.openOverlay(modeHelp)
	case key.Matches(msg, k.NextPane):
		m.nextPane()
	case key.Matches(msg, k.Back):
		m.back()
	case key.Matches(msg, k.Filter):
		return m.startFilter()
	case key.Matches(msg, k.Pause):
		m.togglePause()
	case key.Matches(msg, k.Clear):
		m.clear()
	case key.Matches(msg, k.Theme):
		return m.nextTheme()
	case key.Matches(msg, k.Compose):
		return m.openCompose()
	case key.Matches(msg, k.Pair):
		return m.jumpToPair()
	case key.Matches(msg, k.Watch):
		return m.repick()
	case key.Matches(msg, k.Board):
		return m.openBoard()
	case key.Matches(msg, k.LastMessage):
		m.openOverlay(modeMessage)
	case key.Matches(msg, k.CopyBody):
		return m.copySelected(copyBody)
	case key.Matches(msg, k.CopyWire):
		return m.copySelected(copyWire)
	case key.Matches(msg, k.CopyID):
		return m.copySelected(copyID)
	case key.Matches(msg, k.Mark):
		return m.toggleMark()
	case key.Matches(msg, k.ResendRow):
		return m.resendSelected()
	case key.Matches(msg, k.ResendMarked):
		return m.resendMarked()
	case key.Matches(msg, k.Diff):
		return m.openDiff()
	case key.Matches(msg, k.Export):
		return m.openExport()
	case key.Matches(msg, k.PrevTab):
		m.detail.nextTab(-1)
	case key.Matches(msg, k.NextTab):
		m.detail.nextTab(1)
	default:
		m.navigate(msg)
	}
	return nil
}

// helpKey closes the help: any key does.
func (m *Model) helpKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.mode == modeHelp {
		switch {
		case key.Matches(msg, k.Down):
			m.helpScroll++
			return nil
		case key.Matches(msg, k.Up):
			m.helpScroll--
			return nil
		case key.Matches(msg, k.PageDown):
			m.helpScroll += max(m.height/2, 1)
			return nil
		case key.Matches(msg, k.PageUp):
			m.helpScroll -= max(m.height/2, 1)
			return nil
		}
	}
	m.helpScroll = 0
	m.closeOverlay()
	return nil
}

// nextTheme switches to the next theme and stops following the terminal.
func (m *Model) nextTheme() tea.Cmd {
	m.autoTheme = false
	m.setPalette(themes.Next(m.st.Palette.Name))
	return m.setStatus("theme "+m.st.Palette.Name, false)
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
		if m.mode == modeDetail {
			m.detail.scroll = 0
		} else {
			m.list.top(m.view)
		}
		return
	case key.Matches(msg, k.Bottom):
		if m.mode == modeDetail {
			m.detail.scrollBy(maxDetailLines)
		} else {
			m.list.bottom(m.view)
		}
		return
	}
	if delta == 0 {
		return
	}
	if m.mode == modeDetail {
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
	} else if !m.composeOpen() {
		m.detail.scrollBy(delta)
	}
	m.noteFollow()
}

// nextPane moves the keyboard between the list and the detail pane.
func (m *Model) nextPane() {
	if m.mode == modeDetail {
		m.setMode(modeList)
		return
	}
	m.setMode(modeDetail)
}

// back leaves the detail pane for the list.
func (m *Model) back() { m.setMode(modeList) }

func (m *Model) togglePause() {
	m.paused = !m.paused
	m.keys.setPaused(m.paused)
	if !m.paused {
		m.list.sync(m.view)
	}
}

// clear empties the store (and so the list); the filter stays.
func (m *Model) clear() {
	m.env.store.Clear()
	m.view = m.env.store.NewView(m.view.Filter())
	m.list.reset()
	m.verdicts.reset()
	m.detail.scroll = 0
	m.marks.prune(m.env.store)
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
	m.openOverlay(modeFilter)
	m.filterErr = ""
	if f := m.view.Filter(); f != nil {
		m.filterInput.SetValue(f.String())
	}
	m.filterInput.CursorEnd()
	return m.filterInput.Focus()
}

// filterKey edits the filter; enter applies it (an empty one shows all),
// esc leaves it as it was.
func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.filterInput.Blur()
		m.closeOverlay()
		return nil
	case key.Matches(msg, m.keys.Apply):
		return m.applyFilter(m.filterInput.Value())
	}
	return m.editFilter(msg)
}

// editFilter types into the filter line. An error belongs to the filter
// it was found in: once the text changes it no longer applies.
func (m *Model) editFilter(msg tea.Msg) tea.Cmd {
	before := m.filterInput.Value()
	var cmd tea.Cmd
	m.filterInput, cmd = m.filterInput.Update(msg)
	if m.filterInput.Value() != before && m.filterErr != "" {
		m.filterErr = ""
		m.resize(m.width, m.height)
	}
	return cmd
}

// applyFilter switches the list to a view of the messages q matches.
func (m *Model) applyFilter(q string) tea.Cmd {
	var f *store.Filter
	if strings.TrimSpace(q) != "" {
		parsed, err := store.ParseFilter(q)
		if err != nil {
			m.filterErr = err.Error()
			m.resize(m.width, m.height)
			return nil
		}
		f = parsed
	}
	m.filterErr = ""
	m.filterInput.Blur()
	m.view = m.env.store.NewView(f)
	m.list.reset()
	m.closeOverlay()
	m.list.sync(m.view)
	return nil
}

// filterPaste types a paste into the filter line.
func (m *Model) filterPaste(msg tea.PasteMsg) tea.Cmd {
	return m.editFilter(msg)
}
