// Package replay is what `mqscope replay` and the UI's re-send keys share:
// which recorded rows are requests, the body a request is sent again with
// (a fresh message_id and the sender's reply queue, as the Python library
// fills them), and how a new reply is compared with the recorded one and
// counted ("N sent, R replied, D differ, T no reply").
package replay

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/internal/valuediff"
	"mqscope/store"
)

// MaxInFlight bounds the requests a fast replay has waiting at once.
const MaxInFlight = 64

// Ignored are the reply fields never compared: every new request has a new
// message_id, and its reply goes to a new reply queue.
var Ignored = []string{"message_id", "routing_key"}

// Request is one recorded request and what it got then.
type Request struct {
	Seq      uint64
	At       time.Time
	VHost    string
	Queue    string
	Body     *neonwire.Dict // without message_id and routing_key
	Reply    neonwire.Value // nil when it got none
	Latency  time.Duration
	HadReply bool
}

// IsRequest reports whether e is a request as it was first published: a
// request is counted once, not once per publish and deliver row, and a
// reply or a copy of another row is not one.
func IsRequest(e *store.Entry) bool {
	return e.ReplyQueue != "" && e.Origin == 0 && e.Msg.Event == capture.EventPublish &&
		(e.Pair == nil || !e.Pair.IsReply)
}

// FromEntry is the replayable form of the request e, with its recorded
// reply when st still holds it. ok is false when e's body is not a dict.
func FromEntry(st *store.Store, e *store.Entry) (r Request, ok bool) {
	d, ok := e.Decoded.Value.(*neonwire.Dict)
	if !ok {
		return Request{}, false
	}
	r = Request{Seq: e.Seq, At: e.Msg.Time, VHost: e.Msg.VHost, Queue: e.Msg.Queue}
	if r.Queue == "" {
		r.Queue = e.Msg.RoutingKey
	}
	r.Body = &neonwire.Dict{Items: slices.Clone(d.Items)}
	r.Body.Delete("message_id")
	r.Body.Delete("routing_key")
	if e.Pair != nil {
		if rep, found := st.Get(e.Pair.Seq); found {
			r.Reply, r.Latency, r.HadReply = rep.Decoded.Value, e.Pair.Latency, true
		}
	}
	return r, true
}

// Prepare is the body to send r again as the Python library would send
// it: routing_key the reply queue, then a fresh message_id, which it
// returns.
func Prepare(r Request, replyQueue string) (body *neonwire.Dict, messageID string) {
	body = &neonwire.Dict{Items: slices.Clone(r.Body.Items)}
	messageID = connector.NewMessageID()
	body.Set("routing_key", replyQueue)
	body.Set("message_id", messageID)
	return body, messageID
}

// Result is the outcome of one re-sent request: a line of replay's report.
type Result struct {
	Seq             uint64   `json:"seq"`
	MessageID       string   `json:"message_id"`
	VHost           string   `json:"vhost"`
	Queue           string   `json:"queue"`
	Verdict         string   `json:"verdict"`
	RecordedLatency *float64 `json:"recorded_latency_ms"`
	Latency         *float64 `json:"latency_ms"`
	Diff            []Change `json:"diff"`
	Error           string   `json:"error,omitempty"`
	// Changes is Diff as valuediff gives it, for the UI's colours.
	Changes []valuediff.Change `json:"-"`
	// NewReply is the new reply's decoded value; nil without one.
	NewReply neonwire.Value `json:"-"`
}

// Change is one differing field in the report.
type Change struct {
	Path string `json:"path"`
	Kind string `json:"kind"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// Verdicts of a Result.
const (
	Replied    = "replied"
	NoReply    = "no_reply"
	Unroutable = "unroutable"
	NotSent    = "not_sent"
)

// Compare makes the Result of sending r again as messageID: the verdict
// from the request's outcome, and the reply compared with the recorded
// one field by field, leaving out Ignored and the paths in ignore.
func Compare(r Request, messageID string, resp *connector.Response, err error, ignore ...string) Result {
	res := Result{Seq: r.Seq, MessageID: messageID, VHost: r.VHost, Queue: r.Queue, Diff: []Change{}}
	if r.HadReply {
		res.RecordedLatency = msPtr(r.Latency)
	}
	var nr *connector.NoRouteError
	switch {
	case errors.Is(err, connector.ErrTimeout):
		res.Verdict = NoReply
		return res
	case errors.As(err, &nr):
		res.Verdict, res.Error = Unroutable, err.Error()
		return res
	case err != nil:
		res.Verdict, res.Error = NotSent, err.Error()
		return res
	}
	res.Verdict, res.Latency, res.NewReply = Replied, msPtr(resp.Latency), resp.Value
	if r.HadReply {
		res.Changes = valuediff.Diff(r.Reply, resp.Value, append(slices.Clone(Ignored), ignore...)...)
		for _, c := range res.Changes {
			res.Diff = append(res.Diff, Change{Path: c.Path, Kind: string(c.Kind),
				Old: reprOrEmpty(c.Old, c.Kind == valuediff.Added), New: reprOrEmpty(c.New, c.Kind == valuediff.Removed)})
		}
	}
	return res
}

// Replied reports whether the request got a reply.
func (r Result) Replied() bool { return r.Verdict == Replied }

// Differs reports whether the new reply differs from the recorded one.
func (r Result) Differs() bool { return len(r.Diff) > 0 }

func msPtr(d time.Duration) *float64 {
	ms := float64(d.Microseconds()) / 1000
	return &ms
}

func reprOrEmpty(v neonwire.Value, none bool) string {
	if none {
		return ""
	}
	return neonwire.Repr(v)
}

// Tally counts results for the summary line.
type Tally struct{ Sent, Replied, Differ, NoReply int }

// Add counts r; a Result with no verdict was never sent (interrupted).
func (t *Tally) Add(r Result) {
	if r.Verdict == "" {
		return
	}
	t.Sent++
	if r.Replied() {
		t.Replied++
	}
	if r.Differs() {
		t.Differ++
	}
	if r.Verdict == NoReply {
		t.NoReply++
	}
}

// String is the summary: "N sent, R replied, D differ, T no reply".
func (t Tally) String() string {
	return fmt.Sprintf("%d sent, %d replied, %d differ, %d no reply", t.Sent, t.Replied, t.Differ, t.NoReply)
}

// Good reports whether every request sent was replied and none differs.
func (t Tally) Good() bool { return t.Replied == t.Sent && t.Differ == 0 }
