//go:build integration

package connector_test

import (
	"context"
	"fmt"
	"time"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// exampleConfig is the local broker that scripts/broker.sh prepares.
const exampleConfig = `{"server": "127.0.0.1", "port": 5672,
	"users": {"neon_api_connector": {"user": "guest", "password": "guest"}}}`

// A service with one consumer that answers each request, and a request to
// it: Delivery.Reply sends the answer to the queue the request's
// routing_key names, with its message_id, where the Requester matches it.
func ExampleService() {
	cfg, _ := connector.ParseConfig("mq_config.json", []byte(exampleConfig))
	client, err := connector.NewClient(cfg, "neon_api_connector")
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	const queue = "example_api_input" // Neon's flags: stays until deleted, one for every run
	svc := connector.NewService(client, "/mqscope_test")
	_ = svc.AddConsumer(connector.Consumer{Name: "api", Queue: queue,
		Handler: func(ctx context.Context, d *connector.Delivery) error {
			reply := &neonwire.Dict{}
			reply.Set("status_code", 200)
			reply.Set("content", "Success")
			return d.Reply(ctx, reply)
		}})
	up := make(chan struct{})
	svc.OnState = func(s connector.State) {
		if s.Kind == connector.StateConnected {
			select {
			case up <- struct{}{}:
			default:
			}
		}
	}
	go func() { _ = svc.Run(ctx) }()
	<-up

	req, err := client.NewRequester(ctx, "/mqscope_test", connector.RequesterOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer req.Close()
	body := &neonwire.Dict{}
	body.Set("service", "api_test_endpoint")
	resp, err := req.Request(ctx, queue, body, connector.RequestOptions{DeclareTarget: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	code, _ := resp.Value.(*neonwire.Dict).Get("status_code")
	fmt.Println("status_code", code, "for", len(resp.MessageID), "hex digits of message_id")
	// Output:
	// status_code 200 for 32 hex digits of message_id
}

// A request to a queue that does not exist fails at once: the Requester
// publishes with mandatory set, and the broker returns the message.
func ExampleRequester_Request() {
	cfg, _ := connector.ParseConfig("mq_config.json", []byte(exampleConfig))
	client, _ := connector.NewClient(cfg, "neon_api_connector")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := client.NewRequester(ctx, "/mqscope_test", connector.RequesterOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer req.Close()
	body := &neonwire.Dict{}
	body.Set("operation", "read")
	_, err = req.Request(ctx, "no_such_queue", body, connector.RequestOptions{})
	fmt.Println(err)
	// Output:
	// no queue "no_such_queue" in vhost "/mqscope_test"
}
