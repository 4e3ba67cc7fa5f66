package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// uiMode is what the UI is doing. It alone decides which pane gets key
// presses and pastes, what the footer offers, which panes are on screen
// and which of them is drawn focused: route reads it, and nothing else
// keeps a second opinion.
type uiMode int

const (
	modePicker  uiMode = iota // the start-up picker fills the screen
	modeList                  // the list has the keys; the detail pane is below it
	modeDetail                // the detail pane has the keys
	modeCompose               // compose replaces the detail pane and has the keys
	modeFilter                // the filter line is typed over the panes of Model.under
	modeHelp                  // the full help covers the panes of Model.under
	modeMessage               // the last status message, in full, covers the panes of Model.under
	modeBoard                 // the service board replaces the list and the detail pane
	modeDiff                  // the diff of two messages covers the panes of Model.under (diffview.go)
	modeExport                // the export file name is typed over the panes of Model.under (exportview.go)
)

var modeNames = [...]string{
	modePicker: "picker", modeList: "list", modeDetail: "detail", modeCompose: "compose",
	modeFilter: "filter", modeHelp: "help", modeMessage: "message", modeBoard: "board", modeDiff: "diff", modeExport: "export",
}

func (md uiMode) String() string {
	if md < 0 || int(md) >= len(modeNames) {
		return "mode?"
	}
	return modeNames[md]
}

// overlay reports whether md covers another mode (the filter line, the
// help) rather than being one of the pane layouts.
func (md uiMode) overlay() bool {
	return md == modeFilter || md == modeHelp || md == modeMessage || md == modeDiff || md == modeExport
}

// modeRoute is where one mode sends input, and what it offers in the
// footer.
type modeRoute struct {
	key    func(*Model, tea.KeyPressMsg) tea.Cmd
	paste  func(*Model, tea.PasteMsg) tea.Cmd
	footer func(keyMap) []key.Binding
}

// route is the one place that maps a mode to the handler of its key
// presses, the handler of its pastes and its footer bindings. onKey,
// onPaste and renderFooter ask it; none of them looks at anything else.
func route(md uiMode) modeRoute {
	switch md {
	case modePicker:
		return modeRoute{(*Model).pickerKey, (*Model).pickerPaste, keyMap.pickerShort}
	case modeFilter:
		return modeRoute{(*Model).filterKey, (*Model).filterPaste, keyMap.filterShort}
	case modeCompose:
		return modeRoute{(*Model).composeKey, (*Model).composePaste, keyMap.composeShort}
	case modeDiff:
		return modeRoute{(*Model).diffKey, (*Model).dropPaste, keyMap.diffShort}
	case modeExport:
		return modeRoute{(*Model).exportKey, (*Model).exportPaste, keyMap.promptShort}
	case modeHelp:
		return modeRoute{(*Model).helpKey, (*Model).dropPaste, keyMap.helpShort}
	case modeMessage:
		return modeRoute{(*Model).helpKey, (*Model).dropPaste, keyMap.messageShort}
	case modeDetail:
		return modeRoute{(*Model).paneKey, (*Model).dropPaste, keyMap.detailShort}
	case modeBoard:
		return modeRoute{(*Model).boardKey, (*Model).dropPaste, keyMap.boardShort}
	}
	return modeRoute{(*Model).paneKey, (*Model).dropPaste, keyMap.listShort}
}

// panes is the mode whose panes are on screen: the one an overlay covers,
// else the mode itself.
func (m *Model) panes() uiMode {
	if m.mode.overlay() {
		return m.under
	}
	return m.mode
}

// composeOpen reports whether compose is the lower pane.
func (m *Model) composeOpen() bool { return m.panes() == modeCompose }

// setMode switches to md and lays the screen out again: compose and the
// filter line change how the rows are shared.
func (m *Model) setMode(md uiMode) {
	m.mode = md
	m.resize(m.width, m.height)
}

// openOverlay covers the current panes with md; closeOverlay returns to
// them.
func (m *Model) openOverlay(md uiMode) {
	m.under = m.mode
	m.setMode(md)
}

func (m *Model) closeOverlay() { m.setMode(m.under) }

// dropPaste is the paste handler of the modes with no text field: a paste
// there is not a command.
func (m *Model) dropPaste(tea.PasteMsg) tea.Cmd { return nil }
