package connector

import (
	"encoding/binary"
	"io"
)

// DroppedHeadersKey is the one header a message carries in place of
// headers the client could not read. amqp091-go refuses a field table
// nested more than 32 levels deep (or with an unknown field type, or more
// than 8192 entries in one table) by failing the whole connection, so a
// single such message, published by anyone, would otherwise stop every
// consumer of its queue for ever: each reconnect gets the same message
// first and dies again. The value says why the headers were dropped; the
// body and every other property arrive as sent.
const DroppedHeadersKey = "x-dropped-headers"

// AMQP frame layout (AMQP 0-9-1 §4.2.3): type, channel, payload size, the
// payload, then the frame-end octet.
const (
	frameHeaderSize = 7
	frameEnd        = 0xCE
	frameMethod     = 1
	frameHeader     = 2 // a content header: class, weight, body size, properties
	frameBody       = 3
	frameHeartbeat  = 8
	// maxGuardedFrame bounds what the guard buffers; a larger frame is
	// passed through untouched (the broker never sends one above frame_max,
	// 128 KiB unless configured).
	maxGuardedFrame = 16 << 20
)

// The limits amqp091-go's table reader enforces (read.go in v1.16).
const (
	maxFieldDepth        = 32
	maxContainerElements = 8192
)

// Property flags of the basic class before the headers table.
const (
	flagContentType     = 0x8000
	flagContentEncoding = 0x4000
	flagHeaders         = 0x2000
)

// frameGuard sits between the network and amqp091's frame reader. It
// passes every frame through unchanged except a content header whose
// headers table amqp091 would refuse: that table is replaced by one entry,
// DroppedHeadersKey, and the frame's size fixed up. Anything that does not
// look like an AMQP frame stream (a protocol-version answer, a frame too
// large to buffer) switches it to passing bytes through as they come.
//
// Frames are checked in place in one buffer, so the usual frame costs a
// header peek and no copy beyond the one into the reader's buffer.
type frameGuard struct {
	src     io.Reader
	buf     []byte // bytes read from src; len is the end of what was read
	r       int    // bytes before r were handed to the reader
	ready   int    // bytes before ready are checked frames
	passing bool   // stopped framing: hand bytes over as they come
}

func (g *frameGuard) Read(p []byte) (int, error) {
	for g.r == g.ready {
		if g.passing && g.ready < len(g.buf) {
			g.ready = len(g.buf)
			break
		}
		g.compact()
		if err := g.fill(); err != nil {
			if g.ready < len(g.buf) { // a partial frame at the end: hand it over as it is
				g.ready = len(g.buf)
				break
			}
			return 0, err
		}
		g.frame()
	}
	n := copy(p, g.buf[g.r:g.ready])
	g.r += n
	return n, nil
}

// compact moves what the reader has not taken to the start of buf.
func (g *frameGuard) compact() {
	if g.r == 0 {
		return
	}
	n := copy(g.buf, g.buf[g.r:])
	g.buf = g.buf[:n]
	g.ready -= g.r
	g.r = 0
}

// fill reads more bytes from src, growing buf when a frame needs more room.
func (g *frameGuard) fill() error {
	if cap(g.buf)-len(g.buf) < 4<<10 {
		grown := make([]byte, len(g.buf), max(2*cap(g.buf), 64<<10))
		copy(grown, g.buf)
		g.buf = grown
	}
	n, err := g.src.Read(g.buf[len(g.buf):cap(g.buf)])
	g.buf = g.buf[:len(g.buf)+n]
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// frame checks every complete frame after ready.
func (g *frameGuard) frame() {
	for !g.passing && len(g.buf)-g.ready >= frameHeaderSize {
		f := g.buf[g.ready:]
		typ := f[0]
		size := int(binary.BigEndian.Uint32(f[3:7]))
		if typ != frameMethod && typ != frameHeader && typ != frameBody && typ != frameHeartbeat || size > maxGuardedFrame {
			g.passing = true
			return
		}
		total := frameHeaderSize + size + 1
		if len(f) < total {
			return
		}
		if typ == frameHeader {
			if repl := guardContentHeader(f[:total]); repl != nil {
				g.splice(total, repl)
				total = len(repl)
			}
		}
		g.ready += total
	}
}

// splice replaces the n bytes at ready with repl.
func (g *frameGuard) splice(n int, repl []byte) {
	tail := append([]byte(nil), g.buf[g.ready+n:]...)
	g.buf = append(append(g.buf[:g.ready], repl...), tail...)
}

// guardContentHeader returns nil when amqp091 can read the content header
// frame, else a copy whose headers table is replaced by the
// DroppedHeadersKey table.
func guardContentHeader(frame []byte) []byte {
	payload := frame[frameHeaderSize : len(frame)-1]
	start, end, ok := headersTable(payload)
	if !ok {
		return nil
	}
	why := tableProblem(payload[start+4:end], 0)
	if why == "" {
		return nil
	}
	repl := droppedHeadersTable(why, end-start-4)
	out := make([]byte, 0, len(frame)-(end-start)+len(repl))
	out = append(out, frame[:frameHeaderSize]...)
	out = append(out, payload[:start]...)
	out = append(out, repl...)
	out = append(out, payload[end:]...)
	out = append(out, frameEnd)
	binary.BigEndian.PutUint32(out[3:7], uint32(len(out)-frameHeaderSize-1))
	return out
}

// headersTable finds the headers table in a content header payload: the
// offset of its 4-byte length and the offset just past it. ok is false when
// the message has no headers or the payload is too short to say.
func headersTable(p []byte) (start, end int, ok bool) {
	const fixed = 2 + 2 + 8 // class id, weight, body size
	if len(p) < fixed+2 {
		return 0, 0, false
	}
	flags := binary.BigEndian.Uint16(p[fixed:])
	at := fixed + 2
	for _, f := range []uint16{flagContentType, flagContentEncoding} {
		if flags&f != 0 {
			if at >= len(p) {
				return 0, 0, false
			}
			at += 1 + int(p[at])
		}
	}
	if flags&flagHeaders == 0 || at+4 > len(p) {
		return 0, 0, false
	}
	size := int(binary.BigEndian.Uint32(p[at:]))
	if size < 0 || at+4+size > len(p) {
		return 0, 0, false
	}
	return at, at + 4 + size, true
}

// tableProblem says why amqp091 would refuse the field table t (its entries,
// without the length) at depth, or "" when it would read it.
func tableProblem(t []byte, depth int) string {
	if depth > maxFieldDepth {
		return "nested more than 32 levels deep"
	}
	for n := 0; len(t) > 0; n++ {
		if n >= maxContainerElements {
			return "more than 8192 entries in one table"
		}
		keyLen := int(t[0])
		if 1+keyLen >= len(t) {
			return "a truncated table"
		}
		rest, why := fieldProblem(t[1+keyLen:], depth)
		if why != "" {
			return why
		}
		t = rest
	}
	return ""
}

// arrayProblem is tableProblem for an array's elements.
func arrayProblem(a []byte, depth int) string {
	if depth > maxFieldDepth {
		return "nested more than 32 levels deep"
	}
	for n := 0; len(a) > 0; n++ {
		if n >= maxContainerElements {
			return "more than 8192 entries in one array"
		}
		rest, why := fieldProblem(a, depth)
		if why != "" {
			return why
		}
		a = rest
	}
	return ""
}

// fixedFieldSize is the size of each fixed-size field value by type.
var fixedFieldSize = map[byte]int{'t': 1, 'B': 1, 'b': 1, 's': 2, 'u': 2, 'I': 4, 'i': 4, 'f': 4,
	'l': 8, 'd': 8, 'T': 8, 'D': 5, 'V': 0}

// fieldProblem checks one typed field value at the start of f and returns
// what follows it.
func fieldProblem(f []byte, depth int) ([]byte, string) {
	typ, f := f[0], f[1:]
	if size, ok := fixedFieldSize[typ]; ok {
		if len(f) < size {
			return nil, "a truncated field"
		}
		return f[size:], ""
	}
	switch typ {
	case 'S', 'x', 'A', 'F':
	default:
		return nil, "a field of unknown type " + string(rune(typ))
	}
	if len(f) < 4 {
		return nil, "a truncated field"
	}
	size := binary.BigEndian.Uint32(f)
	if size > 1<<31-1 || int(size) > len(f)-4 {
		return nil, "a field longer than its table"
	}
	value, rest := f[4:4+size], f[4+size:]
	switch typ {
	case 'A':
		return rest, arrayProblem(value, depth+1)
	case 'F':
		return rest, tableProblem(value, depth+1)
	}
	return rest, ""
}

// droppedHeadersTable encodes the replacement headers table: length, then
// the one entry DroppedHeadersKey = "headers dropped: WHY (N bytes)".
func droppedHeadersTable(why string, size int) []byte {
	value := "headers dropped: " + why + " (" + itoa(size) + " bytes)"
	entry := make([]byte, 0, 1+len(DroppedHeadersKey)+1+4+len(value))
	entry = append(entry, byte(len(DroppedHeadersKey)))
	entry = append(entry, DroppedHeadersKey...)
	entry = append(entry, 'S')
	entry = binary.BigEndian.AppendUint32(entry, uint32(len(value)))
	entry = append(entry, value...)
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(entry))), entry...)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}
