package connector

import (
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

func TestCloseReasonSaysWhoClosed(t *testing.T) {
	cases := []struct {
		what string
		err  *amqp.Error
		want string
	}{
		{"connection", &amqp.Error{Code: amqp.ConnectionForced, Reason: "CONNECTION_FORCED - Closed via management plugin", Server: true},
			"connection closed by broker: CONNECTION_FORCED - Closed via management plugin"},
		{"connection", &amqp.Error{Code: amqp.FrameError, Reason: "write tcp 127.0.0.1:39904->127.0.0.1:5672: write: connection reset by peer"},
			"connection lost: write tcp 127.0.0.1:39904->127.0.0.1:5672: write: connection reset by peer"},
		{"channel", &amqp.Error{Code: amqp.NotFound, Reason: "NOT_FOUND - no queue 'q'", Server: true},
			"broker closed the channel: NOT_FOUND - no queue 'q'"},
	}
	for _, tc := range cases {
		err := explainClose(tc.what, tc.err, true)
		if got := err.Error(); got != tc.want {
			t.Errorf("close reason of the %s (%v) = %q, want %q", tc.what, tc.err, got, tc.want)
		}
	}
}

func TestBackoffStartsWellUnderASecondAndCapsAtFive(t *testing.T) {
	b := DefaultBackoff()
	want := 200 * time.Millisecond
	for i := range 40 {
		d := b.Next()
		// Full jitter on the upper half of each step.
		if d < want/2 || d > want {
			t.Fatalf("attempt %d waited %s, want between %s and %s", i+1, d, want/2, want)
		}
		want = min(want*2, 5*time.Second)
	}
	b.Reset()
	if d := b.Next(); d > 200*time.Millisecond {
		t.Fatalf("after Reset the first retry waited %s, want at most 200ms", d)
	}
}
