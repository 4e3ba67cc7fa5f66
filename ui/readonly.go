package ui

import (
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// readOnlyBadge marks the header in read-only mode, for as long as
// mqscope runs: nothing it does changes the broker.
const readOnlyBadge = "READ-ONLY "

// refuseSend puts the read-only refusal of sending (compose, send,
// re-send) in the status bar; nil when mqscope may send.
func (m *Model) refuseSend() tea.Cmd {
	if err := m.env.readOnly.Refuse("compose would publish requests"); err != nil {
		return m.setStatus(err.Error(), true)
	}
	return nil
}

// offered drops from a footer the keys read-only mode refuses (compose,
// re-send, delete, redrive): pressed, they still answer with the refusal,
// but a footer offers only what can be done.
func (m *Model) offered(bindings []key.Binding) []key.Binding {
	if m.env.readOnly == nil {
		return bindings
	}
	k := m.keys
	refused := map[string]bool{}
	for _, b := range []key.Binding{k.Compose, k.ResendRow, k.ResendMarked, k.DeleteOrphan, k.Redrive} {
		refused[b.Help().Key] = true
	}
	return slices.DeleteFunc(slices.Clone(bindings), func(b key.Binding) bool { return refused[b.Help().Key] })
}
