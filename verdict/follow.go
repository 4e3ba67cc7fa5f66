package verdict

import (
	"time"

	"mqscope/capture"
	"mqscope/store"
)

// Follower feeds a Tracker from a store and puts the verdicts it decides
// back as rows of their own through a sink (the store, and the recording
// when there is one). tail prints the store's entries as it feeds them;
// the TUI pulls on a timer of its own, so that it never competes with the
// list for the store's one change signal. A nil *Follower does nothing.
// It is not safe for concurrent use.
type Follower struct {
	tracker *Tracker
	sink    func(capture.Message)
	cursor  uint64        // the last seq fed to the tracker, for Pull
	pulled  []store.Entry // Pull's last read, whose room the next one reuses
}

// NewFollower follows requests with t and sinks its verdict rows.
func NewFollower(t *Tracker, sink func(capture.Message)) *Follower {
	return &Follower{tracker: t, sink: sink}
}

// Observe feeds the next entry of the store (in seq order) to the tracker.
func (f *Follower) Observe(e *store.Entry) {
	if f != nil {
		f.decide(f.tracker.Observe(e))
	}
}

// Tick decides the requests whose deadline passed at now.
func (f *Follower) Tick(now time.Time) {
	if f != nil {
		f.decide(f.tracker.Tick(now))
	}
}

// pullStep bounds the entries copied out of the store at a time.
const pullStep = 4096

// Pull feeds every entry appended to st since the last pull, in order, then
// ticks at now. Entries evicted before they were pulled are never seen:
// their requests get no verdict, which is all a bounded store allows.
func (f *Follower) Pull(st *store.Store, now time.Time) {
	if f == nil {
		return
	}
	for {
		entries, next := st.SinceNValuesOf(f.pulled, f.cursor, pullStep, needsValue)
		f.pulled, f.cursor = entries, next
		for i := range entries {
			f.Observe(&entries[i])
		}
		if len(entries) < pullStep {
			break
		}
	}
	f.Tick(now)
}

// needsValue says which entries the tracker reads the decoded body of: only
// replies (an error reply is a verdict of its own), so Pull reads the rest
// without expanding their bodies.
func needsValue(e *store.Entry) bool { return e.Pair != nil && e.Pair.IsReply }

// decide sinks the verdict rows of vs.
func (f *Follower) decide(vs []Verdict) {
	for _, v := range vs {
		f.sink(v.Message())
	}
}
