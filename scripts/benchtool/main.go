// Command benchtool is the broker side of scripts/bench.sh: it fills a
// queue with Neon messages, drains one with a plain amqp091-go consumer (the
// baseline mqscope is compared with), waits for a queue to empty, and
// deletes a queue afterwards. For the firehose it drains the trace exchange
// as a plain consumer would, and stamps when a pipe's n-th line arrives. It
// is a benchmark aid, not part of mqscope.
//
//	go run ./scripts/benchtool publish -vhost V -queue Q -n N [-purge]
//	go run ./scripts/benchtool drain -vhost V -queue Q -n N [-stamp]
//	go run ./scripts/benchtool trace-drain -vhost V -n N -ready FILE
//	go run ./scripts/benchtool wait-empty -vhost V -queue Q -n N
//	go run ./scripts/benchtool delete -vhost V -queue Q
//	go run ./scripts/benchtool requests -vhost V -queue Q -n N
//	go run ./scripts/benchtool lines -n N < LINES
//
// It talks to the local test broker as guest (scripts/broker.sh); -url
// overrides the broker, without the vhost, which -vhost gives.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"

	amqp "github.com/rabbitmq/amqp091-go"
)

const usage = "usage: benchtool publish|drain|trace-drain|wait-empty|delete|lines|requests -vhost V -queue Q [-n N] [-purge] [-stamp] [-ready FILE]"

// commands maps each subcommand to what runs it.
var commands = map[string]func(conn *amqp.Connection, a args) error{
	"publish":     publish,
	"drain":       drain,
	"trace-drain": traceDrain,
	"wait-empty":  waitEmpty,
	"delete":      deleteQueue,
	"lines":       nil, // no broker: see countLines
	"requests":    nil, // a connection of its own: see runRequests
}

// args are the flags every subcommand shares.
type args struct {
	queue string
	n     int
	purge bool
	stamp bool   // drain: print when the last message was taken
	ready string // trace-drain: the file to create once bound
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchtool: "+err.Error())
		os.Exit(1)
	}
}

func run(argv []string) error {
	if len(argv) == 0 {
		return errors.New(usage)
	}
	cmd, ok := commands[argv[0]]
	if !ok {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet(argv[0], flag.ContinueOnError)
	broker := fs.String("url", "amqp://guest:guest@127.0.0.1:5672/", "broker URL, without the vhost")
	vhost := fs.String("vhost", "/mqscope_test", "virtual host")
	var a args
	fs.StringVar(&a.queue, "queue", "", "queue name")
	fs.IntVar(&a.n, "n", 0, "number of messages")
	fs.BoolVar(&a.purge, "purge", false, "publish: empty the queue first")
	fs.BoolVar(&a.stamp, "stamp", false, "drain: print when the last message was taken (Unix ns)")
	fs.StringVar(&a.ready, "ready", "", "trace-drain: file to create once bound")
	if err := fs.Parse(argv[1:]); err != nil {
		return err
	}
	if argv[0] == "requests" {
		return runRequests(*vhost, a.queue, a.n)
	}
	if cmd == nil {
		return countLines(a.n)
	}
	if (a.queue == "" && a.ready == "") || a.n < 0 {
		return errors.New(argv[0] + ": give -queue (trace-drain: -ready) and a non-negative -n")
	}
	conn, err := amqp.Dial(strings.TrimSuffix(*broker, "/") + "/" + url.PathEscape(*vhost))
	if err != nil {
		// amqp091's dial errors do not include the URL, so no password.
		return fmt.Errorf("connect to vhost %q: %w", *vhost, err)
	}
	defer conn.Close()
	return cmd(conn, a)
}

// deleteQueue removes the benchmark's queue.
func deleteQueue(conn *amqp.Connection, a args) error {
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	_, err = ch.QueueDelete(a.queue, false, false, false)
	return err
}
