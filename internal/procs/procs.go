// Package procs chooses how many Ps (GOMAXPROCS) run the mqscope program's
// Go code, from how much CPU the process uses.
//
// mqscope's watching commands are a pipeline of goroutines: amqp091's
// reader hands each frame to the channel's consumer buffer, which hands the
// delivery to the watch, which decodes and stores it and wakes the printer
// or the TUI. Each hand-off makes a goroutine runnable, and while a P is
// idle the runtime wakes a thread for it, which spins looking for work,
// polls the network and sleeps again. Profiling `mqscope tail --mode
// consume` on a 2-core machine (the broker on the same cores), that
// scheduling (findRunnable, futex, epoll_wait) was about a fifth of the CPU
// samples, and the same drain on one P used about 40% less CPU in all and
// finished sooner: the broker got the cores back.
//
// One P keeps up only while the process needs less than a core, so the
// governor watches the CPU time the process uses (user and system, from
// getrusage) and goes back to the runtime's default GOMAXPROCS when one P
// is nearly saturated, as it is when recording to SQLite at full rate or
// decoding megabyte bodies, and back to one P once the load has stayed low
// for a while.
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
	// period is how often the CPU time is sampled and the choice made:
	// short enough that a saturated pipeline spreads out within a quarter
	// of a second, long enough that one sample is not noise.
	period = 250 * time.Millisecond
	// spreadAt is the CPU, in cores, above which one P counts as
	// saturated. A saturated P shows about 1.0; this leaves room for
	// sampling jitter and for threads the runtime runs outside the P.
	spreadAt = 0.8
	// narrowAt is the CPU, in cores, below which the spread-out process
	// counts as calm. On more than one P the same work costs more (the
	// scheduling above), so this is well under spreadAt: work that
	// saturated one P never looks calm when spread out, and the choice
	// does not flap.
	narrowAt = 0.5
	// calmPeriods is how many periods in a row must be calm before going
	// back to one P.
	calmPeriods = 8
)

// Govern starts choosing GOMAXPROCS for the process and returns the function
// that stops it and gives the runtime its default back. It starts on one P.
// It does nothing (and stop does nothing) when the GOMAXPROCS environment
// variable is set, since the user chose, when the default is already one P,
// or where the process's CPU time cannot be read.
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
		g.run(done, time.NewTicker(period).C, cpuTime, setProcs)
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

// governor holds the choice between one P and the default, max.
type governor struct {
	max  int // the runtime's default GOMAXPROCS
	cur  int // the current choice: 1 or max
	calm int // periods in a row spent spread out with little CPU used
}

func newGovernor(max int) *governor { return &governor{max: max, cur: 1} }

// next returns the number of Ps for the coming period, given the cores the
// process used in the last one.
func (g *governor) next(cores float64) int {
	switch {
	case g.cur == 1 && cores >= spreadAt:
		g.cur, g.calm = g.max, 0
	case g.cur > 1 && cores < narrowAt:
		if g.calm++; g.calm >= calmPeriods {
			g.cur, g.calm = 1, 0
		}
	case g.cur > 1:
		g.calm = 0
	}
	return g.cur
}

// run samples the process's CPU time (cpu returns it, with the wall time
// it was read at) at every tick until done closes, and calls set whenever
// the choice changes.
func (g *governor) run(done <-chan struct{}, tick <-chan time.Time, cpu func() (busy, wall time.Duration), set func(n, max int)) {
	lastBusy, lastWall := cpu()
	for {
		select {
		case <-done:
			return
		case <-tick:
		}
		busy, wall := cpu()
		if wall <= lastWall {
			continue
		}
		before := g.cur
		if n := g.next(float64(busy-lastBusy) / float64(wall-lastWall)); n != before {
			set(n, g.max)
		}
		lastBusy, lastWall = busy, wall
	}
}
