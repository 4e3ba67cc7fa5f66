package ui

import tea "charm.land/bubbletea/v2"

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
