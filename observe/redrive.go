package observe

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	amqp "github.com/rabbitmq/amqp091-go"
)

// RedriveOptions say what Redrive moves.
type RedriveOptions struct {
	VHost string
	Queue string // the dead-letter queue
	// To, when set, is where every message goes; else each goes back to the
	// queue its x-death header says it died in, and a message without one
	// is left in place.
	To string
	// Count is how many messages to take at most; 0 means all.
	Count int
	// DryRun looks at the messages and says where each would go, moving
	// none (they are returned to the queue, marked redelivered).
	DryRun bool
	// Progress, when set, is told about each message as it is handled.
	Progress func(moved bool)
}

// RedriveResult counts what Redrive did.
type RedriveResult struct {
	Seen    int
	Moved   map[string]int // target queue → messages moved there
	Skipped map[string]int // reason → messages left in the dead-letter queue
}

// MovedTotal is how many messages were moved.
func (r RedriveResult) MovedTotal() int {
	n := 0
	for _, c := range r.Moved {
		n += c
	}
	return n
}

// redriveBatch is how many messages are published before their confirms
// are awaited: enough to keep the pipe full, few enough that an
// interruption leaves little to be sent twice.
const redriveBatch = 100

// Redrive moves dead-lettered messages from a queue back to where they came
// from, body and properties byte for byte. Each is published with
// publisher confirms and mandatory set, and acknowledged on the
// dead-letter queue only after the broker confirmed it and did not return
// it, so that an interruption at any moment (Ctrl-C, kill -9, a closed
// connection) loses nothing: each message is in the dead-letter queue, in
// its target, or at worst in both.
func (b *Broker) Redrive(ctx context.Context, opts RedriveOptions) (RedriveResult, error) {
	res := RedriveResult{Moved: map[string]int{}, Skipped: map[string]int{}}
	conn, err := b.Dial(ctx, opts.VHost)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	get, pub, err := redriveChannels(conn)
	if err != nil {
		return res, err
	}
	returns := pub.NotifyReturn(make(chan amqp.Return, redriveBatch))
	// Messages that stay are held unacknowledged until the end, so that
	// the next basic.get does not take them again; they go back to the
	// queue in one nack when Redrive returns (or with the connection).
	var held []uint64
	defer func() { putBack(get, held) }()
	for opts.Count == 0 || res.Seen < opts.Count {
		batch, err := takeBatch(get, opts, res.Seen)
		if err != nil || len(batch) == 0 {
			return res, errors.Join(err, ctx.Err())
		}
		res.Seen += len(batch)
		keep, err := redriveBatchOf(ctx, get, pub, returns, batch, opts, &res)
		held = append(held, keep...)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// putBack returns held messages to the queue.
func putBack(ch *amqp.Channel, tags []uint64) {
	for _, tag := range tags {
		_ = ch.Nack(tag, false, true)
	}
}

// redriveChannels opens the channel messages are taken from and the
// confirming channel they are published on.
func redriveChannels(conn *amqp.Connection) (get, pub *amqp.Channel, err error) {
	if get, err = conn.Channel(); err != nil {
		return nil, nil, err
	}
	if pub, err = conn.Channel(); err != nil {
		return nil, nil, err
	}
	return get, pub, pub.Confirm(false)
}

// takeBatch gets up to redriveBatch messages, unacknowledged, without
// going past the count.
func takeBatch(ch *amqp.Channel, opts RedriveOptions, seen int) ([]amqp.Delivery, error) {
	var batch []amqp.Delivery
	for len(batch) < redriveBatch && (opts.Count == 0 || seen+len(batch) < opts.Count) {
		d, ok, err := ch.Get(opts.Queue, false)
		if err != nil {
			return batch, fmt.Errorf("read dead-letter queue %q in %q: %w", opts.Queue, opts.VHost, err)
		}
		if !ok {
			break
		}
		batch = append(batch, d)
	}
	return batch, nil
}

// pending is one published message waiting for its confirm.
type pending struct {
	d      *amqp.Delivery
	target string
	conf   *amqp.DeferredConfirmation
}

// redriveBatchOf publishes a batch, then acknowledges on the dead-letter
// queue each message the broker confirmed and did not return. It returns
// the delivery tags of the rest, which stay.
func redriveBatchOf(ctx context.Context, get, pub *amqp.Channel, returns <-chan amqp.Return, batch []amqp.Delivery,
	opts RedriveOptions, res *RedriveResult) ([]uint64, error) {
	var sent []pending
	var keep []uint64 // delivery tags that stay in the dead-letter queue
	for i := range batch {
		d := &batch[i]
		target, why := redriveTarget(d, opts.To)
		if why != "" || opts.DryRun {
			if opts.DryRun && why == "" {
				why = "dry run: would go to " + target
			}
			res.Skipped[why]++
			keep = append(keep, d.DeliveryTag)
			report(opts, false)
			continue
		}
		conf, err := pub.PublishWithDeferredConfirmWithContext(ctx, "", target, true, false, republished(d))
		if err != nil {
			return keep, fmt.Errorf("publish to %q: %w", target, err)
		}
		sent = append(sent, pending{d: d, target: target, conf: conf})
	}
	returned := map[string]bool{}
	for _, p := range sent {
		ok, err := p.conf.WaitContext(ctx)
		if err != nil {
			return keep, err // unacknowledged: back in the queue with the connection
		}
		drainReturns(returns, returned)
		// amqp091 hands a basic.return over before the confirm of the same
		// publish, so a returned message is known by now. Returns name the
		// routing key only: all of a returned target's messages stay (at
		// worst a copy that did arrive is also kept: never a loss).
		if !ok || returned[p.target] {
			res.Skipped["not accepted by "+p.target+" (missing queue, or the broker refused it)"]++
			keep = append(keep, p.d.DeliveryTag)
			report(opts, false)
			continue
		}
		if err := get.Ack(p.d.DeliveryTag, false); err != nil {
			return keep, err
		}
		res.Moved[p.target]++
		report(opts, true)
	}
	return keep, nil
}

// drainReturns notes the targets (routing keys) of returned messages.
func drainReturns(returns <-chan amqp.Return, returned map[string]bool) {
	for {
		select {
		case r := <-returns:
			returned[r.RoutingKey] = true
		default:
			return
		}
	}
}

func report(opts RedriveOptions, moved bool) {
	if opts.Progress != nil {
		opts.Progress(moved)
	}
}

// redriveTarget is where a dead-lettered message goes: to, else the queue
// of its most recent x-death entry. why says why it stays instead.
func redriveTarget(d *amqp.Delivery, to string) (target, why string) {
	if to != "" {
		return to, ""
	}
	deaths, _ := d.Headers["x-death"].([]any)
	if len(deaths) == 0 {
		return "", "no x-death header (give --to to move such messages)"
	}
	first, _ := deaths[0].(amqp.Table)
	q, _ := first["queue"].(string)
	if q == "" {
		return "", "x-death names no queue (give --to)"
	}
	return q, ""
}

// republished is the delivery as a new publishing with the same body and
// properties, headers (x-death included) as they were.
func republished(d *amqp.Delivery) amqp.Publishing {
	return amqp.Publishing{
		Headers: d.Headers, ContentType: d.ContentType, ContentEncoding: d.ContentEncoding,
		DeliveryMode: d.DeliveryMode, Priority: d.Priority, CorrelationId: d.CorrelationId,
		ReplyTo: d.ReplyTo, Expiration: d.Expiration, MessageId: d.MessageId, Timestamp: d.Timestamp,
		Type: d.Type, UserId: d.UserId, AppId: d.AppId, Body: d.Body,
	}
}

// Targets lists the result's targets in order, for a summary.
func (r RedriveResult) Targets() []string {
	var out []string
	for q := range r.Moved {
		out = append(out, q)
	}
	slices.Sort(out)
	return out
}

// Summary says in one line what moved where: "moved 3 of 4 from "dlq": 2
// to "a", 1 to "b"". A dry run's result reads as what would move.
func (r RedriveResult) Summary(from string) string {
	var moved []string
	for _, q := range r.Targets() {
		moved = append(moved, fmt.Sprintf("%d to %q", r.Moved[q], q))
	}
	s := fmt.Sprintf("moved %d of %d from %q", r.MovedTotal(), r.Seen, from)
	if len(moved) > 0 {
		s += ": " + strings.Join(moved, ", ")
	}
	return s
}
