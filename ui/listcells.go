package ui

import (
	"strings"
	"time"

	"mqscope/capture"

	"github.com/charmbracelet/x/ansi"

	"mqscope/connector/neonwire"
	"mqscope/store"
	"mqscope/verdict"
)

// rowCtx is what drawing a row needs besides the row.
type rowCtx struct {
	loc      *time.Location
	dated    bool          // the rows span more than one day, or are not from today
	outcomes *outcomeLog   // outcomes of requests sent from compose; may be nil
	verdicts *verdictMarks // the verdicts of requests; may be nil
	marks    *marks        // rows marked with m; may be nil
}

// Time formats of the time column.
const (
	timeOfDay   = "15:04:05.000"
	timeAndDate = "2006-01-02 15:04:05.000"
)

func (c rowCtx) timeFormat() string {
	if c.dated {
		return timeAndDate
	}
	return timeOfDay
}

// cellText is the text of column col for e.
func cellText(e *store.Entry, col string, c rowCtx) string {
	switch col {
	case "time":
		return e.Msg.Time.In(c.loc).Format(c.timeFormat())
	case "":
		return eventMarker(&e.Msg)
	case verdictColumn:
		if v, ok := c.verdicts.of(e); ok {
			return verdictGlyphs[familyOf(v.Code)]
		}
		return ""
	case "where":
		return place(&e.Msg)
	case "event":
		return string(e.Msg.Event)
	case "size":
		return humanBytes(e.Size)
	case "enc":
		return string(e.Decoded.Encoding)
	case "id":
		if v, ok := verdict.Of(&e.Msg); ok {
			return shortID(v.MessageID) // the request it is about
		}
		return shortID(e.MessageID)
	case "pair":
		text, _ := pairCell(e, c)
		return text
	}
	return ""
}

// cellStyle is the style column col of e is drawn in.
func cellStyle(e *store.Entry, col string, s *spans, c rowCtx) span {
	switch col {
	case "", "where":
		return whereStyle(e, s)
	case "enc":
		return encodingStyle(e, s)
	case "id":
		return s.Accent
	case "pair":
		return pairStyle(e, s, c)
	case verdictColumn:
		if v, ok := c.verdicts.of(e); ok {
			return verdictStyle(familyOf(v.Code), s)
		}
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

// eventMarker is the one-character event column, kept at every width so
// that a publish and its deliver never look alike: P publish, D deliver,
// C consume, G get (peek), S sent by mqscope, R reply to mqscope, !
// unreadable. The letters are listed in the help.
func eventMarker(m *capture.Message) string {
	switch {
	case m.Event == capture.EventVerdict:
		return "V" // whatever the mode of the request it judges
	case m.Mode == capture.ModeSent:
		return "S"
	case m.Mode == capture.ModeReply:
		return "R"
	}
	switch m.Event {
	case capture.EventPublish:
		return "P"
	case capture.EventDeliver:
		return "D"
	case capture.EventConsume:
		return "C"
	case capture.EventPeek:
		return "G"
	case capture.EventUnreadable:
		return "!"
	case capture.EventVerdict:
		return "V"
	}
	return "?"
}

// markerLegend explains the event markers, for the help.
const markerLegend = "P publish · D deliver · C consume · G get (peek) · S sent from compose · R its reply · ! unreadable · V a request's verdict"

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

// pairCell is the pairing marker: ⇄ on a request whose reply is known, ↩
// on a reply, each with the latency; unroutable messages say so. A
// request sent from compose shows its outcome, and its pair the latency
// compose showed, so that one request reads the same everywhere.
func pairCell(e *store.Entry, c rowCtx) (text string, failed bool) {
	if e.Msg.Unroutable {
		return "✗ no route", true
	}
	if v, ok := verdict.Of(&e.Msg); ok {
		if v.Latency > 0 {
			return "⇄ " + fmtLatency(v.Latency), familyOf(v.Code) == familyError
		}
		return "", false
	}
	if c.outcomes != nil {
		if text, failed, ok := c.outcomes.ownPairText(e); ok {
			return text, failed
		}
	}
	switch {
	case e.Pair == nil:
		return "", false
	case e.Pair.IsReply:
		return "↩ " + fmtLatency(e.Pair.Latency), false
	}
	return "⇄ " + fmtLatency(e.Pair.Latency), false
}

func pairStyle(e *store.Entry, s *spans, c rowCtx) span {
	text, failed := pairCell(e, c)
	switch {
	case e.Msg.Unroutable:
		return s.Unroutable
	case failed:
		return s.Danger
	case strings.HasPrefix(text, "↩"):
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
