package observe

import (
	"reflect"
	"testing"

	"mqscope/capture"
)

func TestMergeFirehosesFoldsOneVHostIntoOneWatch(t *testing.T) {
	got := mergeFirehoses("/v", []WatchSpec{
		{Queue: "a", Mode: capture.ModeFirehose},
		{Queue: "p", Mode: capture.ModePeek},
		{Queue: "b", Mode: capture.ModeFirehose},
		{Exchange: "x", Mode: capture.ModeTap},
		{VHost: "/other", Queue: "c", Mode: capture.ModeFirehose},
	})
	want := []WatchSpec{
		{VHost: "/v", Mode: capture.ModeFirehose, Queues: []string{"a", "b"}},
		{VHost: "/v", Queue: "p", Mode: capture.ModePeek},
		{VHost: "/v", Exchange: "x", Mode: capture.ModeTap},
		{VHost: "/other", Mode: capture.ModeFirehose, Queues: []string{"c"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("merged =\n%+v\nwant\n%+v", got, want)
	}
}

func TestMergeFirehosesWholeVHostWins(t *testing.T) {
	got := mergeFirehoses("/v", []WatchSpec{
		{Queue: "a", Mode: capture.ModeFirehose},
		{Mode: capture.ModeFirehose},
		{Queue: "b", Mode: capture.ModeFirehose},
	})
	if len(got) != 1 || len(got[0].firehoseQueues()) != 0 {
		t.Fatalf("merged = %+v, want one firehose over the whole vhost", got)
	}
}

func TestTraceFilterKeepsEveryWatchedQueueAndTheirReplies(t *testing.T) {
	f := newTraceFilter(WatchSpec{VHost: "/v", Mode: capture.ModeFirehose, Queues: []string{"a", "b"}})
	pub := func(q string) *capture.Message {
		return &capture.Message{Event: capture.EventPublish, Queue: q, RoutedQueues: []string{q}}
	}
	if !f.keep(pub("a"), "replies") || !f.keep(pub("b"), "") {
		t.Fatal("publishes to watched queues were dropped")
	}
	if f.keep(pub("c"), "") {
		t.Fatal("a publish to an unwatched queue was kept")
	}
	if !f.keep(pub("replies"), "") {
		t.Fatal("the reply to a request to a watched queue was dropped")
	}
}
