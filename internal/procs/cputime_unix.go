//go:build unix

package procs

import (
	"syscall"
	"time"
)

// canMeasure says whether cpuTime can read the process's CPU time here.
const canMeasure = true

// start is the origin of the wall times cpuTime returns; time.Since reads
// the monotonic clock.
var start = time.Now()

// cpuTime returns the CPU time (user and system) the process has used and
// the wall time since start. On an error it returns no wall time, which
// run skips.
func cpuTime() (busy, wall time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), time.Since(start)
}
