package ui

import (
	"context"
	"fmt"
	"image/color"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"mqscope/capture"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/store"
)

// Terminal backgrounds for tea.BackgroundColorMsg.
var (
	white = color.RGBA{R: 255, G: 255, B: 255, A: 255}
	black = color.RGBA{A: 255}
)

// t0 is the fixed time every test message is stamped from.
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

// fakeRequester records requests and answers with a canned outcome.
type fakeRequester struct {
	mu     sync.Mutex
	queues []string
	values []neonwire.Value
	opts   []connector.RequestOptions
	answer func(queue string, v neonwire.Value) (*connector.Response, error)
}

func (f *fakeRequester) Request(_ context.Context, queue string, v neonwire.Value, opts connector.RequestOptions) (*connector.Response, error) {
	f.mu.Lock()
	f.queues, f.values, f.opts = append(f.queues, queue), append(f.values, v), append(f.opts, opts)
	f.mu.Unlock()
	if f.answer == nil {
		return nil, &connector.TimeoutError{Queue: queue, VHost: "/neon_api", After: time.Second}
	}
	return f.answer(queue, v)
}

func (f *fakeRequester) ReplyQueue() string { return "5f0c2d7e9a1b4c3d8e6f7a8b9c0d1e2f" }

// dict builds a Neon dict from key/value pairs.
func dict(kv ...any) *neonwire.Dict {
	d := &neonwire.Dict{}
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(kv[i].(string), kv[i+1])
	}
	return d
}

// neonMsg is a firehose publish of a Neon body to queue.
func neonMsg(at time.Time, queue string, body *neonwire.Dict) capture.Message {
	return capture.Message{
		Time: at, VHost: "/neon_api", Queue: queue, RoutingKey: queue,
		Event: capture.EventPublish, Mode: capture.ModeFirehose,
		Properties: capture.Properties{Expiration: "1000"},
		Headers:    map[string]any{"exchange_name": "", "routed_queues": []any{queue}},
		Body:       neonwire.Encode(body), RoutedQueues: []string{queue},
	}
}

// fillStore appends a realistic mix: request/reply pairs, a plain JSON
// body, text, binary and an unroutable request. Appends are deterministic.
func fillStore(s *store.Store, pairs int) {
	sink := s.Sink(nil)
	for i := range pairs {
		at := t0.Add(time.Duration(i) * 250 * time.Millisecond)
		id := strings.Repeat(fmt.Sprintf("%02x", 0x1a+i%200), 16)
		reply := "a1b2c3d4e5f60718293a4b5c6d7e8f90"
		sink(neonMsg(at, "neon_api_input", dict("service", "api_test_endpoint", "routing_key", reply, "message_id", id)))
		sink(neonMsg(at.Add(12300*time.Microsecond), reply, dict("status_code", int64(200), "content", "Success", "encoding", nil, "message_id", id)))
	}
	at := t0.Add(time.Duration(pairs) * 250 * time.Millisecond)
	sink(capture.Message{Time: at, VHost: "/neon_api", Queue: "metrics", Event: capture.EventPublish, Mode: capture.ModeFirehose, Body: []byte(`{"cpu": 0.5, "ok": true}`)})
	sink(capture.Message{Time: at.Add(time.Millisecond), VHost: "/neon_api", Queue: "logs", Event: capture.EventPublish, Mode: capture.ModeFirehose, Body: []byte("service started\tin 3s")})
	sink(capture.Message{Time: at.Add(2 * time.Millisecond), VHost: "/neon_api", Queue: "blobs", Event: capture.EventPublish, Mode: capture.ModeFirehose, Body: []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}})
	unroutable := neonMsg(at.Add(3*time.Millisecond), "no_such_queue", dict("service", "x", "message_id", fmt.Sprintf("%032x", 999)))
	unroutable.Unroutable, unroutable.RoutedQueues = true, nil
	sink(unroutable)
}

// testModel is a model over a filled store at a given size, with a fake
// requester, a fixed clock and UTC times.
func testModel(t testing.TB, width, height int, theme string, pairs int) (*Model, *fakeRequester) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := store.New(store.Options{})
	fillStore(s, pairs)
	e := env{
		ctx: ctx, store: s, events: newEventQueue(), service: "neon_api_connector", vhost: "/neon_api",
		watches: []string{"firehose:neon_api_input"}, names: []string{"neon_api_input"}, queues: []string{"neon_api_input"},
		theme: theme, loc: time.UTC, now: func() time.Time { return t0.Add(time.Minute) },
	}
	m := newModel(e)
	req := &fakeRequester{}
	m.Update(sessionMsg{req: req})
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	m.Update(frameMsg{at: t0})
	return m, req
}

// press sends key presses, written as Bubble Tea names them ("j", "ctrl+s",
// "enter", "space"), and returns the last command.
func press(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = m.Update(keyMsg(k))
	}
	return cmd
}

// typeText types each character of s.
func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	special := map[string]tea.KeyPressMsg{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "space": {Code: tea.KeySpace, Text: " "},
		"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "backspace": {Code: tea.KeyBackspace},
		"ctrl+c": {Code: 'c', Mod: tea.ModCtrl}, "ctrl+s": {Code: 's', Mod: tea.ModCtrl},
		"ctrl+r": {Code: 'r', Mod: tea.ModCtrl}, "ctrl+t": {Code: 't', Mod: tea.ModCtrl},
		"ctrl+o": {Code: 'o', Mod: tea.ModCtrl}, "ctrl+a": {Code: 'a', Mod: tea.ModCtrl},
		"ctrl+x": {Code: 'x', Mod: tea.ModCtrl},
		"ctrl+k": {Code: 'k', Mod: tea.ModCtrl},
	}
	if msg, ok := special[k]; ok {
		return msg
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// collect runs cmd and every command it batches, each in its own
// goroutine, and returns the first message want accepts. Ticks that would
// sleep for long are never waited for: the deadline only bounds a failure.
func collect(t testing.TB, cmd tea.Cmd, want func(tea.Msg) bool) tea.Msg {
	t.Helper()
	return collectAll(t, cmd, want, 1)[0]
}

// collectAll runs cmd like collect and returns the first n messages want
// accepts.
func collectAll(t testing.TB, cmd tea.Cmd, want func(tea.Msg) bool, n int) []tea.Msg {
	t.Helper()
	out := make(chan tea.Msg, 256)
	var run func(tea.Cmd)
	run = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					run(c)
				}
				return
			}
			out <- msg
		}()
	}
	run(cmd)
	var got []tea.Msg
	deadline := time.After(5 * time.Second)
	for len(got) < n {
		select {
		case msg := <-out:
			if want(msg) {
				got = append(got, msg)
			}
		case <-deadline:
			t.Fatalf("the command never produced the expected message (got %d of %d)", len(got), n)
		}
	}
	return got
}

// isType returns a predicate for messages of the same type as example.
func isType(example tea.Msg) func(tea.Msg) bool {
	want := reflect.TypeOf(example)
	return func(m tea.Msg) bool { return reflect.TypeOf(m) == want }
}

// screen renders the model without colours, for assertions on text.
func screen(m *Model) string {
	return ansi.Strip(m.render())
}

func testResponse() *connector.Response {
	id := strings.Repeat("ab", 16)
	return &connector.Response{MessageID: id, Latency: 3 * time.Millisecond, Value: dict("ok", true, "message_id", id)}
}
