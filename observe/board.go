package observe

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
)

// QueueKind says what a queue is for, as far as Neon's conventions tell.
type QueueKind string

// Queue kinds.
const (
	KindService QueueKind = "service" // a service's input queue
	KindReply   QueueKind = "reply"   // a send_mq_request reply queue (uuid4 hex)
	KindOther   QueueKind = "other"   // broker, mqscope or unknown queues
)

// Problem names something wrong with a queue. The codes are part of
// mqscope's output (`status --json`), so they never change.
type Problem string

// Board problems.
const (
	// NoConsumer: a service queue nobody consumes; its requests expire.
	NoConsumer Problem = "no_consumer"
	// Backlog: ready messages grew over the last minute.
	Backlog Problem = "backlog"
	// StuckUnacked: messages delivered but not acknowledged, and no acks in
	// the last minute, while consumers exist.
	StuckUnacked Problem = "stuck_unacked"
	// OrphanReplyQueue: a reply queue nobody consumes, left by a
	// send_mq_request that timed out (Neon deletes it only on a reply).
	OrphanReplyQueue Problem = "orphan_reply_queue"
)

// BoardRow is one queue on the service board.
type BoardRow struct {
	VHost       string    `json:"vhost"`
	Queue       string    `json:"queue"`
	Service     string    `json:"service,omitempty"` // the Neon service it belongs to, when known
	Kind        QueueKind `json:"kind"`
	Consumers   int       `json:"consumers"`
	Ready       int       `json:"ready"`
	Unacked     int       `json:"unacked"`
	PublishRate float64   `json:"publish_rate"` // messages/s published to it, last minute
	DeliverRate float64   `json:"deliver_rate"` // messages/s delivered from it, last minute
	IdleSince   string    `json:"idle_since,omitempty"`
	Problems    []Problem `json:"problems"`
	// ReadySamples are the ready counts of the last minute, oldest first,
	// for a sparkline; empty without the management API.
	ReadySamples []int `json:"-"`
}

// Board is the service board of some vhosts.
type Board struct {
	Rows []BoardRow
	// Missing says what the board could not learn, and why ("" when the
	// management API answered): without it, only the queues the config
	// names are shown, with what a passive declare tells.
	Missing string
}

// mgmtQueue is the part of the management API's queue object the board
// reads (RabbitMQ 3.10, with lengths_age and msg_rates_age set).
type mgmtQueue struct {
	Name         string `json:"name"`
	VHost        string `json:"vhost"`
	Consumers    int    `json:"consumers"`
	Ready        int    `json:"messages_ready"`
	Unacked      int    `json:"messages_unacknowledged"`
	IdleSince    string `json:"idle_since"`
	ReadyDetails struct {
		Samples []struct {
			Sample    int   `json:"sample"`
			Timestamp int64 `json:"timestamp"`
		} `json:"samples"`
	} `json:"messages_ready_details"`
	Stats struct {
		Publish rateDetails `json:"publish_details"`
		Deliver rateDetails `json:"deliver_get_details"`
		Ack     rateDetails `json:"ack_details"`
	} `json:"message_stats"`
}

type rateDetails struct {
	AvgRate float64 `json:"avg_rate"`
	Rate    float64 `json:"rate"`
}

// boardQuery asks for a minute of samples, every 10 s.
const boardQuery = "?lengths_age=60&lengths_incr=10&msg_rates_age=60&msg_rates_incr=10"

// Board reads the queues of each vhost. services maps a queue name to the
// Neon service that consumes it (from mqscope.services); other queues are
// told apart by name. Without the management API (absent, or this user
// may not use it) it falls back to passive declares of the named service
// queues and says what is missing.
func (b *Broker) Board(ctx context.Context, vhosts []string, services map[string]string) (Board, error) {
	var board Board
	for _, vhost := range vhosts {
		var qs []mgmtQueue
		err := b.Mgmt.do(ctx, "GET", "/api/queues/"+url.PathEscape(vhost)+boardQuery, nil, &qs)
		if err != nil {
			return b.passiveBoard(ctx, vhosts, services, err)
		}
		for _, q := range qs {
			board.Rows = append(board.Rows, boardRow(q, vhost, services))
		}
	}
	sortBoard(board.Rows)
	return board, nil
}

// boardRow turns one management API queue into a row with its problems.
func boardRow(q mgmtQueue, vhost string, services map[string]string) BoardRow {
	r := BoardRow{VHost: vhost, Queue: q.Name, Service: serviceOf(q.Name, services), Kind: queueKind(q.Name, services),
		Consumers: q.Consumers, Ready: q.Ready, Unacked: q.Unacked, IdleSince: q.IdleSince,
		PublishRate: q.Stats.Publish.AvgRate, DeliverRate: q.Stats.Deliver.AvgRate}
	samples := q.ReadyDetails.Samples
	slices.SortFunc(samples, func(a, b struct {
		Sample    int   `json:"sample"`
		Timestamp int64 `json:"timestamp"`
	}) int {
		return int(a.Timestamp - b.Timestamp)
	})
	for _, s := range samples {
		r.ReadySamples = append(r.ReadySamples, s.Sample)
	}
	r.Problems = problems(r, q.Stats.Ack.AvgRate)
	return r
}

// problems flags what is wrong with a row.
func problems(r BoardRow, ackRate float64) []Problem {
	out := []Problem{}
	if r.Kind == KindService && r.Consumers == 0 {
		out = append(out, NoConsumer)
	}
	if n := len(r.ReadySamples); n >= 2 && r.Ready > 0 && r.ReadySamples[n-1] > r.ReadySamples[0] {
		out = append(out, Backlog)
	}
	if r.Unacked > 0 && r.Consumers > 0 && ackRate == 0 {
		out = append(out, StuckUnacked)
	}
	if r.Kind == KindReply && r.Consumers == 0 {
		out = append(out, OrphanReplyQueue)
	}
	return out
}

// serviceOf names the Neon service a queue belongs to: as the config says,
// else from Neon's naming of input queues, SERVICE_input (docs/wire.md:
// neon_api_input, chat_gpt_input); "" when neither tells.
func serviceOf(name string, services map[string]string) string {
	if s := services[name]; s != "" {
		return s
	}
	if base, ok := strings.CutSuffix(name, "_input"); ok && base != "" && queueKind(name, services) == KindService {
		return base
	}
	return ""
}

// queueKind tells a queue's purpose from its name: a reply queue is 32
// lowercase hex digits (uuid4().hex); a queue the config names for a
// service, or any other name that is neither the broker's (amq.*) nor
// mqscope's own (mqscope.*), is taken for a service's input.
func queueKind(name string, services map[string]string) QueueKind {
	switch {
	case IsReplyQueueName(name):
		return KindReply
	case services[name] != "":
		return KindService
	case strings.HasPrefix(name, "amq.") || strings.HasPrefix(name, privateQueuePrefix) || strings.HasPrefix(name, "mqscope"):
		return KindOther
	}
	return KindService
}

// IsReplyQueueName reports a Neon reply queue name: uuid4().hex.
func IsReplyQueueName(name string) bool {
	if len(name) != 32 {
		return false
	}
	for _, c := range name {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// sortBoard puts rows with problems first, then by vhost and queue.
func sortBoard(rows []BoardRow) {
	slices.SortStableFunc(rows, func(a, b BoardRow) int {
		if (len(a.Problems) > 0) != (len(b.Problems) > 0) {
			if len(a.Problems) > 0 {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.VHost, b.VHost); c != 0 {
			return c
		}
		return strings.Compare(a.Queue, b.Queue)
	})
}

// passiveBoard is the board AMQP alone can give: for each service queue the
// config names, whether it exists, its consumers and ready messages.
func (b *Broker) passiveBoard(ctx context.Context, vhosts []string, services map[string]string, why error) (Board, error) {
	board := Board{Missing: "the management API is not available (" + mgmtReason(why) +
		"): only the queues the config names are shown, without unacked counts, rates, or reply queues"}
	queues := slices.Sorted(maps.Keys(services))
	for _, vhost := range vhosts {
		infos, err := b.InspectQueues(ctx, vhost, queues...)
		if err != nil {
			return board, err
		}
		for _, info := range infos {
			if !info.Exists {
				continue
			}
			r := BoardRow{VHost: vhost, Queue: info.Name, Service: serviceOf(info.Name, services), Kind: KindService,
				Consumers: info.Consumers, Ready: info.Messages}
			r.Problems = problems(r, 0)
			board.Rows = append(board.Rows, r)
		}
	}
	sortBoard(board.Rows)
	return board, nil
}

// mgmtReason says briefly why the management API did not answer.
func mgmtReason(err error) string {
	var ae *APIError
	if errors.As(err, &ae) && (ae.Status == 401 || ae.Status == 403) {
		return "this user may not use it for this; permissions are shown to administrators only"
	}
	return err.Error()
}

// DeleteOrphanReplyQueue deletes a reply queue only if it is still an
// orphan at that moment: unused (no consumers) is checked by the broker
// itself (if-unused), so a queue a client started consuming in between is
// left alone. Messages in it are dropped with it.
func (b *Broker) DeleteOrphanReplyQueue(ctx context.Context, vhost, queue string) error {
	if !IsReplyQueueName(queue) {
		return fmt.Errorf("%q is not a reply queue (32 hex digits); only orphan reply queues are deleted from the board", queue)
	}
	conn, err := b.Dial(ctx, vhost)
	if err != nil {
		return err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	if _, err := ch.QueueDelete(queue, true, false, false); err != nil {
		return fmt.Errorf("reply queue %q in %q was not deleted: it has a consumer again, or is gone (%w)", queue, vhost, err)
	}
	return nil
}

// Idle is how long the queue has been idle at now, from the management
// API's idle_since (RabbitMQ 3.10 writes "2026-12-03T08:50:27.457+00:00"),
// or 0 when unknown or busy.
func (r BoardRow) Idle(now time.Time) time.Duration {
	t, err := time.Parse("2006-01-02T15:04:05.000-07:00", r.IdleSince)
	if err != nil {
		return 0
	}
	return now.Sub(t)
}

// QueueFull says whether queue refuses publishes now: it is at its
// max-length (or max-length-bytes) with overflow reject-publish (or
// reject-publish-dlx), by argument or policy, so the broker refuses what is
// published to it. The firehose traces such a publish as routed, so this
// is how a refused request is told from an expired one. It asks the
// management API; without it the answer is false.
func (b *Broker) QueueFull(ctx context.Context, vhost, queue string) (string, bool) {
	var q struct {
		Ready     int            `json:"messages"`
		Bytes     int64          `json:"message_bytes"`
		Arguments map[string]any `json:"arguments"`
		Policy    map[string]any `json:"effective_policy_definition"`
	}
	if err := b.Mgmt.do(ctx, "GET", "/api/queues/"+url.PathEscape(vhost)+"/"+url.PathEscape(queue), nil, &q); err != nil {
		return "", false
	}
	// The management API's counts lag by its sampling interval (5 s); a
	// passive declare counts now.
	if infos, err := b.InspectQueues(ctx, vhost, queue); err == nil && infos[0].Exists {
		q.Ready = infos[0].Messages
	}
	setting := func(arg, policy string) any {
		if v, ok := q.Arguments[arg]; ok {
			return v
		}
		return q.Policy[policy]
	}
	overflow, _ := setting("x-overflow", "overflow").(string)
	if !strings.HasPrefix(overflow, "reject-publish") {
		return "", false
	}
	if n, ok := setting("x-max-length", "max-length").(float64); ok && float64(q.Ready) >= n {
		return fmt.Sprintf("queue %q is full (%d messages, max-length %g, overflow %s): the broker refused the publish", queue, q.Ready, n, overflow), true
	}
	if n, ok := setting("x-max-length-bytes", "max-length-bytes").(float64); ok && float64(q.Bytes) >= n {
		return fmt.Sprintf("queue %q is full (%d bytes, max-length-bytes %g, overflow %s): the broker refused the publish", queue, q.Bytes, n, overflow), true
	}
	return "", false
}

// RefusedHook is QueueFull as verdict.Options.Refused wants it: asked at a
// request's deadline, it gives the broker two seconds to answer.
func (b *Broker) RefusedHook(ctx context.Context) func(vhost, queue string) (string, bool) {
	return func(vhost, queue string) (string, bool) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return b.QueueFull(ctx, vhost, queue)
	}
}

// UnconsumedHook is verdict.Options.Unconsumed: a passive declare of the
// queue, with two seconds to answer. A queue it cannot inspect counts as
// consumed, so that no verdict changes on a guess.
func (b *Broker) UnconsumedHook(ctx context.Context) func(vhost, queue string) bool {
	return func(vhost, queue string) bool {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		infos, err := b.InspectQueues(ctx, vhost, queue)
		return err == nil && len(infos) == 1 && infos[0].Exists && infos[0].Consumers == 0
	}
}

// ProblemText lists the row's problems for a person, an orphan reply
// queue with its age and message count: "no_consumer, backlog",
// "orphan_reply_queue (idle 5m0s, 3 messages)"; "-" when there is none.
func (r BoardRow) ProblemText(now time.Time) string {
	var parts []string
	for _, p := range r.Problems {
		s := string(p)
		if p == OrphanReplyQueue {
			s += fmt.Sprintf(" (idle %s, %d messages)", r.Idle(now).Round(time.Second), r.Ready)
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
