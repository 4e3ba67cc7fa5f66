package store

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"mqscope/capture"

	"mqscope/connector/neonwire"
)

// Filter selects messages; build one with ParseFilter. A nil or empty
// Filter matches everything. A Filter is immutable and safe to share.
type Filter struct {
	query     string
	terms     []term
	needsText bool // some term searches the body
}

// field is the part of a message a term tests.
type field uint8

const (
	fieldBody field = iota
	fieldQueue
	fieldVHost
	fieldExchange
	fieldRoutingKey
	fieldID
	fieldHeader
	fieldMode
	fieldEvent
	fieldEncoding
	fieldVerdict
)

// term is one condition of a filter.
type term struct {
	negate bool
	field  field
	header string         // the header name, for fieldHeader
	text   string         // lowercase substring, or the exact value of an enum field
	needle []byte         // text as bytes, for searching body text
	empty  bool           // match only an empty value ("" in the query)
	re     *regexp.Regexp // case-insensitive; replaces text when set
	// must is text any body matching re contains (see requiredLiteral).
	must []byte
}

func newTextTerm(f field, s string, empty bool) term {
	lower := strings.ToLower(s)
	return term{field: f, text: lower, needle: []byte(lower), empty: empty}
}

// cost orders terms so that cheap ones reject a message first.
func (t *term) cost() int {
	c := 0
	if t.field == fieldBody {
		c = 2
	}
	if t.re != nil {
		c++
	}
	return c
}

// String returns the query the filter was parsed from.
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	return f.query
}

// Empty reports whether the filter matches everything.
func (f *Filter) Empty() bool {
	return f == nil || len(f.terms) == 0
}

// Match reports whether e passes the filter. The store tests its own
// records without building Entries; Match is for entries held elsewhere
// (a recording, a test) and renders the body text when a term needs it.
func (f *Filter) Match(e *Entry) bool {
	if f.Empty() {
		return true
	}
	x := subject{
		where:   &place{placeKey: placeOf(e.Msg, e.Decoded.Encoding), routed: e.Msg.RoutedQueues},
		id:      e.MessageID,
		idKnown: true,
		headers: e.Msg.Headers,
		body:    e.Msg.Body,
		value:   e.Decoded.Value,
		buf:     new(scratch),
	}
	return f.matches(&x)
}

// subject is what a filter looks at in one message.
type subject struct {
	where   *place
	props   *capture.Properties // with where and value, what id is derived from
	headers map[string]any
	body    []byte
	value   neonwire.Value // the decoded body, or a record's packedDict
	// id is the message id once idKnown is set: a record's is derived
	// (identify) only when a term asks.
	id string
	// buf is where the body's search text is rendered, shared by the
	// subjects tested one after another; text is that rendering once
	// rendered is set.
	buf               *scratch
	text              []byte
	idKnown, rendered bool
}

// scratch is what the subjects tested one after another reuse to render
// their search text.
type scratch struct {
	text []byte
	dict neonwire.Dict // a packed dict expanded, only while it is rendered
}

// subject returns what a filter tests of r. A packed dict stays packed:
// bodyText expands it into the scratch, so that a scan allocates nothing
// per message.
func (r *record) subject(buf *scratch) subject {
	return subject{where: r.where, props: r.props, headers: r.headers(), body: r.body, value: r.textValue(), buf: buf}
}

// messageID returns the message id, deriving it the first time a term asks.
func (x *subject) messageID() string {
	if !x.idKnown {
		x.id, _ = identify(x.where, x.props, x.value)
		x.idKnown = true
	}
	return x.id
}

// bodyText returns the lowercase text body terms search (appendSearchText),
// rendering it the first time a term asks.
func (x *subject) bodyText() []byte {
	if !x.rendered {
		value := x.value
		if d, ok := value.(packedDict); ok {
			value = d.expand(&x.buf.dict)
			defer clear(x.buf.dict.Items) // keep no values of a record that may go
		}
		x.text, x.buf.text = appendSearchText(x.buf.text, x.where.encoding, value, x.body)
		x.rendered = true
	}
	return x.text
}

func (f *Filter) matches(x *subject) bool {
	for i := range f.terms {
		t := &f.terms[i]
		if t.test(x) == t.negate {
			return false
		}
	}
	return true
}

// test reports whether the term, ignoring negation, holds for x.
func (t *term) test(x *subject) bool {
	p := x.where
	switch t.field {
	case fieldBody:
		return t.matchText(x.bodyText())
	case fieldQueue:
		return t.matchQueue(p)
	case fieldVHost:
		return t.matchString(p.vhost)
	case fieldExchange:
		return t.matchString(p.exchange)
	case fieldRoutingKey:
		return t.matchString(p.routingKey)
	case fieldID:
		return t.matchString(x.messageID())
	case fieldHeader:
		v, ok := lookupHeader(x.headers, t.header)
		return ok && t.matchString(headerText(v))
	case fieldMode:
		return string(p.mode) == t.text
	case fieldEvent:
		return string(p.event) == t.text
	case fieldEncoding:
		return string(p.encoding) == t.text
	case fieldVerdict:
		v, _ := x.headers[capture.VerdictCodeHeader].(string)
		return p.event == capture.EventVerdict && v == t.text
	}
	return false
}

// matchQueue tests every queue the message was seen on or routed to.
func (t *term) matchQueue(p *place) bool {
	if t.matchString(p.queue) {
		return true
	}
	for _, q := range p.routed {
		if t.matchString(q) {
			return true
		}
	}
	return p.queue == "" && p.exchange == "" && t.matchString(p.routingKey)
}

// matchString tests a message field, case-insensitively.
func (t *term) matchString(s string) bool {
	switch {
	case t.re != nil:
		return t.re.MatchString(s)
	case t.empty:
		return s == ""
	}
	return strings.Contains(strings.ToLower(s), t.text)
}

// matchText tests the lowercase body text; a binary body has none.
func (t *term) matchText(text []byte) bool {
	switch {
	case t.re != nil:
		return text != nil && bytes.Contains(text, t.must) && t.re.Match(text)
	case t.empty:
		return len(text) == 0
	}
	return text != nil && bytes.Contains(text, t.needle)
}

// lookupHeader finds a header by exact name, else ignoring case.
func lookupHeader(h map[string]any, name string) (any, bool) {
	if v, ok := h[name]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// headerText renders a header value as the text a filter searches.
func headerText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
