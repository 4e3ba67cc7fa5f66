package neonwire

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// TestToJSONMapsPythonValues pins the display mapping ToJSON documents.
func TestToJSONMapsPythonValues(t *testing.T) {
	v, err := ParseLiteral(`{'s': 'é\n\x85\u2028', 1: None, (1, 2): [True, False], b'k': b'\x00\xff',
		'f': [1.0, 1e-07, 1e+16, -0.0, inf, -inf, nan], 'big': -123456789012345678901234567890,
		'c': ((), set(), {3}, frozenset({4})), 'e': {}}`)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"s":"é\n\u0085\u2028","1":null,"(1, 2)":[true,false],"b'k'":{"$bytes":"AP8="},` +
		`"f":[1.0,1e-07,1e+16,-0.0,"inf","-inf","nan"],"big":-123456789012345678901234567890,` +
		`"c":[[],[],[3],[4]],"e":{}}`
	got := ToJSON(v)
	if string(got) != want {
		t.Errorf("ToJSON:\n got %s\nwant %s", got, want)
	}
	if !json.Valid(got) {
		t.Error("ToJSON output is not valid JSON")
	}
}

// TestToJSONIndentLaysOutLikeMarshalIndent compares with encoding/json on a
// value both can write.
func TestToJSONIndentLaysOutLikeMarshalIndent(t *testing.T) {
	v, err := ParseLiteral(`{'a': [1, {'b': []}, {}], 'c': b'x', 'd': [[]]}`)
	if err != nil {
		t.Fatal(err)
	}
	got := string(ToJSONIndent(v, "  "))
	want := "{\n  \"a\": [\n    1,\n    {\n      \"b\": []\n    },\n    {}\n  ],\n  \"c\": {\n    \"$bytes\": \"eA==\"\n  },\n  \"d\": [\n    []\n  ]\n}"
	if got != want {
		t.Errorf("ToJSONIndent:\n%s\nwant\n%s", got, want)
	}
	var generic any
	if err := json.Unmarshal([]byte(got), &generic); err != nil {
		t.Fatal(err)
	}
	again, _ := json.MarshalIndent(generic, "", "  ")
	if string(again) != want {
		t.Errorf("layout differs from json.MarshalIndent:\n%s", again)
	}
}

// TestToJSONFloatsStayFloats checks that every finite float reads back as
// the same float from the JSON text.
func TestToJSONFloatsStayFloats(t *testing.T) {
	for _, f := range []float64{1, 0.1, 1e-7, 1e16, 1e300, 5e-324, math.MaxFloat64, -2.5} {
		var back float64
		if err := json.Unmarshal(ToJSON(f), &back); err != nil || back != f {
			t.Errorf("ToJSON(%v) = %s, reads back as %v (%v)", f, ToJSON(f), back, err)
		}
	}
}

// TestToJSONNeverRepeatsAKey pins the names of keys whose repr is another
// key's text: str keys keep their text, the others get their Python type,
// then a number.
func TestToJSONNeverRepeatsAKey(t *testing.T) {
	cases := []struct{ src, want string }{
		{`{1: 'a', '1': 'b'}`, `{"1 (int)":"a","1":"b"}`},
		{`{'1': 'b', 1: 'a'}`, `{"1":"b","1 (int)":"a"}`},
		{`{'1 (int)': 0, 1: 'a', '1': 'b'}`, `{"1 (int)":0,"1 (int) #2":"a","1":"b"}`},
		{`{nan: 1, nan: 2, nan: 3}`, `{"nan":1,"nan (float)":2,"nan (float) #2":3}`},
		{`{None: 1, 'None': 2, True: 3, 'True': 4}`, `{"None (NoneType)":1,"None":2,"True (bool)":3,"True":4}`},
		{`{(1, 2): 1, '(1, 2)': 2, b'k': 3, "b'k'": 4}`, `{"(1, 2) (tuple)":1,"(1, 2)":2,"b'k' (bytes)":3,"b'k'":4}`},
		{`{frozenset({1}): 1, 'frozenset({1})': 2}`, `{"frozenset({1}) (frozenset)":1,"frozenset({1})":2}`},
		{`{1: 'a', 2.5: 'b', 'x': 'c'}`, `{"1":"a","2.5":"b","x":"c"}`},
	}
	for _, c := range cases {
		v, err := ParseLiteral(c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := string(ToJSON(v)); got != c.want {
			t.Errorf("ToJSON(%s) = %s, want %s", c.src, got, c.want)
		}
		if k, dup := jsonDuplicateKey(ToJSONIndent(v, "  ")); dup {
			t.Errorf("ToJSONIndent(%s) repeats %q", c.src, k)
		}
	}
}

// TestToJSONOfRandomValuesHasNoDuplicateKeys checks the rule on random
// values with keys of every type.
func TestToJSONOfRandomValuesHasNoDuplicateKeys(t *testing.T) {
	gen := newValueGen(99, nil)
	for i := range 3000 {
		d := gen.dict(0)
		// Give some non-str keys a str twin, the collision the rule is for.
		for _, it := range d.Items {
			if _, ok := it.Key.(string); !ok && gen.rng.IntN(2) == 0 {
				d.Set(Repr(it.Key), int64(i))
			}
		}
		if k, dup := jsonDuplicateKey(ToJSON(d)); dup {
			t.Fatalf("value %d: ToJSON repeats %q: %s", i, k, ToJSON(d))
		}
	}
}

// jsonDuplicateKey reports a name that some object of the JSON text data
// has twice.
func jsonDuplicateKey(data []byte) (string, bool) {
	dup, _ := firstDuplicate(json.NewDecoder(bytes.NewReader(data)))
	return dup, dup != ""
}

// firstDuplicate reads one JSON value from dec and returns the first name
// repeated in one of its objects, or "".
func firstDuplicate(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	delim, ok := tok.(json.Delim)
	if !ok || delim == ']' || delim == '}' {
		return "", nil
	}
	names := map[string]bool{}
	for dec.More() {
		if delim == '{' {
			k, err := dec.Token()
			if err != nil {
				return "", err
			}
			if names[k.(string)] {
				return k.(string), nil
			}
			names[k.(string)] = true
		}
		if dup, err := firstDuplicate(dec); dup != "" || err != nil {
			return dup, err
		}
	}
	_, err = dec.Token() // the closing bracket
	return "", err
}

// TestJSONDuplicateKeyFindsThem checks the checker.
func TestJSONDuplicateKeyFindsThem(t *testing.T) {
	for text, want := range map[string]string{
		`{"a":{"b":1,"b":2}}`:     "b",
		`{"a":[1,{"c":1}],"a":2}`: "a",
		`[{"x":1},{"x":2}]`:       "",
		`{"a":{"a":1},"b":[{}]}`:  "",
		`[[{"q":[],"q":{}}]]`:     "q",
	} {
		if got, _ := jsonDuplicateKey([]byte(text)); got != want {
			t.Errorf("jsonDuplicateKey(%s) = %q, want %q", text, got, want)
		}
	}
}

// TestToJSONEscapesWhatHidesOrReorders checks that bidi controls,
// zero-width characters and a run of combining marks leave ToJSON as
// escapes (textsafe decides which), and that the JSON reads back as the
// same string.
func TestToJSONEscapesWhatHidesOrReorders(t *testing.T) {
	s := "user\u202Egnp.exe \u2066x\u2069 \u200e\u200f\u061c a\u200bb\u200d\ufeff e\u0301\u0302\u0303\u0304 ok\u0301 \U000E0041"
	got := string(ToJSON(s))
	want := `"user\u202egnp.exe \u2066x\u2069 \u200e\u200f\u061c a\u200bb\u200d\ufeff e` + "\u0301\u0302" + `\u0303\u0304 ok` + "\u0301" + ` \udb40\udc41"`
	if got != want {
		t.Fatalf("ToJSON:\n got %s\nwant %s", got, want)
	}
	var back string
	if err := json.Unmarshal([]byte(got), &back); err != nil || back != s {
		t.Fatalf("reads back as %q (%v), want %q", back, err, s)
	}
}
