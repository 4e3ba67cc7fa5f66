//go:build race

package store

// raceEnabled: the race detector allocates differently (no tiny allocator,
// padded small objects), so heap measurements are compared loosely.
const raceEnabled = true
