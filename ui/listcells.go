package ui

import (
	"strings"
	"time"

	"mqscope/capture"

	"github.com/charmbracelet/x/ansi"

	"mqscope/connector/neonwire"
	"mqscope/store"
)

// cellText is the text of column col for e.
func cellText(e *store.Entry, col string, loc *time.Location) string {
	switch col {
	case "time":
		return e.Msg.Time.In(loc).Format("15:04:05.000")
	case "where":
		return place(&e.Msg)
	case "event":
		return eventLabel(&e.Msg)
	case "size":
		return humanBytes(e.Size)
	case "enc":
		return string(e.Decoded.Encoding)
	case "id":
		return shortID(e.MessageID)
	case "pair":
		return pairText(e)
	}
	return ""
}

// cellStyle is the style column col of e is drawn in.
func cellStyle(e *store.Entry, col string, s *spans) span {
	switch col {
	case "where":
		return whereStyle(e, s)
	case "enc":
		return encodingStyle(e, s)
	case "id":
		return s.Accent
	case "pair":
		return pairStyle(e, s)
	}
	return s.Muted
}

func whereStyle(e *store.Entry, s *spans) span {
	switch {
	case e.Msg.Unroutable:
		return s.Unroutable
	case e.Msg.Mode == capture.ModeSent:
		return s.Request
	case e.Msg.Mode == capture.ModeReply:
		return s.Reply
	}
	return s.Text
}

// encodingStyle flags bodies that are not Neon-encoded: real services would
// reject them.
func encodingStyle(e *store.Entry, s *spans) span {
	if e.Decoded.Err != nil {
		return s.Danger
	}
	if e.Decoded.Encoding == neonwire.EncNeon {
		return s.Muted
	}
	return s.Warn
}

// pairText is the pairing marker: ⇄ on a request whose reply is known, ↩
// on a reply, each with the latency; unroutable messages say so.
func pairText(e *store.Entry) string {
	switch {
	case e.Msg.Unroutable:
		return "✗ no route"
	case e.Pair == nil:
		return ""
	case e.Pair.IsReply:
		return "↩ " + fmtLatency(e.Pair.Latency)
	}
	return "⇄ " + fmtLatency(e.Pair.Latency)
}

func pairStyle(e *store.Entry, s *spans) span {
	switch {
	case e.Msg.Unroutable:
		return s.Unroutable
	case e.Pair != nil && e.Pair.IsReply:
		return s.Reply
	}
	return s.Request
}

// pad fits plain text to width cells, cutting with an ellipsis.
func pad(s string, width int, right bool) string {
	if width <= 0 {
		return ""
	}
	w := textWidth(s)
	if w > width {
		return ansi.Truncate(s, width, "…")
	}
	if right {
		return strings.Repeat(" ", width-w) + s
	}
	return s + strings.Repeat(" ", width-w)
}
