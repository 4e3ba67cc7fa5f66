package ui

import (
	"context"
	"strings"
	"time"

	"mqscope/appconfig"
	"mqscope/capture"
	"mqscope/observe"

	tea "charm.land/bubbletea/v2"

	"mqscope/connector"
	"mqscope/internal/textsafe"
)

// exchangePrefix marks a watch target that is an exchange, not a queue.
const exchangePrefix = "exchange:"

// watchSpecs turns the watch targets (queue names, or exchange:NAME) into
// specs in vhost. Tap needs an exchange, so with tap a bare name is one;
// peek and consume need a queue, so an exchange is tapped instead.
func watchSpecs(vhost string, targets []string, mode capture.Mode) []observe.WatchSpec {
	specs := make([]observe.WatchSpec, 0, len(targets))
	for _, t := range targets {
		spec := observe.WatchSpec{VHost: vhost, Mode: mode}
		name, isExchange := strings.CutPrefix(t, exchangePrefix)
		switch {
		case isExchange && (mode == capture.ModePeek || mode == capture.ModeConsume):
			spec.Exchange, spec.Mode = name, capture.ModeTap
		case isExchange || mode == capture.ModeTap:
			spec.Exchange = name
		default:
			spec.Queue = name
		}
		specs = append(specs, spec)
	}
	return specs
}

// watchNames are the bare queue/exchange names, for per-queue rates.
func watchNames(targets []string) []string {
	out := make([]string, len(targets))
	for i, t := range targets {
		out[i] = strings.TrimPrefix(t, exchangePrefix)
	}
	return out
}

// watchLabels are the header's names for the watches, with the warning of
// a mode that changes what the service sees.
func watchLabels(specs []observe.WatchSpec) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		name := s.Queue
		if name == "" {
			name = s.Exchange
		}
		out[i] = string(s.Mode) + ":" + textsafe.Row(name)
		if s.Mode == capture.ModeConsume {
			out[i] += " (DESTRUCTIVE)"
		}
	}
	return out
}

// pickerKey passes a key to the picker and starts the session when it is
// done.
func (m *Model) pickerKey(msg tea.KeyPressMsg) tea.Cmd {
	if key := msg.String(); key == "esc" && m.picker.step == stepService {
		return tea.Quit
	}
	cmd := m.picker.key(msg, m.keys)
	if m.picker.step == stepDone {
		return tea.Batch(cmd, m.finishPicker())
	}
	return cmd
}

// pickerPaste types a paste into the picker's name field.
func (m *Model) pickerPaste(msg tea.PasteMsg) tea.Cmd {
	return m.picker.paste(msg)
}

// openPicker puts p on screen; it has the keyboard until it settles.
func (m *Model) openPicker(p *picker) {
	m.picker = p
	m.setMode(modePicker)
}

// onPickerMsg routes the picker's discovery answers.
func (m *Model) onPickerMsg(msg tea.Msg) tea.Cmd {
	if d, ok := msg.(discoveredMsg); ok && m.mode == modePicker {
		m.picker.onDiscovered(d)
	}
	return nil
}

// finishPicker takes the picker's answers and starts the session.
func (m *Model) finishPicker() tea.Cmd {
	ch := m.picker.choice
	m.picker = nil
	m.mode = modeList
	specs := watchSpecs(ch.vhost, ch.watch, ch.mode)
	// The vhost and the watch labels are only shown; the names may come
	// from the management API, so they are shown without control
	// characters. env.names stays exact: rates match messages by it.
	m.env.service, m.env.vhost = ch.service, textsafe.Row(ch.vhost)
	m.env.watches, m.env.names = watchLabels(specs), watchNames(ch.watch)
	m.rates = newRateMeter(m.env.names)
	m.conns.opening = true
	m.resize(m.width, m.height)
	if m.env.start == nil {
		return nil
	}
	return m.env.start(ch, specs)
}

// openSessionCmd connects in the background. Every observed message goes
// to sink; states and unmatched replies go to the event queue, so none is
// lost. The session is handed to keep as well as to the model, so Run can
// close it even when the program ends before the answer arrives.
func openSessionCmd(ctx context.Context, cfg *appconfig.Config, ch pickChoice, specs []observe.WatchSpec,
	sink func(capture.Message), events *eventQueue, keep func(*observe.Session)) tea.Cmd {
	return func() tea.Msg {
		broker, err := cfg.NewBroker(ch.service)
		if err != nil {
			return sessionMsg{err: err}
		}
		sess, err := broker.OpenSession(ctx, observe.SessionOptions{
			VHost: ch.vhost, Watches: specs, Sink: sink,
			OnState:     func(s connector.State) { events.push(stateMsg{state: s}) },
			OnUnmatched: func(m capture.Message) { events.push(unmatchedMsg{msg: m}) },
		})
		if err != nil {
			return sessionMsg{err: err}
		}
		keep(sess)
		return sessionMsg{req: sess}
	}
}

// discoverCmd lists vhosts, or the queues and exchanges of vhost, with the
// service's credentials through the management API.
func discoverCmd(ctx context.Context, cfg *appconfig.Config) discoverer {
	return func(service, vhost string) tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			broker, err := cfg.NewBroker(service)
			if err != nil {
				return discoveredMsg{err: err}
			}
			items, err := discover(ctx, broker.Mgmt, vhost)
			return discoveredMsg{items: items, err: err}
		}
	}
}

func discover(ctx context.Context, mgmt *observe.Management, vhost string) ([]pickItem, error) {
	if vhost == "" {
		vhosts, err := mgmt.VHosts(ctx)
		var items []pickItem
		for _, v := range vhosts {
			items = append(items, pickItem{label: v.Name, value: v.Name})
		}
		return items, err
	}
	queues, err := mgmt.Queues(ctx, vhost)
	if err != nil {
		return nil, err
	}
	var items []pickItem
	for _, q := range queues {
		if !strings.HasPrefix(q.Name, "amq.") {
			items = append(items, pickItem{label: q.Name, value: q.Name, hint: "queue"})
		}
	}
	exchanges, err := mgmt.Exchanges(ctx, vhost)
	for _, x := range exchanges {
		if x.Name != "" && !strings.HasPrefix(x.Name, "amq.") {
			items = append(items, pickItem{label: x.Name, value: exchangePrefix + x.Name, hint: x.Type + " exchange"})
		}
	}
	if len(items) > 0 {
		err = nil // the queues are enough to go on with
	}
	return items, err
}
