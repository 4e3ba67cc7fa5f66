package procs

import "runtime/metrics"

// schedLatencies is the runtime's histogram of how long goroutines waited,
// runnable, for a P. The runtime records about one wait in eight.
const schedLatencies = "/sched/latencies:seconds"

// longWaits returns how many recorded waits for a P lasted longWait or
// more since the process started.
func longWaits() uint64 {
	s := []metrics.Sample{{Name: schedLatencies}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return 0 // not in this runtime: only the CPU time decides
	}
	return countFrom(s[0].Value.Float64Histogram(), longWait.Seconds())
}

// countFrom returns the counts of h's buckets that start at min or later.
// A bucket that straddles min is left out: its waits may all be shorter.
// The runtime's buckets near 10 ms start at 8.39 and 10.49 ms, so with
// longWait at 10 ms the waits counted are those of 10.49 ms or more.
func countFrom(h *metrics.Float64Histogram, min float64) uint64 {
	var n uint64
	for i, c := range h.Counts {
		if h.Buckets[i] >= min {
			n += c
		}
	}
	return n
}

// readUsage reads what the process has used so far.
func readUsage() usage {
	busy, wall := cpuTime()
	return usage{busy: busy, wall: wall, longWaits: longWaits()}
}
