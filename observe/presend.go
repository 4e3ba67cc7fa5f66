package observe

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// SendCheck is what can be known, before a request is sent, about whether
// it can succeed: the target queue and this user's permissions.
type SendCheck struct {
	VHost, Queue string
	Exists       bool
	Consumers    int
	Ready        int
	// Problems are reasons the request cannot succeed or will vanish, one
	// line each, in the order a person should read them; empty when none is
	// known.
	Problems []string
	// Unknown says what could not be checked and why ("" when everything
	// was): without the management API the permissions are unknown.
	Unknown string
}

// OK reports that nothing known stands in the way.
func (c SendCheck) OK() bool { return len(c.Problems) == 0 }

// Unconsumed reports a queue that exists and that nobody consumes: a
// request sent there expires unread at its expiration.
func (c SendCheck) Unconsumed() bool { return c.Exists && c.Consumers == 0 }

// UnconsumedWait is how long a request with this expiration (its
// per-message TTL) can still be answered when its queue had no consumer:
// the expiration, plus half a second for a consumer that came just in
// time. Past that the broker has dropped it unread, and waiting out the
// timeout would only count up.
func UnconsumedWait(expiration time.Duration) time.Duration {
	return expiration + 500*time.Millisecond
}

// permissions are a user's permission regexes in a vhost.
type permissions struct {
	Configure string `json:"configure"`
	Write     string `json:"write"`
	Read      string `json:"read"`
}

// sampleReplyQueue stands for the reply queue a request will get: a uuid4
// hex name, unknown until the requester makes it.
const sampleReplyQueue = "0123456789abcdef0123456789abcdef"

// CheckSend looks at the target queue (a passive declare: exists,
// consumers, ready) and, through the management API, at the user's
// permissions: write on the default exchange (RabbitMQ checks "amq.default"
// for it), configure and read on a reply queue. expiration is the
// request's per-message TTL, named in the no-consumer problem.
func (b *Broker) CheckSend(ctx context.Context, vhost, queue, expiration string) (SendCheck, error) {
	c := SendCheck{VHost: vhost, Queue: queue}
	infos, err := b.InspectQueues(ctx, vhost, queue)
	if err != nil {
		return c, err
	}
	c.Exists, c.Consumers, c.Ready = infos[0].Exists, infos[0].Consumers, infos[0].Messages
	switch {
	case !c.Exists:
		c.Problems = append(c.Problems, fmt.Sprintf("no queue %q in vhost %q: the request would be unroutable", queue, vhost))
	case c.Consumers == 0 && expiration != "":
		c.Problems = append(c.Problems, fmt.Sprintf("no consumer on %q: the request will expire after %s ms", queue, expiration))
	case c.Consumers == 0:
		c.Problems = append(c.Problems, fmt.Sprintf("no consumer on %q: the request waits in the queue until one comes", queue))
	}
	var p permissions
	path := "/api/permissions/" + url.PathEscape(vhost) + "/" + url.PathEscape(b.User())
	if err := b.Mgmt.do(ctx, "GET", path, nil, &p); err != nil {
		c.Unknown = "permissions not checked: the management API did not answer (" + mgmtReason(err) + ")"
		return c, nil
	}
	for _, need := range []struct{ what, regex, resource string }{
		{"write to the default exchange", p.Write, "amq.default"},
		{"declare its reply queue (configure)", p.Configure, sampleReplyQueue},
		{"read its reply queue", p.Read, sampleReplyQueue},
	} {
		if ok, known := permits(need.regex, need.resource); known && !ok {
			c.Problems = append(c.Problems, fmt.Sprintf("user %q may not %s in vhost %q (permission regex %q)", b.User(), need.what, vhost, need.regex))
		}
	}
	return c, nil
}

// permits reports whether a RabbitMQ permission regex grants resource.
// RabbitMQ matches without anchoring, and "" means nothing at all. known
// is false for a regex Go's engine cannot read (Erlang's is PCRE).
func permits(regex, resource string) (ok, known bool) {
	if regex == "" || regex == "^$" {
		return false, true
	}
	re, err := regexp.Compile(regex)
	if err != nil {
		return false, false
	}
	return re.MatchString(resource), true
}

// String is the check in one line per problem, for a terminal.
func (c SendCheck) String() string {
	lines := c.Problems
	if c.Unknown != "" {
		lines = append(lines, c.Unknown)
	}
	return strings.Join(lines, "\n")
}
