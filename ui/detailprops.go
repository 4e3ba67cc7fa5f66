package ui

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/capture"
	"mqscope/internal/textsafe"
	"mqscope/store"
)

// propLines lists where the message was seen, its AMQP properties and its
// headers: one "name  value" line each, empty values left out.
func propLines(e *store.Entry, width int, st *Styles) []string {
	m := &e.Msg
	p := &m.Properties
	fields := [][2]string{
		{"seq", fmt.Sprint(e.Seq)},
		{"time", m.Time.Format(time.RFC3339Nano)},
		{"vhost", m.VHost},
		{"exchange", exchangeName(m.Exchange)},
		{"routing key", m.RoutingKey},
		{"queue", m.Queue},
		{"event", string(m.Event)},
		{"mode", string(m.Mode)},
		{"size", fmt.Sprintf("%d bytes", e.Size)},
		{"encoding", string(e.Decoded.Encoding)},
		{"message_id", e.MessageID},
		{"reply queue", e.ReplyQueue},
		{"redelivered", yesOrEmpty(m.Redelivered)},
		{"unroutable", yesOrEmpty(m.Unroutable)},
		{"routed queues", strings.Join(m.RoutedQueues, ", ")},
		{"content_type", p.ContentType},
		{"content_encoding", p.ContentEncoding},
		{"delivery_mode", nonZero(p.DeliveryMode)},
		{"priority", nonZero(p.Priority)},
		{"correlation_id", p.CorrelationID},
		{"reply_to", p.ReplyTo},
		{"expiration", p.Expiration},
		{"properties.message_id", p.MessageID},
		{"timestamp", timestampText(p.Timestamp)},
		{"type", p.Type},
		{"user_id", p.UserID},
		{"app_id", p.AppID},
	}
	lines := keyValueLines(fields, width, st)
	lines = append(lines, "", st.Bold.Render(fmt.Sprintf("headers (%d)", len(m.Headers))))
	return append(lines, keyValueLines(headerFields(m.Headers), width, st)...)
}

// keyValueLines aligns names in one column and values in the next.
func keyValueLines(fields [][2]string, width int, st *Styles) []string {
	nameWidth := 0
	for _, f := range fields {
		if f[1] != "" {
			nameWidth = max(nameWidth, len(f[0]))
		}
	}
	var lines []string
	for _, f := range fields {
		if f[1] == "" {
			continue
		}
		value := fitLine(textsafe.Row(f[1]), max(width-nameWidth-2, 1))
		lines = append(lines, st.Label.Render(pad(f[0], nameWidth, false))+"  "+st.Text.Render(strings.TrimRight(value, " ")))
	}
	return lines
}

// headerFields renders AMQP headers sorted by name: a string as its text,
// anything else as JSON (headerValue).
func headerFields(h map[string]any) [][2]string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([][2]string, 0, len(names))
	for _, k := range names {
		// Header names come off the network as values do.
		out = append(out, [2]string{textsafe.Row(k), headerValue(h[k])})
	}
	return out
}

// headerValue is a header value as shown: a string as its text, a time as
// timeText says, anything else as JSON. Either way it is drawn through
// textsafe.Row, which shows what must not reach the terminal raw, and the
// bytes of a string that is not UTF-8, as escapes (\x1b, \xff).
func headerValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case time.Time:
		return timeText(v)
	}
	return string(appendHeaderJSON(nil, v))
}

// appendHeaderJSON appends v as JSON lines write a header (store.HeaderJSON),
// tables with their keys sorted, except that strings that are not UTF-8
// keep their bytes for Row to show escaped, rather than being base64.
func appendHeaderJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return appendShownString(b, v)
	case map[string]any:
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendHeaderJSON(append(appendShownString(b, k), ':'), v[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendHeaderJSON(b, e)
		}
		return append(b, ']')
	}
	return append(b, store.HeaderJSON(v)...)
}

// appendShownString appends s as a JSON string, or, when s is not UTF-8,
// quoted with only quote and backslash escaped, so that its other bytes
// reach textsafe.Row, which shows them as escapes.
func appendShownString(b []byte, s string) []byte {
	if utf8.ValidString(s) {
		return append(b, store.HeaderJSON(s)...)
	}
	b = append(b, '"')
	for i := range len(s) {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func exchangeName(x string) string {
	if x == "" {
		return "(default)"
	}
	return x
}

func yesOrEmpty(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func nonZero(n uint8) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// timestampText is the timestamp property as shown; "" when absent.
func timestampText(t capture.Timestamp) string {
	if t.IsZero() {
		return ""
	}
	return timeText(t.Time)
}

// millisLayout writes a time read as milliseconds.
const millisLayout = "2006-01-02T15:04:05.000Z07:00"

// timeText is an AMQP time as RFC 3339, or, when it is no date (years
// 0-9999) as seconds, the raw number, with the date it is as milliseconds,
// which is what JavaScript and Java producers mean.
func timeText(t time.Time) string {
	if capture.TimeInRange(t) {
		return t.Format(time.RFC3339)
	}
	n := t.Unix()
	if ms := time.UnixMilli(n).In(t.Location()); capture.TimeInRange(ms) {
		return fmt.Sprintf("%d (as seconds out of range; as milliseconds %s)", n, ms.Format(millisLayout))
	}
	return fmt.Sprintf("%d (out of range as seconds)", n)
}

// pairLines shows a request and its reply side by side with the latency.
func pairLines(e, other *store.Entry, width int, st *Styles) []string {
	if e.Pair == nil || other == nil {
		return pairMissing(e, st)
	}
	req, rep := e, other
	if e.Pair.IsReply {
		req, rep = other, e
	}
	head := st.Bold.Render("latency ") + st.Reply.Render(fmtLatency(e.Pair.Latency)) +
		st.Muted.Render("  message_id "+textsafe.Row(req.MessageID))
	col := max((width-3)/2, 1)
	left := pairSide("request", req, col, st.Request, st)
	right := pairSide("reply", rep, col, st.Reply, st)
	return append([]string{head, ""}, sideBySide(left, right, col, st)...)
}

// sideBySide puts two columns of lines next to each other, the left one
// fitted to col.
func sideBySide(left, right []string, col int, st *Styles) []string {
	out := make([]string, 0, max(len(left), len(right)))
	for i := range max(len(left), len(right)) {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out = append(out, fitLine(l, col)+st.Subtle.Render(" │ ")+r)
	}
	return out
}

func pairSide(title string, e *store.Entry, width int, titleStyle lipgloss.Style, st *Styles) []string {
	head := titleStyle.Render(title) + st.Muted.Render(" "+place(&e.Msg)+" "+e.Msg.Time.Format("15:04:05.000"))
	return append([]string{ansi.Truncate(head, width, "…")}, jsonLines(e.Decoded.Value, width, st)...)
}

func pairMissing(e *store.Entry, st *Styles) []string {
	switch {
	case e.Msg.Event == capture.EventVerdict:
		return []string{st.Muted.Render("a verdict: the timeline above is its request's; p jumps to the request")}
	case e.Msg.Unroutable:
		return []string{st.Unroutable.Render("unroutable: no queue received this message, so no reply will come")}
	case e.ReplyQueue != "":
		return []string{st.Muted.Render(textsafe.Row("no reply seen yet for message_id " + e.MessageID + " (replies go to " + e.ReplyQueue + ")"))}
	case e.MessageID != "":
		return []string{st.Muted.Render("no request seen for message_id " + textsafe.Row(e.MessageID))}
	}
	return []string{st.Muted.Render("not a request or reply (no message_id)")}
}
