package store

import (
	"slices"
	"testing"
)

// The table allocSize looks small sizes up in gives the size class a
// search of sizeClasses finds, up to the first size past the table.
func TestAllocSizeTableMatchesTheClasses(t *testing.T) {
	for n := 1; n <= 1100; n++ {
		i, _ := slices.BinarySearch(sizeClasses, n)
		if got, want := allocSize(n), int64(sizeClasses[i]); got != want {
			t.Fatalf("allocSize(%d) = %d, want %d", n, got, want)
		}
	}
}
