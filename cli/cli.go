// Package cli holds mqscope's subcommands: flags, dispatch, and what each
// command prints. main calls Main; the TUI itself is package ui.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X mqscope/cli.version=...";
// else the module version or VCS revision recorded by the Go toolchain is
// used.
var version = ""

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout io.Writer) error
}

func commands() []command {
	return []command{
		{"request", "send one Neon request, print the decoded reply as JSON", runRequest},
		{"tail", "print observed messages as JSON lines", runTail},
		{"demo", "run Neon-style demo services and traffic in a vhost", runDemo},
		{"encode", "print the Neon wire body (base64) of a JSON or Python dict", runEncode},
		{"decode", "print a wire body (base64 or -) decoded, as JSON", runDecode},
		{"export", "print a recording (FILE.db) as JSON lines", runExport},
		{"status", "the service board: queues, consumers, rates and problems", runStatus},
		{"why", "the timeline and verdict of one request (MESSAGE_ID)", runWhy},
		{"replay", "re-send the requests of a recording (FILE.db), compare the replies", runReplay},
		{"redrive", "move dead-lettered messages back where they came from, with confirms", runRedrive},
		{"open", "browse a recording (FILE.db) in the TUI, no broker needed", runOpen},
		{"version", "print the version", runVersion},
	}
}

// Main runs the mqscope command line args (without the program name) and
// returns the process's exit status. SIGINT, SIGTERM and SIGHUP end the
// command through its context, so that it cleans up before returning; a
// second one ends the process at once. A write to a closed stdout (the
// reader of a pipe went away: `mqscope tail | head -n 2`) fails with EPIPE
// instead of killing the process, so that it cleans up then too.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := withSignals(context.Background())
	err := dispatch(ctx, args, stdout)
	stop()
	return exitStatus(err, stderr)
}

// signalled is the cause of a context ended by a signal.
type signalled struct{ sig syscall.Signal }

func (s *signalled) Error() string { return "interrupted by " + signalName(s.sig) }

// signalName is the conventional name of the signals mqscope handles.
func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return sig.String()
}

// interruptedStatus is the shell's status for a process ended by sig.
func interruptedStatus(sig syscall.Signal) int { return 128 + int(sig) }

// interruptedBy is the signal that ended ctx, if one did.
func interruptedBy(ctx context.Context) (syscall.Signal, bool) {
	var s *signalled
	if errors.As(context.Cause(ctx), &s) {
		return s.sig, true
	}
	return 0, false
}

// withSignals returns a context that the first SIGINT, SIGTERM or SIGHUP
// cancels with a *signalled cause; stop releases the handlers.
func withSignals(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	// Asking for SIGPIPE is what makes the runtime return EPIPE from a
	// write to a closed stdout or stderr rather than die of the signal
	// before the deferred cleanups run. Nobody reads the channel: the
	// failed write is what the command sees.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			cancel(&signalled{sig: s.(syscall.Signal)})
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			// Asked twice: the user does not want to wait for the cleanup.
			// What mqscope declared expires by itself (x-expires).
			os.Exit(interruptedStatus(s.(syscall.Signal)))
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		signal.Stop(sigs)
		cancel(nil)
	}
}

// dispatch picks the subcommand; with none (or only flags) it runs the TUI.
func dispatch(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			printUsage(stdout)
			return nil
		case "-version", "--version":
			return runVersion(ctx, args[1:], stdout)
		}
	}
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		for _, c := range commands() {
			if c.name == args[0] {
				return c.run(ctx, args[1:], stdout)
			}
		}
		return usagef("unknown command %q%s (run 'mqscope help' for the list)", args[0], didYouMean(args[0], commandNames(), ""))
	}
	return runTUI(ctx, args, stdout)
}

// exitStatus prints err as one line and maps it to the exit status of the
// subcommand contract: 0 success, 1 a failure the user can fix, 2 bad
// usage; a command that a signal interrupted before it was done (see
// interrupted) ends as the shell reports a process killed by it, 128+n
// (130 for SIGINT, 143 for SIGTERM), and one whose stdout was closed
// under it ends silently with 141, as if killed by SIGPIPE, but only
// after cleaning up.
func exitStatus(err error, stderr io.Writer) int {
	var ue *usageError
	var ie *interrupted
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errReported):
		return 1 // the output already says why
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "mqscope: "+ue.msg)
		return 2
	case errors.As(err, &ie):
		fmt.Fprintln(stderr, "mqscope: "+ie.Error())
		return interruptedStatus(ie.sig)
	case errors.Is(err, syscall.EPIPE):
		return interruptedStatus(syscall.SIGPIPE)
	case errors.Is(err, context.Canceled):
		return 0
	default:
		fmt.Fprintln(stderr, "mqscope: "+err.Error())
		return 1
	}
}

// interrupted says what a signal cut short, such as `interrupted by
// SIGINT: no reply was received from queue "q" in vhost "/v"`.
type interrupted struct {
	sig  syscall.Signal
	what string
}

func (e *interrupted) Error() string { return "interrupted by " + signalName(e.sig) + ": " + e.what }

// printUsage prints the TUI's usage with every one of its flags, then the
// commands.
func printUsage(w io.Writer) {
	fs, _ := tuiFlags()
	fmt.Fprintln(w, "usage: mqscope [flags]            the terminal UI; its flags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintln(w, "\n       mqscope COMMAND [flags]   (mqscope COMMAND -h for its flags)")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}

func runVersion(_ context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintln(stdout, "mqscope "+versionString())
	return nil
}

// versionString is the version set at link time, else the module version
// (go install mqscope@v1.2.3), else the VCS revision the toolchain recorded
// (go build in a checkout), marked "+dirty" for uncommitted changes.
func versionString() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (built without module information)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, at string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown (built with -buildvcs=false and no -ldflags version)"
	}
	v := "rev " + rev[:min(12, len(rev))]
	if dirty {
		v += "+dirty"
	}
	if at != "" {
		v += " (" + at + ")"
	}
	return v
}

// newFlagSet returns a flag set whose errors become usage errors.
func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: mqscope %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning a flag mistake into a usage error (exit 2).
// Flags may come after positional arguments (`export F.db --filter q`),
// which the flag package alone would take as more positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	var positional []string
	err := fs.Parse(args)
	for err == nil && fs.NArg() > 0 {
		rest := fs.Args()
		if rest[0] == "--" {
			positional = append(positional, rest[1:]...)
			break
		}
		positional = append(positional, rest[0])
		err = fs.Parse(rest[1:])
	}
	if err == nil {
		// Parse once more with only the positional arguments, so that
		// fs.Args and fs.NArg report them.
		err = fs.Parse(append([]string{"--"}, positional...))
	}
	fs.SetOutput(os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return err
	}
	if err != nil {
		return flagError(fs, err)
	}
	return nil
}

// flagError explains a flag mistake, naming the command and the closest
// flag it has: "mqscope request: flag provided but not defined: -tiemout
// (did you mean --timeout?); run 'mqscope request -h' for its flags".
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var flags []string
		fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
		name = strings.TrimLeft(name, "-")
		msg = "unknown flag --" + name + didYouMean(name, flags, "--")
	}
	if fs.Name() == "" {
		return usagef("%s; run 'mqscope -h' for the flags", msg)
	}
	return usagef("%s: %s; run 'mqscope %s -h' for its flags", fs.Name(), msg, fs.Name())
}

// didYouMean suggests the option closest to typed ("reqest" → "request"),
// or nothing when none is close: within two edits, or typed as a prefix.
func didYouMean(typed string, options []string, prefix string) string {
	best, bestDist := "", 3
	for _, o := range options {
		d := editDistance(strings.ToLower(typed), o)
		if strings.HasPrefix(o, typed) && typed != "" {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = o, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + prefix + best + "?)"
}

// editDistance is the Levenshtein distance between a and b, with a
// transposition of two neighbours counting as one edit ("wacth" → "watch").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// need returns a usage error naming the first empty required flag.
func need(fs *flag.FlagSet, names ...string) error {
	for _, n := range names {
		if fs.Lookup(n).Value.String() == "" {
			return usagef("%s: --%s is required (mqscope %s -h for help)", fs.Name(), n, fs.Name())
		}
	}
	return nil
}
