package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mqscope/connector/neonwire"
)

// openCompose shows compose prefilled as composeStart decides: from the
// selected row's request, saying so.
func (m *Model) openCompose() tea.Cmd {
	if refused := m.refuseSend(); refused != nil {
		return refused
	}
	replyQueue := ""
	if m.req != nil {
		replyQueue = m.req.ReplyQueue()
	}
	start := m.composeStart()
	m.setMode(modeCompose)
	return tea.Batch(m.compose.open(start, replyQueue), m.checkComposeTarget())
}

// closeCompose takes compose off the screen and gives the keyboard back to
// the list. What was typed stays for ctrl+r; c prefills afresh.
func (m *Model) closeCompose() {
	m.compose.blur()
	m.setMode(modeList)
}

// composePaste types a paste into the compose field that has the keyboard.
func (m *Model) composePaste(msg tea.PasteMsg) tea.Cmd {
	if m.compose.naming != nil {
		var cmd tea.Cmd
		*m.compose.naming, cmd = m.compose.naming.Update(msg)
		return cmd
	}
	return m.editTarget(func() tea.Cmd { return m.compose.update(msg) })
}

// composeKey handles a key while compose has the keyboard: esc closes it.
func (m *Model) composeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	c := &m.compose
	switch {
	case c.naming != nil:
		return m.namingKey(msg)
	case key.Matches(msg, k.Back):
		m.closeCompose()
		return nil
	case key.Matches(msg, k.Send, k.Resend) && m.env.offline != "":
		return m.setStatus("browsing a recording: there is no broker to send to", true)
	case key.Matches(msg, k.Send, k.Resend) && m.env.readOnly != nil:
		return m.refuseSend()
	case key.Matches(msg, k.Send):
		return m.sendCmd(c.send(m.env.ctx, m.req, m.env.now()))
	case key.Matches(msg, k.Resend):
		return m.sendCmd(c.resend(m.env.ctx, m.req, m.env.now()))
	case key.Matches(msg, k.SaveTemplate):
		return m.saveTemplate()
	case key.Matches(msg, k.NextTemplate):
		return loadTemplatesCmd(m.env.service, c.queue())
	case key.Matches(msg, k.DeleteTemplate):
		return m.deleteTemplate()
	case key.Matches(msg, k.NextField):
		return c.focus(c.field + 1)
	case key.Matches(msg, k.PrevField):
		return c.focus(c.field - 1)
	case c.field == fieldResult:
		return m.resultKey(msg)
	}
	return m.editTarget(func() tea.Cmd { return c.update(msg) })
}

// editTarget runs edit and, when it changed the target queue or the
// expiration, has the new target checked.
func (m *Model) editTarget(edit func() tea.Cmd) tea.Cmd {
	queue, expiration := m.composeTarget()
	cmd := edit()
	return tea.Batch(cmd, m.targetEdited(queue, expiration))
}

// sendCmd reports a request that could not start, or starts it. The
// request is announced before cmd runs, so that the firehose's copies of
// it sort after its own row.
func (m *Model) sendCmd(cmd tea.Cmd, err error) tea.Cmd {
	if err != nil {
		return m.setStatus("not sent: "+err.Error(), true)
	}
	if p := m.compose.pending; p != nil && m.env.own != nil {
		m.env.own.expect(p.messageID, p.replyQueue)
	}
	return tea.Batch(cmd, m.setStatus("sent; waiting for the reply", false))
}

// resultKey handles the reply and history field: ↑/↓ pick a sent request,
// enter puts it back in the editor, y / Y / i copy from the reply.
func (m *Model) resultKey(msg tea.KeyPressMsg) tea.Cmd {
	c := &m.compose
	switch {
	case key.Matches(msg, m.keys.Up):
		c.pickHistory(-1)
	case key.Matches(msg, m.keys.Down):
		c.pickHistory(1)
	case key.Matches(msg, m.keys.Apply):
		var loaded bool
		cmd := m.editTarget(func() tea.Cmd { loaded = c.loadHistory(); return nil })
		if loaded {
			return tea.Batch(cmd, c.focus(fieldBody))
		}
	default:
		return m.copyReply(msg)
	}
	return nil
}

// copyReply copies from the newest reply: y the body as JSON, Y the wire
// body, i its message_id.
func (m *Model) copyReply(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	r := m.compose.result
	if r == nil || r.resp == nil {
		if key.Matches(msg, k.CopyBody, k.CopyWire, k.CopyID) {
			return m.setStatus("no reply to copy yet", true)
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.CopyBody):
		return copyCmd("reply body as JSON", string(neonwire.ToJSONIndent(r.resp.Value, "  ")))
	case key.Matches(msg, k.CopyWire):
		return copyCmd("reply wire body", string(r.resp.Reply.Body))
	case key.Matches(msg, k.CopyID):
		return copyCmd("message_id", r.resp.MessageID)
	}
	return nil
}
