package valuediff

import (
	"testing"

	"mqscope/connector/neonwire"
)

func lit(t *testing.T, s string) neonwire.Value {
	t.Helper()
	v, err := neonwire.ParseLiteral(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDiffNamesEachChangeByPath(t *testing.T) {
	a := lit(t, `{'user': {'units': {'time': 12, 'date': 'MDY'}, 'email': 'a@b'}, 'tags': ['x', 'y'], 1: 'one', 'message_id': 'm1', 's': {1, 2}}`)
	b := lit(t, `{'user': {'units': {'time': 24, 'date': 'MDY'}, 'name': 'Al'}, 'tags': ['x'], 1: 'uno', 'message_id': 'm2', 's': {2, 3}}`)
	got := Text(Diff(a, b, "message_id"))
	want := "~ user.units.time: 12 → 24\n" +
		"- user.email: 'a@b'\n" +
		"+ user.name: 'Al'\n" +
		"- tags[1]: 'y'\n" +
		"~ [1]: 'one' → 'uno'\n" +
		"- s{1}: 1\n" +
		"+ s{3}: 3\n"
	if got != want {
		t.Fatalf("diff:\n%s\nwant:\n%s", got, want)
	}
}

func TestEqualValuesHaveNoDiff(t *testing.T) {
	a := lit(t, `{'a': [1, (2, 3)], 'b': {'c': None}, 's': {3, 1, 2}}`)
	b := lit(t, `{'b': {'c': None}, 'a': [1, (2, 3)], 's': {1, 2, 3}}`)
	if d := Diff(a, b); len(d) != 0 {
		t.Fatalf("equal values differ: %s", Text(d))
	}
}

func TestTypeChangeIsAChange(t *testing.T) {
	d := Diff(lit(t, `{'n': 1}`), lit(t, `{'n': 1.0}`))
	if Text(d) != "~ n: 1 → 1.0\n" {
		t.Fatalf("diff %q", Text(d))
	}
	if Text(Diff(lit(t, `[1]`), lit(t, `{'a': 1}`))) != "~ (the whole value): [1] → {'a': 1}\n" {
		t.Fatal("a list against a dict should be one change of the whole value")
	}
}
