package cli

import (
	"strconv"
	"time"

	"mqscope/connector"
	"mqscope/themes"
)

// parseTimeout reads a --timeout value: a Go duration with its unit, more
// than zero. Zero or less would mean "wait for ever" to a person and
// something else to the library, so neither is guessed at.
func parseTimeout(cmd, value string) (time.Duration, error) {
	d, err := time.ParseDuration(value)
	n, nerr := strconv.ParseFloat(value, 64)
	switch {
	case err == nil && d > 0:
		return d, nil
	case err == nil || nerr == nil && n <= 0:
		return 0, usagef("%s: --timeout must be more than 0 (how long to wait for the reply), such as 30s", cmd)
	case nerr == nil:
		return 0, usagef("%s: --timeout %s has no unit: write %ss (or %sms, %sm)", cmd, value, value, value, value)
	}
	return 0, usagef("%s: --timeout %q is not a duration: write it like 30s, 1m or 500ms", cmd, value)
}

// checkNames refuses names RabbitMQ cannot carry (over 255 bytes) before
// anything is sent: the broker would not answer with an error but drop
// the connection.
func checkNames(cmd, flagName string, names ...string) error {
	for _, n := range names {
		if len(n) > connector.MaxNameBytes {
			return usagef("%s--%s: a name of %d bytes is too long; RabbitMQ names are at most %d bytes", cmdPrefix(cmd), flagName, len(n), connector.MaxNameBytes)
		}
	}
	return nil
}

// checkTheme refuses an unknown --theme as bad usage, in the words a bad
// "mqscope.theme" in the config gets: the same names are known to both.
func checkTheme(cmd, name string) error {
	if name == "" || name == themes.Auto {
		return nil
	}
	if _, err := themes.ByName(name); err != nil {
		return usagef("%s--theme: %v", cmdPrefix(cmd), err)
	}
	return nil
}

// cmdPrefix is "cmd: " for a subcommand's messages; the TUI has none.
func cmdPrefix(cmd string) string {
	if cmd == "" {
		return ""
	}
	return cmd + ": "
}
