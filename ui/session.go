package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// watchedQueues are the queues among specs, in order.
func watchedQueues(specs []observe.WatchSpec) []string {
	var out []string
	for _, s := range specs {
		if s.Queue != "" {
			out = append(out, s.Queue)
		}
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
// done. esc on the first question quits, or, when the picker was opened
// from the live view, returns there unchanged.
func (m *Model) pickerKey(msg tea.KeyPressMsg) tea.Cmd {
	p := m.picker
	if msg.String() == "esc" && p.step == stepService && len(p.history) == 0 && !p.live {
		return tea.Quit
	}
	cmd := p.key(msg, m.keys)
	switch {
	case p.cancelled:
		m.picker = nil
		m.setMode(modeList)
		return nil
	case p.step == stepDone:
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

// repick returns to the picker, on the question of what to watch, to
// change it without restarting: the session is replaced once the picker
// settles, and esc returns to the live view unchanged. When the session
// could not start at all (a vhost that does not exist, say), it opens on
// the vhost.
func (m *Model) repick() tea.Cmd {
	if m.env.newPicker == nil {
		return m.setStatus("the watches were given on the command line of a test: nothing to pick", true)
	}
	p := m.env.newPicker(pickChoice{})
	p.live = true
	m.openPicker(p)
	if m.conns.openErr != nil {
		return p.startAtVHost(m.env.service, m.env.pickedVHost)
	}
	var own []string
	if m.req != nil {
		own = []string{m.req.ReplyQueue()}
	}
	return p.startAtWatch(m.env.service, m.env.pickedVHost, m.env.targets, own)
}

// onPickerMsg routes the picker's discovery and check answers.
func (m *Model) onPickerMsg(msg tea.Msg) tea.Cmd {
	if m.mode != modePicker || m.picker == nil {
		return nil
	}
	switch msg := msg.(type) {
	case discoveredMsg:
		m.picker.onDiscovered(msg)
	case checkedMsg:
		cmd := m.picker.onCheckedMsg(msg)
		if m.picker.step == stepDone {
			return tea.Batch(cmd, m.finishPicker())
		}
		return cmd
	}
	return nil
}

// finishPicker takes the picker's answers and starts the session (in place
// of the one running, if any).
func (m *Model) finishPicker() tea.Cmd {
	ch := m.picker.choice
	m.picker = nil
	m.mode = modeList
	specs := watchSpecs(ch.vhost, ch.watch, ch.mode)
	// The vhost and the watch labels are only shown; the names may come
	// from the management API, so they are shown without control
	// characters. env.names stays exact: rates match messages by it.
	m.env.service, m.env.vhost, m.env.pickedVHost = ch.service, textsafe.Row(ch.vhost), ch.vhost
	m.env.watches, m.env.names, m.env.queues = watchLabels(specs), watchNames(ch.watch), watchedQueues(specs)
	m.env.targets = ch.watch
	m.rates = newRateMeter(m.env.names)
	m.session++
	m.conns = newConns()
	m.conns.opening = true
	m.req = nil
	m.resize(m.width, m.height)
	if m.env.start == nil {
		return nil
	}
	return m.env.start(ch, specs, m.session)
}

// openSessionCmd connects in the background. Every observed message goes
// to sink; states and unmatched replies go to the event queue, so none is
// lost. The session is handed to keep as well as to the model, so Run can
// close it even when the program ends before the answer arrives.
func openSessionCmd(ctx context.Context, cfg *appconfig.Config, ch pickChoice, specs []observe.WatchSpec,
	sink func(capture.Message), events *eventQueue, sessions *sessionKeeper, gen int) tea.Cmd {
	return func() tea.Msg {
		// A new choice replaces the session: the old one's private queues
		// go, and the firehose is switched back as it was, before the new
		// one starts.
		sessions.replace(gen)
		broker, err := cfg.NewBroker(ch.service)
		if err != nil {
			return sessionMsg{err: err, gen: gen}
		}
		sessions.setBroker(broker, gen)
		sess, err := broker.OpenSession(ctx, observe.SessionOptions{
			VHost: ch.vhost, Watches: specs, Sink: sink,
			OnState:     func(s connector.State) { events.push(stateMsg{state: s, gen: gen}) },
			OnUnmatched: func(m capture.Message) { events.push(unmatchedMsg{msg: m, gen: gen}) },
		})
		if err != nil {
			return sessionMsg{err: err, gen: gen}
		}
		if !sessions.keep(sess, gen) {
			return sessionMsg{err: errors.New("replaced by a newer choice"), gen: gen}
		}
		return sessionMsg{req: sess, gen: gen}
	}
}

// checkCmd checks typed answers through the management API with the
// service's credentials: that a vhost exists (names == nil), or what each
// name is in vhost: a queue, else an exchange (returned as exchange:NAME),
// else refused. When the API cannot answer, the names are taken as typed
// and the picker says they were not checked.
func checkCmd(ctx context.Context, cfg *appconfig.Config) checker {
	return func(service, vhost string, names []string) tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			broker, err := cfg.NewBroker(service)
			if err != nil {
				return checkedMsg{err: err}
			}
			if names == nil {
				return checkVHost(ctx, broker.Mgmt, vhost)
			}
			return checkNames(ctx, broker.Mgmt, vhost, names)
		}
	}
}

func checkVHost(ctx context.Context, mgmt *observe.Management, vhost string) checkedMsg {
	_, err := mgmt.VHost(ctx, vhost)
	switch {
	case err == nil:
		return checkedMsg{names: []string{vhost}}
	case observe.NotFound(err):
		return checkedMsg{err: fmt.Errorf("vhost %q does not exist: pick one above, or create it first (rabbitmqctl add_vhost %s)", vhost, vhost)}
	}
	return checkedMsg{names: []string{vhost}, unsure: oneLine(err.Error())}
}

func checkNames(ctx context.Context, mgmt *observe.Management, vhost string, names []string) checkedMsg {
	out := make([]string, 0, len(names))
	for _, n := range names {
		name, isExchange := strings.CutPrefix(n, exchangePrefix)
		if !isExchange {
			_, err := mgmt.Queue(ctx, vhost, name)
			if err == nil {
				out = append(out, name)
				continue
			}
			if !observe.NotFound(err) {
				return checkedMsg{names: names, unsure: oneLine(err.Error())}
			}
		}
		_, err := mgmt.Exchange(ctx, vhost, name)
		switch {
		case err == nil:
			out = append(out, exchangePrefix+name)
		case !observe.NotFound(err):
			return checkedMsg{names: names, unsure: oneLine(err.Error())}
		case isExchange:
			return checkedMsg{err: fmt.Errorf("no exchange %q in vhost %q: pick one above, or check the name", name, vhost)}
		default:
			return checkedMsg{err: fmt.Errorf("no queue or exchange %q in vhost %q: pick one above, or check the name", name, vhost)}
		}
	}
	return checkedMsg{names: out}
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
		return items, explainDiscovery(err, vhost)
	}
	queues, err := mgmt.Queues(ctx, vhost)
	if err != nil {
		return nil, explainDiscovery(err, vhost)
	}
	exchanges, xerr := mgmt.Exchanges(ctx, vhost)
	items := watchItems(queues, exchanges)
	if len(items) == 0 {
		return nil, explainDiscovery(xerr, vhost)
	}
	return items, nil // the queues are enough to go on with
}

// watchItems orders what can be watched: the services' queues, then the
// exchanges with their type, then the queues no service reads by name:
// Neon clients' private reply queues (32 hex digits) and mqscope's own.
// The broker's amq.* are left out; the default exchange cannot be bound.
func watchItems(queues []observe.QueueSummary, exchanges []observe.ExchangeSummary) []pickItem {
	var services, replies, private, xs []pickItem
	for _, q := range queues {
		switch {
		case strings.HasPrefix(q.Name, "amq."):
		case isNeonReplyQueue(q.Name):
			replies = append(replies, pickItem{label: q.Name, value: q.Name, hint: "Neon reply queue of a client: the replies it gets"})
		case strings.HasPrefix(q.Name, "mqscope."):
			private = append(private, pickItem{label: q.Name, value: q.Name, hint: "a private queue of a running mqscope"})
		default:
			services = append(services, pickItem{label: q.Name, value: q.Name, hint: queueHint(q)})
		}
	}
	for _, x := range exchanges {
		if x.Name != "" && !strings.HasPrefix(x.Name, "amq.") {
			xs = append(xs, pickItem{label: x.Name, value: exchangePrefix + x.Name, hint: x.Type + " exchange"})
		}
	}
	return slices.Concat(services, xs, replies, private)
}

// queueHint says what a queue holds and who reads it.
func queueHint(q observe.QueueSummary) string {
	return fmt.Sprintf("queue · %d consumer%s · %d waiting", q.Consumers, plural(q.Consumers, "", "s"), q.Messages)
}

// explainDiscovery turns a management API failure into what it means for
// the picker: a vhost that is not there is said so, not as "404".
func explainDiscovery(err error, vhost string) error {
	if err == nil {
		return nil
	}
	if vhost != "" && observe.NotFound(err) {
		return fmt.Errorf("vhost %q does not exist", vhost)
	}
	return err
}
