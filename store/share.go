package store

import (
	"strings"

	"mqscope/connector/neonwire"
)

const (
	// maxSharedLen is the longest str value shared between messages. Dict
	// keys and short values (service names, status words, languages)
	// repeat from message to message; so do reply queue names and message
	// ids (32 hex digits: a request's id comes back in its reply). Longer
	// text rarely repeats and would only churn the table.
	maxSharedLen = 32
	// maxShareDepth bounds how deep into nested containers strings are
	// shared.
	maxShareDepth = 32
)

// shareStrings replaces the dict keys and short str values of a freshly
// decoded value, which nobody else has seen yet, with copies shared by all
// messages, and returns the value (a str itself may be replaced) and
// what it holds besides the shared strings (see sizer).
// Each string in a decoded value is two allocations (the text and its
// interface box); sharing the repeated ones saves about a third of a Neon
// message's decoded size. detach gives every other string a copy of its
// own, for a Neon literal, whose strings are slices of its whole text.
// Values passed to AppendDecoded may already be in other hands and are
// left alone.
func (in *interner) shareStrings(v neonwire.Value, detach bool) (neonwire.Value, int64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return (&sizer{in: in, detach: detach}).walk(v, 0)
}

// share returns the shared copy of the short string s (held in v) and
// whether it is new to the table, in which case this message holds it.
// The table keeps a copy of a new string when detach says it may be a
// slice of a larger text, which the table would otherwise keep alive.
// The caller holds in.mu.
func (in *interner) share(v neonwire.Value, s string, detach bool) (neonwire.Value, bool) {
	if shared, ok := in.strs[s]; ok {
		return shared, false
	}
	if detach {
		s = strings.Clone(s)
		v = s
	}
	if in.strs == nil || len(in.strs) >= maxInterned {
		// Made full size at once: ids that never come back (consumed
		// requests) fill it again and again, and growing it step by step
		// each time hashed every string again at each step (3% of the
		// TUI's CPU profile while it drained a queue; BenchmarkAppend
		// allocates 735 B a message instead of 768).
		in.strs = make(map[string]neonwire.Value, maxInterned)
	}
	in.strs[s] = v
	return v, true
}
