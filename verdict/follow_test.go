package verdict

import (
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/store"
)

// TestFollowerPullsAndSinksVerdictRows: a pull feeds everything appended
// since the last one, in order, and the verdict rows land in the store;
// the rows themselves are not fed back as requests.
func TestFollowerPullsAndSinksVerdictRows(t *testing.T) {
	st := store.New(store.Options{})
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	f := NewFollower(NewTracker(Options{ReplyWindow: 5 * time.Second}), st.Sink(nil))
	publish := func(after time.Duration, q, rq, id string, unroutable bool) {
		st.Append(capture.Message{Time: t0.Add(after), VHost: "/neon_api", Event: capture.EventPublish, Mode: capture.ModeFirehose,
			Queue: q, RoutingKey: q, Unroutable: unroutable, Body: body("routing_key", rq, "message_id", id)})
	}
	publish(0, "neon_api_input", "a1b2c3d4e5f60718293a4b5c6d7e8f90", "id-1", false)
	publish(time.Millisecond, "no_such_queue", "a1b2c3d4e5f60718293a4b5c6d7e8f91", "id-2", true)
	f.Pull(st, t0.Add(time.Second))
	publish(2*time.Millisecond, "a1b2c3d4e5f60718293a4b5c6d7e8f90", "", "id-1", false) // the reply
	f.Pull(st, t0.Add(time.Second))
	f.Pull(st, t0.Add(time.Minute)) // nothing new, nothing decided twice
	entries, _ := st.Since(0)
	var codes []string
	for _, e := range entries {
		if v, ok := Of(&e.Msg); ok {
			codes = append(codes, string(v.Code)+" "+v.MessageID)
		}
	}
	if len(codes) != 2 || codes[0] != "unroutable id-2" || codes[1] != "replied id-1" {
		t.Fatalf("verdict rows %q, want unroutable id-2 then replied id-1", codes)
	}
}

// TestFollowerReadsTheBodyOfAReply: a pull reads rows without their
// bodies but a reply's, which says whether the service answered with an
// error.
func TestFollowerReadsTheBodyOfAReply(t *testing.T) {
	st := store.New(store.Options{})
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	f := NewFollower(NewTracker(Options{ReplyWindow: 5 * time.Second}), st.Sink(nil))
	rq := "a1b2c3d4e5f60718293a4b5c6d7e8f90"
	st.Append(capture.Message{Time: t0, VHost: "/neon_api", Event: capture.EventPublish, Mode: capture.ModeFirehose,
		Queue: "neon_api_input", RoutingKey: "neon_api_input", Body: body("routing_key", rq, "message_id", "id-1")})
	st.Append(capture.Message{Time: t0.Add(time.Millisecond), VHost: "/neon_api", Event: capture.EventPublish, Mode: capture.ModeFirehose,
		Queue: rq, RoutingKey: rq, Body: body("message_id", "id-1", "success", false, "error", "User does not exist")})
	f.Pull(st, t0.Add(time.Second))
	entries, _ := st.Since(0)
	v, ok := Of(&entries[len(entries)-1].Msg)
	if !ok || v.Code != ErrorReply {
		t.Fatalf("last row %+v (a verdict: %v), want an error_reply verdict", entries[len(entries)-1].Msg, ok)
	}
}

// TestNilFollowerDoesNothing: tail without verdicts passes a nil follower.
func TestNilFollowerDoesNothing(t *testing.T) {
	var f *Follower
	f.Observe(&store.Entry{})
	f.Tick(time.Now())
	f.Pull(store.New(store.Options{}), time.Now())
}
