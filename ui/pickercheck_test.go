package ui

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"mqscope/appconfig"
	"mqscope/capture"
	"mqscope/internal/brokertest"
	"mqscope/observe"

	tea "charm.land/bubbletea/v2"

	"mqscope/connector"
)

// checkingPicker is pickerModel with a checker that knows vhosts "/" and
// "/neon_api", queues neon_api_input and chat_gpt_input and exchange
// persona_updated.
func checkingPicker(t *testing.T, preset pickChoice) (*Model, *pickChoice) {
	m, started := pickerModel(t, preset)
	m.picker.check = func(service, vhost string, names []string) tea.Cmd {
		return func() tea.Msg {
			if names == nil {
				if vhost == "/" || vhost == "/neon_api" || vhost == "/llm" {
					return checkedMsg{}
				}
				return checkedMsg{err: errors.New(`vhost "` + vhost + `" does not exist: pick one above`)}
			}
			var out []string
			for _, n := range names {
				switch n {
				case "neon_api_input", "chat_gpt_input":
					out = append(out, n)
				case "persona_updated":
					out = append(out, exchangePrefix+n)
				default:
					return checkedMsg{err: errors.New(`no queue or exchange "` + n + `" in vhost "` + vhost + `"`)}
				}
			}
			return checkedMsg{names: out}
		}
	}
	return m, started
}

// answer runs the command a key press returned and feeds its answer back.
func answer(t *testing.T, m *Model, cmd tea.Cmd, want tea.Msg) {
	t.Helper()
	m.Update(collect(t, cmd, isType(want)))
}

// TestPickerStaysOnAVHostThatDoesNotExist types a vhost that does not
// exist: the picker stays on the question with the reason, typing clears
// the reason, and an existing one moves on.
func TestPickerStaysOnAVHostThatDoesNotExist(t *testing.T) {
	m, _ := checkingPicker(t, pickChoice{})
	answer(t, m, press(m, "enter"), discoveredMsg{}) // mq_handler; vhosts listed
	typeText(m, "/nope")
	answer(t, m, press(m, "enter"), checkedMsg{})
	if m.picker.step != stepVHost {
		t.Fatalf("step %v, want to stay on the vhost", m.picker.step)
	}
	if s := screen(m); !strings.Contains(s, `vhost "/nope" does not exist`) || strings.Contains(s, "404") {
		t.Fatalf("the reason should be said plainly:\n%s", s)
	}
	press(m, "backspace")
	if strings.Contains(screen(m), "does not exist") {
		t.Fatal("the reason should go once the name changes")
	}
	typeText(m, "e")
	press(m, "backspace", "backspace", "backspace", "backspace", "backspace")
	typeText(m, "/llm")
	answer(t, m, press(m, "enter"), checkedMsg{})
	if m.picker.step != stepWatch || m.picker.choice.vhost != "/llm" {
		t.Fatalf("step %v vhost %q, want the watch question for /llm", m.picker.step, m.picker.choice.vhost)
	}
}

// TestPickerStaysOnATypedNameThatIsNeither and turns one that is an
// exchange into an exchange watch.
func TestPickerChecksTypedWatchNames(t *testing.T) {
	m, started := checkingPicker(t, pickChoice{service: "mq_handler", vhost: "/neon_api"})
	typeText(m, "no_such_q")
	answer(t, m, press(m, "enter"), checkedMsg{})
	if m.picker.step != stepWatch || !strings.Contains(screen(m), `no queue or exchange "no_such_q"`) {
		t.Fatalf("step %v, want to stay with the reason:\n%s", m.picker.step, screen(m))
	}
	press(m, "ctrl+a", "ctrl+k")
	typeText(m, "persona_updated")
	answer(t, m, press(m, "enter"), checkedMsg{})
	if !reflect.DeepEqual(m.picker.choice.watch, []string{"exchange:persona_updated"}) {
		t.Fatalf("watch %v, want the exchange", m.picker.choice.watch)
	}
	if items := m.picker.items; len(items) != 2 || items[1].value != string(capture.ModeTap) {
		t.Fatalf("modes %v, want firehose and tap for an exchange", items)
	}
	press(m, "down", "enter")
	if started.mode != capture.ModeTap {
		t.Fatalf("started %+v", *started)
	}
}

// TestEscGoesBackOneStepAsItWas marks two targets, moves on to the mode,
// and goes back: the breadcrumb, the marks and the cursor are as they were.
func TestEscGoesBackOneStepAsItWas(t *testing.T) {
	m, _ := pickerModel(t, pickChoice{})
	answer(t, m, press(m, "enter"), discoveredMsg{})
	answer(t, m, press(m, "down", "enter"), discoveredMsg{}) // /llm
	press(m, "space", "down", "space", "enter")
	if m.picker.step != stepMode {
		t.Fatalf("step %v, want mode", m.picker.step)
	}
	press(m, "esc")
	p := m.picker
	if p.step != stepWatch || p.cursor != 1 || !p.marked[0] || !p.marked[1] || len(p.choice.watch) != 0 {
		t.Fatalf("back at step %v cursor %d marks %v watch %v", p.step, p.cursor, p.marked, p.choice.watch)
	}
	if s := screen(m); !strings.Contains(s, "service mq_handler · vhost /llm") || strings.Contains(s, "· watch") {
		t.Fatalf("the breadcrumb should be as it was on this question:\n%s", s)
	}
	press(m, "esc")
	if p.step != stepVHost || p.cursor != 1 || p.choice.vhost != "" {
		t.Fatalf("back at step %v cursor %d vhost %q", p.step, p.cursor, p.choice.vhost)
	}
}

// TestModesOfferedFitWhatIsWatched: tap only for exchanges, peek and
// consume only with a queue.
func TestModesOfferedFitWhatIsWatched(t *testing.T) {
	names := func(items []pickItem) string {
		var out []string
		for _, it := range items {
			out = append(out, it.value)
		}
		return strings.Join(out, ",")
	}
	for watch, want := range map[string]string{
		"chat_gpt_input":                "firehose,peek,consume",
		"exchange:persona":              "firehose,tap",
		"chat_gpt_input,exchange:other": "firehose,peek,consume",
	} {
		if got := names(modeItems(strings.Split(watch, ","))); got != want {
			t.Errorf("%s: modes %s, want %s", watch, got, want)
		}
	}
}

// TestWatchItemsLabelWhatIsNotAService lists queues and exchanges as the
// management API gives them: exchanges with their type, reply queues and
// mqscope's own queues last and labelled, amq.* left out.
func TestWatchItemsLabelWhatIsNotAService(t *testing.T) {
	items := watchItems(
		[]observe.QueueSummary{{Name: "5f0c2d7e9a1b4c3d8e6f7a8b9c0d1e2f"}, {Name: "neon_api_input", Consumers: 1}, {Name: "mqscope.firehose.ab12"}, {Name: "amq.gen-x"}},
		[]observe.ExchangeSummary{{Name: "", Type: "direct"}, {Name: "amq.topic", Type: "topic"}, {Name: "persona_updated", Type: "fanout"}},
	)
	var got []string
	for _, it := range items {
		got = append(got, it.value+" ("+it.hint+")")
	}
	want := []string{
		"neon_api_input (queue · 1 consumer · 0 waiting)",
		"exchange:persona_updated (fanout exchange)",
		"5f0c2d7e9a1b4c3d8e6f7a8b9c0d1e2f (Neon reply queue of a client: the replies it gets)",
		"mqscope.firehose.ab12 (a private queue of a running mqscope)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("items\n%q\nwant\n%q", got, want)
	}
}

// TestWKeyChangesWhatIsWatchedWithoutRestarting opens the picker from the
// live view on the watch question with what is watched marked; esc on it
// goes back to the vhost, and from there to the live view unchanged; a
// new choice starts a new session.
func TestWKeyChangesWhatIsWatchedWithoutRestarting(t *testing.T) {
	m, started := pickerModel(t, pickChoice{service: "mq_handler", vhost: "/llm"})
	press(m, "space", "enter", "enter") // chat_gpt_input, firehose
	if m.picker != nil || m.session != 1 {
		t.Fatalf("the first session should start (picker %v, session %d)", m.picker, m.session)
	}
	m.env.newPicker = func(preset pickChoice) *picker {
		return newPicker(testConfig(), preset, func(service, vhost string) tea.Cmd {
			return func() tea.Msg {
				return discoveredMsg{items: []pickItem{{label: "chat_gpt_input", value: "chat_gpt_input"}, {label: "fastchat_input", value: "fastchat_input"}}}
			}
		}, nil)
	}
	answer(t, m, press(m, "w"), discoveredMsg{})
	p := m.picker
	if m.mode != modePicker || p.step != stepWatch || !p.marked[0] || p.marked[1] {
		t.Fatalf("mode %v step %v marks %v, want the watch question with chat_gpt_input marked", m.mode, p.step, p.marked)
	}
	press(m, "esc")
	if p.step != stepVHost {
		t.Fatalf("esc should go back to the vhost, at %v", p.step)
	}
	press(m, "esc", "esc")
	if m.picker != nil || m.mode != modeList || m.session != 1 {
		t.Fatalf("esc on the first question should return to the live view unchanged (mode %v session %d)", m.mode, m.session)
	}
	answer(t, m, press(m, "w"), discoveredMsg{})
	press(m, "space", "down", "space", "enter", "enter") // fastchat_input instead
	if m.session != 2 || !reflect.DeepEqual(started.watch, []string{"fastchat_input"}) || m.env.watches[0] != "firehose:fastchat_input" {
		t.Fatalf("session %d started %+v watches %v", m.session, *started, m.env.watches)
	}
	m.Update(eventsMsg{stateMsg{state: connector.State{Worker: "firehose /llm chat_gpt_input", Kind: connector.StateClosed}, gen: 1}})
	if strings.Contains(screen(m), "failed") {
		t.Fatal("the old session closing down is not a failure of the new one")
	}
}

// TestCheckNamesAgainstTheBroker runs the picker's checks through the
// management API of the local broker.
func TestCheckNamesAgainstTheBroker(t *testing.T) {
	brokertest.Need(t)
	ctx := brokertest.Context(t)
	cfg, err := appconfig.Parse("test.json", []byte(brokertest.ConfigJSON(brokertest.Password)))
	if err != nil {
		t.Fatal(err)
	}
	broker, err := cfg.NewBroker("mq_handler")
	if err != nil {
		t.Fatal(err)
	}
	q := brokertest.Queue(t, brokertest.VHost, "pick")
	if got := checkVHost(ctx, broker.Mgmt, brokertest.VHost); got.err != nil || got.unsure != "" {
		t.Fatalf("existing vhost: %+v", got)
	}
	if got := checkVHost(ctx, broker.Mgmt, "/no_such_vhost_"+q); got.err == nil || !strings.Contains(got.err.Error(), "does not exist") {
		t.Fatalf("missing vhost: %+v", got)
	}
	if got := checkNames(ctx, broker.Mgmt, brokertest.VHost, []string{q, "amq.fanout"}); got.err != nil || !reflect.DeepEqual(got.names, []string{q, "exchange:amq.fanout"}) {
		t.Fatalf("a queue and an exchange: %+v", got)
	}
	if got := checkNames(ctx, broker.Mgmt, brokertest.VHost, []string{"no_such_" + q}); got.err == nil || !strings.Contains(got.err.Error(), "no queue or exchange") {
		t.Fatalf("neither: %+v", got)
	}
}

// TestWAfterASessionThatCouldNotStartAsksTheVHost: "cannot start: vhost
// does not exist" is fixed on the vhost question.
func TestWAfterASessionThatCouldNotStartAsksTheVHost(t *testing.T) {
	m, _ := pickerModel(t, pickChoice{service: "mq_handler", vhost: "/nope"})
	press(m, "space", "enter", "enter")
	m.env.newPicker = func(preset pickChoice) *picker {
		return newPicker(testConfig(), preset, func(service, vhost string) tea.Cmd {
			return func() tea.Msg {
				return discoveredMsg{items: []pickItem{{label: "/", value: "/"}, {label: "/llm", value: "/llm"}}}
			}
		}, nil)
	}
	m.Update(sessionMsg{err: errors.New(`vhost "/nope" does not exist`), gen: m.session})
	if s := screen(m); !strings.Contains(s, "w picks again") {
		t.Fatalf("the alert should say how to pick again:\n%s", s)
	}
	answer(t, m, press(m, "w"), discoveredMsg{})
	if p := m.picker; p == nil || p.step != stepVHost || p.choice.service != "mq_handler" {
		t.Fatalf("picker %+v, want the vhost question", m.picker)
	}
}
