package ui

import (
	"fmt"
	"time"

	"mqscope/capture"
	"mqscope/observe"
	"mqscope/store"
)

// How far behind the broker the screen is, shown in the status bar while it
// is over lagShown (README "Lag indicator").
//
// The lag of the newest row is the time from when the broker took its
// message to when mqscope's consumer received it (its capture time), while
// that row is news: captured at most lagFresh ago. What follows the capture
// (decoding, the store, the next frame) takes milliseconds; what can fall
// behind by seconds is the consumer, with the broker holding what it has
// not taken yet. The broker's time is the message's timestamp_in_ms header
// (milliseconds, which the broker adds when its message timestamp
// interceptor or plugin is enabled), else its AMQP timestamp property
// (whole seconds, set by the publisher; read as the end of its second so
// that the rounding never adds lag). A message with neither says nothing
// about how long it waited, and shows no lag. A stamp after the capture, or
// more than lagTrusted before it (clocks that disagree, a header that is no
// time), is not believed either.
//
// Once no row has arrived for lagFresh the screen has caught up with
// whatever there was, and nothing is shown.
const (
	lagShown = time.Second
	lagFresh = 2 * time.Second
)

// timestampHeader is the header a broker-side timestamp arrives in.
const timestampHeader = "timestamp_in_ms"

// lagBehind is the lag of the newest row of s, 0 when it is not news at
// now or says nothing.
func lagBehind(s *store.Store, now time.Time) time.Duration {
	e, ok := s.Get(s.Stats().Total)
	if !ok {
		return 0
	}
	return entryLag(&e, now)
}

// entryLag is the lag of e, 0 when e is no longer news at now or is a
// marker mqscope made (a gap, a verdict) rather than a message.
func entryLag(e *store.Entry, now time.Time) time.Duration {
	m := &e.Msg
	if m.Event == capture.EventGap || m.Event == capture.EventVerdict || m.Time.IsZero() || now.Sub(m.Time) > lagFresh {
		return 0
	}
	return max(m.Time.Sub(brokerTime(m)), 0)
}

// brokerTime is when the broker took m, as well as m tells it.
func brokerTime(m *capture.Message) time.Time {
	at := m.Time
	if ms, ok := observe.IntOf(m.Headers[timestampHeader]); ok {
		if t := time.UnixMilli(ms); believable(t, at) {
			return t
		}
	}
	if ts := m.Properties.Timestamp.Time; !ts.IsZero() && capture.TimeInRange(ts) {
		if t := ts.Truncate(time.Second).Add(time.Second); believable(t, at) {
			return t
		}
	}
	return at
}

// lagTrusted is the most a stamp may precede the capture and still be
// believed: beyond it the stamp is more likely a wrong clock or a header
// that is not a time than a screen an hour behind.
const lagTrusted = time.Hour

// believable reports whether the stamp t can be when the broker took a
// message captured at at.
func believable(t, at time.Time) bool {
	return t.Before(at) && at.Sub(t) < lagTrusted
}

// lagText is the status bar's note for a lag, "" when it is not over
// lagShown.
func lagText(lag time.Duration) string {
	if lag <= lagShown {
		return ""
	}
	return fmt.Sprintf("⏱ %.1f s behind", lag.Seconds())
}
