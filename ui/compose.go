package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/internal/textsafe"
)

// replyMsg is the outcome of a request sent from compose; id says which.
type replyMsg struct {
	id   int
	resp *connector.Response
	err  error
}

// pendingTickMsg redraws the elapsed time of request id while it waits.
type pendingTickMsg struct{ id int }

// requester is the part of a observe.Session that compose uses; tests
// give a fake.
type requester interface {
	Request(ctx context.Context, queue string, value neonwire.Value, opts connector.RequestOptions) (*connector.Response, error)
	ReplyQueue() string
}

// composeField is the part of compose that has the keyboard.
type composeField int

const (
	fieldBody composeField = iota
	fieldQueue
	fieldID
	fieldRoutingKey
	fieldExpiration
	fieldTimeout
	fieldResult // the reply and history: y / Y / i copy from here
	fieldCount
)

var fieldLabels = [fieldCount]string{"body", "queue", "message_id", "routing_key", "expiration ms", "timeout", "reply"}

// Defaults of a new request, as neon_mq_connector's.
const (
	defaultExpiration = "1000"
	defaultTimeout    = "30s"
	pendingTick       = 100 * time.Millisecond
	maxHistory        = 50
)

// composePane edits, sends and tracks Neon requests.
type composePane struct {
	field  composeField
	body   textarea.Model
	inputs [fieldResult]textinput.Model // fieldQueue … fieldTimeout; slot 0 unused

	// source says where the body came from (the selected row, its request,
	// a template, the history); sourceWarn when compose could not start
	// from the row and says why.
	source     string
	sourceWarn bool
	// target is what a check of the target queue found (sendcheck.go).
	target targetCheck

	value    *neonwire.Dict // the body as parsed; nil when invalid
	parseErr error
	wire     string // the exact wire body that ctrl+s would send

	nextID  int
	pending *pendingRequest
	result  *requestResult
	history []sentRequest // newest first
	histSel int           // the history line ↑/↓ pick in the reply field

	templates []template // saved for the current service/queue, as last read
	tplIndex  int        // the next one ctrl+o loads
	loaded    string     // the name of the template in the editor ("" when none)
	// naming is the prompt for a template's name while ctrl+t asks for it;
	// nil otherwise.
	naming *textinput.Model

	// outcomes are the outcomes of the requests sent, by message_id: the
	// list shows them on the sent rows, with the latency shown here.
	outcomes outcomeLog
}

type pendingRequest struct {
	id               int
	queue, messageID string
	replyQueue       string // where its reply will arrive
	started          time.Time
}

type requestResult struct {
	queue, messageID string
	resp             *connector.Response
	err              error

	lines    []string    // resp.Value laid out, for linesFor
	linesFor replyLayout // the width and theme lines were laid out for
}

// replyLayout is what a reply's laid-out lines depend on.
type replyLayout struct {
	width int
	theme string
}

// replyLines is the reply's value laid out for width, kept until the width
// or the theme changes: the pane is drawn on every frame, and laying out a
// large reply again each time took most of a frame's budget.
func (r *requestResult) replyLines(width int, st *Styles) []string {
	key := replyLayout{width, st.Palette.Name}
	if r.lines == nil || r.linesFor != key {
		r.lines, r.linesFor = jsonLines(r.resp.Value, width, st), key
	}
	return r.lines
}

// sentRequest is one line of the history: enough to send it again.
type sentRequest struct {
	at                time.Time
	queue, messageID  string
	source            string
	expiration, limit string
	outcome           string // "" while waiting
	id                int
}

func newComposePane(st *Styles) composePane {
	c := composePane{}
	c.body = textarea.New()
	c.body.ShowLineNumbers = false
	c.body.Prompt = ""
	c.body.CharLimit = 0
	c.body.MaxHeight = 0
	for f := fieldQueue; f < fieldResult; f++ {
		in := textinput.New()
		in.Prompt = ""
		c.inputs[f] = in
	}
	c.applyStyles(st)
	return c
}

// applyStyles restyles the editors after a theme change.
func (c *composePane) applyStyles(st *Styles) {
	ts := textarea.DefaultStyles(st.Palette.Dark)
	ts.Focused.Text, ts.Blurred.Text = st.Text, st.Muted
	ts.Focused.CursorLine = st.Text
	ts.Focused.Placeholder, ts.Blurred.Placeholder = st.Subtle, st.Subtle
	c.body.SetStyles(ts)
	for f := fieldQueue; f < fieldResult; f++ {
		is := textinput.DefaultStyles(st.Palette.Dark)
		is.Focused.Text, is.Blurred.Text = st.InputFocus, st.Input
		c.inputs[f].SetStyles(is)
	}
}

// open fills compose for a new request: the target queue and body of
// start, a fresh message_id, the session's reply queue.
func (c *composePane) open(start composeStart, replyQueue string) tea.Cmd {
	c.inputs[fieldQueue].SetValue(start.queue)
	c.source, c.sourceWarn = start.note, start.warn
	c.target = targetCheck{}
	// The last reply belongs to another request: the history keeps its
	// outcome, and the reply area waits for this one.
	c.result = nil
	c.inputs[fieldID].SetValue(connector.NewMessageID())
	c.inputs[fieldRoutingKey].SetValue(replyQueue)
	if c.inputs[fieldExpiration].Value() == "" {
		c.inputs[fieldExpiration].SetValue(defaultExpiration)
		c.inputs[fieldTimeout].SetValue(defaultTimeout)
	}
	c.body.SetValue(start.body)
	c.body.MoveToBegin()
	c.templates, c.tplIndex, c.loaded, c.naming = nil, 0, "", nil
	c.revalidate()
	return c.focus(fieldBody)
}

// setDefaultRoutingKey fills routing_key with the session's reply queue
// when it is empty (compose was opened before the session existed) or
// still holds the reply queue of a session that was replaced.
func (c *composePane) setDefaultRoutingKey(replyQueue, old string) {
	if rk := strings.TrimSpace(c.inputs[fieldRoutingKey].Value()); rk == "" || (old != "" && rk == old) {
		c.inputs[fieldRoutingKey].SetValue(replyQueue)
		if c.value != nil {
			c.revalidate()
		}
	}
}

// blur takes the keyboard away from every editor.
func (c *composePane) blur() {
	c.body.Blur()
	for i := fieldQueue; i < fieldResult; i++ {
		c.inputs[i].Blur()
	}
}

// focus gives the keyboard to field f.
func (c *composePane) focus(f composeField) tea.Cmd {
	c.field = (f + fieldCount) % fieldCount
	c.blur()
	switch {
	case c.field == fieldBody:
		return c.body.Focus()
	case c.field < fieldResult:
		return c.inputs[c.field].Focus()
	}
	return nil
}

// queue is the target queue as typed.
func (c *composePane) queue() string { return strings.TrimSpace(c.inputs[fieldQueue].Value()) }

// update passes a key or paste to the focused editor and revalidates.
func (c *composePane) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case c.field == fieldBody:
		c.body, cmd = c.body.Update(msg)
	case c.field < fieldResult:
		c.inputs[c.field], cmd = c.inputs[c.field].Update(msg)
	default:
		return nil
	}
	c.revalidate()
	return cmd
}

// revalidate parses the body as typed and works out the exact wire body,
// so errors and the preview follow each keystroke.
func (c *composePane) revalidate() {
	c.value, c.parseErr, c.wire = nil, nil, ""
	v, err := neonwire.ParseUserValue(c.body.Value())
	if err != nil {
		c.parseErr = err
		return
	}
	d, ok := v.(*neonwire.Dict)
	if !ok {
		c.parseErr = fmt.Errorf("a Neon request body must be a dict, not %s", pyTypeName(v))
		return
	}
	c.value = d
	c.wire = string(neonwire.Encode(c.request()))
}

// request is the body to send: the parsed dict with message_id and
// routing_key as the fields say (left out when a field is empty).
func (c *composePane) request() *neonwire.Dict {
	// routing_key, then message_id: the order in which send_mq_request
	// adds them (docs/wire.md), so the wire body is the one Python sends.
	d := &neonwire.Dict{Items: slices.Clone(c.value.Items)}
	if rk := strings.TrimSpace(c.inputs[fieldRoutingKey].Value()); rk != "" {
		d.Set("routing_key", rk)
	}
	if id := strings.TrimSpace(c.inputs[fieldID].Value()); id != "" {
		d.Set("message_id", id)
	}
	return d
}

// requestOptions reads expiration and timeout, saying which is wrong.
func (c *composePane) requestOptions() (connector.RequestOptions, error) {
	exp := strings.TrimSpace(c.inputs[fieldExpiration].Value())
	if n, err := strconv.Atoi(exp); err != nil || n <= 0 {
		return connector.RequestOptions{}, fmt.Errorf("expiration %q: give a whole number of milliseconds, e.g. 1000", exp)
	}
	t := strings.TrimSpace(c.inputs[fieldTimeout].Value())
	d, err := time.ParseDuration(t)
	if err != nil {
		if secs, err2 := strconv.ParseFloat(t, 64); err2 == nil {
			d, err = time.Duration(secs*float64(time.Second)), nil
		}
	}
	if err != nil || d <= 0 {
		return connector.RequestOptions{}, fmt.Errorf("timeout %q: give a duration such as 30s or 500ms", t)
	}
	return connector.RequestOptions{Timeout: d, Expiration: exp}, nil
}

// send starts the request as typed. The message_id field gets a fresh id
// at once, so pressing ctrl+s again sends a new request rather than a
// duplicate.
func (c *composePane) send(ctx context.Context, r requester, now time.Time) (tea.Cmd, error) {
	if r == nil {
		return nil, errors.New("not connected: the request side has not started (see the line at the top)")
	}
	if c.value == nil {
		return nil, fmt.Errorf("body: %v", c.parseErr)
	}
	if len(c.value.Items) == 0 {
		return nil, errors.New("body: {} is empty, and a Neon service has nothing to act on: type the request's fields")
	}
	queue := c.queue()
	if queue == "" {
		return nil, errors.New("queue: name the queue to send to")
	}
	opts, err := c.requestOptions()
	if err != nil {
		return nil, err
	}
	unconsumed := c.target.unconsumed(queue, opts.Expiration)
	if unconsumed {
		// Nobody takes it: it dies at its expiration, and no reply can
		// come, so waiting out the timeout would only count up.
		opts.Timeout = min(opts.Timeout, expiryWait(opts.Expiration))
	}
	body := c.request()
	if ownMessageID(body) == "" {
		// The connector would make one up; making it here lets the model
		// announce the request by its id before it goes out.
		body.Set("message_id", connector.NewMessageID())
	}
	cmd := c.dispatch(ctx, r, now, outgoing{queue: queue, body: body, opts: opts, source: c.body.Value(),
		limit: c.inputs[fieldTimeout].Value(), unconsumed: unconsumed})
	c.inputs[fieldID].SetValue(connector.NewMessageID())
	c.revalidate()
	return cmd, nil
}

// outgoing is one request ready to go: its body carries its message_id.
type outgoing struct {
	queue  string
	body   *neonwire.Dict
	opts   connector.RequestOptions
	source string // the body as the editor shows it, for the history
	limit  string // the timeout as typed, for the history
	// unconsumed: the target had no consumer when checked, so a timeout
	// means the request expired unread (sendcheck.go).
	unconsumed bool
}

// dispatch starts o as the next request: it becomes the pending one and
// the newest line of the history. Compose's ctrl+s and the list's re-send
// keys (resend.go) all send through here.
func (c *composePane) dispatch(ctx context.Context, r requester, now time.Time, o outgoing) tea.Cmd {
	msgID := ownMessageID(o.body)
	c.nextID++
	id := c.nextID
	c.pending = &pendingRequest{id: id, queue: o.queue, messageID: msgID, replyQueue: replyQueueOf(o.body, r.ReplyQueue()), started: now}
	c.history = append([]sentRequest{{
		at: now, queue: o.queue, messageID: msgID, source: o.source,
		expiration: o.opts.Expiration, limit: o.limit, id: id,
	}}, c.history...)
	c.history = c.history[:min(len(c.history), maxHistory)]
	c.histSel = 0
	return tea.Batch(requestCmd(ctx, r, id, o.queue, o.body, o.opts, o.unconsumed), pendingTickCmd(id))
}

// resend sends the picked history entry (the newest unless ↑/↓ chose
// another) again with a new message_id.
func (c *composePane) resend(ctx context.Context, r requester, now time.Time) (tea.Cmd, error) {
	if !c.loadHistory() {
		return nil, errors.New("nothing sent yet: ctrl+s sends the body")
	}
	return c.send(ctx, r, now)
}

// loadHistory puts the picked history entry back into the editors with a
// fresh message_id; false when there is no history.
func (c *composePane) loadHistory() bool {
	if len(c.history) == 0 {
		return false
	}
	h := c.history[min(c.histSel, len(c.history)-1)]
	c.inputs[fieldQueue].SetValue(h.queue)
	c.inputs[fieldExpiration].SetValue(h.expiration)
	c.inputs[fieldTimeout].SetValue(h.limit)
	c.body.SetValue(h.source)
	c.source, c.sourceWarn = "body from the history: sent at "+h.at.Format("15:04:05")+" to "+textsafe.Row(h.queue), false
	c.inputs[fieldID].SetValue(connector.NewMessageID())
	c.revalidate()
	return true
}

// pickHistory moves the history pick by delta lines.
func (c *composePane) pickHistory(delta int) {
	c.histSel = min(max(c.histSel+delta, 0), max(len(c.history)-1, 0))
}

// finish records the outcome of request id and returns its message_id; a
// late answer to an older request only updates its history line.
func (c *composePane) finish(msg replyMsg) string {
	outcome := replyOutcome(msg)
	msgID := ""
	for i := range c.history {
		if c.history[i].id == msg.id {
			c.history[i].outcome = outcome
			msgID = c.history[i].messageID
		}
	}
	if msgID != "" {
		o := sentOutcome{text: outcome, failed: msg.err != nil}
		if msg.err == nil && msg.resp != nil {
			o.replied, o.latency = true, msg.resp.Latency
		}
		c.outcomes.put(msgID, o)
	}
	if c.pending == nil || c.pending.id != msg.id {
		return msgID
	}
	c.result = &requestResult{queue: c.pending.queue, messageID: c.pending.messageID, resp: msg.resp, err: msg.err}
	c.pending = nil
	return msgID
}

func replyOutcome(msg replyMsg) string {
	var timeout *connector.TimeoutError
	var noRoute *connector.NoRouteError
	switch {
	case msg.err == nil && msg.resp != nil:
		return "↩ " + fmtLatency(msg.resp.Latency)
	case errors.As(msg.err, new(*expiredError)):
		return "✗ expired"
	case errors.As(msg.err, &timeout):
		return "✗ timed out"
	case errors.As(msg.err, &noRoute):
		return "✗ no route"
	}
	return "✗ failed"
}

// requestCmd sends one request; the session does the waiting. unconsumed
// says the target had no consumer when checked: a timeout then means the
// request expired unread.
func requestCmd(ctx context.Context, r requester, id int, queue string, body *neonwire.Dict, opts connector.RequestOptions, unconsumed bool) tea.Cmd {
	return func() tea.Msg {
		resp, err := r.Request(ctx, queue, body, opts)
		if unconsumed && errors.Is(err, connector.ErrTimeout) {
			err = &expiredError{queue: queue, expiration: opts.Expiration}
		}
		return replyMsg{id: id, resp: resp, err: err}
	}
}

func pendingTickCmd(id int) tea.Cmd {
	return tea.Tick(pendingTick, func(time.Time) tea.Msg { return pendingTickMsg{id: id} })
}

// prefillBody is the compose body for a selected message: its decoded dict
// without message_id and routing_key (compose adds fresh ones). It is
// indented JSON when JSON holds the value exactly, else the Python literal:
// JSON would turn tuples into lists, bytes into {"$bytes": …} and inf into
// "inf", and the re-sent request would no longer be the one observed.
func prefillBody(v neonwire.Value) string {
	d, ok := v.(*neonwire.Dict)
	if !ok {
		return "{}"
	}
	clone := &neonwire.Dict{Items: slices.Clone(d.Items)}
	clone.Delete("message_id")
	clone.Delete("routing_key")
	js := neonwire.ToJSONIndent(clone, "  ")
	if back, err := neonwire.FromJSON(js); err == nil && neonwire.Repr(back) == neonwire.Repr(clone) {
		return string(js)
	}
	return neonwire.Repr(clone)
}

// ownMessageID is a request body's own message_id: the id the connector
// sends it under and its reply carries back.
func ownMessageID(d *neonwire.Dict) string {
	v, _ := d.Get("message_id")
	s, _ := v.(string)
	return s
}

// replyQueueOf is the queue the reply to body will arrive on: its
// routing_key, else the requester's own queue, which the connector adds.
func replyQueueOf(body *neonwire.Dict, own string) string {
	v, _ := body.Get("routing_key")
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return own
}

// pyTypeName names a value's Python type for error messages.
func pyTypeName(v neonwire.Value) string {
	switch v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case float64:
		return "float"
	case neonwire.List:
		return "list"
	case neonwire.Tuple:
		return "tuple"
	case neonwire.Set, neonwire.FrozenSet:
		return "set"
	}
	return "int"
}
