package neonwiretest

import (
	"encoding/json"
	"strings"
	"testing"

	"mqscope/connector/neonwire"
)

// TestBodiesDecodeAsLabelled pins the table: each body gets the label and
// error it claims, and its decoded value prints as valid JSON and as a
// Python repr without panicking, however large or deep it is.
func TestBodiesDecodeAsLabelled(t *testing.T) {
	for _, b := range Bodies() {
		t.Run(b.Name, func(t *testing.T) {
			d := neonwire.Decode(b.Data)
			if d.Encoding != b.Encoding {
				t.Fatalf("Decode labels it %s, want %s (err %v)", d.Encoding, b.Encoding, d.Err)
			}
			switch {
			case b.Err == "" && d.Err != nil:
				t.Fatalf("Decode error %v, want none", d.Err)
			case b.Err != "" && (d.Err == nil || !strings.Contains(d.Err.Error(), b.Err)):
				t.Fatalf("Decode error %v, want one containing %q", d.Err, b.Err)
			case d.Err != nil && (strings.Contains(d.Err.Error(), "\n") || len(d.Err.Error()) > 300):
				t.Fatalf("Decode error is not one short line: %.300q", d.Err)
			}
			if b.Big != (len(b.Data) >= Huge*9/10) {
				t.Fatalf("%d bytes, but Big is %v", len(b.Data), b.Big)
			}
			if j := neonwire.ToJSON(d.Value); !json.Valid(j) {
				t.Fatalf("ToJSON is not valid JSON: %.200q", j)
			}
			_ = neonwire.Repr(d.Value)
		})
	}
}
