package connector

import (
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Properties are the AMQP basic properties of a message the library sent or
// received. Neon itself uses only Expiration; the rest are kept so that a
// program built on the library sees everything a producer set.
type Properties struct {
	ContentType     string
	ContentEncoding string
	DeliveryMode    uint8
	Priority        uint8
	CorrelationID   string
	ReplyTo         string
	Expiration      string // per-message TTL in milliseconds, as a string
	MessageID       string // the AMQP property, not the body's message_id
	Timestamp       time.Time
	Type            string
	UserID          string
	AppID           string
}

// Message is one message as the library sent or received it: a request a
// Requester published, a reply it received, or a delivery a Service
// consumer handled. Nothing in it refers back to a channel, so it can be
// kept and copied after the handler returns.
type Message struct {
	Time        time.Time  // when it was sent or received
	VHost       string     // virtual host
	Exchange    string     // exchange it was published to ("" = default)
	RoutingKey  string     // routing key it was published with
	Queue       string     // queue it was published to or consumed from
	Properties  Properties // AMQP basic properties
	Headers     amqp.Table // AMQP headers, as the client decoded them
	Body        []byte     // body bytes exactly as on the wire
	Redelivered bool       // the broker's redelivered flag (received messages)
}

// messageFromDelivery builds the library's record of a delivery from queue.
func messageFromDelivery(d *amqp.Delivery, vhost, queue string) Message {
	return Message{
		Time:        time.Now(),
		VHost:       vhost,
		Exchange:    d.Exchange,
		RoutingKey:  d.RoutingKey,
		Queue:       queue,
		Properties:  PropertiesOf(d),
		Headers:     d.Headers,
		Body:        d.Body,
		Redelivered: d.Redelivered,
	}
}

// PropertiesOf copies a delivery's basic properties.
func PropertiesOf(d *amqp.Delivery) Properties {
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

// messageFromPublishing records a message the library published to key on
// exchange.
func messageFromPublishing(p *amqp.Publishing, vhost, exchange, key string) Message {
	return Message{
		Time:       time.Now(),
		VHost:      vhost,
		Exchange:   exchange,
		RoutingKey: key,
		Queue:      key,
		Properties: Properties{Expiration: p.Expiration, ContentType: p.ContentType},
		Headers:    p.Headers,
		Body:       p.Body,
	}
}
