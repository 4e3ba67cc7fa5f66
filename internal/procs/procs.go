// Package procs chooses how many Ps (GOMAXPROCS) run the mqscope program's
// Go code, from how busy the process is.
//
// mqscope's watching commands are a pipeline of goroutines: amqp091's
// reader hands each frame to the channel's consumer buffer, which hands the
// delivery to the watch, which decodes and stores it and wakes the printer
// or the TUI. Each hand-off makes a goroutine runnable, and while a P is
// idle the runtime wakes a thread for it, which spins looking for work,
// polls the network and sleeps again. Profiling `mqscope tail --mode
// consume` on a 2-core machine (the broker on the same cores), that
// scheduling (findRunnable, futex, epoll_wait) was about a fifth of the CPU
// samples, and the same drain on one P used about a third less CPU in all and
// finished sooner: the broker got the cores back.
//
// One P keeps up only while the process needs less than a core and no
// goroutine waits long for it, so the governor watches both: the CPU time
// the process uses (user and system, from getrusage) and how long runnable
// goroutines waited for a P (the runtime's /sched/latencies histogram). It
// goes to the runtime's default GOMAXPROCS when one P is nearly saturated
// (the work needs more than one core), or when goroutines keep waiting
// 10 ms or more, as when the recording's SQLite transactions hold the P
// while deliveries queue up behind them (on one P `tail --record` drained
// about a sixth more slowly than on two, with the CPU well under a core).
// It comes back to one P once the load has stayed low for a while, and
// waits longer each time one P soon proved too few again.
//
// Only the program uses it (main.go): a library must not set a process-wide
// knob, and tests that run commands in-process keep the default.
package procs

import (
	"os"
	"runtime"
	"time"
)

const (
	// period is how often the process is sampled and the choice made:
	// short enough that a saturated pipeline spreads out within a quarter
	// of a second, long enough that one period is not noise.
	period = 250 * time.Millisecond
	// spreadAt is the CPU, in cores, from which one P counts as
	// saturated. A saturated P shows about 1.0 (more with the runtime's
	// threads outside the P); this leaves room for a period that was
	// saturated for most of its length.
	spreadAt = 0.8
	// longWait is a wait for a P that counts as long: the runtime lets a
	// goroutine run 10 ms before it preempts it, so a goroutine that
	// waited that long waited out another's whole slice, which work in
	// short steps (a frame drawn, a batch of messages printed) does not
	// make it do. A watch's prefetch of 200 deliveries lasts about 8 ms at
	// 25,000 msg/s: a consumer kept waiting 10 ms leaves the broker idle.
	// (The histogram's buckets make it 10.49 ms: see countFrom.)
	longWait = 10 * time.Millisecond
	// longWaitsAt is how many long waits over the last waitPeriods
	// periods on one P spread out. The runtime records about one wait in
	// eight, so these are recorded waits.
	// Draining at full rate on one P, `tail --record` showed 4 to 9 in
	// every second (its SQLite transactions), the TUI one or two in a
	// whole drain, a plain `tail` none.
	longWaitsAt = 4
	waitPeriods = 4
	// narrowAt is the CPU, in cores, below which the spread-out process
	// counts as calm. On more than one P the same work costs more (the
	// scheduling above), so this is well under spreadAt: work that
	// saturated one P never looks calm when spread out.
	narrowAt = 0.5
	// calmPeriods is how many calm periods in a row bring the process back
	// to one P, at first. When one P proves too few again within as many
	// periods of narrowing (the work was calm only because it was spread
	// out), the count doubles, up to maxCalmPeriods, so the choice does not
	// flap.
	calmPeriods    = 8
	maxCalmPeriods = 240
)

// Govern starts choosing GOMAXPROCS for the process and returns the function
// that stops it and gives the runtime its default back. It starts on one P.
// It does nothing, and neither does stop, when GOMAXPROCS is set in the
// environment (the user's choice), when the default is one P, or where the
// process's CPU time cannot be read.
func Govern() (stop func()) {
	if os.Getenv("GOMAXPROCS") != "" || !canMeasure {
		return func() {}
	}
	g := newGovernor(runtime.GOMAXPROCS(0))
	if g.max <= 1 {
		return func() {}
	}
	runtime.GOMAXPROCS(1)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(period)
		defer tick.Stop()
		g.run(done, tick.C, readUsage, setProcs)
	}()
	return func() {
		close(done)
		<-finished
		runtime.SetDefaultGOMAXPROCS()
	}
}

// setProcs applies a choice: n Ps, where the maximum means the runtime's
// default (which then follows CPU quota changes again, as it does when
// nobody sets GOMAXPROCS).
func setProcs(n, max int) {
	if n >= max {
		runtime.SetDefaultGOMAXPROCS()
		return
	}
	runtime.GOMAXPROCS(n)
}

// usage is what the process has used so far: CPU time (user and system),
// the wall time it was read at, and how many sampled waits for a P were
// long. The zero wall time marks a failed read.
type usage struct {
	busy, wall time.Duration
	longWaits  uint64
}

// periodUsage is what the process did between two readings: the cores of
// CPU it used on average, and the long waits.
type periodUsage struct {
	cores     float64
	longWaits uint64
}

// governor holds the choice between one P and the default, max.
type governor struct {
	max         int // the runtime's default GOMAXPROCS
	cur         int // the current choice: 1 or max
	calm        int // periods in a row spent spread out with little CPU used
	narrowAfter int // calm periods that bring the process back to one P
	onOne       int // periods spent on one P since the last narrowing
	// waits holds the long waits of the last waitPeriods periods on one P,
	// the latest at waits[onOne%waitPeriods].
	waits [waitPeriods]uint64
}

func newGovernor(max int) *governor {
	return &governor{max: max, cur: 1, narrowAfter: calmPeriods, onOne: maxCalmPeriods}
}

// next returns the number of Ps for the coming period, given what the
// process did in the last one.
func (g *governor) next(u periodUsage) int {
	if g.cur == 1 {
		g.onOne++
		g.waits[g.onOne%waitPeriods] = u.longWaits
		if u.cores >= spreadAt || g.recentWaits() >= longWaitsAt {
			g.spread()
		}
		return g.cur
	}
	if u.cores < narrowAt {
		g.calm++
	} else {
		g.calm = 0
	}
	if g.calm >= g.narrowAfter {
		g.cur, g.calm, g.onOne = 1, 0, 0
	}
	return g.cur
}

// recentWaits is the number of long waits over the last waitPeriods
// periods.
func (g *governor) recentWaits() uint64 {
	var n uint64
	for _, w := range g.waits {
		n += w
	}
	return n
}

// spread goes to the default, waiting longer before coming back when one P
// was left too soon.
func (g *governor) spread() {
	if g.onOne <= g.narrowAfter {
		g.narrowAfter = min(2*g.narrowAfter, maxCalmPeriods)
	} else {
		g.narrowAfter = calmPeriods
	}
	g.cur, g.calm = g.max, 0
	g.waits = [waitPeriods]uint64{} // the next spell on one P counts its own
}

// run reads the process's usage (read returns it) at every tick until done
// closes, and calls set whenever the choice changes. A reading that failed
// or that is no later than the last is skipped.
func (g *governor) run(done <-chan struct{}, tick <-chan time.Time, read func() usage, set func(n, max int)) {
	last := read()
	for {
		select {
		case <-done:
			return
		case <-tick:
		}
		now := read()
		if now.wall <= last.wall {
			continue
		}
		before := g.cur
		p := periodUsage{cores: float64(now.busy-last.busy) / float64(now.wall-last.wall), longWaits: now.longWaits - last.longWaits}
		if n := g.next(p); n != before {
			set(n, g.max)
		}
		last = now
	}
}
