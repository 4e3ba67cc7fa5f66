package ui

import (
	"fmt"
	"strings"

	"mqscope/appconfig"
	"mqscope/capture"
	"mqscope/internal/textsafe"
	"mqscope/observe"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// discoveredMsg carries the vhosts or queues/exchanges the management API
// listed for picker request id.
type discoveredMsg struct {
	id    int
	items []pickItem
	err   error
}

// pickStep is the question the picker is asking.
type pickStep int

const (
	stepService pickStep = iota
	stepVHost
	stepWatch
	stepMode
	stepConfirm // consume was chosen: it is destructive
	stepDone
)

var stepTitles = [...]string{
	stepService: "Service (credentials from the config's users)",
	stepVHost:   "Virtual host",
	stepWatch:   "What to watch (space selects, enter confirms)",
	stepMode:    "Observation mode",
	stepConfirm: "consume is DESTRUCTIVE: messages are taken away from the service. Continue?",
}

// pickItem is one choice.
type pickItem struct {
	label, value, hint string
}

// pickChoice is what the picker settles.
type pickChoice struct {
	service, vhost string
	watch          []string
	mode           capture.Mode
}

// discoverer lists vhosts (vhost == "") or the queues and exchanges of a
// vhost for a service, through the management API.
type discoverer func(service, vhost string) tea.Cmd

// picker asks for whatever the command line left out.
type picker struct {
	step     pickStep
	services []string
	specs    map[string]appconfig.ServiceSpec
	choice   pickChoice
	preset   pickChoice        // given on the command line
	readOnly *observe.ReadOnly // set: consume and peek are refused

	items    []pickItem
	cursor   int
	marked   map[int]bool
	input    textinput.Model // a typed name, for when the list lacks it
	note     string
	loading  bool
	reqID    int
	discover discoverer
}

// newPicker starts at the first question the preset leaves open.
func newPicker(cfg *appconfig.Config, preset pickChoice, discover discoverer) *picker {
	p := &picker{services: cfg.ServiceNames(), specs: cfg.Services, preset: preset, discover: discover, readOnly: cfg.ReadOnly}
	p.input = textinput.New()
	p.input.Prompt = "or type: "
	p.input.Focus()
	p.choice = preset
	return p
}

// start enters the first open step; it returns the discovery to run, if any.
func (p *picker) start() tea.Cmd {
	if p.preset.service != "" {
		return p.enterVHost()
	}
	p.step = stepService
	p.setItems(namesToItems(p.services, func(s string) string {
		if spec, ok := p.specs[s]; ok && spec.VHost != "" {
			return spec.VHost
		}
		return ""
	}), "")
	return nil
}

func namesToItems(names []string, hint func(string) string) []pickItem {
	items := make([]pickItem, len(names))
	for i, n := range names {
		items[i] = pickItem{label: n, value: n, hint: hint(n)}
	}
	return items
}

func (p *picker) setItems(items []pickItem, note string) {
	p.items, p.cursor, p.marked, p.note, p.loading = items, 0, map[int]bool{}, note, false
	p.input.SetValue("")
}

func (p *picker) enterVHost() tea.Cmd {
	p.step = stepVHost
	if p.preset.vhost != "" {
		p.choice.vhost = p.preset.vhost
		return p.enterWatch()
	}
	if spec := p.specs[p.choice.service]; spec.VHost != "" {
		p.setItems([]pickItem{{label: spec.VHost, value: spec.VHost, hint: "from mqscope.services"}}, "")
		return nil
	}
	return p.load("")
}

func (p *picker) enterWatch() tea.Cmd {
	p.step = stepWatch
	if len(p.preset.watch) > 0 {
		p.choice.watch = p.preset.watch
		return p.enterMode()
	}
	if spec, ok := p.specs[p.choice.service]; ok && len(spec.Queues)+len(spec.Exchanges) > 0 {
		var items []pickItem
		for _, q := range spec.Queues {
			items = append(items, pickItem{label: q, value: q, hint: "queue"})
		}
		for _, x := range spec.Exchanges {
			items = append(items, pickItem{label: x, value: exchangePrefix + x, hint: "exchange"})
		}
		p.setItems(items, "")
		return nil
	}
	return p.load(p.choice.vhost)
}

func (p *picker) enterMode() tea.Cmd {
	p.step = stepMode
	if p.preset.mode != "" {
		return p.settle(p.preset.mode)
	}
	p.setItems([]pickItem{
		{label: "firehose", value: string(capture.ModeFirehose), hint: "non-destructive copy of every publish and delivery (needs administrator)"},
		{label: "tap", value: string(capture.ModeTap), hint: "private queue bound to an exchange; non-destructive"},
		{label: "peek", value: string(capture.ModePeek), hint: "get + requeue: sets redelivered, can reorder"},
		{label: "consume", value: string(capture.ModeConsume), hint: "DESTRUCTIVE: takes messages away from the service"},
	}, "")
	return nil
}

// settle takes the mode, asking again for consume.
func (p *picker) settle(mode capture.Mode) tea.Cmd {
	if err := p.readOnly.RefuseMode(mode); err != nil {
		p.preset.mode = ""
		cmd := p.enterMode()
		p.note = err.Error()
		return cmd
	}
	p.choice.mode = mode
	if mode == capture.ModeConsume && p.step != stepConfirm {
		p.step = stepConfirm
		p.setItems([]pickItem{{label: "no, go back", value: "no"}, {label: "yes, consume", value: "yes", hint: "only for queues nobody else reads"}}, "")
		return nil
	}
	p.step = stepDone
	return nil
}

// load asks the management API, remembering which request is current.
func (p *picker) load(vhost string) tea.Cmd {
	p.setItems(nil, "")
	p.loading = true
	p.reqID++
	if p.discover == nil {
		p.loading = false
		p.note = "no management API: type the name"
		return nil
	}
	id, cmd := p.reqID, p.discover(p.choice.service, vhost)
	return func() tea.Msg {
		msg, _ := cmd().(discoveredMsg)
		msg.id = id
		return msg
	}
}

// onDiscovered shows what the management API listed; a failure leaves
// typing as the way forward.
func (p *picker) onDiscovered(msg discoveredMsg) {
	if msg.id != p.reqID {
		return // an answer to an older question
	}
	note := ""
	if msg.err != nil {
		note = "could not list them (" + oneLine(msg.err.Error()) + "): type the name"
	} else if len(msg.items) == 0 {
		note = "none found: type the name"
	}
	p.setItems(msg.items, note)
}

// key handles a key press; the model checks step == stepDone afterwards.
// Letters type into the name field, so only arrows move.
func (p *picker) key(msg tea.KeyPressMsg, k keyMap) tea.Cmd {
	switch {
	case msg.String() == "up":
		p.cursor = max(p.cursor-1, 0)
	case msg.String() == "down":
		p.cursor = min(p.cursor+1, max(len(p.items)-1, 0))
	case msg.String() == "space" && p.step == stepWatch && len(p.items) > 0 && p.input.Value() == "":
		p.marked[p.cursor] = !p.marked[p.cursor]
	case key.Matches(msg, k.Apply):
		return p.accept()
	case key.Matches(msg, k.Back):
		return p.backStep()
	default:
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return cmd
	}
	return nil
}

// paste types a paste into the name field: a long queue name is pasted
// more often than typed.
func (p *picker) paste(msg tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

// accept takes the typed text when there is some, else the marked or
// highlighted items.
func (p *picker) accept() tea.Cmd {
	typed := splitNames(p.input.Value())
	var values []string
	if len(typed) > 0 {
		values = typed
	} else {
		for i, it := range p.items {
			if p.marked[i] {
				values = append(values, it.value)
			}
		}
		if len(values) == 0 && p.cursor < len(p.items) {
			values = []string{p.items[p.cursor].value}
		}
	}
	if len(values) == 0 {
		p.note = "choose one, or type a name"
		return nil
	}
	switch p.step {
	case stepService:
		p.choice.service = values[0]
		return p.enterVHost()
	case stepVHost:
		p.choice.vhost = values[0]
		return p.enterWatch()
	case stepWatch:
		p.choice.watch = values
		return p.enterMode()
	case stepMode:
		mode, err := observe.ParseMode(values[0])
		if err != nil {
			p.note = err.Error()
			return nil
		}
		return p.settle(mode)
	case stepConfirm:
		if values[0] == "yes" {
			return p.settle(capture.ModeConsume)
		}
		return p.enterMode()
	}
	return nil
}

// backStep returns to the previous open question.
func (p *picker) backStep() tea.Cmd {
	switch p.step {
	case stepVHost:
		if p.preset.service == "" {
			return p.start()
		}
	case stepWatch:
		if p.preset.vhost == "" {
			p.choice.vhost = ""
			return p.enterVHost()
		}
	case stepMode, stepConfirm:
		if len(p.preset.watch) == 0 {
			return p.enterWatch()
		}
	}
	return nil
}

// splitNames splits a typed comma-separated list.
func splitNames(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// render draws the picker full screen.
// footer is the key help line, as the model's route names it.
func (p *picker) render(st *Styles, footer string, width, height int) string {
	lines := []string{st.Title.Render(" mqscope") + st.Muted.Render("  pick what to watch"), ""}
	lines = append(lines, p.summaryLine(st), "")
	lines = append(lines, st.Bold.Render(stepTitles[min(p.step, stepConfirm)]))
	if p.loading {
		lines = append(lines, st.Muted.Render("  asking the management API…"))
	}
	for i, it := range p.items {
		mark := "  "
		if p.step == stepWatch {
			mark = "[ ]"
			if p.marked[i] {
				mark = "[x]"
			}
		}
		// Names come from the management API: anyone who may declare a
		// queue may put terminal escapes in its name.
		line := fmt.Sprintf(" %s %s", mark, textsafe.Row(it.label))
		if it.hint != "" {
			line += st.Muted.Render("  " + textsafe.Row(it.hint))
		}
		if i == p.cursor {
			line = st.Selected.Render(fitLine(line, width-2))
		}
		lines = append(lines, line)
	}
	if p.note != "" {
		lines = append(lines, st.Warn.Render("  "+textsafe.Row(p.note)))
	}
	if p.step != stepMode && p.step != stepConfirm {
		lines = append(lines, "", "  "+p.input.View())
	}
	lines = append(lines, "", footer)
	return fitBlock(strings.Join(lines, "\n"), width, height)
}

// summaryLine shows the answers so far.
func (p *picker) summaryLine(st *Styles) string {
	parts := []string{}
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, st.Label.Render(name+" ")+st.Bold.Render(textsafe.Row(v)))
		}
	}
	add("service", p.choice.service)
	add("vhost", p.choice.vhost)
	add("watch", strings.Join(p.choice.watch, ","))
	return "  " + strings.Join(parts, st.Subtle.Render(" · "))
}
