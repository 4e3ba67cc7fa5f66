package capture

import (
	"time"

	"mqscope/connector/neonwire"
)

// Mode is how a message was observed.
type Mode string

// The observation modes (docs/wire.md §6), plus the two ways mqscope itself
// takes part in traffic.
const (
	ModeFirehose Mode = "firehose" // copied by the broker's tracer; non-destructive
	ModeTap      Mode = "tap"      // private queue bound to a named exchange
	ModePeek     Mode = "peek"     // basic.get + requeue; sets redelivered, can reorder
	ModeConsume  Mode = "consume"  // taken from the queue: destructive
	ModeSent     Mode = "sent"     // a request mqscope published itself
	ModeReply    Mode = "reply"    // a reply that arrived on mqscope's own reply queue
)

// Event is what happened to the message at the moment it was seen.
type Event string

// Events. The firehose sees both the publish and each delivery of one message.
// EventGap is no message at all: a watch says it was not watching for a while
// and may have missed messages then (see Gap).
const (
	EventPublish Event = "publish"
	EventDeliver Event = "deliver"
	EventConsume Event = "consume"
	EventPeek    Event = "peek"
	EventGap     Event = "gap"
	// EventUnreadable is a message the client could not read whole: its
	// headers were dropped (see UnreadableHeader), the rest is as sent.
	EventUnreadable Event = "unreadable"
	// EventVerdict is no message either: what happened to a request
	// (package verdict), as a row of its own.
	EventVerdict Event = "verdict"
)

// Undecoded is the encoding label (a neonwire.Encoding) of a body that was
// not decoded because it is larger than the store's decode limit
// (store.Options.MaxDecodeBytes): it is kept, and shown, as its wire bytes.
// The limit is the inspector's, not the codec's, so the label is here,
// where the store and recordings both see it.
const Undecoded = "undecoded"

// UnreadableHeader is the one header an EventUnreadable message has: what
// it was and why it cannot be shown whole.
const UnreadableHeader = "x-unreadable"

// Headers of a verdict row (Event EventVerdict): what package verdict
// decided, in the fields of its JSON line.
const (
	VerdictCodeHeader       = "x-verdict"
	VerdictMessageIDHeader  = "x-verdict-message-id"
	VerdictRequestSeqHeader = "x-verdict-request-seq"
	VerdictDetailHeader     = "x-verdict-detail"
	VerdictLatencyHeader    = "x-verdict-latency-ms"
)

// Properties are the AMQP basic properties of a message, in a form that does
// not depend on the AMQP client library.
type Properties struct {
	ContentType     string    `json:"content_type,omitempty"`
	ContentEncoding string    `json:"content_encoding,omitempty"`
	DeliveryMode    uint8     `json:"delivery_mode,omitempty"`
	Priority        uint8     `json:"priority,omitempty"`
	CorrelationID   string    `json:"correlation_id,omitempty"`
	ReplyTo         string    `json:"reply_to,omitempty"`
	Expiration      string    `json:"expiration,omitempty"`
	MessageID       string    `json:"message_id,omitempty"`
	Timestamp       Timestamp `json:"timestamp,omitzero"`
	Type            string    `json:"type,omitempty"`
	UserID          string    `json:"user_id,omitempty"`
	AppID           string    `json:"app_id,omitempty"`
}

// Message is one observed message, independent of the store and of the AMQP
// client. Consumers build it from a delivery and hand it to a sink; nothing
// in it refers back to a channel, so it can be kept, copied and recorded.
type Message struct {
	Time       time.Time      // when mqscope received it
	VHost      string         // virtual host it was seen in
	Exchange   string         // exchange it was published to ("" = default)
	RoutingKey string         // routing key it was published with
	Queue      string         // queue it was published to or seen on
	Event      Event          // publish, deliver, consume, peek, or gap
	Mode       Mode           // how it was observed
	Properties Properties     // AMQP basic properties
	Headers    map[string]any // AMQP headers (of the original message for firehose)
	Body       []byte         // body bytes exactly as on the wire

	Redelivered  bool     // broker's redelivered flag
	Unroutable   bool     // published but no queue received it (firehose)
	RoutedQueues []string // firehose publish: the queues that received it

	// Decoded is the body's Neon decoding when whoever captured the
	// message already made it (the firehose reads a request's routing_key
	// before passing it on), so that the store does not decode the body a
	// second time; nil otherwise. It is not part of the message: sinks
	// take it over and nothing keeps or records it.
	Decoded *neonwire.Decoded
}
