package connector

import (
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// messageFromDelivery builds the client-independent record of a delivery.
func messageFromDelivery(d *amqp.Delivery, vhost, queue string, ev Event, mode Mode) Message {
	return Message{
		Time:        time.Now(),
		VHost:       vhost,
		Exchange:    d.Exchange,
		RoutingKey:  d.RoutingKey,
		Queue:       queue,
		Event:       ev,
		Mode:        mode,
		Properties:  propertiesFromDelivery(d),
		Headers:     plainTable(d.Headers),
		Body:        d.Body,
		Redelivered: d.Redelivered,
	}
}

func propertiesFromDelivery(d *amqp.Delivery) Properties {
	return Properties{
		ContentType:     d.ContentType,
		ContentEncoding: d.ContentEncoding,
		DeliveryMode:    d.DeliveryMode,
		Priority:        d.Priority,
		CorrelationID:   d.CorrelationId,
		ReplyTo:         d.ReplyTo,
		Expiration:      d.Expiration,
		MessageID:       d.MessageId,
		Timestamp:       d.Timestamp,
		Type:            d.Type,
		UserID:          d.UserId,
		AppID:           d.AppId,
	}
}

// messageFromPublishing records a message mqscope itself published.
func messageFromPublishing(p *amqp.Publishing, vhost, exchange, key string, mode Mode) Message {
	return Message{
		Time:       time.Now(),
		VHost:      vhost,
		Exchange:   exchange,
		RoutingKey: key,
		Queue:      key,
		Event:      EventPublish,
		Mode:       mode,
		Properties: Properties{Expiration: p.Expiration, ContentType: p.ContentType},
		Headers:    plainTable(p.Headers),
		Body:       p.Body,
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
