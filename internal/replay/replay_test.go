package replay

import (
	"errors"
	"testing"
	"time"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

func dict(kv ...any) *neonwire.Dict {
	d := &neonwire.Dict{}
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(kv[i].(string), kv[i+1])
	}
	return d
}

// TestPrepareAddsRoutingKeyThenAFreshMessageID: as send_mq_request adds
// them, after the recorded fields, and a new id each time.
func TestPrepareAddsRoutingKeyThenAFreshMessageID(t *testing.T) {
	r := Request{Body: dict("service", "api_test_endpoint")}
	a, idA := Prepare(r, "rq")
	b, idB := Prepare(r, "rq")
	want := "{'service': 'api_test_endpoint', 'routing_key': 'rq', 'message_id': '" + idA + "'}"
	if got := neonwire.Repr(a); got != want || len(idA) != 32 || idA == idB || ownID(b) != idB {
		t.Fatalf("prepared %s (%s, %s), want %s", got, idA, idB, want)
	}
	if len(r.Body.Items) != 1 {
		t.Fatalf("Prepare changed the recorded body: %s", neonwire.Repr(r.Body))
	}
}

func ownID(d *neonwire.Dict) string {
	v, _ := d.Get("message_id")
	s, _ := v.(string)
	return s
}

// TestCompareGivesTheVerdictAndTheDiff: a reply is compared with the
// recorded one without message_id and routing_key; a timeout is no_reply;
// the tally counts as replay prints.
func TestCompareGivesTheVerdictAndTheDiff(t *testing.T) {
	r := Request{Seq: 7, Queue: "q", HadReply: true, Latency: 2 * time.Millisecond,
		Reply: dict("content", "Success", "message_id", "old", "timing", 1.5)}
	resp := &connector.Response{Latency: time.Millisecond, Value: dict("content", "Changed", "message_id", "new", "timing", 9.0)}
	res := Compare(r, "new", resp, nil, "timing")
	if !res.Replied() || !res.Differs() || len(res.Diff) != 1 || res.Diff[0] != (Change{Path: "content", Kind: "changed", Old: "'Success'", New: "'Changed'"}) {
		t.Fatalf("result %+v", res)
	}
	same := Compare(r, "new", &connector.Response{Value: dict("content", "Success", "message_id", "new", "timing", 1.5)}, nil)
	lost := Compare(r, "x", nil, &connector.TimeoutError{Queue: "q"})
	broken := Compare(r, "y", nil, errors.New("connection closed"))
	if same.Differs() || lost.Verdict != NoReply || broken.Verdict != NotSent || broken.Error == "" {
		t.Fatalf("same %+v, lost %+v, broken %+v", same, lost, broken)
	}
	var tally Tally
	for _, x := range []Result{res, same, lost, broken, {}} {
		tally.Add(x)
	}
	if got := tally.String(); got != "4 sent, 2 replied, 1 differ, 1 no reply" || tally.Good() {
		t.Fatalf("tally %q", got)
	}
}
