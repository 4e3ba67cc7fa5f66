package ui

import "charm.land/bubbles/v2/key"

// keyMap declares every binding once. The same data answers key presses
// (key.Matches), renders the short footer and the full help (help.go).
type keyMap struct {
	Quit, Help, NextPane, Back        key.Binding
	Up, Down, PageUp, PageDown        key.Binding
	Top, Bottom                       key.Binding
	PrevTab, NextTab                  key.Binding
	Filter, Pause, Clear, Theme       key.Binding
	CopyBody, CopyWire, CopyID        key.Binding
	Compose, Pair, Watch, LastMessage key.Binding
	Send, Resend, SaveTemplate        key.Binding
	NextTemplate, DeleteTemplate      key.Binding
	NextField, PrevField              key.Binding
	Apply                             key.Binding
	Board, DeleteOrphan, Redrive      key.Binding // the service board's
	Confirm                           key.Binding // confirms what the board asks
	ResendRow, Mark, ResendMarked     key.Binding // resend.go, marks.go
	Diff, Export                      key.Binding // diffview.go, exportview.go
	Move, Choose, ForceQuit           key.Binding // the picker's, where letters type
	CloseHelp                         key.Binding // only shown: any key but scrolling closes the help
	CloseAny                          key.Binding // only shown: any key closes the message
	CancelAny                         key.Binding // only shown: any other key cancels a confirmation
}

func newKeyMap() keyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Quit:           b("q", "quit", "q", "ctrl+c"),
		Help:           b("?", "help", "?"),
		NextPane:       b("tab", "next pane", "tab"),
		Back:           b("esc", "back", "esc"),
		Up:             b("↑/k", "up", "up", "k"),
		Down:           b("↓/j", "down", "down", "j"),
		PageUp:         b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown:       b("pgdn", "page down", "pgdown", "ctrl+d"),
		Top:            b("g", "oldest", "g", "home"),
		Bottom:         b("G", "newest (follow)", "G", "end"),
		PrevTab:        b("←/h", "prev tab", "left", "h", "shift+tab"),
		NextTab:        b("→/l", "next tab", "right", "l"),
		Filter:         b("/", "filter", "/"),
		Pause:          b("space", "pause", "space"),
		Clear:          b("x", "clear", "x"),
		Theme:          b("t", "next theme", "t"),
		CopyBody:       b("y", "copy body (JSON)", "y"),
		CopyWire:       b("Y", "copy wire body", "Y"),
		CopyID:         b("i", "copy message_id", "i"),
		Compose:        b("c", "compose", "c"),
		Pair:           b("p", "jump request ⇄ reply", "p"),
		Watch:          b("w", "change what is watched", "w"),
		LastMessage:    b("!", "messages in full", "!"),
		Send:           b("ctrl+s", "send", "ctrl+s"),
		Resend:         b("ctrl+r", "re-send last (new id)", "ctrl+r"),
		SaveTemplate:   b("ctrl+t", "save template", "ctrl+t"),
		NextTemplate:   b("ctrl+o", "load next template", "ctrl+o"),
		DeleteTemplate: b("ctrl+x", "delete loaded template", "ctrl+x"),
		NextField:      b("tab", "next field", "tab"),
		PrevField:      b("shift+tab", "prev field", "shift+tab"),
		Apply:          b("enter", "apply", "enter"),
		Board:          b("b", "service board", "b"),
		DeleteOrphan:   b("D", "delete orphan reply queue", "D"),
		Redrive:        b("M", "redrive dead-letter queue", "M"),
		Confirm:        b("y", "confirm", "y"),
		ResendRow:      b("r", "re-send request", "r"),
		Mark:           b("m", "mark", "m"),
		ResendMarked:   b("R", "re-send marked", "R"),
		Diff:           b("d", "diff", "d"),
		Export:         b("e", "export view", "e"),
		Move:           b("↑/↓", "move", "up", "down"),
		Choose:         b("enter", "choose", "enter"),
		ForceQuit:      b("ctrl+c", "quit", "ctrl+c"),
		CloseHelp:      b("any other key", "close", "esc"),
		CloseAny:       b("any key", "close", "esc"),
		CancelAny:      b("any other key", "cancel", "esc"),
	}
}

// listShort is the footer while the list has focus.
func (k keyMap) listShort() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Filter, k.Compose, k.Pair, k.CopyBody, k.Pause, k.Watch, k.Board, k.NextPane, k.Help, k.Quit}
}

// boardShort is the footer of the service board.
func (k keyMap) boardShort() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.DeleteOrphan, k.Redrive, k.Back, k.Help, k.Quit}
}

// confirmShort is the footer while the board waits for a confirmation.
func (k keyMap) confirmShort() []key.Binding {
	return []key.Binding{k.Confirm, k.CancelAny}
}

// detailShort is the footer while the detail pane has focus.
func (k keyMap) detailShort() []key.Binding {
	return []key.Binding{k.PrevTab, k.NextTab, k.Up, k.Down, k.Pair, k.CopyBody, k.CopyWire, k.Back, k.Help, k.Quit}
}

// composeShort is the footer while compose has focus.
func (k keyMap) composeShort() []key.Binding {
	return []key.Binding{k.Send, k.NextField, k.Resend, k.SaveTemplate, k.NextTemplate, k.Back}
}

// filterShort is the footer while the filter is being typed.
func (k keyMap) filterShort() []key.Binding {
	return []key.Binding{k.Apply, k.Back}
}

// pickerShort is the footer of the start-up picker.
func (k keyMap) pickerShort() []key.Binding {
	return []key.Binding{k.Move, k.Choose, k.Back, k.ForceQuit}
}

// diffShort is the footer of the diff view.
func (k keyMap) diffShort() []key.Binding {
	copyDiff := k.CopyBody
	copyDiff.SetHelp(k.CopyBody.Help().Key, "copy diff as text")
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, copyDiff, k.Back}
}

// promptShort is the footer while a file name is typed (export).
func (k keyMap) promptShort() []key.Binding {
	return []key.Binding{k.Apply, k.Back}
}

// helpShort is the footer while the full help is shown.
func (k keyMap) helpShort() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageDown, k.CloseHelp, k.ForceQuit}
}

// messageShort is the footer while a message is shown in full (!).
func (k keyMap) messageShort() []key.Binding {
	return []key.Binding{k.CloseAny, k.ForceQuit}
}

// offline hides and turns off what needs a live session, for browsing a
// recording: nothing arrives, so there is nothing to pause, to compose or
// to watch. r and R stay: they re-send through the configured broker, or
// say why there is none (resend.go).
func (k *keyMap) offline() {
	for _, b := range []*key.Binding{&k.Pause, &k.Compose, &k.Watch, &k.Send, &k.Resend, &k.Board,
		&k.NextField, &k.PrevField, &k.SaveTemplate, &k.NextTemplate, &k.DeleteTemplate} {
		b.SetEnabled(false)
	}
}

// setPaused makes the pause key say what it will do.
func (k *keyMap) setPaused(paused bool) {
	if paused {
		k.Pause.SetHelp("space", "resume")
	} else {
		k.Pause.SetHelp("space", "pause")
	}
}

// full is the help screen: one titled column per group.
func (k keyMap) full() []helpGroup {
	return []helpGroup{
		{"Move", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.NextPane, k.PrevTab, k.NextTab}},
		{"Live", []key.Binding{k.Filter, k.Pair, k.Pause, k.Watch, k.LastMessage, k.Clear, k.Theme, k.Help, k.Back, k.Quit}},
		{"Copy", []key.Binding{k.CopyBody, k.CopyWire, k.CopyID}},
		{"Compose", []key.Binding{k.Compose, k.Send, k.Resend, k.NextField, k.PrevField, k.SaveTemplate, k.NextTemplate, k.DeleteTemplate}},
		{"Board", []key.Binding{k.Board, k.DeleteOrphan, k.Redrive, k.Confirm}},
		{"Act", []key.Binding{k.ResendRow, k.Mark, k.ResendMarked, k.Diff, k.Export}},
	}
}
