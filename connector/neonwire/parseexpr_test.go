package neonwire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// wire is the Neon body of a literal's text, as dict_to_b64 writes it.
func wire(text string) []byte {
	return []byte(base64.StdEncoding.EncodeToString(appendJSONASCII(nil, []byte(text))))
}

// exprCases are texts with the label Decode gives them and, for pyexpr,
// what it names. Python's eval evaluates every pyexpr and neon one (no
// inf or nan here) and fails on every b64json one, but for the ones marked
// unrecognised: code that eval runs and mqscope does not try to recognise.
var exprCases = []struct {
	text         string
	enc          Encoding
	expr         string
	unrecognised bool
}{
	{text: `{'a': 1j}`, enc: EncPyExpr, expr: "complex number"},
	{text: `{'a': (1+2j), 'b': -1.5e3J, 'c': (-0-1j), 'd': 1e-07j}`, enc: EncPyExpr, expr: "complex number"},
	{text: `{'a': [(1e+300-0j), {2j, 3}]}`, enc: EncPyExpr, expr: "complex number"},
	{text: `[...]`, enc: EncPyExpr, expr: "Ellipsis"},
	{text: `{'e': Ellipsis, ...: 1}`, enc: EncPyExpr, expr: "Ellipsis"},
	{text: `{'r': range(0, 3), 'b': bytearray(b'x\x00')}`, enc: EncPyExpr, expr: "range(), bytearray()"},
	{text: `{range(1, 10, 2): 1j, 'b': bytearray()}`, enc: EncPyExpr, expr: "complex number, range(), bytearray()"},
	{text: `{'a': (1, 2j)}`, enc: EncPyExpr, expr: "complex number"},
	{text: `{'a': 1, 'b': 'x'}`, enc: EncNeon},
	{text: `{bytearray(b''): 1}`, enc: EncB64JSON}, // unhashable: TypeError
	{text: `{'r': range()}`, enc: EncB64JSON},      // TypeError
	{text: `{'r': range('a')}`, enc: EncB64JSON},   // TypeError
	{text: `{'a': 1j 2}`, enc: EncB64JSON},         // SyntaxError
	{text: `{'a': 1jx}`, enc: EncB64JSON},          // SyntaxError
	{text: `{'a': ....5}`, enc: EncB64JSON},        // SyntaxError
	{text: `{'a': Ellipsis(1)}`, enc: EncB64JSON},  // TypeError
	{text: `{'a': (1+2)}`, enc: EncB64JSON, unrecognised: true},
	{text: `__import__('os').getcwd()`, enc: EncB64JSON, unrecognised: true},
}

// TestDecodeLabelsPythonExpressions checks that bodies holding what
// b64_to_dict's eval evaluates but mqscope does not model are labelled as
// such, not as bodies that Neon services reject.
func TestDecodeLabelsPythonExpressions(t *testing.T) {
	for _, c := range exprCases {
		body := wire(c.text)
		d := Decode(body)
		if d.Encoding != c.enc {
			t.Errorf("Decode(%s) = %s (%v), want %s", c.text, d.Encoding, d.Err, c.enc)
			continue
		}
		if d.Encoding != EncPyExpr {
			continue
		}
		if d.Expr != c.expr || d.Err != nil || d.Value != c.text {
			t.Errorf("Decode(%s): Expr %q, Err %v, Value %v; want Expr %q, no Err, the text", c.text, d.Expr, d.Err, d.Value, c.expr)
		}
		if want := "Python expression b64_to_dict evaluates (" + c.expr + ")"; d.Label() != want {
			t.Errorf("Label() = %q, want %q", d.Label(), want)
		}
		if _, err := DecodeNeon(body); err == nil || !strings.Contains(err.Error(), "b64_to_dict evaluates ("+c.expr+")") {
			t.Errorf("DecodeNeon(%s) error %v, want one naming the expression", c.text, err)
		}
	}
	if _, err := ParseLiteral(`1j`); err == nil {
		t.Error("ParseLiteral accepted 1j: it reads literals into Values only")
	}
}

// pythonEvalScript answers, for each text on stdin (JSON lines), whether
// eval evaluates it with builtins only, as in neon_mq_connector's module.
const pythonEvalScript = `
import json, sys
for line in sys.stdin:
    try:
        eval(json.loads(line), {})
        print("ok")
    except Exception as e:
        print(type(e).__name__)
`

// TestExpressionLabelsMatchPythonEval checks the labels of exprCases
// against python3's eval: pyexpr and neon bodies evaluate, b64json ones
// do not.
func TestExpressionLabelsMatchPythonEval(t *testing.T) {
	var in bytes.Buffer
	for _, c := range exprCases {
		line, _ := json.Marshal(c.text)
		in.Write(append(line, '\n'))
	}
	cmd := exec.Command(python3(t), "-c", pythonEvalScript)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	answers := strings.Fields(string(out))
	for i, c := range exprCases {
		if evaluates := answers[i] == "ok"; evaluates != (c.enc != EncB64JSON) && c.text != `{'a': (1+2)}` && !strings.HasPrefix(c.text, "__import__") {
			t.Errorf("%s: labelled %s, but Python's eval says %s", c.text, c.enc, answers[i])
		}
	}
}

// pythonReprScript prints the Neon bodies of random dicts holding complex
// numbers, Ellipsis, ranges and bytearrays, as Python's repr writes them.
const pythonReprScript = `
import base64, json, random, struct
rng = random.Random(3)
def num():
    r = rng.random()
    if r < 0.3:
        return rng.choice([0.0, -0.0, 1.0, 1e16, 1e-07, 2.5, 1e300, -1e-300])
    if r < 0.6:
        return float(rng.randint(-10, 10))
    f = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
    return f if f == f and abs(f) != float("inf") else 0.5
def expr():
    k = rng.randint(0, 4)
    if k == 0:
        return complex(num(), num())
    if k == 1:
        return ...
    if k == 2:
        return range(rng.randint(-5, 5), rng.randint(-5, 50), rng.choice([1, 2, -1, 7]))
    if k == 3:
        return bytearray(rng.randbytes(rng.randint(0, 5)))
    return (complex(0, num()), [...])
for _ in range(500):
    d = {"v%d" % i: expr() for i in range(rng.randint(1, 4))}
    print(base64.b64encode(json.dumps(str(d)).encode()).decode())
`

// TestDecodeLabelsPythonMadeExpressions decodes bodies Python made with
// complex numbers, Ellipsis, ranges and bytearrays: each is pyexpr.
func TestDecodeLabelsPythonMadeExpressions(t *testing.T) {
	out, err := exec.Command(python3(t), "-c", pythonReprScript).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	bodies := strings.Fields(string(out))
	for _, b := range bodies {
		if d := Decode([]byte(b)); d.Encoding != EncPyExpr || d.Expr == "" {
			raw, _ := base64.StdEncoding.DecodeString(b)
			t.Errorf("Decode(%s) = %s %q (%v), want pyexpr", raw, d.Encoding, d.Expr, d.Err)
		}
	}
	t.Logf("%d Python-made bodies labelled pyexpr", len(bodies))
}
