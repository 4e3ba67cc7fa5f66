package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"mqscope/connector"
	"mqscope/demo"
)

func runDemo(ctx context.Context, args []string, _ io.Writer) error {
	fs := newFlagSet("demo", "--vhost V [--services api,llm,users] [--rate 2] [--force]")
	var b brokerFlags
	b.register(fs)
	vhost := fs.String("vhost", "", "virtual host to run the demo services in")
	services := fs.String("services", strings.Join(demo.ServiceNames, ","), "demo services to run")
	rate := fs.Float64("rate", 2, "requests per second sent by the traffic generator (0: none)")
	force := fs.Bool("force", false, "run even where a demo queue already has consumers")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "vhost"); err != nil {
		return err
	}
	broker, _, err := b.broker()
	if err != nil {
		return err
	}
	if err := broker.ReadOnly.Refuse("demo declares queues, consumes them and publishes requests"); err != nil {
		return err
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", a...)
	}
	logf("demo: services %s in vhost %s, %.3g requests/s; Ctrl-C stops", *services, *vhost, *rate)
	return demo.Run(ctx, broker.Client, *vhost, demo.Options{
		Services: splitList(*services), Rate: *rate, Force: *force, Log: logf,
		OpenRequester: func(ctx context.Context, vhost string, opts connector.RequesterOptions) (demo.Requester, error) {
			r, err := broker.OpenRequester(ctx, vhost, opts)
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return r, nil
		},
	})
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
