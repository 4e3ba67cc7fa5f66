package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/internal/replay"
	"mqscope/internal/textsafe"
	"mqscope/store"
)

// The list's re-send keys: r sends the selected row's request again, R
// every marked request, each with a fresh message_id and the session's
// reply queue, as the Python library sends it (replay.Prepare), through
// compose's own request path (composePane.dispatch), so that each shows in
// compose's history and its outcome on its sent row. Each new reply is
// compared with the recorded one (replay.Compare) and shown beside it in
// the Pair tab.

// maxResendResults bounds the results remembered for the Pair tab.
const maxResendResults = 1024

// maxDiffNotes is how many differing requests a summary names.
const maxDiffNotes = 3

// resendState is what the re-send keys have sent and got back.
type resendState struct {
	sent    map[int]resendSent      // by compose request id, while waiting
	results map[uint64]resendResult // the newest result by original request seq
	byNewID map[string]uint64       // new message_id → original request seq
	order   []uint64                // results oldest first, to forget the oldest
	batch   *resendBatch            // the re-send under way; nil when none
	opened  map[string]requester    // browsing a recording: requesters by vhost
	opening map[string]bool         // … being opened
}

// resendSent is a request waiting for its reply.
type resendSent struct {
	orig      replay.Request
	messageID string
}

// resendResult is a re-sent request's outcome, kept for the Pair tab and d.
type resendResult struct {
	replay.Result
	hadReply  bool           // the original request had a reply to compare with
	origReply neonwire.Value // that reply
	at        time.Time
}

// resendBatch is one press of r or R: the requests still to send, how
// many are waiting, and the tally so far.
type resendBatch struct {
	todo     []replay.Request
	inFlight int
	total    int
	tally    replay.Tally
	notes    []string // the first differing or unanswered requests
	single   bool     // r: one request, reported on its own
	last     resendResult
}

// requesterOpenedMsg brings a requester opened to re-send from a recording.
type requesterOpenedMsg struct {
	vhost string
	req   requester
	err   error
}

// resendOptions are the request options of a re-send: neon_mq_connector's
// defaults, as compose starts with.
func resendOptions() connector.RequestOptions {
	d, _ := time.ParseDuration(defaultTimeout)
	return connector.RequestOptions{Timeout: d, Expiration: defaultExpiration}
}

// resendSelected sends the selected row's request again: a reply, deliver
// or sent row resolves to its request as compose does.
func (m *Model) resendSelected() tea.Cmd {
	if refused := m.refuseResend(); refused != nil {
		return refused
	}
	e, _ := m.selected()
	if e == nil {
		return m.setStatus("nothing selected to re-send", true)
	}
	r, why := m.resendable(e)
	if why != "" {
		return m.setStatus("not re-sent: "+why, true)
	}
	return m.startBatch([]replay.Request{r}, true, "")
}

// resendMarked sends every marked request again, each request once however
// many of its rows (publish, deliver, reply) are marked.
func (m *Model) resendMarked() tea.Cmd {
	if refused := m.refuseResend(); refused != nil {
		return refused
	}
	marked := m.marks.entries(m.env.store)
	if len(marked) == 0 {
		return m.setStatus("nothing marked: m marks the rows R re-sends", true)
	}
	var reqs []replay.Request
	seen := map[uint64]bool{}
	skipped := 0
	for i := range marked {
		r, why := m.resendable(&marked[i])
		switch {
		case why != "":
			skipped++
		case !seen[r.Seq]:
			seen[r.Seq] = true
			reqs = append(reqs, r)
		}
	}
	note := ""
	if skipped > 0 {
		note = fmt.Sprintf(" (%d marked row%s not a request with its queue known: left out)", skipped, plural(skipped, "", "s"))
	}
	if len(reqs) == 0 {
		return m.setStatus("nothing to re-send: no marked row is a request, or the reply of one still in the list"+note, true)
	}
	return m.startBatch(reqs, false, note)
}

// refuseResend says why nothing can be re-sent: read-only mode, or a
// recording with no broker configured.
func (m *Model) refuseResend() tea.Cmd {
	if err := m.env.readOnly.Refuse("re-sending would publish requests"); err != nil {
		return m.setStatus(err.Error(), true)
	}
	if m.env.offline != "" && m.env.openRequester == nil {
		return m.setStatus("re-send is unavailable: browsing a recording and "+m.env.noBroker, true)
	}
	return nil
}

// resendable is the request behind e in replayable form, or why there is
// none.
func (m *Model) resendable(e *store.Entry) (replay.Request, string) {
	req, _ := m.requestOf(e)
	switch {
	case req == nil:
		return replay.Request{}, "the selected reply's request is not in the list (sent before mqscope watched, or evicted)"
	case req.ReplyQueue == "":
		return replay.Request{}, "the selected " + rowKind(req) + " is not a Neon request (its body names no routing_key): c composes from it"
	case targetQueue(req) == "":
		return replay.Request{}, "the request was published to exchange " + textsafe.Row(req.Msg.Exchange) + ": c composes it to a queue you name"
	}
	r, ok := replay.FromEntry(m.env.store, req)
	if !ok {
		return replay.Request{}, "the request's body is not a dict"
	}
	r.Queue = targetQueue(req)
	return r, ""
}

// startBatch starts sending reqs, at most replay.MaxInFlight at once. A
// re-send pressed while another is under way joins it, and the summary
// counts both.
func (m *Model) startBatch(reqs []replay.Request, single bool, note string) tea.Cmd {
	if b := m.resends.batch; b != nil {
		b.todo, b.total, b.single = append(b.todo, reqs...), b.total+len(reqs), false
		single = false
	} else {
		m.resends.batch = &resendBatch{todo: reqs, total: len(reqs), single: single}
	}
	total := m.resends.batch.total
	cmd := m.pumpResends()
	if single || m.resends.batch == nil { // sent, or could not start and said why
		return cmd
	}
	return tea.Batch(cmd, m.setStatus(fmt.Sprintf("re-sending %d request%s…%s", total, plural(total, "", "s"), note), false))
}

// pumpResends sends the batch's next requests while fewer than
// replay.MaxInFlight are waiting. Browsing a recording, a vhost's
// requester is opened first, and the batch goes on once it is there.
func (m *Model) pumpResends() tea.Cmd {
	b := m.resends.batch
	var cmds []tea.Cmd
	for b != nil && len(b.todo) > 0 && b.inFlight < replay.MaxInFlight {
		r := b.todo[0]
		req, open := m.requesterFor(r.VHost)
		if req == nil {
			cmds = append(cmds, open)
			break
		}
		b.todo = b.todo[1:]
		b.inFlight++
		cmds = append(cmds, m.sendAgain(req, r, b.single))
	}
	return tea.Batch(cmds...)
}

// requesterFor is the requester to re-send to vhost with: the session's
// when live; browsing a recording, one opened for the vhost, or the
// command that opens it (nil when it is already being opened).
func (m *Model) requesterFor(vhost string) (requester, tea.Cmd) {
	if m.env.offline == "" {
		if m.req == nil {
			return nil, m.failBatch("not connected: the request side has not started (see the line at the top)")
		}
		return m.req, nil
	}
	s := &m.resends
	if r := s.opened[vhost]; r != nil {
		return r, nil
	}
	if s.opening[vhost] {
		return nil, nil
	}
	if s.opening == nil {
		s.opening = map[string]bool{}
	}
	s.opening[vhost] = true
	open, ctx := m.env.openRequester, m.env.ctx
	return nil, tea.Batch(m.setStatus("connecting to vhost "+textsafe.Row(vhost)+" to re-send…", false), func() tea.Msg {
		r, err := open(ctx, vhost)
		return requesterOpenedMsg{vhost: vhost, req: r, err: err}
	})
}

// onRequesterOpened goes on with the re-send once its requester is there.
func (m *Model) onRequesterOpened(msg requesterOpenedMsg) tea.Cmd {
	s := &m.resends
	delete(s.opening, msg.vhost)
	if msg.err != nil {
		return m.failBatch("cannot connect to re-send: " + describeRequestError(msg.err))
	}
	if s.opened == nil {
		s.opened = map[string]requester{}
	}
	s.opened[msg.vhost] = msg.req
	return m.pumpResends()
}

// failBatch ends the batch before its requests went out, saying why.
func (m *Model) failBatch(why string) tea.Cmd {
	b := m.resends.batch
	if b == nil {
		return nil
	}
	b.todo = nil
	if b.inFlight == 0 {
		m.resends.batch = nil
	}
	return m.setStatus("not re-sent: "+why, true)
}

// sendAgain sends r once more through compose's request path.
func (m *Model) sendAgain(req requester, r replay.Request, single bool) tea.Cmd {
	body, id := replay.Prepare(r, req.ReplyQueue())
	if m.env.own != nil {
		m.env.own.expect(id, req.ReplyQueue())
	}
	cmd := m.compose.dispatch(m.env.ctx, req, m.env.now(), outgoing{
		queue: r.Queue, body: body, opts: resendOptions(), source: prefillBody(r.Body), limit: defaultTimeout,
	})
	s := &m.resends
	if s.sent == nil {
		s.sent = map[int]resendSent{}
	}
	s.sent[m.compose.nextID] = resendSent{orig: r, messageID: id}
	if !single {
		return cmd
	}
	return tea.Batch(cmd, m.setStatus(fmt.Sprintf("re-sent request seq %d to %s in %s as %s; waiting for the reply",
		r.Seq, textsafe.Row(r.Queue), textsafe.Row(r.VHost), shortID(id)), false))
}

// onResendReply compares the reply to a re-sent request with the recorded
// one; ok is false when msg answers a request compose sent itself.
func (m *Model) onResendReply(msg replyMsg) (cmd tea.Cmd, ok bool) {
	s := &m.resends
	sent, ok := s.sent[msg.id]
	if !ok {
		return nil, false
	}
	delete(s.sent, msg.id)
	res := resendResult{
		Result:   replay.Compare(sent.orig, sent.messageID, msg.resp, msg.err),
		hadReply: sent.orig.HadReply, origReply: sent.orig.Reply, at: m.env.now(),
	}
	s.remember(sent.orig.Seq, res)
	m.detail.lines = nil // the Pair tab shows the new result
	b := s.batch
	if b == nil {
		return nil, true
	}
	b.inFlight--
	b.tally.Add(res.Result)
	b.last = res
	if (res.Differs() || !res.Replied()) && len(b.notes) < maxDiffNotes {
		b.notes = append(b.notes, resultNote(res))
	}
	next := m.pumpResends()
	if b.inFlight > 0 || len(b.todo) > 0 {
		return tea.Batch(next, m.setStatus(fmt.Sprintf("re-sending: %d of %d answered · %s", b.tally.Sent, b.total, b.tally), false)), true
	}
	s.batch = nil
	return tea.Batch(next, m.setStatus(b.summary(), !b.tally.Good())), true
}

// remember keeps res as the newest result of request seq.
func (s *resendState) remember(seq uint64, res resendResult) {
	if s.results == nil {
		s.results, s.byNewID = map[uint64]resendResult{}, map[string]uint64{}
	}
	if _, ok := s.results[seq]; !ok {
		s.order = append(s.order, seq)
	}
	s.results[seq] = res
	s.byNewID[res.MessageID] = seq
	for len(s.order) > maxResendResults {
		old := s.order[0]
		delete(s.byNewID, s.results[old].MessageID)
		delete(s.results, old)
		s.order = s.order[1:]
	}
}

// summary is the status line when the batch is done: for r, what the one
// request got; for R, replay's "N sent, R replied, D differ, T no reply"
// and the first differences.
func (b *resendBatch) summary() string {
	if b.single {
		return "re-sent seq " + fmt.Sprint(b.last.Seq) + " to " + textsafe.Row(b.last.Queue) + ": " + resultText(b.last)
	}
	text := "re-send done: " + b.tally.String()
	if len(b.notes) > 0 {
		text += " · " + strings.Join(b.notes, "; ")
	}
	return text
}

// resultText says what a re-sent request got: "reply in 3.1ms, same as the
// recorded reply", "reply in 3.1ms; 1 field differs: content (d shows
// it)", "no reply".
func resultText(r resendResult) string {
	switch {
	case !r.Replied():
		text := strings.ReplaceAll(r.Verdict, "_", " ")
		if r.Error != "" {
			text += ": " + oneLine(r.Error)
		}
		return text
	case !r.hadReply:
		return fmt.Sprintf("reply in %.3gms (the original got none to compare with)", *r.Latency)
	case r.Differs():
		return fmt.Sprintf("reply in %.3gms; %d field%s differ%s from the recorded reply: %s (Pair tab; d shows the diff)",
			*r.Latency, len(r.Diff), plural(len(r.Diff), "", "s"), plural(len(r.Diff), "s", ""), strings.Join(diffPaths(r), ", "))
	}
	return fmt.Sprintf("reply in %.3gms, same as the recorded reply", *r.Latency)
}

// resultNote is one differing or unanswered request in R's summary.
func resultNote(r resendResult) string {
	if !r.Replied() {
		return fmt.Sprintf("seq %d: %s", r.Seq, strings.ReplaceAll(r.Verdict, "_", " "))
	}
	return fmt.Sprintf("seq %d: %s", r.Seq, strings.Join(diffPaths(r), ", "))
}

func diffPaths(r resendResult) []string {
	out := make([]string, 0, len(r.Diff))
	for _, d := range r.Diff {
		out = append(out, d.Kind+" "+textsafe.Row(d.Path))
	}
	return out
}

// resultFor is the newest re-send result of e's request, or of the
// request e is the re-sent copy (or its reply) of.
func (m *Model) resultFor(e *store.Entry) (resendResult, bool) {
	s := &m.resends
	if len(s.results) == 0 {
		return resendResult{}, false
	}
	if req, _ := m.requestOf(e); req != nil {
		if r, ok := s.results[req.Seq]; ok {
			return r, true
		}
	}
	if seq, ok := s.byNewID[e.MessageID]; ok {
		r, ok := s.results[seq]
		return r, ok
	}
	return resendResult{}, false
}

// resendLines are the Pair tab's lines on a re-send of e's request: what
// was sent where and what came back, the recorded reply beside the new
// one, and their diff.
func (m *Model) resendLines(e *store.Entry, width int, st *Styles) []string {
	r, ok := m.resultFor(e)
	if !ok {
		return nil
	}
	head := fmt.Sprintf("── re-sent at %s as %s to %s: %s", r.at.In(m.env.loc).Format("15:04:05.000"),
		r.MessageID, textsafe.Row(r.Queue), resultText(r))
	lines := append([]string{""}, styleLines(wrapText(head, max(width, 1)), st.Bold)...)
	if !r.Replied() {
		return lines
	}
	col := max((width-3)/2, 1)
	var left []string
	if r.hadReply {
		left = append([]string{st.Reply.Render("recorded reply")}, jsonLines(r.origReply, col, st)...)
	} else {
		left = []string{st.Muted.Render("no recorded reply")}
	}
	right := append([]string{st.Reply.Render("new reply") + st.Muted.Render(" "+shortID(r.MessageID))}, jsonLines(r.NewReply, col, st)...)
	lines = append(lines, sideBySide(left, right, col, st)...)
	if r.hadReply {
		lines = append(lines, "", st.Bold.Render("diff of the replies")+st.Muted.Render(" (message_id and routing_key ignored)"))
		if len(r.Changes) == 0 {
			lines = append(lines, st.Muted.Render("no differences"))
		}
		lines = append(lines, diffLines(r.Changes, width, st)...)
	}
	return lines
}

// openRequesterFunc opens a requester to re-send to a vhost from a
// recording; Run sets it when the config names a broker.
type openRequesterFunc func(ctx context.Context, vhost string) (requester, error)
