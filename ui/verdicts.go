package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mqscope/capture"
	"mqscope/store"
	"mqscope/verdict"
)

// verdictTick is how often the TUI's follower pulls what the store got and
// closes the deadlines that passed: a verdict shows at most this long
// after its deadline (expiration or reply window), as in tail.
const verdictTick = 200 * time.Millisecond

// verdictTickMsg says the follower has pulled; the next pull is armed.
type verdictTickMsg struct{}

// followVerdictsCmd runs one pull of f after verdictTick, off the UI's
// goroutine: the Refused hook may ask the management API. The follower
// reads the store by its own cursor and never waits on the store's change
// signal, which has one reader, the list; its verdict rows are appended
// like any others and wake the list up. Pulls never overlap: the next is
// armed only when this one is done.
func followVerdictsCmd(f *verdict.Follower, st *store.Store, now func() time.Time) tea.Cmd {
	return tea.Tick(verdictTick, func(time.Time) tea.Msg {
		f.Pull(st, now())
		return verdictTickMsg{}
	})
}

// onVerdictTick arms the next pull.
func (m *Model) onVerdictTick() tea.Cmd {
	return followVerdictsCmd(m.env.verdicts, m.env.store, m.env.now)
}

// maxMarks bounds the verdicts kept for the list's markers; past it they
// are read again from the verdict rows the store still holds.
const maxMarks = 50_000

// verdictMarks knows the verdict of each request, from the verdict rows in
// the store: those the follower added, or those a recording holds. A
// request is known by its vhost and message_id, which a recording keeps
// (its rows get new seqs when loaded).
type verdictMarks struct {
	st   *store.Store
	rows *store.View // the store's verdict rows
	last uint64      // the newest verdict row taken in
	byID map[markKey]verdict.Verdict
	// stats are the verdicts counted by the vhost and queue of their
	// request, for the board: every verdict of the session, once.
	stats map[markKey]*queueStats
}

type markKey struct{ vhost, id string }

func newVerdictMarks(st *store.Store) verdictMarks {
	f, _ := store.ParseFilter("event:" + string(capture.EventVerdict))
	return verdictMarks{st: st, rows: st.NewView(f), byID: map[markKey]verdict.Verdict{}, stats: map[markKey]*queueStats{}}
}

// sync takes in the verdict rows appended since the last call.
func (vm *verdictMarks) sync() {
	n := vm.rows.Len()
	counted := vm.last // rows up to it are in the stats already
	from := 0
	if vm.last != 0 {
		if i := vm.rows.Index(vm.last); i >= 0 {
			from = i + 1
		}
	}
	if len(vm.byID)+n-from > maxMarks {
		vm.byID, from = map[markKey]verdict.Verdict{}, max(n-maxMarks/2, 0)
	}
	for from < n {
		batch := vm.rows.Range(from, min(n-from, 512))
		if len(batch) == 0 {
			break
		}
		for i := range batch {
			if v, ok := verdict.Of(&batch[i].Msg); ok {
				vm.byID[markKey{v.VHost, v.MessageID}] = v
				if batch[i].Seq > counted {
					vm.count(v)
				}
			}
			vm.last = batch[i].Seq
		}
		from += len(batch)
	}
}

// count adds v to its queue's stats.
func (vm *verdictMarks) count(v verdict.Verdict) {
	k := markKey{v.VHost, v.Queue}
	q := vm.stats[k]
	if q == nil {
		q = &queueStats{}
		vm.stats[k] = q
	}
	q.add(v)
}

// statsOf are the stats of a queue; nil when none of its requests was
// decided.
func (vm *verdictMarks) statsOf(vhost, queue string) *queueStats {
	return vm.stats[markKey{vhost, queue}]
}

// reset forgets the verdicts of the rows, as after a clear; the board's
// stats are the session's and stay.
func (vm *verdictMarks) reset() {
	stats := vm.stats
	*vm = newVerdictMarks(vm.st)
	vm.stats = stats
}

// of returns the verdict shown on row e: a request's own, or the one a
// verdict row carries.
func (vm *verdictMarks) of(e *store.Entry) (verdict.Verdict, bool) {
	if e.Msg.Event == capture.EventVerdict {
		return verdict.Of(&e.Msg)
	}
	if vm == nil || !isRequestRow(e) {
		return verdict.Verdict{}, false
	}
	v, ok := vm.byID[markKey{e.Msg.VHost, e.MessageID}]
	return v, ok
}

// isRequestRow reports the first sighting of a request: the row a verdict
// is about.
func isRequestRow(e *store.Entry) bool {
	return e.Origin == 0 && e.ReplyQueue != "" && e.MessageID != "" && e.Msg.Event == capture.EventPublish
}

// verdictFamily groups the codes for the marker: ok, error (the broker or
// the service said no) and lost (no answer came, or too late to be used).
type verdictFamily int

const (
	familyOK verdictFamily = iota
	familyError
	familyLost
)

// familyOf is the family of a code.
func familyOf(c verdict.Code) verdictFamily {
	switch c {
	case verdict.Replied:
		return familyOK
	case verdict.ErrorReply, verdict.Unroutable, verdict.Refused, verdict.IDMismatch:
		return familyError
	}
	return familyLost
}

// verdictGlyphs are the markers of the families: one cell each, told apart
// by shape without colour.
var verdictGlyphs = [...]string{familyOK: "✓", familyError: "✗", familyLost: "∅"}

// verdictLegend explains the verdict markers, for the help and the README.
const verdictLegend = "✓ replied · ✗ error_reply, unroutable, refused, id_mismatch · ∅ expired, no_reply, reply_unroutable, late_reply"

// family is the style of a family, as lipgloss draws it.
func (st *Styles) family(f verdictFamily) lipgloss.Style {
	switch f {
	case familyOK:
		return st.OK
	case familyError:
		return st.Danger
	}
	return st.Warn
}

// verdictStyle is the colour of a family, for the list's hot path.
func verdictStyle(f verdictFamily, s *spans) span {
	switch f {
	case familyOK:
		return s.OK
	case familyError:
		return s.Danger
	}
	return s.Warn
}

// requestOfVerdict finds the request a verdict row is about: by its seq
// when that is still the request (live), else by message_id among the
// rows before it (a recording renumbers rows), looking back at most
// verdictLookBack rows.
func requestOfVerdict(st *store.Store, e *store.Entry) (*store.Entry, bool) {
	v, ok := verdict.Of(&e.Msg)
	if !ok {
		return nil, false
	}
	if r, ok := st.Get(v.RequestSeq); ok && r.MessageID == v.MessageID && isRequestRow(&r) {
		return &r, true
	}
	end := st.Index(e.Seq)
	if end < 0 {
		return nil, false
	}
	from := max(end-verdictLookBack, 0)
	rows := st.Range(from, end-from)
	for i := len(rows) - 1; i >= 0; i-- {
		if r := &rows[i]; r.MessageID == v.MessageID && r.Msg.VHost == v.VHost && isRequestRow(r) {
			return r, true
		}
	}
	return nil, false
}

// verdictLookBack bounds the search for a verdict row's request.
const verdictLookBack = 20_000

// verdictColumn is the title of the list's one-character verdict marker.
const verdictColumn = "v"
