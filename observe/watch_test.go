package observe

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"mqscope/capture"
	"mqscope/connector"

	amqp "github.com/rabbitmq/amqp091-go"
)

func TestParseMode(t *testing.T) {
	for in, want := range map[string]capture.Mode{"firehose": capture.ModeFirehose, " Tap ": capture.ModeTap, "PEEK": capture.ModePeek, "consume": capture.ModeConsume} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, got, err)
		}
	}
	_, err := ParseMode("sent")
	if err == nil || err.Error() != `unknown mode "sent" (choose firehose, tap, peek or consume)` {
		t.Errorf("ParseMode(sent) error = %v", err)
	}
}

func TestWatchSpecStringAndWarning(t *testing.T) {
	cases := []struct {
		spec          WatchSpec
		label         string
		warnsOfSteals bool
	}{
		{WatchSpec{VHost: "/neon_api", Queue: "neon_api_input", Mode: capture.ModeFirehose}, "firehose /neon_api neon_api_input", false},
		{WatchSpec{VHost: "/neon_api", Mode: capture.ModeFirehose}, "firehose /neon_api", false},
		{WatchSpec{VHost: "/llm", Exchange: "persona", Mode: capture.ModeFirehose}, "firehose /llm exchange persona", false},
		{WatchSpec{VHost: "/llm", Exchange: "chat_gpt_persona_updated", Mode: capture.ModeTap}, "tap /llm chat_gpt_persona_updated #", false},
		{WatchSpec{VHost: "/llm", Exchange: "t", BindingKey: "a.*", Mode: capture.ModeTap}, "tap /llm t a.*", false},
		{WatchSpec{VHost: "/neon_api", Queue: "neon_api_input", Mode: capture.ModePeek}, "peek /neon_api neon_api_input", true},
		{WatchSpec{VHost: "/neon_api", Queue: "neon_api_output", Mode: capture.ModeConsume}, "consume /neon_api neon_api_output", true},
	}
	for _, tc := range cases {
		if got := tc.spec.String(); got != tc.label {
			t.Errorf("String() = %q, want %q", got, tc.label)
		}
		if got := tc.spec.Warning(); (got != "") != tc.warnsOfSteals {
			t.Errorf("%s: Warning() = %q", tc.label, got)
		}
	}
	if w := (WatchSpec{Mode: capture.ModeConsume}).Warning(); !strings.Contains(w, "destructive") {
		t.Errorf("consume warning %q does not say it is destructive", w)
	}
}

func TestWatchSpecNeedsWhatItsModeNeeds(t *testing.T) {
	c := testClient(t)
	cases := map[string]WatchSpec{
		"tap needs an exchange":   {VHost: testVHost, Mode: capture.ModeTap},
		"peek needs a queue":      {VHost: testVHost, Mode: capture.ModePeek},
		"consume needs a queue":   {VHost: testVHost, Mode: capture.ModeConsume},
		"no vhost given":          {Queue: "q", Mode: capture.ModeConsume},
		`unknown mode "sideways"`: {VHost: testVHost, Queue: "q", Mode: "sideways"},
	}
	for want, spec := range cases {
		_, err := c.Watch(testContext(t), spec, nil, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Watch(%+v) error = %v, want it to say %q", spec, err, want)
		}
	}
}

func TestWatchOfMissingQueueOrExchangeIsOneLine(t *testing.T) {
	c := testClient(t)
	missing := "mqscope_test.typo." + randomHex(4)
	cases := []struct {
		spec WatchSpec
		want string
	}{
		{WatchSpec{VHost: testVHost, Queue: missing, Mode: capture.ModePeek}, fmt.Sprintf(`no queue %q in vhost "/mqscope_test"`, missing)},
		{WatchSpec{VHost: testVHost, Queue: missing, Mode: capture.ModeConsume}, fmt.Sprintf(`no queue %q in vhost "/mqscope_test"`, missing)},
		{WatchSpec{VHost: testVHost, Exchange: missing, Mode: capture.ModeTap}, fmt.Sprintf(`no exchange %q in vhost "/mqscope_test"`, missing)},
	}
	for _, tc := range cases {
		_, err := c.Watch(testContext(t), tc.spec, nil, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Watch(%s) error = %v, want %q", tc.spec, err, tc.want)
		}
	}
	if queueInfo(t, c, testVHost, missing).Exists {
		t.Fatal("watching a missing queue created it")
	}
}

func TestWatchWithoutReadPermissionIsOneLine(t *testing.T) {
	admin := testClient(t)
	user, pass := tempUser(t, admin, testVHost, ".*", ".*", "^$")
	c := testClientWith(t, fmt.Sprintf(`{"server": "127.0.0.1", "users": {"mq_handler": {"user": %q, "password": %q}}}`, user, pass))
	q := queueIn(t, admin, testVHost, "noread")
	for _, mode := range []capture.Mode{capture.ModeConsume, capture.ModePeek} {
		_, err := c.Watch(testContext(t), WatchSpec{VHost: testVHost, Queue: q, Mode: mode}, nil, nil)
		want := fmt.Sprintf(`user %q has no permission to read queue %q in vhost "/mqscope_test"`, user, q)
		if err == nil || err.Error() != want {
			t.Errorf("%s without read permission: error = %v, want %q", mode, err, want)
		}
	}
}

// tempUser creates a user (not an administrator) with the given permissions
// on vhost through the management API, deleted when the test ends.
func tempUser(t *testing.T, admin *Broker, vhost, configure, write, read string) (user, pass string) {
	t.Helper()
	m := admin.Mgmt
	user, pass = "mqscope_test_"+randomHex(4), randomHex(12)
	if err := m.do(testContext(t), "PUT", "/api/users/"+user, map[string]string{"password": pass, "tags": ""}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.do(ctx, "DELETE", "/api/users/"+user, nil, nil)
	})
	perms := map[string]string{"configure": configure, "write": write, "read": read}
	if err := m.do(testContext(t), "PUT", "/api/permissions/"+url.PathEscape(vhost)+"/"+user, perms, nil); err != nil {
		t.Fatal(err)
	}
	return user, pass
}

func TestWatchFailsWhenItsQueueIsDeleted(t *testing.T) {
	c := testClient(t)
	for _, mode := range []capture.Mode{capture.ModeConsume, capture.ModePeek} {
		t.Run(string(mode), func(t *testing.T) {
			q := queueIn(t, c, testVHost, "doomed")
			states := make(chan connector.State, 16)
			w, err := c.Watch(testContext(t), WatchSpec{VHost: testVHost, Queue: q, Mode: mode, PeekInterval: 5 * time.Millisecond},
				nil, func(s connector.State) { states <- s })
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = w.Close() })
			if _, err := channelIn(t, c, testVHost).QueueDelete(q, false, false, false); err != nil {
				t.Fatal(err)
			}
			<-w.Done()
			if w.Err() == nil || !strings.Contains(w.Err().Error(), fmt.Sprintf("%q in vhost \"/mqscope_test\"", q)) {
				t.Fatalf("Err() = %v", w.Err())
			}
			last := lastState(states)
			if last.Kind != connector.StateFailed || last.Err != w.Err() || last.Worker != w.Spec().String() {
				t.Fatalf("last state = %+v, want failed with %v", last, w.Err())
			}
		})
	}
}

// lastState drains states, which must hold at least one.
func lastState(states <-chan connector.State) connector.State {
	var last connector.State
	for {
		select {
		case s := <-states:
			last = s
		default:
			return last
		}
	}
}

func TestTapReconnectsAndKeepsWatching(t *testing.T) {
	c := testClient(t, connector.WithConnectionName("mqscope test tap reconnect "+randomHex(4)))
	ch := channelIn(t, testClient(t), testVHost)
	fanout := exchangeIn(t, ch, "fanout")
	connected := make(chan struct{}, 4)
	msgs := make(chan capture.Message, 16)
	w, err := c.Watch(testContext(t), WatchSpec{VHost: testVHost, Exchange: fanout, Mode: capture.ModeTap}, func(m capture.Message) { msgs <- m }, func(s connector.State) {
		if s.Kind == connector.StateConnected {
			connected <- struct{}{}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	<-connected // the first setup
	closeConnectionsNamed(t, c, c.Name())
	select {
	case <-connected:
	case <-time.After(20 * time.Second):
		t.Fatal("tap never reported connected again")
	}
	publishTo(t, ch, fanout, "", amqp.Publishing{Body: []byte("after reconnect")})
	waitMessage(t, msgs, "a message after the reconnect", bodyIs("after reconnect", capture.EventDeliver))
}
