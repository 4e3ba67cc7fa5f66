//go:build !unix

package procs

import "time"

// canMeasure says whether cpuTime can read the process's CPU time here: not
// on this system, where Govern leaves GOMAXPROCS alone.
const canMeasure = false

func cpuTime() (busy, wall time.Duration) { return 0, 0 }
