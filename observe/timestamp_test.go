package observe

import (
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/capture"
)

// millis is a timestamp as JavaScript (Date.now()) and Java
// (System.currentTimeMillis()) producers send it: milliseconds where AMQP
// means seconds, so as seconds no date JSON can write.
const millis = 1_700_000_000_123

// TestConsumeKeepsAMillisecondTimestamp publishes a message with its
// timestamp property and a timestamp header ('T') in milliseconds through
// the broker: the captured message keeps both raw numbers.
func TestConsumeKeepsAMillisecondTimestamp(t *testing.T) {
	c := testClient(t)
	q := queueIn(t, c, testVHost, "millis")
	publishTo(t, channelIn(t, c, testVHost), "", q, amqp.Publishing{
		Body: []byte("ms"), Timestamp: time.Unix(millis, 0),
		Headers: amqp.Table{"sent": time.Unix(millis, 0), "deep": amqp.Table{"at": time.Unix(millis+1, 0)}},
	})
	_, msgs := startWatch(t, c, WatchSpec{VHost: testVHost, Queue: q, Mode: capture.ModeConsume, Limit: 1})
	m := waitMessage(t, msgs, "the message", bodyIs("ms", capture.EventConsume))
	if got := m.Properties.Timestamp; got.IsZero() || got.Unix() != millis {
		t.Errorf("timestamp property = %d, want %d", got.Unix(), millis)
	}
	if at, ok := m.Headers["sent"].(time.Time); !ok || at.Unix() != millis {
		t.Errorf("timestamp header = %#v", m.Headers["sent"])
	}
	deep, _ := m.Headers["deep"].(map[string]any)
	if at, ok := deep["at"].(time.Time); !ok || at.Unix() != millis+1 {
		t.Errorf("nested timestamp header = %#v", m.Headers["deep"])
	}
}

// TestTracedMillisecondTimestampIsKept: the tracer's properties table may
// carry the timestamp as a number or as a timestamp; either way the raw
// number is kept.
func TestTracedMillisecondTimestampIsKept(t *testing.T) {
	for _, ts := range []any{int64(millis), time.Unix(millis, 0)} {
		p := tracedProperties(amqp.Table{"timestamp": ts})
		if p.Timestamp.Unix() != millis {
			t.Errorf("%T: timestamp = %d, want %d", ts, p.Timestamp.Unix(), millis)
		}
	}
}
