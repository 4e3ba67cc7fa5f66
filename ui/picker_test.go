package ui

import (
	"reflect"
	"testing"

	"mqscope/appconfig"
	"mqscope/capture"
	"mqscope/observe"

	tea "charm.land/bubbletea/v2"

	"mqscope/connector"
)

func testConfig() *appconfig.Config {
	return &appconfig.Config{
		Config: &connector.Config{
			Users:     map[string]connector.Credentials{"mq_handler": {User: "guest"}, "neon_api_connector": {User: "neon_api"}},
			UserOrder: []string{"mq_handler", "neon_api_connector"},
		},
		Services: map[string]appconfig.ServiceSpec{"neon_api_connector": {VHost: "/neon_api", Queues: []string{"neon_api_input"}, Exchanges: []string{"api_events"}}},
	}
}

// pickerModel is a model whose picker asks everything, with discovery
// answering from a fixed list.
func pickerModel(t *testing.T, preset pickChoice) (*Model, *pickChoice) {
	m, _ := testModel(t, 100, 30, "dark", 0)
	var started pickChoice
	discover := func(service, vhost string) tea.Cmd {
		return func() tea.Msg {
			if vhost == "" {
				return discoveredMsg{items: []pickItem{{label: "/", value: "/"}, {label: "/llm", value: "/llm"}}}
			}
			return discoveredMsg{items: []pickItem{{label: "chat_gpt_input", value: "chat_gpt_input"}, {label: "fastchat_input", value: "fastchat_input"}}}
		}
	}
	m.openPicker(newPicker(testConfig(), preset, discover, nil))
	m.env.start = func(ch pickChoice, _ []observe.WatchSpec, _ int) tea.Cmd { started = ch; return nil }
	if cmd := m.picker.start(); cmd != nil {
		m.Update(cmd())
	}
	return m, &started
}

func TestPickerUsesServiceSpecForVHostAndWatches(t *testing.T) {
	m, started := pickerModel(t, pickChoice{})
	press(m, "down", "enter") // neon_api_connector
	if m.picker.step != stepVHost || m.picker.items[0].value != "/neon_api" {
		t.Fatalf("step %v items %v, want the vhost from mqscope.services", m.picker.step, m.picker.items)
	}
	press(m, "enter")
	press(m, "space", "down", "space", "enter") // both the queue and the exchange
	if m.picker.step != stepMode {
		t.Fatalf("step %v, want mode", m.picker.step)
	}
	press(m, "enter") // firehose, the default
	if m.picker != nil {
		t.Fatal("the picker should be done")
	}
	want := pickChoice{service: "neon_api_connector", vhost: "/neon_api", watch: []string{"neon_api_input", "exchange:api_events"}, mode: capture.ModeFirehose}
	if !reflect.DeepEqual(*started, want) {
		t.Fatalf("started %+v, want %+v", *started, want)
	}
	if m.env.vhost != "/neon_api" || len(m.env.watches) != 2 {
		t.Fatalf("header info not taken from the choice: %+v", m.env)
	}
}

func TestPickerDiscoversVHostsAndQueuesAndAcceptsTypedNames(t *testing.T) {
	m, started := pickerModel(t, pickChoice{})
	cmd := press(m, "enter") // mq_handler: no spec, so discovery
	m.Update(collect(t, cmd, isType(discoveredMsg{})))
	if len(m.picker.items) != 2 || m.picker.items[1].value != "/llm" {
		t.Fatalf("items %v, want the discovered vhosts", m.picker.items)
	}
	cmd = press(m, "down", "enter")
	m.Update(collect(t, cmd, isType(discoveredMsg{})))
	typeText(m, "my_queue, other")
	press(m, "enter", "down", "enter") // typed names win; then peek (no tap: they are queues)
	if m.picker != nil {
		t.Fatalf("picker still at step %v", m.picker.step)
	}
	if started.vhost != "/llm" || !reflect.DeepEqual(started.watch, []string{"my_queue", "other"}) || started.mode != capture.ModePeek {
		t.Fatalf("started %+v", *started)
	}
}

func TestPickerIgnoresAnAnswerToAnOlderQuestion(t *testing.T) {
	m, _ := pickerModel(t, pickChoice{})
	press(m, "enter")
	m.picker.onDiscovered(discoveredMsg{id: m.picker.reqID - 1, items: []pickItem{{label: "stale"}}})
	if len(m.picker.items) != 0 {
		t.Fatal("a stale discovery answer was shown")
	}
}

func TestConsumeMustBeConfirmed(t *testing.T) {
	m, started := pickerModel(t, pickChoice{service: "neon_api_connector", vhost: "/neon_api", watch: []string{"q"}})
	press(m, "down", "down", "down", "enter") // consume
	if m.picker == nil || m.picker.step != stepConfirm {
		t.Fatal("consume should ask to confirm")
	}
	press(m, "enter") // "no, go back" is first
	if m.picker.step != stepMode {
		t.Fatalf("declining should return to the mode, at %v", m.picker.step)
	}
	press(m, "down", "down", "down", "enter", "down", "enter")
	if m.picker != nil || started.mode != capture.ModeConsume {
		t.Fatalf("confirmed consume not started: %+v", *started)
	}
	if m.env.watches[0] != "consume:q (DESTRUCTIVE)" {
		t.Fatalf("header label %q should warn", m.env.watches[0])
	}
}

func TestFlagsSkipThePicker(t *testing.T) {
	m, started := pickerModel(t, pickChoice{service: "s", vhost: "/v", watch: []string{"q"}, mode: capture.ModeTap})
	if m.picker.step != stepDone {
		t.Fatalf("step %v, want done at once", m.picker.step)
	}
	m.finishPicker()
	if started.mode != capture.ModeTap {
		t.Fatalf("started %+v", *started)
	}
}

func TestWatchSpecsMapNamesToQueuesAndExchanges(t *testing.T) {
	got := watchSpecs("/v", []string{"q1", "exchange:x"}, capture.ModeFirehose)
	want := []observe.WatchSpec{{VHost: "/v", Queue: "q1", Mode: capture.ModeFirehose}, {VHost: "/v", Exchange: "x", Mode: capture.ModeFirehose}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("firehose: %+v", got)
	}
	got = watchSpecs("/v", []string{"fanout1", "exchange:x"}, capture.ModeTap)
	if got[0].Exchange != "fanout1" || got[1].Exchange != "x" {
		t.Fatalf("tap takes exchanges: %+v", got)
	}
	got = watchSpecs("/v", []string{"exchange:x"}, capture.ModePeek)
	if got[0].Mode != capture.ModeTap {
		t.Fatalf("an exchange cannot be peeked, it is tapped: %+v", got)
	}
}
