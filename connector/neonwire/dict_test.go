package neonwire

import "testing"

func mustParse(t *testing.T, src string) Value {
	t.Helper()
	v, err := ParseLiteral(src)
	if err != nil {
		t.Fatalf("ParseLiteral(%s): %v", src, err)
	}
	return v
}

// TestDictSetGetDeleteKeepOrder checks in-place replacement and appends.
func TestDictSetGetDeleteKeepOrder(t *testing.T) {
	d := mustParse(t, `{'a': 1, b'b': 2, 'c': 3}`).(*Dict)
	d.Set("a", "one")
	d.Set("b", "str b")
	if got := Repr(d); got != `{'a': 'one', b'b': 2, 'c': 3, 'b': 'str b'}` {
		t.Errorf("after Set: %s", got)
	}
	if v, ok := d.Get("b"); !ok || v != "str b" {
		t.Errorf("Get(b) = %v, %v", v, ok)
	}
	d.Delete("a")
	d.Delete("missing")
	if got := Repr(d); got != `{b'b': 2, 'c': 3, 'b': 'str b'}` {
		t.Errorf("after Delete: %s", got)
	}
	var empty *Dict
	if _, ok := empty.Get("a"); ok {
		t.Error("nil dict has a key")
	}
}

// TestLookupFollowsStrKeys walks nested dicts.
func TestLookupFollowsStrKeys(t *testing.T) {
	v := mustParse(t, `{'a': {'b': {'c': 1}}, 'l': [1]}`)
	if got, ok := Lookup(v, "a", "b", "c"); !ok || got != int64(1) {
		t.Errorf("a.b.c = %v, %v", got, ok)
	}
	for _, path := range [][]string{{"a", "x"}, {"l", "0"}, {"a", "b", "c", "d"}} {
		if _, ok := Lookup(v, path...); ok {
			t.Errorf("Lookup(%v) found something", path)
		}
	}
	if got, ok := Lookup(v); !ok || got != v {
		t.Error("empty path is not the value itself")
	}
}

// TestMessageIDFollowsNeonMatchRule pins
// reply.get('context', reply).get('mq', reply).get('message_id').
func TestMessageIDFollowsNeonMatchRule(t *testing.T) {
	cases := []struct{ reply, want string }{
		{`{'message_id': 'top'}`, "top"},
		{`{'message_id': 'top', 'context': {'mq': {'message_id': 'ctx'}}}`, "ctx"},
		{`{'message_id': 'top', 'context': {'message_id': 'ctx-level'}}`, "top"},
		{`{'message_id': 'top', 'context': {'mq': {}}}`, ""},
		{`{'message_id': 'top', 'mq': {'message_id': 'mq-level'}}`, "mq-level"},
		{`{'message_id': 'top', 'context': None}`, ""},
		{`{'message_id': 'top', 'context': {'mq': 'x'}}`, ""},
		{`{'message_id': 7}`, ""},
		{`{}`, ""},
		{`['message_id']`, ""},
	}
	for _, c := range cases {
		if got := MessageID(mustParse(t, c.reply)); got != c.want {
			t.Errorf("MessageID(%s) = %q, want %q", c.reply, got, c.want)
		}
	}
}
