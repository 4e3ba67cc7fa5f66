package store

import (
	"strconv"
	"time"

	"mqscope/capture"
)

// appendVerdictLine appends the JSON line of a verdict row (see package
// verdict): {"event":"verdict","verdict":"expired","message_id":"…",
// "queue":"…","vhost":"…","seq":…,"request_seq":…,"detail":"…"} plus
// "latency_ms" where there is one, and the time and mode it was decided in.
func appendVerdictLine(b []byte, e Entry) []byte {
	m := &e.Msg
	h := m.Headers
	str := func(k string) string { s, _ := h[k].(string); return s }
	b = append(b, `{"event":"verdict","verdict":`...)
	b = appendJSONString(b, str(capture.VerdictCodeHeader))
	b = appendJSONString(append(b, `,"message_id":`...), str(capture.VerdictMessageIDHeader))
	b = appendJSONString(append(b, `,"queue":`...), m.Queue)
	b = appendJSONString(append(b, `,"vhost":`...), m.VHost)
	b = strconv.AppendUint(append(b, `,"seq":`...), e.Seq, 10)
	b = strconv.AppendInt(append(b, `,"request_seq":`...), headerInt(h[capture.VerdictRequestSeqHeader]), 10)
	b = appendJSONString(append(b, `,"detail":`...), str(capture.VerdictDetailHeader))
	if ms, ok := h[capture.VerdictLatencyHeader].(float64); ok {
		b = strconv.AppendFloat(append(b, `,"latency_ms":`...), ms, 'f', -1, 64)
	}
	b = append(b, `,"time":"`...)
	b = append(m.Time.UTC().AppendFormat(b, time.RFC3339Nano), '"')
	b = appendJSONString(append(b, `,"mode":`...), string(m.Mode))
	return append(b, '}')
}

// headerInt reads an integer header as it comes live (int64) or back from
// a recording (float64, JSON's number).
func headerInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}
