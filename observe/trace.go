package observe

import (
	"math"
	"slices"
	"strings"
	"time"

	"mqscope/capture"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Headers that the firehose adds to Message.Headers, next to the original
// message's own: who published it, or which connection it was delivered to.
const (
	TraceUserHeader       = "x-trace-user"
	TraceConnectionHeader = "x-trace-connection"
	TraceNodeHeader       = "x-trace-node"
)

// unwrapTrace turns one message of the tracer (routing key publish.<exchange>
// or deliver.<queue>, original body, the rest in headers; docs/wire.md §6)
// back into the original message. Header values of unexpected types are
// ignored rather than trusted.
func unwrapTrace(d *amqp.Delivery, vhost string) (capture.Message, bool) {
	ev, name, ok := traceEvent(d.RoutingKey)
	if !ok {
		return capture.Message{}, false
	}
	h := d.Headers
	m := capture.Message{Time: time.Now(), VHost: vhost, Event: ev, Mode: capture.ModeFirehose, Body: d.Body}
	if why, dropped := droppedHeaders(h); dropped {
		// The tracer's headers held the original's, too deep to read: all
		// that is known is the event and the exchange or queue it names.
		if ev == capture.EventPublish {
			m.Exchange = name
		} else {
			m.Queue = name
		}
		return unreadable(m, ev, why), true
	}
	m.Exchange = stringOf(h["exchange_name"])
	if _, present := h["exchange_name"]; !present && ev == capture.EventPublish {
		m.Exchange = name // the routing key names it too
	}
	if keys := stringsOf(h["routing_keys"]); len(keys) > 0 {
		m.RoutingKey = keys[0]
	}
	props, _ := h["properties"].(amqp.Table)
	m.Properties = tracedProperties(props)
	headers, _ := props["headers"].(amqp.Table)
	m.Headers = withTraceOrigin(plainTable(headers), h)
	if ev == capture.EventDeliver {
		m.Queue = name
		n, _ := IntOf(h["redelivered"])
		m.Redelivered = n != 0
		return m, true
	}
	if m.Exchange == "" {
		// The default exchange delivers to the queue named by the key.
		m.Queue = m.RoutingKey
	}
	if rq, present := h["routed_queues"]; present {
		m.RoutedQueues = stringsOf(rq)
		m.Unroutable = len(m.RoutedQueues) == 0
	}
	return m, true
}

// traceEvent reads the tracer's routing key.
func traceEvent(key string) (capture.Event, string, bool) {
	if rest, ok := strings.CutPrefix(key, "publish."); ok {
		return capture.EventPublish, rest, true
	}
	if rest, ok := strings.CutPrefix(key, "deliver."); ok {
		return capture.EventDeliver, rest, true
	}
	return "", "", false
}

// tracedProperties reads the original basic properties from the tracer's
// "properties" table, which names each field as the AMQP spec does.
func tracedProperties(t amqp.Table) capture.Properties {
	p := capture.Properties{
		ContentType:     stringOf(t["content_type"]),
		ContentEncoding: stringOf(t["content_encoding"]),
		CorrelationID:   stringOf(t["correlation_id"]),
		ReplyTo:         stringOf(t["reply_to"]),
		Expiration:      stringOf(t["expiration"]),
		MessageID:       stringOf(t["message_id"]),
		Type:            stringOf(t["type"]),
		UserID:          stringOf(t["user_id"]),
		AppID:           stringOf(t["app_id"]),
		DeliveryMode:    octetOf(t["delivery_mode"]),
		Priority:        octetOf(t["priority"]),
	}
	// The raw number is kept whatever it is: a timestamp in milliseconds
	// is shown as that number (capture.Timestamp).
	switch ts := t["timestamp"].(type) {
	case time.Time:
		p.Timestamp.Time = ts
	default:
		if n, ok := IntOf(ts); ok {
			p.Timestamp.Time = time.Unix(n, 0)
		}
	}
	return p
}

// traceOrigin maps the tracer's headers to the ones Message.Headers gets.
var traceOrigin = [...][2]string{
	{"user", TraceUserHeader},
	{"connection", TraceConnectionHeader},
	{"node", TraceNodeHeader},
}

// withTraceOrigin adds the tracer's user, connection and node to headers.
func withTraceOrigin(headers map[string]any, trace amqp.Table) map[string]any {
	for _, kv := range traceOrigin {
		key, header := kv[0], kv[1]
		if s := stringOf(trace[key]); s != "" {
			if headers == nil {
				headers = make(map[string]any, 3)
			}
			headers[header] = s
		}
	}
	return headers
}

func stringOf(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []byte:
		return string(s)
	}
	return ""
}

func stringsOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, stringOf(e))
	}
	return out
}

// IntOf reads any integer (or bool) an AMQP table (a header value) can hold.
func IntOf(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(min(n, math.MaxInt64)), true
	case bool:
		if n {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func octetOf(v any) uint8 {
	n, _ := IntOf(v)
	return uint8(max(0, min(n, math.MaxUint8)))
}

// replyMemory is how many reply queue names a queue-filtered firehose
// remembers; the oldest is forgotten first.
const replyMemory = 1024

// traceFilter decides which unwrapped trace messages a firehose watch keeps.
// It is used only by the watch's consumer goroutine.
type traceFilter struct {
	queues   []string // keep only these queues' traffic and their replies
	exchange string   // keep only what was published to this exchange
	replies  map[string]struct{}
	order    []string // replies in the order they were learnt, for eviction
}

func newTraceFilter(spec WatchSpec) *traceFilter {
	return &traceFilter{queues: spec.firehoseQueues(), exchange: spec.Exchange, replies: make(map[string]struct{})}
}

// keep reports whether m belongs to the watch. Deliveries to mqscope's own
// private queues (taps, other firehoses) are noise and always dropped. With
// queues, it keeps what was published to or delivered from those queues, and
// the publishes to the reply queues named (routing_key) in the requests it
// kept, so request/reply pairs stay complete. replyTo is the routing_key of
// m's body when it is a Neon request.
func (f *traceFilter) keep(m *capture.Message, replyTo string) bool {
	if m.Event == capture.EventDeliver && strings.HasPrefix(m.Queue, privateQueuePrefix) {
		return false
	}
	if m.Event == capture.EventPublish && f.isReply(m) {
		return true
	}
	if f.exchange != "" && m.Exchange != f.exchange {
		return false
	}
	if len(f.queues) == 0 {
		return true
	}
	if !slices.ContainsFunc(f.queues, func(q string) bool { return touchesQueue(m, q) }) {
		return false
	}
	if m.Event == capture.EventPublish {
		f.learnReplyQueue(replyTo)
	}
	return true
}

// touchesQueue reports whether m was published to or delivered from queue.
func touchesQueue(m *capture.Message, queue string) bool {
	return m.Queue == queue || m.Event == capture.EventPublish && slices.Contains(m.RoutedQueues, queue)
}

func (f *traceFilter) isReply(m *capture.Message) bool {
	if len(f.replies) == 0 {
		return false
	}
	if _, ok := f.replies[m.Queue]; ok && m.Queue != "" {
		return true
	}
	for _, q := range m.RoutedQueues {
		if _, ok := f.replies[q]; ok {
			return true
		}
	}
	return false
}

// learnReplyQueue remembers the reply queue of a request to the queue.
func (f *traceFilter) learnReplyQueue(rk string) {
	if _, known := f.replies[rk]; rk == "" || known || slices.Contains(f.queues, rk) {
		return
	}
	if len(f.order) >= replyMemory {
		delete(f.replies, f.order[0])
		f.order = f.order[1:]
	}
	f.replies[rk] = struct{}{}
	f.order = append(f.order, rk)
}
