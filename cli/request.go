package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"mqscope/observe"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

func runRequest(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("request", "--vhost V --queue Q --json '{...}' [--timeout 30s] [--expiration 1000]")
	var b brokerFlags
	b.register(fs)
	vhost := fs.String("vhost", "", "virtual host of the target queue")
	queue := fs.String("queue", "", "target queue")
	body := fs.String("json", "", "request body: a JSON object or Python dict literal; - reads stdin")
	timeout := fs.String("timeout", connector.DefaultTimeout.String(), "how long to wait for the reply, with its unit: 30s, 1m, 500ms")
	expiration := fs.Int("expiration", 1000, "per-message TTL of the request in ms")
	declare := fs.Bool("declare", false, "declare the target queue first (as the Python library does)")
	waitAnyway := fs.Bool("wait", false, "wait the whole --timeout even when the queue has no consumer (by default mqscope gives up once the request has expired)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "vhost", "queue", "json"); err != nil {
		return err
	}
	wait, err := parseTimeout("request", *timeout)
	if err != nil {
		return err
	}
	opts := connector.RequestOptions{Timeout: wait, Expiration: fmt.Sprint(*expiration), DeclareTarget: *declare}
	if err := connector.CheckRequest(*queue, opts); err != nil {
		return usagef("request: %v", err)
	}
	value, err := readValue(*body, "--json")
	if err != nil {
		return err
	}
	broker, _, err := b.broker()
	if err != nil {
		return err
	}
	if err := broker.ReadOnly.Refuse(fmt.Sprintf("request would publish to queue %q", *queue)); err != nil {
		return err
	}
	noConsumer := checkBeforeSend(ctx, broker, *vhost, *queue, opts.Expiration)
	if noConsumer && !*waitAnyway {
		// Nobody takes it: it dies at its expiration, and no reply can come.
		opts.Timeout = min(opts.Timeout, observe.UnconsumedWait(time.Duration(*expiration)*time.Millisecond))
	}
	req, err := broker.OpenRequester(ctx, *vhost, connector.RequesterOptions{})
	if err != nil {
		return noReply(ctx, err, *queue, *vhost)
	}
	defer req.Close()
	resp, err := req.Request(ctx, *queue, value, opts)
	if noConsumer && !*waitAnyway && errors.Is(err, connector.ErrTimeout) {
		return fmt.Errorf("no reply: queue %q had no consumer and the request expired after %d ms (give --wait to wait the whole --timeout for a consumer to come)", *queue, *expiration)
	}
	var elsewhere *connector.ReplyElsewhereError
	if errors.As(err, &elsewhere) {
		return sendWithoutReply(ctx, req.Requester, *queue, value, opts, elsewhere.ReplyQueue, stdout)
	}
	if err != nil {
		return noReply(ctx, err, *queue, *vhost)
	}
	fmt.Fprintf(os.Stderr, "reply from %s in %s\n", *queue, resp.Latency.Round(time.Microsecond))
	_, err = fmt.Fprintf(stdout, "%s\n", neonwire.ToJSONIndent(resp.Value, "  "))
	return err
}

// checkBeforeSend says on stderr what stands in the way of the request
// (no such queue, no consumer, no permission), and reports whether the
// queue has no consumer. A check that cannot be made is no reason to stop.
func checkBeforeSend(ctx context.Context, broker *observe.Broker, vhost, queue, expiration string) (noConsumer bool) {
	check, err := broker.CheckSend(ctx, vhost, queue, expiration)
	if err != nil || !check.Exists {
		// A missing queue: the request fails at once and says so itself.
		return false
	}
	for _, p := range check.Problems {
		fmt.Fprintln(os.Stderr, "mqscope: "+p)
	}
	return check.Unconsumed()
}

// noReply explains err, which ended a request without a reply: when a
// signal ended ctx, that the request was interrupted and no reply came
// (never a success, whatever the context's error says).
func noReply(ctx context.Context, err error, queue, vhost string) error {
	if sig, ok := interruptedBy(ctx); ok {
		return &interrupted{sig: sig, what: fmt.Sprintf("no reply was received from queue %q in vhost %q", queue, vhost)}
	}
	return err
}

// sendWithoutReply publishes a body whose own routing_key sends the reply
// to another queue: saying so first, and not waiting for a reply that
// cannot come here. It prints the message_id and that queue as JSON.
func sendWithoutReply(ctx context.Context, req *connector.Requester, queue string, value neonwire.Value,
	opts connector.RequestOptions, replyQueue string, stdout io.Writer) error {
	fmt.Fprintf(os.Stderr, "mqscope: the body's routing_key sends the reply to queue %q, so mqscope sends the request without waiting for it\n", replyQueue)
	id, err := req.Send(ctx, queue, value, opts)
	if sig, ok := interruptedBy(ctx); ok && err != nil {
		return &interrupted{sig: sig, what: fmt.Sprintf("the request to queue %q may not have been sent", queue)}
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]string{"message_id": id, "reply_queue": replyQueue})
}

// readValue parses a JSON or Python literal given as an argument, or read
// from stdin when it is "-".
func readValue(arg, what string) (neonwire.Value, error) {
	src, err := argOrStdin(arg)
	if err != nil {
		return nil, err
	}
	v, err := neonwire.ParseUserValue(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	return v, nil
}

// argOrStdin returns arg, or all of stdin when arg is "-".
func argOrStdin(arg string) (string, error) {
	if arg != "-" {
		return arg, nil
	}
	data, err := io.ReadAll(bufio.NewReader(os.Stdin))
	if err != nil {
		return "", fmt.Errorf("reading stdin: %w", err)
	}
	return string(data), nil
}
