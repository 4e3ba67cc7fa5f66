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
// One P keeps up only while the process needs less than a core, so the
// governor samples the CPU time the process uses (user and system, from
// getrusage) and goes to the runtime's default GOMAXPROCS when one P is
// nearly saturated. It comes back to one P once the load has stayed low for
// a while, and waits longer each time one P soon proved too few again.
//
// The CPU time misses work that holds the P for long stretches without
// saturating it: the recording's writer, whose SQLite transactions run for
// tens of milliseconds while deliveries queue up behind them (on one P
// `tail --record` drained about a sixth more slowly than on two, with the
// CPU well under a core). Such work says so with Hold. An earlier governor
// guessed it from the runtime's /sched/latencies histogram (waits for a P
// of 10 ms or more); but the terminal UI, draining a queue, has bunches of
// those waits too: in 3 of 4 logged drains they spread it out within its
// first two seconds, and it drained 16,800–18,100 msg/s at 34–37 µs of CPU
// a message, against 18,800–24,000 at 22–29 µs in drains left on one P.
//
// Only the program governs (main.go calls Govern; tail and the TUI call Hold
// while they record): a library must not set a process-wide knob, and tests
// that run commands in-process keep the default, where Hold only counts.
package procs

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
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

// holds counts the Hold calls not yet released; holdChanged wakes the
// running governor, if any, when a hold starts.
var (
	holds       atomic.Int64
	holdChanged = make(chan struct{}, 1)
)

// Hold asks for the runtime's default GOMAXPROCS until release is called,
// for work that holds a P for long stretches without saturating it (see
// the package comment). It wakes the governor rather than waiting for its
// next sample, and release lets the governor narrow again once the process
// has been calm for a while, as after any spell spread out. Calling release
// again does nothing. Without Govern running it only counts, so a library
// or a test may call it freely.
func Hold() (release func()) {
	holds.Add(1)
	select {
	case holdChanged <- struct{}{}:
	default: // the governor has a wake-up pending already
	}
	var once sync.Once
	return func() { once.Do(func() { holds.Add(-1) }) }
}

// held says whether a Hold is in force.
func held() bool { return holds.Load() > 0 }

// Govern starts choosing GOMAXPROCS for the process and returns the function
// that stops it and gives the runtime its default back. It starts on one P,
// or on the default while a Hold is in force. It does nothing, and neither
// does stop, when GOMAXPROCS is set in the environment (the user's choice),
// when the default is one P, or where the process's CPU time cannot be
// read.
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
		g.run(done, tick.C, holdChanged, readUsage, held, setProcs)
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

// usage is what the process has used so far: CPU time (user and system)
// and the wall time it was read at. The zero wall time marks a failed
// read.
type usage struct {
	busy, wall time.Duration
}

// readUsage reads what the process has used so far.
func readUsage() usage {
	busy, wall := cpuTime()
	return usage{busy: busy, wall: wall}
}

// periodUsage is what the process did between two readings: the cores of
// CPU it used on average, and whether a Hold was in force at the end.
type periodUsage struct {
	cores float64
	held  bool
}

// governor holds the choice between one P and the default, max.
type governor struct {
	max         int // the runtime's default GOMAXPROCS
	cur         int // the current choice: 1 or max
	calm        int // periods in a row spent spread out with little CPU used
	narrowAfter int // calm periods that bring the process back to one P
	onOne       int // periods spent on one P since the last narrowing
}

func newGovernor(max int) *governor {
	return &governor{max: max, cur: 1, narrowAfter: calmPeriods, onOne: maxCalmPeriods}
}

// next returns the number of Ps for the coming period, given what the
// process did in the last one.
func (g *governor) next(u periodUsage) int {
	switch {
	case u.held:
		return g.hold()
	case g.cur == 1:
		g.onOne++
		if u.cores >= spreadAt {
			g.spread()
		}
		return g.cur
	case u.cores < narrowAt:
		g.calm++
	default:
		g.calm = 0
	}
	if g.calm >= g.narrowAfter {
		g.cur, g.calm, g.onOne = 1, 0, 0
	}
	return g.cur
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
}

// hold goes to the default for a Hold, and counts no calm while it lasts;
// once it is released the process narrows as after any spell spread out. A
// hold says nothing about whether one P was too few, so it leaves
// narrowAfter alone.
func (g *governor) hold() int {
	g.cur, g.calm = g.max, 0
	return g.cur
}

// run reads the process's usage (read returns it) at every tick until done
// closes, and calls set whenever the choice changes. It spreads out at
// once if isHeld says a hold is in force when it starts or when woken (a
// Hold started). A reading that failed or that is no later than the last
// is skipped.
func (g *governor) run(done <-chan struct{}, tick <-chan time.Time, woken <-chan struct{}, read func() usage, isHeld func() bool, set func(n, max int)) {
	apply := func(before int) {
		if g.cur != before {
			set(g.cur, g.max)
		}
	}
	holdIfHeld := func() {
		if before := g.cur; isHeld() {
			g.hold()
			apply(before)
		}
	}
	holdIfHeld()
	last := read()
	for {
		select {
		case <-done:
			return
		case <-woken:
			holdIfHeld()
			continue
		case <-tick:
		}
		now := read()
		if now.wall <= last.wall {
			continue
		}
		before := g.cur
		g.next(periodUsage{cores: float64(now.busy-last.busy) / float64(now.wall-last.wall), held: isHeld()})
		apply(before)
		last = now
	}
}
