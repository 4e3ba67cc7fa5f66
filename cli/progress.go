package cli

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"mqscope/internal/replay"
)

// progress draws a one-line progress bar on stderr when it is a terminal
// (and nothing otherwise), at most ten times a second.
type progress struct {
	mu          sync.Mutex
	total, n    int
	failed      int
	tty         bool
	lastDrawn   time.Time
	label, fail string
}

// newProgress returns a bar for total items.
func newProgress(total int) *progress {
	st, err := os.Stderr.Stat()
	return &progress{total: total, tty: err == nil && st.Mode()&os.ModeCharDevice != 0, label: "sent", fail: "no good reply"}
}

// done counts one replay result.
func (p *progress) done(r replay.Result) { p.step(r.Replied() && !r.Differs()) }

// step counts one item, ok or not.
func (p *progress) step(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if !ok {
		p.failed++
	}
	if p.tty && (time.Since(p.lastDrawn) > 100*time.Millisecond || p.n == p.total) {
		p.lastDrawn = time.Now()
		const width = 30
		filled := width * p.n / max(p.total, 1)
		fmt.Fprintf(os.Stderr, "\r[%s%s] %d/%d %s, %d %s ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
			p.n, p.total, p.label, p.failed, p.fail)
	}
}

// finish ends the bar's line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.n > 0 {
		fmt.Fprintln(os.Stderr)
	}
}
