package main

import (
	"errors"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// The baseline consumer's settings match what mqscope's consume watch uses.
const (
	prefetch = 200 // deliveries in flight: the client-side limit
	ackEvery = 50  // one multiple=true ack per this many messages
)

// drain consumes n messages from the queue with manual acknowledgements,
// doing nothing with them, and returns once all n are acknowledged: the
// fastest a plain amqp091-go consumer takes messages, for comparison. With
// -stamp it prints when it took the last, in Unix nanoseconds.
func drain(conn *amqp.Connection, a args) error {
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	return drainQueue(ch, a.queue, a.n, a.stamp)
}

// drainQueue is drain on an open channel.
func drainQueue(ch *amqp.Channel, queue string, n int, stamp bool) error {
	if err := ch.Qos(prefetch, 0, false); err != nil {
		return err
	}
	deliveries, err := ch.Consume(queue, "", false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume queue %q: %w", queue, err)
	}
	for got := 1; got <= n; got++ {
		d, ok := <-deliveries
		if !ok {
			return fmt.Errorf("consumer closed after %d of %d messages", got-1, n)
		}
		if got == n && stamp {
			fmt.Println(time.Now().UnixNano())
		}
		if got%ackEvery == 0 || got == n {
			if err := d.Ack(true); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitEmpty polls the queue's ready count every 5 ms until none is ready
// and prints, in seconds, how long that took from the first message taken
// (fewer than n ready): the drain time of whatever consumes a queue filled
// with n, without that consumer's start-up. With n = 0 it times from the
// call.
func waitEmpty(conn *amqp.Connection, a args) error {
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	var start time.Time
	if a.n == 0 {
		start = time.Now()
	}
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		q, err := ch.QueueDeclarePassive(a.queue, false, false, false, false, nil)
		if err != nil {
			return fmt.Errorf("look at queue %q: %w", a.queue, err)
		}
		now := time.Now()
		if start.IsZero() && q.Messages < a.n {
			start = now
		}
		if q.Messages == 0 && !start.IsZero() {
			fmt.Printf("%.3f\n", now.Sub(start).Seconds())
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return errors.New("the queue was not drained within 10 minutes")
}
