package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"mqscope/capture"
	"mqscope/connector"
	"mqscope/observe"
	"mqscope/themes"
	"mqscope/ui"
)

// runTUI runs the terminal app. Flags it is not given are asked for by the
// picker; --service, --vhost and --watch together skip it.
func runTUI(ctx context.Context, args []string, _ io.Writer) error {
	fs, f := tuiFlags()
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q%s (run 'mqscope help' for the commands)", fs.Arg(0), didYouMean(fs.Arg(0), commandNames(), ""))
	}
	if *f.replyWindow < 0 {
		return usagef("--reply-window must be positive, such as 30s")
	}
	if err := checkTheme("", *f.theme); err != nil {
		return err
	}
	if err := checkNames("", "watch", watchNames(*f.watch)...); err != nil {
		return err
	}
	var m capture.Mode
	if *f.mode != "" {
		parsed, err := observe.ParseMode(*f.mode)
		if err != nil {
			return usagef("--mode: %v", err)
		}
		m = parsed
	}
	cfg, err := f.b.loadConfig()
	if err != nil {
		return err
	}
	if err := cfg.ReadOnly.RefuseMode(m); err != nil {
		return err
	}
	return withoutTerminal(ui.Run(ctx, ui.Options{
		Config: cfg, Service: f.b.service, VHost: *f.vhost, Watch: splitList(*f.watch), Mode: m,
		Record: *f.record, Theme: *f.theme, Version: versionString(), ReplyWindow: *f.replyWindow,
	}), "mqscope tail prints messages as JSON lines")
}

// tuiFlagValues are the TUI's flags once parsed.
type tuiFlagValues struct {
	b                                 *brokerFlags
	vhost, watch, mode, record, theme *string
	replyWindow                       *time.Duration
}

// tuiFlags defines the TUI's flags; the help of `mqscope -h` prints them.
func tuiFlags() (*flag.FlagSet, tuiFlagValues) {
	fs := newFlagSet("", "[--service S] [--vhost V] [--watch Q1,Q2] [--mode firehose|tap|peek|consume] [--record FILE.db] [--theme NAME] [--reply-window DURATION]")
	f := tuiFlagValues{b: &brokerFlags{}}
	f.b.register(fs)
	f.vhost = fs.String("vhost", "", "virtual host to watch")
	f.watch = fs.String("watch", "", "comma-separated queues to watch (exchange:NAME for an exchange)")
	f.mode = fs.String("mode", "", "observation mode: firehose (default), tap, peek or consume (destructive)")
	f.record = fs.String("record", "", "record observed traffic to this SQLite file")
	f.theme = fs.String("theme", "", "colour theme: "+themeChoices())
	f.replyWindow = fs.Duration("reply-window", 0, "how long a delivered request may wait for its reply before its verdict is no_reply (default mqscope.reply_window, else 30s)")
	return fs, f
}

// commandNames lists the subcommands, for suggestions.
func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

// runOpen browses a recording in the TUI; no broker or config is needed.
// With a config, r and R re-send recorded requests to its broker.
func runOpen(ctx context.Context, args []string, _ io.Writer) error {
	fs := newFlagSet("open", "FILE.db [--theme NAME] [--config F] [--service S] [--read-only]")
	theme := fs.String("theme", "", "colour theme: "+themeChoices())
	var b brokerFlags
	b.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("open: give one recording file (made with --record)")
	}
	if err := checkTheme("open", *theme); err != nil {
		return err
	}
	opts := ui.Options{Recording: fs.Arg(0), Theme: *theme, Version: versionString()}
	cfg, err := b.loadConfig()
	switch {
	case err != nil && b.config == "":
		// Browsing needs no config: one that is missing or broken only
		// turns re-sending off, and r says why.
		opts.NoBroker = noBrokerReason(err)
	case err != nil:
		return err
	default:
		opts.Config, opts.Service = cfg, defaultService(cfg, b.service)
	}
	return withoutTerminal(ui.Run(ctx, opts),
		"mqscope export "+fs.Arg(0)+" prints it as JSON lines")
}

// noBrokerReason says why `open` has no broker to re-send to.
func noBrokerReason(err error) string {
	var none *connector.NoConfigError
	if errors.As(err, &none) {
		return "no broker is configured (no Neon config file found: give --config, or set NEON_MQ_CONFIG_PATH)"
	}
	return "the Neon config could not be used (" + err.Error() + ")"
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
