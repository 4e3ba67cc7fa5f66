package verdict

import (
	"math/big"
	"strconv"
	"strings"
	"time"

	"mqscope/capture"
	"mqscope/connector/neonwire"
)

// The headers of a verdict row (capture.Verdict*Header): a verdict is
// recorded, exported and filtered like any other row.
const (
	CodeHeader       = capture.VerdictCodeHeader
	MessageIDHeader  = capture.VerdictMessageIDHeader
	RequestSeqHeader = capture.VerdictRequestSeqHeader
	DetailHeader     = capture.VerdictDetailHeader
	LatencyHeader    = capture.VerdictLatencyHeader
)

// Message is the verdict as a row of its own: its body is the verdict in
// words, its headers the fields of the verdict JSON line.
func (v Verdict) Message() capture.Message {
	h := map[string]any{
		CodeHeader:       string(v.Code),
		MessageIDHeader:  v.MessageID,
		RequestSeqHeader: int64(v.RequestSeq),
		DetailHeader:     v.Detail,
	}
	if v.Latency > 0 {
		h[LatencyHeader] = float64(v.Latency.Microseconds()) / 1000
	}
	return capture.Message{
		Time: v.At, VHost: v.VHost, Queue: v.Queue, Event: capture.EventVerdict, Mode: v.Mode,
		Headers: h, Body: []byte(string(v.Code) + ": " + v.Detail),
	}
}

// Of reads the verdict a verdict row carries; ok is false for any other
// message.
func Of(m *capture.Message) (Verdict, bool) {
	if m.Event != capture.EventVerdict {
		return Verdict{}, false
	}
	code, ok := m.Headers[CodeHeader].(string)
	if !ok {
		return Verdict{}, false
	}
	v := Verdict{Code: Code(code), VHost: m.VHost, Queue: m.Queue, Mode: m.Mode, At: m.Time}
	v.MessageID, _ = m.Headers[MessageIDHeader].(string)
	v.Detail, _ = m.Headers[DetailHeader].(string)
	switch seq := m.Headers[RequestSeqHeader].(type) {
	case int64:
		v.RequestSeq = uint64(seq)
	case float64: // as JSON brings it back from a recording
		v.RequestSeq = uint64(seq)
	}
	if ms, ok := m.Headers[LatencyHeader].(float64); ok {
		v.Latency = time.Duration(ms * float64(time.Millisecond))
	}
	return v, true
}

// expirationOf reads an AMQP expiration property: milliseconds as a
// decimal string; 0 when absent or unreadable.
func expirationOf(s string) time.Duration {
	ms, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

// intValue reads an int key of d, however large.
func intValue(d *neonwire.Dict, key string) (int64, bool) {
	v, _ := d.Get(key)
	switch x := v.(type) {
	case int64:
		return x, true
	case *big.Int:
		if x.IsInt64() {
			return x.Int64(), true
		}
		return int64(x.Sign()) << 62, true
	}
	return 0, false
}

// errorSummary is what an error reply says, briefly.
func errorSummary(v neonwire.Value) string {
	d, _ := v.(*neonwire.Dict)
	var parts []string
	for _, k := range []string{"status_code", "code", "error", "content", "success"} {
		if x, ok := d.Get(k); ok {
			s := neonwire.Repr(x)
			if len(s) > 80 {
				s = s[:77] + "..."
			}
			parts = append(parts, k+"="+s)
		}
	}
	return strings.Join(parts, ", ")
}

// fmtMS writes a duration in milliseconds, as Neon's expirations are.
func fmtMS(d time.Duration) string {
	ms := float64(d.Microseconds()) / 1000
	if ms >= 100 || ms == float64(int64(ms)) {
		return strconv.FormatInt(int64(ms+0.5), 10) + " ms"
	}
	return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
}

func quote(s string) string { return strconv.Quote(s) }

func itoa(n int) string { return strconv.Itoa(n) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
