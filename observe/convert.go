package observe

import (
	"fmt"
	"time"

	"mqscope/capture"
	"mqscope/connector"

	amqp "github.com/rabbitmq/amqp091-go"
)

// messageFromDelivery builds the client-independent record of a delivery.
func messageFromDelivery(d *amqp.Delivery, vhost, queue string, ev capture.Event, mode capture.Mode) capture.Message {
	if why, ok := droppedHeaders(d.Headers); ok {
		return unreadable(capture.Message{Time: time.Now(), VHost: vhost, Exchange: d.Exchange, RoutingKey: d.RoutingKey,
			Queue: queue, Mode: mode, Body: d.Body, Redelivered: d.Redelivered}, ev, why)
	}
	return capture.Message{
		Time:        time.Now(),
		VHost:       vhost,
		Exchange:    d.Exchange,
		RoutingKey:  d.RoutingKey,
		Queue:       queue,
		Event:       ev,
		Mode:        mode,
		Properties:  capturedProperties(connector.PropertiesOf(d)),
		Headers:     plainTable(d.Headers),
		Body:        d.Body,
		Redelivered: d.Redelivered,
	}
}

// fromLibrary turns a message the library sent or received into a captured
// one.
func fromLibrary(m *connector.Message, ev capture.Event, mode capture.Mode) capture.Message {
	return capture.Message{
		Time:        m.Time,
		VHost:       m.VHost,
		Exchange:    m.Exchange,
		RoutingKey:  m.RoutingKey,
		Queue:       m.Queue,
		Event:       ev,
		Mode:        mode,
		Properties:  capturedProperties(m.Properties),
		Headers:     plainTable(m.Headers),
		Body:        m.Body,
		Redelivered: m.Redelivered,
	}
}

// capturedProperties copies the library's properties into the captured form.
func capturedProperties(p connector.Properties) capture.Properties {
	return capture.Properties{
		ContentType: p.ContentType, ContentEncoding: p.ContentEncoding, DeliveryMode: p.DeliveryMode,
		Priority: p.Priority, CorrelationID: p.CorrelationID, ReplyTo: p.ReplyTo, Expiration: p.Expiration,
		MessageID: p.MessageID, Timestamp: capture.Timestamp{Time: p.Timestamp}, Type: p.Type, UserID: p.UserID, AppID: p.AppID,
	}
}

// plainTable converts an AMQP table into plain Go values (maps, slices,
// strings, numbers, []byte, time.Time) so nothing downstream needs amqp091.
func plainTable(t amqp.Table) map[string]any {
	if len(t) == 0 {
		return nil
	}
	out := make(map[string]any, len(t))
	for k, v := range t {
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v any) any {
	switch x := v.(type) {
	case amqp.Table:
		m := plainTable(x)
		if m == nil {
			m = map[string]any{}
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainValue(e)
		}
		return out
	case amqp.Decimal:
		return float64(x.Value) / pow10(x.Scale)
	default:
		return v
	}
}

func pow10(n uint8) float64 {
	f := 1.0
	for range n {
		f *= 10
	}
	return f
}

// droppedHeaders reports the reason the library gives, in place of the
// headers, for a message whose headers the client could not read.
func droppedHeaders(h amqp.Table) (string, bool) {
	why, ok := h[connector.DroppedHeadersKey].(string)
	return why, ok && len(h) == 1
}

// unreadable makes m the marker of a message that was seen as ev but whose
// headers could not be read: its event says so, and its one header says
// what it was and why.
func unreadable(m capture.Message, ev capture.Event, why string) capture.Message {
	m.Event = capture.EventUnreadable
	m.Headers = map[string]any{capture.UnreadableHeader: fmt.Sprintf("%s of a message the client cannot read whole: %s", ev, why)}
	return m
}
