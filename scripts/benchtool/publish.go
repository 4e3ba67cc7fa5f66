package main

import (
	"context"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector/neonwire"
)

// publish declares the queue with Neon's flags (non-durable, non-exclusive,
// non-auto-delete), optionally purges it, and publishes n Neon bodies of
// about 200 bytes as fast as the broker takes them.
//
// It uses no publisher confirms: amqp091-go's confirm bookkeeping costs
// time proportional to the unconfirmed publishes on every acknowledgement,
// which halved the rate, and on a local broker without resource alarms a
// publish that returned no error is not lost. After a purge the queue holds
// exactly what this publishes, so publish then waits until the broker
// counts all n, which checks that claim.
func publish(conn *amqp.Connection, a args) error {
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	if _, err := ch.QueueDeclare(a.queue, false, false, false, false, nil); err != nil {
		return fmt.Errorf("declare queue %q: %w", a.queue, err)
	}
	if a.purge {
		if _, err := ch.QueuePurge(a.queue, false); err != nil {
			return fmt.Errorf("purge queue %q: %w", a.queue, err)
		}
	}
	ctx := context.Background()
	for i := range a.n {
		if err := ch.PublishWithContext(ctx, "", a.queue, false, false, amqp.Publishing{Body: benchBody(i)}); err != nil {
			return fmt.Errorf("publish to %q: %w", a.queue, err)
		}
	}
	if a.purge {
		return waitCount(ch, a.queue, a.n)
	}
	return nil
}

// waitCount waits until the queue holds n ready messages.
func waitCount(ch *amqp.Channel, queue string, n int) error {
	deadline := time.Now().Add(time.Minute)
	for {
		q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
		if err != nil {
			return fmt.Errorf("look at queue %q: %w", queue, err)
		}
		if q.Messages == n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("queue %q holds %d messages a minute after %d were published", queue, q.Messages, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// benchBody is the i-th message: a Neon STT request whose message_id and
// seq differ per message, 200 to 208 bytes on the wire.
func benchBody(i int) []byte {
	data := &neonwire.Dict{}
	data.Set("utterance", "what time is it")
	data.Set("lang", "en-us")
	d := &neonwire.Dict{}
	d.Set("msg_type", "neon.get_stt")
	d.Set("data", data)
	d.Set("message_id", fmt.Sprintf("%032x", i))
	d.Set("seq", int64(i))
	return neonwire.Encode(d)
}
