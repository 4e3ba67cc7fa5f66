package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"mqscope/capture"
	"mqscope/observe"
	"mqscope/themes"
	"mqscope/ui"
)

// runTUI runs the terminal app. Flags it is not given are asked for by the
// picker; --service, --vhost and --watch together skip it.
func runTUI(ctx context.Context, args []string, _ io.Writer) error {
	fs := newFlagSet("", "[--service S] [--vhost V] [--watch Q1,Q2] [--mode firehose|tap|peek|consume] [--record FILE.db] [--theme NAME] [--read-only]")
	var b brokerFlags
	b.register(fs)
	vhost := fs.String("vhost", "", "virtual host to watch")
	watch := fs.String("watch", "", "comma-separated queues to watch (exchange:NAME for an exchange)")
	mode := fs.String("mode", "", "observation mode: firehose (default), tap, peek or consume (destructive)")
	rec := fs.String("record", "", "record observed traffic to this SQLite file")
	theme := fs.String("theme", "", "colour theme: "+themeChoices())
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (run 'mqscope help' for the commands)", fs.Arg(0))
	}
	if err := checkTheme("", *theme); err != nil {
		return err
	}
	if err := checkNames("", "watch", watchNames(*watch)...); err != nil {
		return err
	}
	var m capture.Mode
	if *mode != "" {
		parsed, err := observe.ParseMode(*mode)
		if err != nil {
			return usagef("--mode: %v", err)
		}
		m = parsed
	}
	cfg, err := b.loadConfig()
	if err != nil {
		return err
	}
	if err := cfg.ReadOnly.RefuseMode(m); err != nil {
		return err
	}
	return withoutTerminal(ui.Run(ctx, ui.Options{
		Config: cfg, Service: b.service, VHost: *vhost, Watch: splitList(*watch), Mode: m,
		Record: *rec, Theme: *theme, Version: versionString(),
	}), "mqscope tail prints messages as JSON lines")
}

// runOpen browses a recording in the TUI; no broker or config is needed.
func runOpen(ctx context.Context, args []string, _ io.Writer) error {
	fs := newFlagSet("open", "FILE.db [--theme NAME]")
	theme := fs.String("theme", "", "colour theme: "+themeChoices())
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("open: give one recording file (made with --record)")
	}
	if err := checkTheme("open", *theme); err != nil {
		return err
	}
	return withoutTerminal(ui.Run(ctx, ui.Options{Recording: fs.Arg(0), Theme: *theme, Version: versionString()}),
		"mqscope export "+fs.Arg(0)+" prints it as JSON lines")
}

// withoutTerminal says in one line that the UI needs a terminal, instead
// of bubbletea's "bubbletea: error opening TTY: bubbletea: could not open
// TTY: open /dev/tty: …", and what works without one.
func withoutTerminal(err error, instead string) error {
	var pe *fs.PathError
	if err == nil || !strings.Contains(err.Error(), "could not open TTY") || !errors.As(err, &pe) {
		return err
	}
	return fmt.Errorf("the terminal UI needs a terminal, and %s cannot be opened (%v); %s", pe.Path, pe.Err, instead)
}

// watchNames are the queue and exchange names of a --watch list.
func watchNames(list string) []string {
	names := splitList(list)
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "exchange:")
	}
	return names
}

// themeChoices lists the --theme values.
func themeChoices() string {
	return strings.Join(append([]string{themes.Auto}, themes.Names()...), ", ")
}
