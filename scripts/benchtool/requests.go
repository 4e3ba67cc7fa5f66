package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// requestsInFlight bounds the requests `benchtool requests` has waiting.
const requestsInFlight = 64

// requests sends n Neon requests {'service': 'api_test_endpoint'} to queue
// in vhost as the Python library would (connector.Requester), at most
// requestsInFlight waiting at once, and fails unless every one is
// answered. bench.sh's replay section records them.
func requests(vhost, queue string, n int) error {
	cfg, err := connector.ParseConfig("benchtool", []byte(`{"server": "127.0.0.1", "port": 5672,
		"users": {"mq_handler": {"user": "guest", "password": "guest"}}}`))
	if err != nil {
		return err
	}
	client, err := connector.NewClient(cfg, "mq_handler")
	if err != nil {
		return err
	}
	ctx := context.Background()
	req, err := client.NewRequester(ctx, vhost, connector.RequesterOptions{})
	if err != nil {
		return err
	}
	defer req.Close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	slots := make(chan struct{}, requestsInFlight)
	for range n {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			body := &neonwire.Dict{}
			body.Set("service", "api_test_endpoint")
			if _, err := req.Request(ctx, queue, body, connector.RequestOptions{}); err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed > 0 {
		return fmt.Errorf("requests: %d of %d got no reply", failed, n)
	}
	return nil
}

// runRequests parses the flags of `benchtool requests`, which needs no
// plain AMQP connection.
func runRequests(vhost, queue string, n int) error {
	if queue == "" || n <= 0 {
		return errors.New("requests: give -queue and a positive -n")
	}
	return requests(vhost, queue, n)
}
