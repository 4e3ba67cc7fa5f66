package procs

import (
	"math"
	"os"
	"runtime"
	"runtime/metrics"
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

// Goroutines kept waiting for the one P spread out even when the CPU used
// is low: the P is held by one long-running goroutine, not saturated. One
// period's waits are not enough; those of the last waitPeriods are.
func TestLongWaitsSpreadOut(t *testing.T) {
	g := newGovernor(2)
	if n := g.next(periodUsage{cores: 0.6, longWaits: longWaitsAt - 1}); n != 1 {
		t.Fatalf("%d long waits: %d Ps, want 1", longWaitsAt-1, n)
	}
	for range waitPeriods - 1 {
		g.next(cores(0.6))
	}
	if n := g.next(periodUsage{cores: 0.6, longWaits: 1}); n != 1 {
		t.Fatalf("%d long waits over %d periods, %d of them in the last %d: %d Ps, want 1", longWaitsAt, waitPeriods+1, 1, waitPeriods, n)
	}
	for range waitPeriods - 2 {
		g.next(cores(0.6))
	}
	if n := g.next(periodUsage{cores: 0.6, longWaits: longWaitsAt - 1}); n != 2 {
		t.Fatalf("%d long waits over the last %d periods: %d Ps, want 2", longWaitsAt, waitPeriods, n)
	}
}

// Waits counted before the process spread out are not counted again when
// it comes back to one P.
func TestWaitsBeforeSpreadingDoNotCountAgain(t *testing.T) {
	g := newGovernor(2)
	g.next(cores(0.3)) // so that the waits below are not where the next spell's first period goes
	g.next(periodUsage{cores: 0.3, longWaits: longWaitsAt})
	for range calmPeriods {
		g.next(periodUsage{cores: 0.3, longWaits: longWaitsAt}) // spread out: waits are not what it was
	}
	if g.cur != 1 {
		t.Fatalf("%d Ps after %d calm periods, want 1", g.cur, calmPeriods)
	}
	if n := g.next(periodUsage{cores: 0.3, longWaits: 1}); n != 1 {
		t.Fatalf("one long wait on one P after narrowing: %d Ps, want 1", n)
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

// Work that is calm spread out but keeps goroutines waiting on one P would
// go back and forth; each time one P proves too few soon after narrowing,
// the process stays spread out twice as long, up to maxCalmPeriods, and a
// spell on one P that lasted resets it.
func TestLeavingOnePTooSoonDoublesTheCalmNeeded(t *testing.T) {
	g := newGovernor(2)
	waits := periodUsage{cores: 0.3, longWaits: longWaitsAt}
	calm := cores(0.3)
	g.next(waits)
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
		g.next(waits)
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
	g.next(waits)
	if g.narrowAfter != calmPeriods {
		t.Fatalf("narrowAfter %d after a lasting spell on one P, want %d again", g.narrowAfter, calmPeriods)
	}
}

// run turns the usage it reads into cores and long waits per period and
// calls set on every change, and only then.
func TestRunSetsOnChangesFromReadings(t *testing.T) {
	// Cumulative CPU (ms) and long waits at each reading, 250 ms apart:
	// a quiet period, a saturated one, eight calm ones, one on one P, one
	// with long waits.
	busy := []time.Duration{0, 50, 300, 310, 320, 330, 340, 350, 360, 370, 380, 390, 400}
	waits := []uint64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, longWaitsAt}
	sets := runOn(t, len(busy)-1, func(i int) usage {
		return usage{busy: busy[i] * time.Millisecond, wall: time.Duration(i+1) * period, longWaits: waits[i]}
	})
	if want := []int{2, 1, 2}; !equal(sets, want) {
		t.Fatalf("set calls %v, want %v: spread at the saturated period, narrow after %d calm ones, spread at the long waits", sets, want, calmPeriods)
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
	t.Helper()
	g := newGovernor(2)
	var i int
	var sets []int
	tick := make(chan time.Time)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		g.run(done, tick, func() usage { u := read(i); i++; return u }, func(n, max int) {
			if max != 2 {
				t.Errorf("set(%d, %d): want max 2", n, max)
			}
			sets = append(sets, n)
		})
	}()
	for range ticks {
		tick <- time.Time{}
	}
	close(done)
	<-finished
	return sets
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
	stop()
	if got != 1 {
		t.Errorf("GOMAXPROCS %d while governed, want 1", got)
	}
	if after := runtime.GOMAXPROCS(0); after != def {
		t.Errorf("GOMAXPROCS %d after stop, want the default %d", after, def)
	}
}

// countFrom counts the buckets that start at the threshold or later, and
// leaves out the one that straddles it.
func TestCountFromLeavesOutTheBucketThatStraddles(t *testing.T) {
	h := &metrics.Float64Histogram{
		Buckets: []float64{math.Inf(-1), 0, 0.005, 0.00839, 0.01049, 0.0126, math.Inf(1)},
		Counts:  []uint64{1, 2, 4, 8, 16, 32},
	}
	if n := countFrom(h, 0.010); n != 16+32 {
		t.Fatalf("countFrom(10 ms) = %d, want %d: the buckets from 10.49 ms", n, 16+32)
	}
	if n := countFrom(h, 0.00839); n != 8+16+32 {
		t.Fatalf("countFrom(8.39 ms) = %d, want %d", n, 8+16+32)
	}
	if n := countFrom(h, 1); n != 0 {
		t.Fatalf("countFrom(1 s) = %d, want 0", n)
	}
}

// The runtime records waits for a P, and a wait of longWait or more is
// counted (a smoke test of the real histogram).
func TestLongWaitsCountsWaitsForAP(t *testing.T) {
	if !canMeasure {
		t.Skip("Govern does not run on this system")
	}
	before := longWaits()
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	// Four goroutines that never block share the only P: the runtime
	// preempts each after its slice, so each waits for the other three's
	// slices, again and again. It records a sample of those waits, so the
	// spinning lasts many slices.
	const spinners, spin = 4, 40 * longWait
	done := make(chan struct{}, spinners)
	end := time.Now().Add(spin)
	for range spinners {
		go func() {
			for time.Now().Before(end) {
			}
			done <- struct{}{}
		}()
	}
	for range spinners {
		<-done
	}
	if after := longWaits(); after <= before {
		t.Fatalf("long waits %d before and %d after %d goroutines shared one P for %v, want more", before, after, spinners, spin)
	}
}
