package capture

import (
	"fmt"
	"time"
)

// Gap is a stretch of time in which a watch could not see what it watches:
// its private queue was lost while it was disconnected (the queue expired,
// was deleted, or the broker restarted and forgot it, being non-durable),
// so whatever was published meanwhile went nowhere mqscope could read.
//
// A watch reports a gap as a Message with Event EventGap (see GapOf), so
// that it takes its place between the messages before and after it in the
// live list, the JSON lines and recordings. A disconnect that the private
// queue survived is no gap: the queue kept the messages, and they arrive
// after the reconnect.
type Gap struct {
	Watch  string    // the watch's label, e.g. "tap /llm persona #"
	From   time.Time // when the watch stopped seeing messages: its connection dropped
	To     time.Time // when it saw them again: the new private queue was bound
	Reason string    // why messages may be missing, e.g. "private queue lost"
}

// Headers of a gap marker. Times are RFC 3339 strings in UTC, so that they
// read the same in JSON lines and recordings as in the live view.
const (
	GapWatchHeader  = "x-mqscope-watch"
	GapFromHeader   = "x-mqscope-gap-from"
	GapToHeader     = "x-mqscope-gap-to"
	GapReasonHeader = "x-mqscope-gap-reason"
)

// GapBodyLayout is how a gap marker's text body writes the times.
const GapBodyLayout = "2006-01-02T15:04:05.000Z07:00"

// Describe is the gap in words, with times in loc written with layout:
// `tap /llm persona # not watching from 07:31:02 to 07:31:09 (private queue lost)`.
func (g Gap) Describe(loc *time.Location, layout string) string {
	return fmt.Sprintf("%s not watching from %s to %s (%s)",
		g.Watch, g.From.In(loc).Format(layout), g.To.In(loc).Format(layout), g.Reason)
}

// Marker is the message that reports g for a watch of mode on queue or
// exchange in vhost. Its body is
// the description as text, for whoever reads a JSON line or a recording
// without knowing the headers.
func (g Gap) Marker(vhost, exchange, queue string, mode Mode) Message {
	return Message{
		Time:     g.To,
		VHost:    vhost,
		Exchange: exchange,
		Queue:    queue,
		Event:    EventGap,
		Mode:     mode,
		Headers: map[string]any{
			GapWatchHeader:  g.Watch,
			GapFromHeader:   g.From.UTC().Format(time.RFC3339Nano),
			GapToHeader:     g.To.UTC().Format(time.RFC3339Nano),
			GapReasonHeader: g.Reason,
		},
		Body: []byte(g.Describe(time.UTC, GapBodyLayout)),
	}
}

// GapOf reads the gap that a marker message reports. ok is false for every
// other message, and for a marker whose headers are not readable (a
// recording edited by hand), which is then shown as a plain message.
func GapOf(m *Message) (g Gap, ok bool) {
	if m.Event != EventGap {
		return Gap{}, false
	}
	watch, ok1 := m.Headers[GapWatchHeader].(string)
	reason, ok2 := m.Headers[GapReasonHeader].(string)
	from, err1 := headerTime(m.Headers[GapFromHeader])
	to, err2 := headerTime(m.Headers[GapToHeader])
	if !ok1 || !ok2 || err1 != nil || err2 != nil {
		return Gap{}, false
	}
	return Gap{Watch: watch, From: from, To: to, Reason: reason}, true
}

// headerTime reads a time header: the RFC 3339 string a marker carries.
func headerTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("not a string: %v", v)
	}
	return time.Parse(time.RFC3339Nano, s)
}
