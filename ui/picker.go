package ui

import (
	"fmt"
	"slices"
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

// checkedMsg is the answer to picker check id: whether the typed vhost or
// names exist. names are the names as resolved (a name that turned out to
// be an exchange becomes exchange:NAME); err says why one is refused;
// unsure says why nothing could be checked, in which case the names are
// taken as typed.
type checkedMsg struct {
	id     int
	names  []string
	err    error
	unsure string
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

// checker checks that vhost exists (names == nil), or that each of names
// is a queue or an exchange in it.
type checker func(service, vhost string, names []string) tea.Cmd

// pickFrame is one step as it was left: esc puts it back as it was.
type pickFrame struct {
	step   pickStep
	choice pickChoice
	items  []pickItem
	cursor int
	marked map[int]bool
	typed  string
	note   string
	// reload is set on the questions before the first one of a picker
	// opened from the live view: they were never on screen, so going back
	// asks them afresh, with the cursor on the answer given.
	reload bool
	answer string
}

// picker asks for whatever the command line left out. Each answer is
// checked where it is given, and the picker stays on that question with
// the reason when it is wrong; esc goes back one question, as it was.
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
	noteBad  bool // note is why an answer was refused
	loading  bool
	checking bool
	reqID    int
	discover discoverer
	check    checker
	history  []pickFrame
	answer   string // the earlier answer to the question asked again: the cursor goes to it
	// watching are the targets watched now, when the picker was opened
	// from the live view: they start marked. own are this mqscope's own
	// queues, labelled as such.
	watching, own []string

	// live is set when the picker was opened from the live view to change
	// what is watched: esc on its first question returns there unchanged.
	live      bool
	cancelled bool
}

// newPicker starts at the first question the preset leaves open.
func newPicker(cfg *appconfig.Config, preset pickChoice, discover discoverer, check checker) *picker {
	p := &picker{services: cfg.ServiceNames(), specs: cfg.Services, preset: preset, discover: discover, check: check, readOnly: cfg.ReadOnly}
	p.input = textinput.New()
	p.input.Prompt = "or type: "
	p.input.Focus()
	p.choice = preset
	return p
}

// start enters the first open step; it returns the discovery to run, if any.
func (p *picker) start() tea.Cmd {
	if p.preset.service != "" {
		p.choice.service = p.preset.service
		return p.enterVHost()
	}
	return p.enterService()
}

func (p *picker) enterService() tea.Cmd {
	p.step = stepService
	p.setItems(namesToItems(p.services, func(s string) string {
		if spec, ok := p.specs[s]; ok && spec.VHost != "" {
			return spec.VHost
		}
		return ""
	}), "")
	p.selectValue(p.choice.service)
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
	p.items, p.cursor, p.marked, p.note, p.noteBad, p.loading = items, 0, map[int]bool{}, note, false, false
	p.input.SetValue("")
}

// selectValue puts the cursor on the item of value v, if there is one:
// coming back to a question shows the answer given before.
func (p *picker) selectValue(v string) {
	for i, it := range p.items {
		if it.value == v && v != "" {
			p.cursor = i
		}
	}
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

// enterWatch offers the queues and exchanges of mqscope.services first,
// then whatever else the management API lists in the vhost.
func (p *picker) enterWatch() tea.Cmd {
	p.step = stepWatch
	if len(p.preset.watch) > 0 {
		p.choice.watch = p.preset.watch
		return p.enterMode()
	}
	var items []pickItem
	if spec, ok := p.specs[p.choice.service]; ok {
		for _, q := range spec.Queues {
			items = append(items, pickItem{label: q, value: q, hint: "queue, from mqscope.services"})
		}
		for _, x := range spec.Exchanges {
			items = append(items, pickItem{label: x, value: exchangePrefix + x, hint: "exchange, from mqscope.services"})
		}
	}
	cmd := p.load(p.choice.vhost)
	p.items = items
	if len(items) > 0 && !p.loading {
		p.note = "" // no management API, but the config names some
	}
	return cmd
}

// enterMode offers the modes that work for what was chosen: tap reads an
// exchange, peek and consume read a queue.
func (p *picker) enterMode() tea.Cmd {
	p.step = stepMode
	if p.preset.mode != "" {
		return p.settle(p.preset.mode)
	}
	items := modeItems(p.choice.watch)
	if p.readOnly != nil {
		// Offer only what read-only mode allows; say why the rest is gone.
		items = slices.DeleteFunc(items, func(it pickItem) bool { return p.readOnly.RefuseMode(capture.Mode(it.value)) != nil })
	}
	p.setItems(items, "")
	if p.readOnly != nil {
		p.note = "read-only: peek and consume are not offered (they take messages from the queue)"
	}
	p.selectValue(string(p.choice.mode))
	return nil
}

// modeItems are the modes offered for the chosen targets. Tap binds a
// queue of its own to an exchange, so it is offered only when every target
// is an exchange; peek and consume need a queue.
func modeItems(watch []string) []pickItem {
	queues, exchanges := 0, 0
	for _, w := range watch {
		if strings.HasPrefix(w, exchangePrefix) {
			exchanges++
		} else {
			queues++
		}
	}
	items := []pickItem{{label: "firehose", value: string(capture.ModeFirehose), hint: "non-destructive copy of every publish and delivery (needs administrator)"}}
	if queues == 0 {
		items = append(items, pickItem{label: "tap", value: string(capture.ModeTap), hint: "private queue bound to the exchange; non-destructive"})
		return items
	}
	tapped := ""
	if exchanges > 0 {
		tapped = "; the exchanges are tapped"
	}
	return append(items,
		pickItem{label: "peek", value: string(capture.ModePeek), hint: "get + requeue: sets redelivered, can reorder" + tapped},
		pickItem{label: "consume", value: string(capture.ModeConsume), hint: "DESTRUCTIVE: takes messages away from the service" + tapped})
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
	return tagged(p.reqID, p.discover(p.choice.service, vhost))
}

// tagged runs cmd and stamps its answer with request id.
func tagged(id int, cmd tea.Cmd) tea.Cmd {
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case discoveredMsg:
			msg.id = id
			return msg
		case checkedMsg:
			msg.id = id
			return msg
		default:
			return msg
		}
	}
}

// onDiscovered adds what the management API listed to what the step
// already offers; a failure leaves typing as the way forward.
func (p *picker) onDiscovered(msg discoveredMsg) {
	if msg.id != p.reqID || !p.loading {
		return // an answer to an older question
	}
	p.loading = false
	for _, it := range msg.items {
		if !slices.ContainsFunc(p.items, func(o pickItem) bool { return o.value == it.value }) {
			p.items = append(p.items, it)
		} else if it.hint != "" {
			p.fillHint(it)
		}
	}
	switch {
	case msg.err != nil && len(p.items) > 0:
		p.note = "could not list the others (" + oneLine(msg.err.Error()) + ")"
	case msg.err != nil:
		p.note = "could not list them (" + oneLine(msg.err.Error()) + "): type the name"
	case len(p.items) == 0:
		p.note = "none found: type the name"
	}
	p.selectValue(p.answer)
	p.markWatching()
}

// markWatching marks what is watched now and labels mqscope's own queues,
// on the watch question of a picker opened from the live view.
func (p *picker) markWatching() {
	if p.step != stepWatch {
		return
	}
	for i, it := range p.items {
		if slices.Contains(p.watching, it.value) {
			p.marked[i] = true
		}
		if slices.Contains(p.own, it.value) {
			p.items[i].hint = "this mqscope's own reply queue"
		}
	}
}

// fillHint gives a configured item what discovery knows of it (an
// exchange's type).
func (p *picker) fillHint(found pickItem) {
	for i := range p.items {
		if p.items[i].value == found.value && strings.HasSuffix(p.items[i].hint, "from mqscope.services") {
			p.items[i].hint = found.hint + ", from mqscope.services"
		}
	}
}

// key handles a key press; the model checks step == stepDone afterwards.
// Letters type into the name field, so only arrows move.
func (p *picker) key(msg tea.KeyPressMsg, k keyMap) tea.Cmd {
	if p.checking && !key.Matches(msg, k.Back) {
		return nil // the answer is being checked
	}
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
		return p.typeText(msg)
	}
	return nil
}

// paste types a paste into the name field: a long queue name is pasted
// more often than typed.
func (p *picker) paste(msg tea.PasteMsg) tea.Cmd {
	return p.typeText(msg)
}

// typeText edits the name field; a refusal belongs to the name it was
// about, so it goes once the name changes.
func (p *picker) typeText(msg tea.Msg) tea.Cmd {
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.noteBad && p.input.Value() != before {
		p.note, p.noteBad = "", false
	}
	return cmd
}

// accept takes the typed text when there is some, else the marked or
// highlighted items. What was typed is checked before the picker moves on.
func (p *picker) accept() tea.Cmd {
	typed := splitNames(p.input.Value())
	values := typed
	if len(values) == 0 {
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
		p.refuse("choose one, or type a name")
		return nil
	}
	switch p.step {
	case stepService:
		if !slices.Contains(p.services, values[0]) {
			p.refuse(fmt.Sprintf("no service %q in the config; it has %s", values[0], strings.Join(p.services, ", ")))
			return nil
		}
		return p.advance(func() tea.Cmd { p.choice.service = values[0]; return p.enterVHost() })
	case stepVHost:
		if len(typed) == 0 && !p.fromConfig() {
			return p.advance(func() tea.Cmd { p.choice.vhost = values[0]; return p.enterWatch() })
		}
		return p.startCheck(values[0], nil)
	case stepWatch:
		if len(typed) > 0 {
			return p.startCheck(p.choice.vhost, values)
		}
		return p.advance(func() tea.Cmd { p.choice.watch = values; return p.enterMode() })
	case stepMode:
		mode, err := observe.ParseMode(values[0])
		if err != nil {
			p.refuse(err.Error())
			return nil
		}
		return p.advance(func() tea.Cmd { return p.settle(mode) })
	case stepConfirm:
		if values[0] == "yes" {
			return p.settle(capture.ModeConsume)
		}
		return p.backStep()
	}
	return nil
}

// fromConfig reports whether the vhost offered comes from mqscope.services
// rather than from the broker: it may not exist.
func (p *picker) fromConfig() bool {
	return p.step == stepVHost && len(p.items) > 0 && p.items[0].hint == "from mqscope.services"
}

// refuse stays on the question with the reason.
func (p *picker) refuse(why string) {
	p.note, p.noteBad = why, true
}

// startCheck asks the broker whether the vhost (names == nil) or the names
// exist; onChecked moves on or refuses.
func (p *picker) startCheck(vhost string, names []string) tea.Cmd {
	typed := names
	if names == nil {
		typed = []string{vhost}
	}
	if p.check == nil {
		return p.onChecked(checkedMsg{names: typed, unsure: "no management API"})
	}
	p.reqID++
	p.checking = true
	p.note, p.noteBad = "checking…", false
	check := p.check(p.choice.service, vhost, names)
	return tagged(p.reqID, func() tea.Msg {
		msg, _ := check().(checkedMsg)
		if len(msg.names) == 0 {
			msg.names = typed
		}
		return msg
	})
}

// onCheckedMsg takes the answer to the current check.
func (p *picker) onCheckedMsg(msg checkedMsg) tea.Cmd {
	if msg.id != p.reqID || !p.checking {
		return nil
	}
	return p.onChecked(msg)
}

// onChecked moves on with the checked answer, or stays with the reason.
func (p *picker) onChecked(msg checkedMsg) tea.Cmd {
	p.checking = false
	p.note = ""
	if msg.err != nil {
		p.refuse(oneLine(msg.err.Error()))
		return nil
	}
	var cmd tea.Cmd
	switch p.step {
	case stepVHost:
		cmd = p.advance(func() tea.Cmd { p.choice.vhost = msg.names[0]; return p.enterWatch() })
	case stepWatch:
		cmd = p.advance(func() tea.Cmd { p.choice.watch = msg.names; return p.enterMode() })
	}
	if msg.unsure != "" && p.note == "" {
		p.note = "not checked (" + msg.unsure + "): taken as typed"
	}
	return cmd
}

// push remembers the current question as it is, for esc.
func (p *picker) push() {
	p.history = append(p.history, pickFrame{
		step: p.step, choice: p.choice, items: p.items, cursor: p.cursor,
		marked: p.marked, typed: p.input.Value(), note: p.note,
	})
}

// advance remembers the current question and moves to the next.
func (p *picker) advance(next func() tea.Cmd) tea.Cmd {
	p.push()
	p.answer = ""
	return next()
}

// backStep returns to the previous question as it was left: the answers
// before it, its choices, its cursor and marks, what was typed. On the
// first question of a picker opened from the live view, esc returns to
// the live view unchanged.
func (p *picker) backStep() tea.Cmd {
	p.checking, p.loading = false, false
	p.reqID++ // answers still on their way are for a question left
	if len(p.history) == 0 {
		if p.live {
			p.cancelled = true
		}
		return nil
	}
	f := p.history[len(p.history)-1]
	p.history = p.history[:len(p.history)-1]
	if f.reload {
		return p.reask(f)
	}
	p.step, p.choice, p.items, p.cursor, p.marked, p.note, p.noteBad = f.step, f.choice, f.items, f.cursor, f.marked, f.note, false
	p.input.SetValue(f.typed)
	return nil
}

// reask asks question f afresh, with the cursor on its earlier answer.
func (p *picker) reask(f pickFrame) tea.Cmd {
	p.choice, p.answer = f.choice, f.answer
	var cmd tea.Cmd
	switch f.step {
	case stepService:
		cmd = p.enterService()
	case stepVHost:
		cmd = p.enterVHost()
	}
	p.selectValue(f.answer)
	return cmd
}

// startAtVHost opens the picker on the vhost question, with the cursor on
// vhost: for when the session could not start there.
func (p *picker) startAtVHost(service, vhost string) tea.Cmd {
	p.history = []pickFrame{{step: stepService, reload: true, answer: service}}
	p.choice, p.answer = pickChoice{service: service}, vhost
	return p.enterVHost()
}

// startAtWatch opens the picker on the watch question for service and
// vhost, as chosen before, with what is watched now marked; esc goes back
// to the vhost and the service.
func (p *picker) startAtWatch(service, vhost string, watching, own []string) tea.Cmd {
	p.watching, p.own = watching, own
	p.history = []pickFrame{
		{step: stepService, reload: true, answer: service},
		{step: stepVHost, choice: pickChoice{service: service}, reload: true, answer: vhost},
	}
	p.choice = pickChoice{service: service, vhost: vhost}
	cmd := p.enterWatch()
	p.markWatching()
	return cmd
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
		style := st.Warn
		if p.noteBad {
			style = st.Danger
		}
		for _, l := range wrapText(textsafe.Row(p.note), max(width-4, 1)) {
			lines = append(lines, style.Render("  "+l))
		}
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
