package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/connector/neonwire"
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
		{"timestamp", timeOrEmpty(p.Timestamp)},
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

// headerFields renders AMQP headers sorted by name; nested tables (the
// firehose's properties) are shown as JSON.
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

func headerValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(neonwire.ToJSON(v))
	}
	return fmt.Sprint(v)
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

func timeOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
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
	lines := []string{head, ""}
	for i := range max(len(left), len(right)) {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		lines = append(lines, fitLine(l, col)+st.Subtle.Render(" │ ")+r)
	}
	return lines
}

func pairSide(title string, e *store.Entry, width int, titleStyle lipgloss.Style, st *Styles) []string {
	head := titleStyle.Render(title) + st.Muted.Render(" "+place(&e.Msg)+" "+e.Msg.Time.Format("15:04:05.000"))
	return append([]string{ansi.Truncate(head, width, "…")}, jsonLines(e.Decoded.Value, width, st)...)
}

func pairMissing(e *store.Entry, st *Styles) []string {
	switch {
	case e.Msg.Unroutable:
		return []string{st.Unroutable.Render("unroutable: no queue received this message, so no reply will come")}
	case e.ReplyQueue != "":
		return []string{st.Muted.Render(textsafe.Row("no reply seen yet for message_id " + e.MessageID + " (replies go to " + e.ReplyQueue + ")"))}
	case e.MessageID != "":
		return []string{st.Muted.Render("no request seen for message_id " + textsafe.Row(e.MessageID))}
	}
	return []string{st.Muted.Render("not a request or reply (no message_id)")}
}
