package procs

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func cores(c float64) periodUsage { return periodUsage{cores: c} }

func TestOneSaturatedPeriodSpreadsOut(t *testing.T) {
	g := newGovernor(4)
	for _, c := range []float64{0.1, 0.5, 0.79} {
		if n := g.next(cores(c)); n != 1 {
			t.Fatalf("at %.2f cores on one P: %d Ps, want 1", c, n)
		}
	}
	if n := g.next(cores(0.95)); n != 4 {
		t.Fatalf("at 0.95 cores on one P: %d Ps, want the default 4", n)
	}
}

func TestNarrowsOnlyAfterCalmPeriodsInARow(t *testing.T) {
	g := newGovernor(2)
	g.next(cores(1.0))
	for i := 1; i < calmPeriods; i++ {
		if n := g.next(cores(0.2)); n != 2 {
			t.Fatalf("after %d calm periods: %d Ps, want still 2", i, n)
		}
	}
	// A busy period starts the count again.
	if n := g.next(cores(0.9)); n != 2 {
		t.Fatalf("busy period: %d Ps, want 2", n)
	}
	for i := 1; i < calmPeriods; i++ {
		g.next(cores(0.2))
	}
	if n := g.next(cores(0.2)); n != 1 {
		t.Fatalf("after %d calm periods in a row: %d Ps, want 1", calmPeriods, n)
	}
}

// Work that saturated one P costs more spread out, never less: it must not
// look calm there.
func TestSaturatingWorkStaysSpreadOut(t *testing.T) {
	g := newGovernor(2)
	g.next(cores(spreadAt))
	for i := 0; i < 10*calmPeriods; i++ {
		if n := g.next(cores(narrowAt)); n != 2 {
			t.Fatalf("period %d at %.2f cores spread out: %d Ps, want 2", i, narrowAt, n)
		}
	}
}

// Work that is calm spread out but saturates one P would go back and
// forth; each time one P proves too few soon after narrowing, the process
// stays spread out twice as long, up to maxCalmPeriods, and a spell on one
// P that lasted resets it.
func TestLeavingOnePTooSoonDoublesTheCalmNeeded(t *testing.T) {
	g := newGovernor(2)
	busy, calm := cores(0.9), cores(0.3)
	g.next(busy)
	want := calmPeriods
	for round := 0; round < 8; round++ {
		for i := 1; i < want; i++ {
			if n := g.next(calm); n != 2 {
				t.Fatalf("round %d: narrowed after %d calm periods, want %d", round, i, want)
			}
		}
		if n := g.next(calm); n != 1 {
			t.Fatalf("round %d: still %d Ps after %d calm periods", round, n, want)
		}
		g.next(busy)
		want = min(2*want, maxCalmPeriods)
	}
	if g.narrowAfter != maxCalmPeriods {
		t.Fatalf("narrowAfter %d after eight quick returns, want the cap %d", g.narrowAfter, maxCalmPeriods)
	}
	for range maxCalmPeriods {
		g.next(calm)
	}
	for range maxCalmPeriods + 1 {
		g.next(calm) // on one P, long enough to count as having lasted
	}
	g.next(busy)
	if g.narrowAfter != calmPeriods {
		t.Fatalf("narrowAfter %d after a lasting spell on one P, want %d again", g.narrowAfter, calmPeriods)
	}
}

// A hold spreads out however calm the process is, and keeps it spread out;
// once released the process narrows after the usual calm periods, and the
// hold did not count as one P proving too few.
func TestHoldKeepsTheDefaultUntilReleased(t *testing.T) {
	g := newGovernor(4)
	g.next(cores(0.1))
	heldCalm := periodUsage{cores: 0.1, held: true}
	for i := 0; i < 10*calmPeriods; i++ {
		if n := g.next(heldCalm); n != 4 {
			t.Fatalf("period %d held at 0.1 cores: %d Ps, want the default 4", i, n)
		}
	}
	for i := 1; i < calmPeriods; i++ {
		if n := g.next(cores(0.1)); n != 4 {
			t.Fatalf("%d calm periods after the release: %d Ps, want still 4", i, n)
		}
	}
	if n := g.next(cores(0.1)); n != 1 {
		t.Fatalf("%d calm periods after the release: %d Ps, want 1", calmPeriods, n)
	}
	if g.narrowAfter != calmPeriods {
		t.Fatalf("narrowAfter %d after a hold, want %d: a hold is not one P proving too few", g.narrowAfter, calmPeriods)
	}
}

func TestHoldCountsUntilEveryReleaseAndReleaseOnce(t *testing.T) {
	if held() {
		t.Fatal("held before any Hold")
	}
	r1, r2 := Hold(), Hold()
	r1()
	r1() // again: must not release r2's hold
	if !held() {
		t.Fatal("not held with one of two holds released (one of them twice)")
	}
	r2()
	if held() {
		t.Fatal("still held with both released")
	}
}

// run turns the usage it reads into cores per period and calls set on
// every change, and only then; a wake-up spreads out at once while a hold
// is in force, and does nothing otherwise.
func TestRunSetsOnChangesFromReadingsAndHolds(t *testing.T) {
	// Cumulative CPU (ms) at each reading, 250 ms apart: a quiet period,
	// a saturated one, eight calm ones, then calm for good.
	busy := []time.Duration{0, 50, 300, 310, 320, 330, 340, 350, 360, 370, 380}
	r := newRunner(t, false, func(i int) usage {
		return usage{busy: busy[min(i, len(busy)-1)] * time.Millisecond, wall: time.Duration(i+1) * period}
	})
	r.ticks(len(busy) - 1)
	r.wake()   // no hold: a stale wake-up
	r.ticks(1) // returns once run is done with the wake-up
	if sets := r.setsSoFar(); !equal(sets, []int{2, 1}) {
		t.Fatalf("set calls %v, want [2 1]: spread at the saturated period, narrow after %d calm ones, and no change at a wake-up without a hold", sets, calmPeriods)
	}
	r.hold.Store(true)
	r.wake()
	r.wake() // returns once run is done with the first
	if sets := r.setsSoFar(); !equal(sets, []int{2, 1, 2}) {
		t.Fatalf("set calls %v, want [2 1 2]: spread at the hold's wake-up", sets)
	}
	r.ticks(2 * calmPeriods)
	if sets := r.stop(); !equal(sets, []int{2, 1, 2}) {
		t.Fatalf("set calls %v, want [2 1 2]: calm periods while held must not narrow", sets)
	}
}

// A run that starts while a hold is in force (its wake-up already taken)
// spreads out before its first tick.
func TestRunStartedWhileHeldSpreadsAtOnce(t *testing.T) {
	r := newRunner(t, true, func(i int) usage { return usage{wall: time.Duration(i+1) * period} })
	r.ticks(1) // returns once run is in its loop
	if sets := r.stop(); !equal(sets, []int{2}) {
		t.Fatalf("set calls %v, want [2]", sets)
	}
}

// A reading no later than the last (a failed read gives no wall time) is
// skipped rather than divided by.
func TestRunSkipsReadingsWithoutElapsedTime(t *testing.T) {
	readings := []usage{{wall: time.Second}, {busy: time.Second}, {busy: 2 * time.Second, wall: time.Second}}
	if sets := runOn(t, 2, func(i int) usage { return readings[i] }); len(sets) != 0 {
		t.Fatalf("set calls %v after readings without elapsed time, want none", sets)
	}
}

// runOn runs a governor of two Ps over ticks periods, reading usage i at
// the i-th reading (0 before the first tick), and returns what it set.
func runOn(t *testing.T, ticks int, read func(i int) usage) []int {
	r := newRunner(t, false, read)
	r.ticks(ticks)
	return r.stop()
}

// runner drives a governor of two Ps through run: ticks, wake-ups and a
// hold of its own, so that the package's holds stay out of it.
type runner struct {
	tick     chan time.Time
	woken    chan struct{}
	done     chan struct{}
	finished chan struct{}
	hold     atomic.Bool
	mu       sync.Mutex
	sets     []int
	stopOnce sync.Once
}

func newRunner(t *testing.T, held bool, read func(i int) usage) *runner {
	t.Helper()
	r := &runner{tick: make(chan time.Time), woken: make(chan struct{}), done: make(chan struct{}), finished: make(chan struct{})}
	r.hold.Store(held)
	var i int
	go func() {
		defer close(r.finished)
		newGovernor(2).run(r.done, r.tick, r.woken, func() usage { u := read(i); i++; return u },
			r.hold.Load, func(n, max int) {
				if max != 2 {
					t.Errorf("set(%d, %d): want max 2", n, max)
				}
				r.mu.Lock()
				r.sets = append(r.sets, n)
				r.mu.Unlock()
			})
	}()
	t.Cleanup(func() { r.stop() }) // a test that fails early leaves no run behind
	return r
}

func (r *runner) ticks(n int) {
	for range n {
		r.tick <- time.Time{}
	}
}

func (r *runner) wake() { r.woken <- struct{}{} }

// setsSoFar returns what run has set so far.
func (r *runner) setsSoFar() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.sets...)
}

// stop ends run and returns what it set; it may be called again.
func (r *runner) stop() []int {
	r.stopOnce.Do(func() {
		close(r.done)
		<-r.finished
	})
	return r.setsSoFar()
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGovernLeavesAChosenGOMAXPROCSAlone(t *testing.T) {
	t.Setenv("GOMAXPROCS", "3")
	before := runtime.GOMAXPROCS(0)
	if before == 1 {
		t.Skip("one P already: Govern would leave it alone anyway")
	}
	stop := Govern()
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS %d after Govern with GOMAXPROCS set, want %d unchanged", got, before)
	}
	stop()
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS %d after stop, want %d", got, before)
	}
}

func TestGovernStartsOnOnePAndStopGivesTheDefaultBack(t *testing.T) {
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set in the environment: Govern leaves it alone")
	}
	if !canMeasure {
		t.Skip("the process's CPU time cannot be read on this system: Govern leaves GOMAXPROCS alone")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0)) // as go test -cpu set it
	runtime.SetDefaultGOMAXPROCS()
	def := runtime.GOMAXPROCS(0)
	if def == 1 {
		t.Skip("the default is one P here: nothing to govern")
	}
	stop := Govern()
	got := runtime.GOMAXPROCS(0)
	release := Hold()
	spread := waitForProcs(def)
	release()
	stop()
	if got != 1 {
		t.Errorf("GOMAXPROCS %d while governed, want 1", got)
	}
	if !spread {
		t.Errorf("GOMAXPROCS %d after a Hold, want the default %d", runtime.GOMAXPROCS(0), def)
	}
	if after := runtime.GOMAXPROCS(0); after != def {
		t.Errorf("GOMAXPROCS %d after stop, want the default %d", after, def)
	}
}

// waitForProcs waits for GOMAXPROCS to become n and says whether it did. A
// Hold takes effect at once, but on the governor's goroutine; the deadline
// is only there so that a broken Hold fails instead of hanging.
func waitForProcs(n int) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if runtime.GOMAXPROCS(0) == n {
			return true
		}
	}
	return false
}
