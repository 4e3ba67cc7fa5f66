package procs

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestOneSaturatedPeriodSpreadsOut(t *testing.T) {
	g := newGovernor(4)
	for _, cores := range []float64{0.1, 0.5, 0.79} {
		if n := g.next(cores); n != 1 {
			t.Fatalf("at %.2f cores on one P: %d Ps, want 1", cores, n)
		}
	}
	if n := g.next(0.95); n != 4 {
		t.Fatalf("at 0.95 cores on one P: %d Ps, want the default 4", n)
	}
}

func TestNarrowsOnlyAfterCalmPeriodsInARow(t *testing.T) {
	g := newGovernor(2)
	g.next(1.0)
	for i := 1; i < calmPeriods; i++ {
		if n := g.next(0.2); n != 2 {
			t.Fatalf("after %d calm periods: %d Ps, want still 2", i, n)
		}
	}
	// A busy period starts the count again.
	if n := g.next(0.9); n != 2 {
		t.Fatalf("busy period: %d Ps, want 2", n)
	}
	for i := 1; i < calmPeriods; i++ {
		g.next(0.2)
	}
	if n := g.next(0.2); n != 1 {
		t.Fatalf("after %d calm periods in a row: %d Ps, want 1", calmPeriods, n)
	}
}

// Work that saturated one P costs more spread out, never less: it must not
// look calm there, or the choice would flap every calmPeriods.
func TestWorkBetweenTheThresholdsDoesNotFlap(t *testing.T) {
	g := newGovernor(2)
	g.next(spreadAt)
	for i := 0; i < 10*calmPeriods; i++ {
		if n := g.next(narrowAt); n != 2 {
			t.Fatalf("period %d at %.2f cores spread out: %d Ps, want 2", i, narrowAt, n)
		}
	}
}

// run turns the CPU time it samples into cores per period and calls set on
// every change, and only then.
func TestRunSetsOnChangesFromSampledCPU(t *testing.T) {
	g := newGovernor(2)
	// Cumulative CPU and wall time at each sample, 250 ms apart: one quiet
	// period, one saturated, then calm ones.
	busy := []time.Duration{0, 50, 300, 310, 320, 330, 340, 350, 360, 370, 380}
	var i int
	cpu := func() (time.Duration, time.Duration) {
		b, w := busy[i]*time.Millisecond, time.Duration(i)*period
		i++
		return b, w
	}
	var sets []int
	tick := make(chan time.Time)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		g.run(done, tick, cpu, func(n, max int) {
			if max != 2 {
				t.Errorf("set(%d, %d): want max 2", n, max)
			}
			sets = append(sets, n)
		})
	}()
	for range len(busy) - 1 {
		tick <- time.Time{}
	}
	close(done)
	<-finished
	if len(sets) != 2 || sets[0] != 2 || sets[1] != 1 {
		t.Fatalf("set calls %v, want [2 1]: spread at the saturated period, narrow after %d calm ones", sets, calmPeriods)
	}
}

// A sample taken no later than the last (a failed read gives no wall time)
// is skipped rather than divided by.
func TestRunSkipsSamplesWithoutElapsedTime(t *testing.T) {
	g := newGovernor(2)
	samples := [][2]time.Duration{{0, time.Second}, {time.Second, 0}, {2 * time.Second, time.Second}}
	var i int
	cpu := func() (time.Duration, time.Duration) { s := samples[i]; i++; return s[0], s[1] }
	tick := make(chan time.Time)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		g.run(done, tick, cpu, func(n, _ int) { t.Errorf("set(%d) after samples without elapsed time", n) })
	}()
	tick <- time.Time{}
	tick <- time.Time{}
	close(done)
	<-finished
}

func TestGovernLeavesAChosenGOMAXPROCSAlone(t *testing.T) {
	t.Setenv("GOMAXPROCS", "3")
	before := runtime.GOMAXPROCS(0)
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
