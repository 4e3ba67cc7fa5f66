package observe

import (
	"context"
	"net/url"
)

// DeadLetterQueues names the queues of vhost that other queues dead-letter
// into, from the management API: for each queue with a dead-letter
// exchange (x-dead-letter-exchange, or the dead-letter-exchange of its
// policy), the queue its dead-letter routing key names when that exchange
// is the default one (""), else every queue bound to that exchange. The
// broker declares nothing else that makes a queue a dead-letter queue, so
// this is what "dead-letter queue" means on the board; messages that did
// die there carry x-death, which redrive reads to send each one back.
func (b *Broker) DeadLetterQueues(ctx context.Context, vhost string) (map[string]bool, error) {
	var qs []struct {
		Name      string         `json:"name"`
		Arguments map[string]any `json:"arguments"`
		Policy    map[string]any `json:"effective_policy_definition"`
	}
	if err := b.Mgmt.do(ctx, "GET", "/api/queues/"+url.PathEscape(vhost)+"?columns=name,arguments,effective_policy_definition", nil, &qs); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	exchanges := map[string]bool{}
	for _, q := range qs {
		dlx, ok := deadLetterSetting(q.Arguments, q.Policy, "x-dead-letter-exchange", "dead-letter-exchange")
		if !ok {
			continue
		}
		rk, hasKey := deadLetterSetting(q.Arguments, q.Policy, "x-dead-letter-routing-key", "dead-letter-routing-key")
		switch {
		case dlx == "" && hasKey:
			out[rk] = true
		case dlx == "":
			out[q.Name] = true // dead-letters to itself through the default exchange
		default:
			exchanges[dlx] = true
		}
	}
	for x := range exchanges {
		var bindings []struct {
			Destination     string `json:"destination"`
			DestinationType string `json:"destination_type"`
		}
		path := "/api/exchanges/" + url.PathEscape(vhost) + "/" + url.PathEscape(x) + "/bindings/source"
		if err := b.Mgmt.do(ctx, "GET", path, nil, &bindings); err != nil {
			continue // the exchange is gone: nothing is dead-lettered through it
		}
		for _, bd := range bindings {
			if bd.DestinationType == "queue" {
				out[bd.Destination] = true
			}
		}
	}
	return out, nil
}

// deadLetterSetting reads a string setting from a queue's arguments, else
// its policy.
func deadLetterSetting(args, policy map[string]any, arg, key string) (string, bool) {
	if v, ok := args[arg].(string); ok {
		return v, true
	}
	v, ok := policy[key].(string)
	return v, ok
}
