package procs

import "runtime/metrics"

// schedLatencies is the runtime's histogram of how long goroutines waited,
// runnable, for a P. The runtime samples the waits it records.
const schedLatencies = "/sched/latencies:seconds"

// longWaits returns how many recorded waits for a P lasted longWait or
// more since the process started: the counts of the histogram's buckets
// that start there or later.
func longWaits() uint64 {
	s := []metrics.Sample{{Name: schedLatencies}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return 0 // not in this runtime: only the CPU time decides
	}
	h := s[0].Value.Float64Histogram()
	var n uint64
	for i, c := range h.Counts {
		if h.Buckets[i] >= longWait.Seconds() {
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
