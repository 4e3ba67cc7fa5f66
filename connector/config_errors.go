package connector

import (
	"fmt"
	"strings"
)

// NoConfigError says that no config file exists at any place of the search
// order.
type NoConfigError struct {
	Tried  []string // the paths looked at, in order
	Create string   // where a new config file belongs
}

// Error returns the one-line message, with the paths tried and what to do.
func (e *NoConfigError) Error() string {
	return fmt.Sprintf("no Neon MQ config file found (tried %s); create %s or pass --config PATH, "+
		"as the mqscope README section \"Configuration\" shows", strings.Join(e.Tried, ", "), e.Create)
}
