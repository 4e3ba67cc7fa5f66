package neonwire_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"mqscope/connector/neonwire"
)

// benchBody is a realistic Neon body of about a given size on the wire.
type benchBody struct {
	name  string
	value neonwire.Value
	body  []byte
}

// benchBodies are an /llm chat request grown to about 200 B, 10 KB and
// 1 MB: message_id, routing_key, a persona and a history of (role, text)
// tuples whose texts mix short and long lines, quotes, newlines and
// non-ASCII, as real chat traffic does.
var benchBodies = sync.OnceValue(func() []benchBody {
	var out []benchBody
	for _, size := range []struct {
		name  string
		bytes int
	}{{"200B", 200}, {"10KB", 10 << 10}, {"1MB", 1 << 20}} {
		v := chatRequest(size.bytes)
		out = append(out, benchBody{name: size.name, value: v, body: neonwire.Encode(v)})
	}
	return out
})

// chatRequest grows a chat request until its body reaches target bytes.
func chatRequest(target int) *neonwire.Dict {
	rng := rand.New(rand.NewPCG(1, uint64(target)))
	d := &neonwire.Dict{}
	d.Set("message_id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
	d.Set("routing_key", "f0e1d2c3b4a5968778695a4b3c2d1e0f")
	history := neonwire.List{}
	d.Set("history", history)
	if target > 1000 {
		d.Set("query", "Summarise the thread so far, please.")
		d.Set("persona", &neonwire.Dict{Items: []neonwire.Item{
			{Key: "name", Value: "Neon"},
			{Key: "description", Value: "You are a helpful voice assistant; answer in 'plain' words."},
			{Key: "enabled", Value: true},
			{Key: "temperature", Value: 0.7},
			{Key: "max_tokens", Value: int64(512)},
		}})
	}
	// A turn's own body is about as long as what it adds to the request's.
	for size := len(neonwire.Encode(d)); size < target; {
		turn := neonwire.Tuple{[]string{"user", "llm"}[len(history)%2], chatText(rng, target)}
		history = append(history, turn)
		size += len(neonwire.Encode(turn))
	}
	d.Set("history", history)
	return d
}

// chatWords are mostly plain English, with the apostrophes, double quotes
// and non-ASCII of real chat text mixed in.
var chatWords = strings.Fields("the a service queue reply message neon assistant weather today is are was " +
	"will can would should this that with from about your our their what when where which who how " +
	"data value request routing context session model answer question user time day " +
	`it's don't "quoted" café naïve 東京 😀 résumé —`)

// chatText is one turn: a few words for small bodies, up to a few
// paragraphs for large ones.
func chatText(rng *rand.Rand, target int) string {
	n := 3
	if target > 1000 {
		n = 5 + rng.IntN(min(target/100, 400))
	}
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString([]string{" ", " ", " ", " ", " ", " ", ", ", ", ", ". ", ".\n"}[rng.IntN(10)])
		}
		b.WriteString(chatWords[rng.IntN(len(chatWords))])
	}
	return b.String()
}

func BenchmarkEncode(b *testing.B) {
	for _, bb := range benchBodies() {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.body)))
			b.ReportAllocs()
			for b.Loop() {
				neonwire.Encode(bb.value)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, bb := range benchBodies() {
		b.Run(bb.name, func(b *testing.B) {
			if d := neonwire.Decode(bb.body); d.Encoding != neonwire.EncNeon {
				b.Fatalf("benchmark body is %s: %v", d.Encoding, d.Err)
			}
			b.SetBytes(int64(len(bb.body)))
			b.ReportAllocs()
			for b.Loop() {
				neonwire.Decode(bb.body)
			}
		})
	}
}

// TestWriteBenchBodies writes the benchmark bodies to the directory named by
// NEONWIRE_BENCH_BODIES, so that scripts/bench.sh can time Python on the
// very same bytes.
func TestWriteBenchBodies(t *testing.T) {
	dir := os.Getenv("NEONWIRE_BENCH_BODIES")
	if dir == "" {
		t.Skip("set NEONWIRE_BENCH_BODIES=DIR to write the benchmark bodies (scripts/bench.sh does)")
	}
	for _, bb := range benchBodies() {
		path := filepath.Join(dir, bb.name+".b64")
		if err := os.WriteFile(path, bb.body, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", path, len(bb.body))
	}
}
