package connector

import (
	"reflect"
	"testing"
)

func TestMergeFirehosesFoldsOneVHostIntoOneWatch(t *testing.T) {
	got := mergeFirehoses("/v", []WatchSpec{
		{Queue: "a", Mode: ModeFirehose},
		{Queue: "p", Mode: ModePeek},
		{Queue: "b", Mode: ModeFirehose},
		{Exchange: "x", Mode: ModeTap},
		{VHost: "/other", Queue: "c", Mode: ModeFirehose},
	})
	want := []WatchSpec{
		{VHost: "/v", Mode: ModeFirehose, Queues: []string{"a", "b"}},
		{VHost: "/v", Queue: "p", Mode: ModePeek},
		{VHost: "/v", Exchange: "x", Mode: ModeTap},
		{VHost: "/other", Mode: ModeFirehose, Queues: []string{"c"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("merged =\n%+v\nwant\n%+v", got, want)
	}
}

func TestMergeFirehosesWholeVHostWins(t *testing.T) {
	got := mergeFirehoses("/v", []WatchSpec{
		{Queue: "a", Mode: ModeFirehose},
		{Mode: ModeFirehose},
		{Queue: "b", Mode: ModeFirehose},
	})
	if len(got) != 1 || len(got[0].firehoseQueues()) != 0 {
		t.Fatalf("merged = %+v, want one firehose over the whole vhost", got)
	}
}

func TestTraceFilterKeepsEveryWatchedQueueAndTheirReplies(t *testing.T) {
	f := newTraceFilter(WatchSpec{VHost: "/v", Mode: ModeFirehose, Queues: []string{"a", "b"}})
	pub := func(q string) *Message { return &Message{Event: EventPublish, Queue: q, RoutedQueues: []string{q}} }
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
