// Package valuediff compares two decoded Neon values field by field: what
// was added, removed or changed, each at a path such as user.units.time,
// items[2] or [1] (a dict key that is not a str, in its repr). Replay uses
// it to compare a recorded reply with a new one, the UI to compare two
// marked messages.
package valuediff

import (
	"slices"
	"strconv"
	"strings"

	"mqscope/connector/neonwire"
)

// Kind is what happened at a path.
type Kind string

// The kinds of change.
const (
	Added   Kind = "added"
	Removed Kind = "removed"
	Changed Kind = "changed"
)

// Change is one difference. Old is nil for Added, New for Removed.
type Change struct {
	Path     string
	Kind     Kind
	Old, New neonwire.Value
}

// Diff lists the differences from a to b, in the order of a's keys and
// then b's new ones. A path in ignore (exactly, such as "message_id" or
// "context.mq.message_id") is left out, with everything under it.
func Diff(a, b neonwire.Value, ignore ...string) []Change {
	d := differ{ignore: ignore}
	d.value("", a, b)
	return d.out
}

type differ struct {
	ignore []string
	out    []Change
}

func (d *differ) value(path string, a, b neonwire.Value) {
	if slices.Contains(d.ignore, path) && path != "" {
		return
	}
	switch x := a.(type) {
	case *neonwire.Dict:
		if y, ok := b.(*neonwire.Dict); ok {
			d.dict(path, x, y)
			return
		}
	case neonwire.List:
		if y, ok := b.(neonwire.List); ok {
			d.seq(path, x, y)
			return
		}
	case neonwire.Tuple:
		if y, ok := b.(neonwire.Tuple); ok {
			d.seq(path, x, y)
			return
		}
	case neonwire.Set:
		if y, ok := b.(neonwire.Set); ok {
			d.set(path, x, y)
			return
		}
	}
	if neonwire.Repr(a) != neonwire.Repr(b) {
		d.add(path, Changed, a, b)
	}
}

func (d *differ) dict(path string, a, b *neonwire.Dict) {
	for _, it := range a.Items {
		p := join(path, it.Key)
		if v, ok := lookup(b, it.Key); ok {
			d.value(p, it.Value, v)
		} else if !slices.Contains(d.ignore, p) {
			d.add(p, Removed, it.Value, nil)
		}
	}
	for _, it := range b.Items {
		if _, ok := lookup(a, it.Key); !ok {
			if p := join(path, it.Key); !slices.Contains(d.ignore, p) {
				d.add(p, Added, nil, it.Value)
			}
		}
	}
}

func (d *differ) seq(path string, a, b []neonwire.Value) {
	for i := range max(len(a), len(b)) {
		p := path + "[" + strconv.Itoa(i) + "]"
		switch {
		case i >= len(b):
			d.add(p, Removed, a[i], nil)
		case i >= len(a):
			d.add(p, Added, nil, b[i])
		default:
			d.value(p, a[i], b[i])
		}
	}
}

// set compares members as sets: order means nothing.
func (d *differ) set(path string, a, b neonwire.Set) {
	has := func(s neonwire.Set, v neonwire.Value) bool {
		r := neonwire.Repr(v)
		return slices.ContainsFunc(s, func(x neonwire.Value) bool { return neonwire.Repr(x) == r })
	}
	for _, v := range a {
		if !has(b, v) {
			d.add(path+"{"+neonwire.Repr(v)+"}", Removed, v, nil)
		}
	}
	for _, v := range b {
		if !has(a, v) {
			d.add(path+"{"+neonwire.Repr(v)+"}", Added, nil, v)
		}
	}
}

func (d *differ) add(path string, k Kind, a, b neonwire.Value) {
	if path == "" {
		path = "(the whole value)"
	}
	d.out = append(d.out, Change{Path: path, Kind: k, Old: a, New: b})
}

// lookup finds key (any hashable value) in d by its repr.
func lookup(d *neonwire.Dict, key neonwire.Value) (neonwire.Value, bool) {
	r := neonwire.Repr(key)
	for _, it := range d.Items {
		if neonwire.Repr(it.Key) == r {
			return it.Value, true
		}
	}
	return nil, false
}

// join extends path with a dict key: .name for a str that reads as a
// name, else [repr].
func join(path string, key neonwire.Value) string {
	if s, ok := key.(string); ok && isName(s) {
		if path == "" {
			return s
		}
		return path + "." + s
	}
	return path + "[" + neonwire.Repr(key) + "]"
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// Text writes the changes one a line, as plain text that survives a copy:
// "~ path: old → new", "+ path: new", "- path: old".
func Text(changes []Change) string {
	var b strings.Builder
	for _, c := range changes {
		switch c.Kind {
		case Added:
			b.WriteString("+ " + c.Path + ": " + neonwire.Repr(c.New))
		case Removed:
			b.WriteString("- " + c.Path + ": " + neonwire.Repr(c.Old))
		default:
			b.WriteString("~ " + c.Path + ": " + neonwire.Repr(c.Old) + " → " + neonwire.Repr(c.New))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Paths lists the changed paths, for a summary.
func Paths(changes []Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.Path
	}
	return out
}
