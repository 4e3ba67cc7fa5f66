package connector

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/internal/brokertest"
)

// nested returns a table nested depth levels below the top.
func nested(depth int) amqp.Table {
	t := amqp.Table{"leaf": "x"}
	for range depth {
		t = amqp.Table{"n": t}
	}
	return t
}

// contentHeaderFrame encodes a basic content header frame with headers h,
// as a broker would send it (content type set, so the guard must skip it).
func contentHeaderFrame(t *testing.T, h amqp.Table) []byte {
	t.Helper()
	var table bytes.Buffer
	writeTestTable(t, &table, h)
	payload := binary.BigEndian.AppendUint16(nil, 60) // class basic
	payload = binary.BigEndian.AppendUint16(payload, 0)
	payload = binary.BigEndian.AppendUint64(payload, 5)
	payload = binary.BigEndian.AppendUint16(payload, flagContentType|flagHeaders)
	payload = append(payload, 4)
	payload = append(payload, "text"...)
	payload = append(payload, table.Bytes()...)
	frame := []byte{frameHeader, 0, 1}
	frame = binary.BigEndian.AppendUint32(frame, uint32(len(payload)))
	return append(append(frame, payload...), frameEnd)
}

// writeTestTable encodes the nested string tables the tests use.
func writeTestTable(t *testing.T, w *bytes.Buffer, h amqp.Table) {
	var fields bytes.Buffer
	for k, v := range h {
		fields.WriteByte(byte(len(k)))
		fields.WriteString(k)
		switch x := v.(type) {
		case string:
			fields.WriteByte('S')
			_ = binary.Write(&fields, binary.BigEndian, uint32(len(x)))
			fields.WriteString(x)
		case amqp.Table:
			fields.WriteByte('F')
			writeTestTable(t, &fields, x)
		default:
			t.Fatalf("test tables hold strings and tables, not %T", v)
		}
	}
	_ = binary.Write(w, binary.BigEndian, uint32(fields.Len()))
	w.Write(fields.Bytes())
}

// guarded passes stream through a frameGuard in small reads, as amqp091's
// buffered reader does.
func guarded(t *testing.T, stream []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(&frameGuard{src: io.LimitReader(bytes.NewReader(stream), int64(len(stream)))})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFrameGuardPassesReadableFramesUnchanged(t *testing.T) {
	heartbeat := []byte{frameHeartbeat, 0, 0, 0, 0, 0, 0, frameEnd}
	stream := append(append(contentHeaderFrame(t, nested(31)), heartbeat...), contentHeaderFrame(t, amqp.Table{"a": "b"})...)
	if got := guarded(t, stream); !bytes.Equal(got, stream) {
		t.Fatalf("a readable stream changed:\n got %x\nwant %x", got, stream)
	}
	notAMQP := []byte("AMQP\x00\x00\x09\x01 and whatever follows")
	if got := guarded(t, notAMQP); !bytes.Equal(got, notAMQP) {
		t.Fatalf("a protocol header was changed: %q", got)
	}
}

func TestFrameGuardReplacesHeadersAMQP091CannotRead(t *testing.T) {
	heartbeat := []byte{frameHeartbeat, 0, 0, 0, 0, 0, 0, frameEnd}
	stream := append(contentHeaderFrame(t, nested(40)), heartbeat...)
	got := guarded(t, stream)
	size := int(binary.BigEndian.Uint32(got[3:7]))
	if got[0] != frameHeader || got[frameHeaderSize+size] != frameEnd || !bytes.Equal(got[frameHeaderSize+size+1:], heartbeat) {
		t.Fatalf("the rewritten stream is not two frames: %x", got)
	}
	payload := got[frameHeaderSize : frameHeaderSize+size]
	start, end, ok := headersTable(payload)
	if !ok || tableProblem(payload[start+4:end], 0) != "" {
		t.Fatal("the replacement headers are not a readable table")
	}
	if !bytes.Contains(payload, []byte(DroppedHeadersKey)) || !bytes.Contains(payload, []byte("nested more than 32 levels deep")) {
		t.Fatalf("the replacement does not say why: %q", payload)
	}
	if !bytes.Contains(payload, []byte("text")) {
		t.Fatal("the content type before the headers was lost")
	}
}

func TestTableProblemMatchesAMQP091Limits(t *testing.T) {
	cases := []struct {
		fields []byte
		want   string
	}{
		{[]byte{1, 'k', 'Z'}, "a field of unknown type Z"},
		{[]byte{1, 'k', 'I', 0, 0}, "a truncated field"},
		{[]byte{1, 'k', 'S', 0xff, 0xff, 0xff, 0xff}, "a field longer than its table"},
		{[]byte{1, 'k', 'V', 1, 'l', 'l', 0, 0, 0, 0, 0, 0, 0, 1}, ""},
	}
	for _, c := range cases {
		if got := tableProblem(c.fields, 0); got != c.want {
			t.Errorf("tableProblem(%x) = %q, want %q", c.fields, got, c.want)
		}
	}
}

func FuzzFrameGuard(f *testing.F) {
	f.Add([]byte{frameHeartbeat, 0, 0, 0, 0, 0, 0, frameEnd})
	f.Fuzz(func(t *testing.T, stream []byte) {
		done := make(chan struct{})
		var out []byte
		var err error
		go func() { out, err = io.ReadAll(&frameGuard{src: bytes.NewReader(stream)}); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("reading %x never ended", stream)
		}
		if err != nil || len(out) == 0 && len(stream) > 0 {
			t.Fatalf("read %d of %d bytes: %v", len(out), len(stream), err)
		}
	})
}

// A consumer of the library receives a message whose headers amqp091
// would refuse, with the headers replaced, and goes on consuming: before,
// the message failed the connection at every reconnect.
func TestConsumerSurvivesHeadersNestedTooDeep(t *testing.T) {
	c := testClient(t)
	queue := uniqueQueue(t, c, "deep")
	got := make(chan *Delivery, 2)
	svc := NewService(c, testVHost)
	_ = svc.AddConsumer(Consumer{Name: "deep", Queue: queue, Handler: func(_ context.Context, d *Delivery) error {
		got <- d
		return nil
	}})
	runService(t, svc, queue)
	ch := brokertest.Channel(t, testVHost)
	brokertest.Publish(t, ch, "", queue, amqp.Publishing{Headers: nested(40), Body: []byte("deep")})
	brokertest.Publish(t, ch, "", queue, amqp.Publishing{Body: []byte("after")})
	for _, want := range []string{"deep", "after"} {
		select {
		case d := <-got:
			if string(d.Body) != want {
				t.Fatalf("got body %q, want %q", d.Body, want)
			}
			if why, _ := d.Headers[DroppedHeadersKey].(string); want == "deep" && !strings.Contains(why, "nested more than 32 levels deep") {
				t.Fatalf("headers %v do not say they were dropped", d.Headers)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the consumer never got %q", want)
		}
	}
}
