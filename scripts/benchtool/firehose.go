package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// traceExchange is where the broker's tracer publishes a copy of every
// message published and delivered in a vhost with tracing on.
const traceExchange = "amq.rabbitmq.trace"

// traceDrain is the firehose baseline: a plain amqp091-go consumer of a
// queue of its own bound to the trace exchange, with the settings of drain.
// It creates the file -ready once it is bound (nothing traced before that
// reaches it), takes n trace events, and prints when it took the last, in
// Unix nanoseconds.
func traceDrain(conn *amqp.Connection, a args) error {
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		return fmt.Errorf("declare the trace queue: %w", err)
	}
	if err := ch.QueueBind(q.Name, "#", traceExchange, false, nil); err != nil {
		return fmt.Errorf("bind to %s (is the vhost's tracing on?): %w", traceExchange, err)
	}
	if err := os.WriteFile(a.ready, nil, 0o600); err != nil {
		return err
	}
	return drainQueue(ch, q.Name, a.n, true)
}

// countLines reads lines from stdin until it ends and prints, in Unix
// nanoseconds, when the n-th arrived: the moment a command piped into it
// had printed n lines. It fails when fewer came.
func countLines(n int) error {
	r := bufio.NewReaderSize(os.Stdin, 64<<10)
	var last time.Time
	for got := 0; ; {
		_, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			continue // the rest of a long line
		}
		if err == io.EOF {
			if got < n {
				return fmt.Errorf("lines: %d of %d lines", got, n)
			}
			fmt.Println(last.UnixNano())
			return nil
		}
		if err != nil {
			return err
		}
		if got++; got == n {
			last = time.Now()
		}
	}
}
