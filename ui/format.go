package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mqscope/capture"

	"mqscope/connector/neonwire"
	"mqscope/internal/textsafe"
	"mqscope/store"
)

// humanBytes is a size for a narrow column: 512 B, 1.2 KB, 3.4 MB.
func humanBytes(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}

// fmtLatency keeps three significant digits: 0.42ms, 12.3ms, 1.23s.
func fmtLatency(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2fms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.1fms", ms)
	default:
		return fmt.Sprintf("%.2fs", ms/1000)
	}
}

// shortID is the first 8 characters of a message_id: enough to tell ids
// apart on screen, and what people read out to each other. Ids come from
// message bodies, so what may not reach the terminal is escaped.
func shortID(id string) string {
	return clip(textsafe.Row(id), 8)
}

// place names where a message was seen: vhost/queue, or exchange → key.
// Names come off the network (a routing key is any bytes), so what may
// not reach the terminal is escaped: a name must not drive the terminal,
// nor reorder or hide the rest of the row.
func place(m *capture.Message) string {
	if m.Exchange != "" {
		return textsafe.Row(m.Exchange + " → " + m.RoutingKey)
	}
	q := m.Queue
	if q == "" {
		q = m.RoutingKey
	}
	return textsafe.Row(m.VHost + "/" + q)
}

// maxSummary bounds the work spent on one row's summary: only so much of a
// body can be seen on one line anyway.
const maxSummary = 400

// summarize is a one-line description of a decoded body.
func summarize(e *store.Entry) string {
	switch e.Decoded.Encoding {
	case neonwire.EncNeon, neonwire.EncB64JSON, neonwire.EncJSON:
		return clip(string(neonwire.ToJSON(e.Decoded.Value)), maxSummary)
	case neonwire.EncText:
		s, _ := e.Decoded.Value.(string)
		// Whitespace runs collapse to one space, so a few times maxSummary
		// of the text is enough unless the body is mostly blank: without
		// this cut a 16 MiB body would be split into millions of fields.
		s = clip(s, 8*maxSummary)
		return textsafe.Row(clip(strings.Join(strings.Fields(s), " "), maxSummary))
	case store.EncUndecoded:
		return fmt.Sprintf("<not decoded, %s>", humanBytes(e.Size))
	default:
		return fmt.Sprintf("<binary, %s>", humanBytes(e.Size))
	}
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// msgIDOf is the Neon message_id of a raw message, or "" when it has none.
func msgIDOf(m capture.Message) string {
	v, err := neonwire.DecodeNeon(m.Body)
	if err != nil {
		return ""
	}
	return neonwire.MessageID(v)
}

// isNeonReplyQueue reports whether a queue name is what Neon clients name
// their private reply queues: 32 lowercase hex digits (a uuid4 hex).
func isNeonReplyQueue(name string) bool {
	if len(name) != 32 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// dictOf returns v as a Neon dict.
func dictOf(v neonwire.Value) (*neonwire.Dict, bool) {
	d, ok := v.(*neonwire.Dict)
	return d, ok
}
