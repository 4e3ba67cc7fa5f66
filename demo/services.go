// Package demo runs Neon-style services built on the connector, with a
// traffic generator, so that a newcomer has real request/reply traffic to
// watch. The services answer the way the real Neon services do (docs/wire.md
// §5): same queues, same body shapes, same in-band errors.
package demo

import (
	"context"
	"fmt"
	"strings"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// Queues the demo services consume, by service name.
var Queues = map[string]string{
	"api":   "neon_api_input",
	"llm":   "chat_gpt_input",
	"users": "neon_users_input",
}

// ServiceNames lists the demo services in a stable order.
var ServiceNames = []string{"api", "llm", "users"}

// handlers returns the handler of each demo service.
func handlers() map[string]connector.Handler {
	return map[string]connector.Handler{
		"api":   replyWith(apiProxy),
		"llm":   replyWith(chatGPT),
		"users": replyWith(usersService),
	}
}

// replyWith adapts a pure request → reply function into a handler.
func replyWith(answer func(req *neonwire.Dict) *neonwire.Dict) connector.Handler {
	return func(ctx context.Context, d *connector.Delivery) error {
		if d.DecodeErr != nil {
			return fmt.Errorf("ignoring a body that is not Neon-encoded: %w", d.DecodeErr)
		}
		req, ok := d.Value.(*neonwire.Dict)
		if !ok {
			return fmt.Errorf("ignoring a request that is not a dict: %s", neonwire.Repr(d.Value))
		}
		return d.Reply(ctx, answer(req))
	}
}

func dict(items ...any) *neonwire.Dict {
	d := &neonwire.Dict{}
	for i := 0; i+1 < len(items); i += 2 {
		d.Set(items[i].(string), items[i+1])
	}
	return d
}

func str(d *neonwire.Dict, key string) string {
	v, _ := d.Get(key)
	s, _ := v.(string)
	return s
}

// apiProxy answers like neon_api_proxy: a known service gets status 200,
// an unknown one status 401 with the real proxy's wording.
func apiProxy(req *neonwire.Dict) *neonwire.Dict {
	service := str(req, "service")
	if service == "api_test_endpoint" {
		return dict("status_code", int64(200), "content", "Success", "encoding", nil)
	}
	return dict("status_code", int64(401), "content", "Unresolved service name: "+service, "encoding", "utf-8")
}

// chatGPT answers like the LLM services: a response derived from the query
// and the length of the history, with the routing_key echoed.
func chatGPT(req *neonwire.Dict) *neonwire.Dict {
	query := str(req, "query")
	turns := 0
	if h, ok := req.Get("history"); ok {
		if l, ok := h.(neonwire.List); ok {
			turns = len(l)
		}
	}
	resp := fmt.Sprintf("You said %q. We have spoken %d times before.", query, turns)
	if strings.TrimSpace(query) == "" {
		resp = "I did not catch a question."
	}
	return dict("routing_key", str(req, "routing_key"), "response", resp)
}

// demoUsers are the users the demo users service knows.
var demoUsers = map[string]*neonwire.Dict{
	"alice": dict("username", "alice", "first_name", "Alice", "units", dict("time", int64(12), "measure", "metric")),
	"bob":   dict("username", "bob", "first_name", "Bob", "units", dict("time", int64(24), "measure", "imperial")),
}

// usersService answers like neon_users_service: in-band success/error.
func usersService(req *neonwire.Dict) *neonwire.Dict {
	if op := str(req, "operation"); op != "read" {
		return dict("success", false, "error", "Unsupported operation: "+op, "code", int64(400))
	}
	u, ok := demoUsers[str(req, "user_spec")]
	if !ok {
		return dict("success", false, "error", "User does not exist", "code", int64(404))
	}
	return dict("success", true, "user", u)
}
