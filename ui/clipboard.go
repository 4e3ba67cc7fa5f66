package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"

	"mqscope/connector/neonwire"
	"mqscope/internal/textsafe"
	"mqscope/store"
)

// copiedMsg reports a copy: what was copied and whether the local clipboard
// took it. OSC52 is always sent too; the terminal gives no answer to it.
type copiedMsg struct {
	what     string
	size     int
	localErr error
}

// writeLocalClipboard is the system clipboard (xclip, xsel, wl-copy, pbcopy
// or the Windows API). It is a variable so tests do not touch the real one.
var writeLocalClipboard = clipboard.WriteAll

// setTerminalClipboard makes the command that writes the clipboard through
// the terminal (OSC52). It is a variable so that tests see every clipboard
// write at the moment Update asks for it.
var setTerminalClipboard = tea.SetClipboard

// copyCmd copies text both ways: OSC52 through the terminal (works over SSH
// and inside tmux with set-clipboard on) and the local clipboard, whose
// result comes back as a copiedMsg. Only key handlers call it: nothing a
// broker sends may write the user's clipboard. Every copy goes through
// clipboardText here, so none puts raw ESC, BEL or another control there.
func copyCmd(what, text string) tea.Cmd {
	text = clipboardText(text)
	write := writeLocalClipboard
	return tea.Batch(setTerminalClipboard(text), func() tea.Msg {
		return copiedMsg{what: what, size: len(text), localErr: write(text)}
	})
}

// clipboardText is what the clipboard gets for text: the text, with the
// controls that a paste would make a terminal obey written as visible
// escapes (textsafe.Clipboard: \x1b, \x07…; CRLF becomes a newline).
// Bodies come off the network, and a body holding ESC [ 2 0 1 ~ would end a
// bracketed paste early and run the rest in the shell it is pasted into.
func clipboardText(text string) string { return textsafe.Clipboard(text) }

// copiedText is the status-bar line for a copy.
func copiedText(m copiedMsg) string {
	base := fmt.Sprintf("copied %s (%s)", m.what, humanBytes(m.size))
	if m.localErr != nil {
		return base + " via OSC52 only (no system clipboard: install xclip, xsel or wl-clipboard for local copies)"
	}
	return base + " to the system clipboard and via OSC52"
}

// copyText is what y, Y and i copy from an entry: the decoded body as JSON,
// the wire body, or the message_id. ok is false when there is nothing.
func copyText(e *store.Entry, kind copyKind) (what, text string, ok bool) {
	switch kind {
	case copyBody:
		if e.Decoded.Encoding == neonwire.EncText {
			s, _ := e.Decoded.Value.(string)
			return "text body", s, true
		}
		if e.Decoded.Encoding == neonwire.EncBinary || e.Decoded.Encoding == store.EncUndecoded {
			return "", "", false // nothing decoded: Y copies the wire body
		}
		return "body as JSON", string(neonwire.ToJSONIndent(e.Decoded.Value, "  ")), true
	case copyWire:
		return "wire body", string(e.Msg.Body), true
	case copyID:
		return "message_id", e.MessageID, e.MessageID != ""
	}
	return "", "", false
}

// copyKind is which part of a message to copy.
type copyKind int

const (
	copyBody copyKind = iota
	copyWire
	copyID
)
