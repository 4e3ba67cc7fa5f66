package neonwire

import (
	"encoding/json"
	"math"
	"testing"
)

// TestToJSONMapsPythonValues pins the display mapping of design.md.
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
