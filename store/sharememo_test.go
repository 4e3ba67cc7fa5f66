package store

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// Dicts whose places change from message to message (values, nested
// dicts and their keys, the type at a place) read back as Decode gives
// them, whatever the last dict of their shape had.
func TestValuesAtTheirPlaceReadBackAsSent(t *testing.T) {
	long := "a key longer than the thirty-two bytes that are shared"
	places := []string{
		"'weather'", "'weather'", "'weather'", "'news'", "{'lang': 'en', 'q': 'x'}", "{'lang': 'en', 'q': 'y'}",
		"{'lang': 'de', 'q': 'y'}", "{'q': 'y', 'lang': 'de'}", "{1: 'one', 'lang': 'de'}", "{1: 'one', 'lang': 'de'}",
		"{'" + long + "': 'v'}", "{'" + long + "': 'w'}", "7", "'weather'", "{'a': {'b': {'c': {'d': {'e': 'deep'}}}}}",
		"{'a': {'b': {'c': {'d': {'e': 'deeper'}}}}}", "'" + long + "'", "'" + long + "'", "None", "'weather'",
	}
	s := New(Options{})
	var seqs []uint64
	var bodies [][]byte
	for i, p := range places {
		m := capture.Message{Time: t0, VHost: "/v", Queue: "q", Event: capture.EventConsume, Mode: capture.ModeConsume,
			Body: neonBody(fmt.Sprintf("{'service': %s, 'message_id': 'id%d'}", p, i))}
		bodies = append(bodies, m.Body)
		seqs = append(seqs, s.Append(m))
		if i == 1 {
			// From the second dict of its shape on, a value is taken from
			// the last dict's place, not from the intern table: a table
			// started anew (as when it fills) does not change that.
			s.intern.mu.Lock()
			s.intern.strs = nil
			s.intern.mu.Unlock()
		}
	}
	for i, seq := range seqs {
		want := neonwire.Decode(bodies[i]).Value
		if got := mustGet(t, s, seq).Decoded.Value; !reflect.DeepEqual(got, want) {
			t.Errorf("message %d: %#v, want %#v", i, got, want)
		}
	}
	service := func(seq uint64) string {
		v, _ := mustGet(t, s, seq).Decoded.Value.(*neonwire.Dict).Get("service")
		return v.(string)
	}
	if a, b := service(seqs[1]), service(seqs[2]); unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("the same service at the same place is held twice")
	}
}
