package store

import "mqscope/connector/neonwire"

const (
	// maxSharedLen is the longest str value shared between messages. Dict
	// keys and short values (service names, status words, languages)
	// repeat from message to message; so do reply queue names and message
	// ids (32 hex digits: a request's id comes back in its reply). Longer
	// text rarely repeats and would only churn the table.
	maxSharedLen = 32
	// maxShareDepth bounds the walk into nested containers.
	maxShareDepth = 32
)

// shareStrings replaces the dict keys and short str values of a freshly
// decoded value, which nobody else has seen yet, with copies shared by all
// messages. Each string in a decoded value is two allocations (the text and
// its interface box); sharing the repeated ones saves about a third of a
// Neon message's decoded size. Values passed to AppendDecoded may already
// be in other hands and are left alone.
func (in *interner) shareStrings(v neonwire.Value) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.shareIn(v, 0)
}

func (in *interner) shareIn(v neonwire.Value, depth int) {
	if depth > maxShareDepth {
		return
	}
	switch x := v.(type) {
	case *neonwire.Dict:
		for i := range x.Items {
			x.Items[i].Key = in.share(x.Items[i].Key, depth)
			x.Items[i].Value = in.share(x.Items[i].Value, depth)
		}
	case neonwire.List:
		in.shareElems(x, depth)
	case neonwire.Tuple:
		in.shareElems(x, depth)
	case neonwire.Set:
		in.shareElems(x, depth)
	case neonwire.FrozenSet:
		in.shareElems(x, depth)
	}
}

func (in *interner) shareElems(elems []neonwire.Value, depth int) {
	for i := range elems {
		elems[i] = in.share(elems[i], depth)
	}
}

// share returns the shared copy of a short string, and v itself otherwise
// (after sharing inside it when it is a container).
func (in *interner) share(v neonwire.Value, depth int) neonwire.Value {
	s, ok := v.(string)
	if !ok {
		in.shareIn(v, depth+1)
		return v
	}
	if len(s) > maxSharedLen {
		return v
	}
	if shared, ok := in.strs[s]; ok {
		return shared
	}
	if in.strs == nil || len(in.strs) >= maxInterned {
		in.strs = make(map[string]neonwire.Value)
	}
	in.strs[s] = v
	return v
}
