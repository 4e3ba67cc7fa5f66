// Package cli holds mqscope's subcommands: flags, dispatch, and what each
// command prints. main calls Main; the TUI itself is package ui.
package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"mqscope/appconfig"
	"mqscope/capture"
	"mqscope/observe"
	"mqscope/themes"

	"mqscope/connector"
	"mqscope/connector/neonwire"
	"mqscope/demo"
	"mqscope/store"
	"mqscope/store/record"
	"mqscope/ui"
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
		{"open", "browse a recording (FILE.db) in the TUI, no broker needed", runOpen},
		{"version", "print the version", runVersion},
	}
}

// Main runs the mqscope command line args (without the program name) and
// returns the process's exit status. SIGINT, SIGTERM and SIGHUP end the
// command through its context, so that it cleans up before returning.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	err := dispatch(ctx, args, stdout)
	stop()
	return exitStatus(err, stderr)
}

// dispatch picks the subcommand; with none (or only flags) it runs the TUI.
func dispatch(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		printUsage(stdout)
		return nil
	}
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		for _, c := range commands() {
			if c.name == args[0] {
				return c.run(ctx, args[1:], stdout)
			}
		}
		return usagef("unknown command %q (run 'mqscope help' for the list)", args[0])
	}
	return runTUI(ctx, args, stdout)
}

// exitStatus prints err as one line and maps it to the exit status of the
// subcommand contract: 0 success, 1 a failure the user can fix, 2 bad usage.
func exitStatus(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "mqscope: "+ue.msg)
		return 2
	case errors.Is(err, context.Canceled):
		return 0
	default:
		fmt.Fprintln(stderr, "mqscope: "+err.Error())
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: mqscope [--config PATH] [--service NAME] [--vhost V] [--watch Q1,Q2] [--mode MODE] [--theme NAME]")
	fmt.Fprintln(w, "       mqscope COMMAND [flags]   (mqscope COMMAND -h for its flags)")
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

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
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
		return usagef("%s: %v (mqscope %s -h for help)", fs.Name(), err, fs.Name())
	}
	return nil
}

// brokerFlags are the flags every subcommand that talks to RabbitMQ takes.
type brokerFlags struct {
	config  string
	service string
}

func (b *brokerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.config, "config", "", "Neon mq_config.json (default: $NEON_MQ_CONFIG_PATH, then ~/.config/neon/mq_config.json, then ~/.local/share/neon/credentials.json)")
	fs.StringVar(&b.service, "service", "", "service whose credentials to use (default: the only one, else mq_handler)")
}

// loadConfig finds and reads the config, warning once on stderr when the
// file with the passwords is readable by others.
func (b *brokerFlags) loadConfig() (*appconfig.Config, error) {
	cfg, err := appconfig.Load(b.config)
	if err != nil {
		return nil, err
	}
	if cfg.PermWarning != "" {
		fmt.Fprintln(os.Stderr, "mqscope: warning: "+cfg.PermWarning)
	}
	return cfg, nil
}

// broker loads the config and returns the chosen service's view of the
// broker, with the config.
func (b *brokerFlags) broker() (*observe.Broker, *appconfig.Config, error) {
	cfg, err := b.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	br, err := cfg.NewBroker(defaultService(cfg, b.service))
	return br, cfg, err
}

// defaultService picks the service when --service is not given: the only
// one the config has, else mq_handler (the name the Neon client helper
// always uses). An unknown name is reported by NewClient with the list.
func defaultService(cfg *appconfig.Config, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if len(cfg.UserOrder) == 1 {
		return cfg.UserOrder[0]
	}
	return "mq_handler"
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

func runRequest(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("request", "--vhost V --queue Q --json '{...}' [--timeout 30s] [--expiration 1000]")
	var b brokerFlags
	b.register(fs)
	vhost := fs.String("vhost", "", "virtual host of the target queue")
	queue := fs.String("queue", "", "target queue")
	body := fs.String("json", "", "request body: a JSON object or Python dict literal; - reads stdin")
	timeout := fs.Duration("timeout", connector.DefaultTimeout, "how long to wait for the reply")
	expiration := fs.Int("expiration", 1000, "per-message TTL of the request in ms")
	declare := fs.Bool("declare", false, "declare the target queue first (as the Python library does)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "vhost", "queue", "json"); err != nil {
		return err
	}
	value, err := readValue(*body, "--json")
	if err != nil {
		return err
	}
	broker, _, err := b.broker()
	if err != nil {
		return err
	}
	req, err := broker.Client.NewRequester(ctx, *vhost, connector.RequesterOptions{})
	if err != nil {
		return err
	}
	defer req.Close()
	opts := connector.RequestOptions{Timeout: *timeout, Expiration: fmt.Sprint(*expiration), DeclareTarget: *declare}
	resp, err := req.Request(ctx, *queue, value, opts)
	var elsewhere *connector.ReplyElsewhereError
	if errors.As(err, &elsewhere) {
		return sendWithoutReply(ctx, req, *queue, value, opts, elsewhere.ReplyQueue, stdout)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "reply from %s in %s\n", *queue, resp.Latency.Round(time.Microsecond))
	_, err = fmt.Fprintf(stdout, "%s\n", neonwire.ToJSONIndent(resp.Value, "  "))
	return err
}

// sendWithoutReply publishes a body whose own routing_key sends the reply
// to another queue: saying so first, and not waiting for a reply that
// cannot come here. It prints the message_id and that queue as JSON.
func sendWithoutReply(ctx context.Context, req *connector.Requester, queue string, value neonwire.Value,
	opts connector.RequestOptions, replyQueue string, stdout io.Writer) error {
	fmt.Fprintf(os.Stderr, "mqscope: the body's routing_key sends the reply to queue %q, so mqscope sends the request without waiting for it\n", replyQueue)
	id, err := req.Send(ctx, queue, value, opts)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]string{"message_id": id, "reply_queue": replyQueue})
}

// readValue parses a JSON or Python literal given as an argument, or read
// from stdin when it is "-".
func readValue(arg, what string) (neonwire.Value, error) {
	src, err := argOrStdin(arg)
	if err != nil {
		return nil, err
	}
	v, err := neonwire.ParseUserValue(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	return v, nil
}

// argOrStdin returns arg, or all of stdin when arg is "-".
func argOrStdin(arg string) (string, error) {
	if arg != "-" {
		return arg, nil
	}
	data, err := io.ReadAll(bufio.NewReader(os.Stdin))
	if err != nil {
		return "", fmt.Errorf("reading stdin: %w", err)
	}
	return string(data), nil
}

func runEncode(_ context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("encode", "'{python or json dict}' | -")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("encode: give one JSON or Python literal (or - for stdin)")
	}
	v, err := readValue(fs.Arg(0), "encode")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", neonwire.Encode(v))
	return err
}

func runDecode(_ context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("decode", "BASE64 | -")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("decode: give one wire body (or - for stdin)")
	}
	src, err := argOrStdin(fs.Arg(0))
	if err != nil {
		return err
	}
	body := []byte(strings.TrimSpace(src))
	d := neonwire.Decode(body)
	switch d.Encoding {
	case neonwire.EncNeon:
	case neonwire.EncB64JSON, neonwire.EncJSON:
		fmt.Fprintf(os.Stderr, "mqscope: note: body is %s, not Neon-encoded (real Neon services reject it)%s\n", d.Encoding, reason(d.Err))
	default:
		return notNeonError(d, body)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", neonwire.ToJSONIndent(d.Value, "  "))
	return err
}

// notNeonError says why decode cannot print a body: the decoder's reason
// when the body looked like an attempt at Neon, else where the strict
// reading failed ("not base64: …", "base64, but not JSON: …"), which also
// tells apart text from valid base64 of something else.
func notNeonError(d neonwire.Decoded, body []byte) error {
	err := d.Err
	if err == nil {
		_, err = neonwire.DecodeNeon(body)
	}
	return fmt.Errorf("not a Neon body (%s)%s", d.Encoding, reason(err))
}

// reason is ": err", or "" when err is nil.
func reason(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}

func runDemo(ctx context.Context, args []string, _ io.Writer) error {
	fs := newFlagSet("demo", "--vhost V [--services api,llm,users] [--rate 2] [--force]")
	var b brokerFlags
	b.register(fs)
	vhost := fs.String("vhost", "", "virtual host to run the demo services in")
	services := fs.String("services", strings.Join(demo.ServiceNames, ","), "demo services to run")
	rate := fs.Float64("rate", 2, "requests per second sent by the traffic generator (0: none)")
	force := fs.Bool("force", false, "run even where a demo queue already has consumers")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "vhost"); err != nil {
		return err
	}
	broker, _, err := b.broker()
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", a...)
	}
	logf("demo: services %s in vhost %s, %.3g requests/s; Ctrl-C stops", *services, *vhost, *rate)
	return demo.Run(ctx, broker.Client, *vhost, demo.Options{
		Services: splitList(*services), Rate: *rate, Force: *force, Log: logf,
	})
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tailFlags are the flags of `mqscope tail`.
type tailFlags struct {
	brokerFlags
	vhost, queue, exchange, bindingKey, mode, record string
	count                                            int
}

func (t *tailFlags) parse(args []string) error {
	fs := newFlagSet("tail", "--vhost V (--queue Q | --exchange X) [--mode firehose|tap|peek|consume] [--count N] [--record FILE.db]")
	t.register(fs)
	fs.StringVar(&t.vhost, "vhost", "", "virtual host to watch")
	fs.StringVar(&t.queue, "queue", "", "queue to watch (firehose without --queue: the whole vhost)")
	fs.StringVar(&t.exchange, "exchange", "", "exchange to tap")
	fs.StringVar(&t.bindingKey, "binding-key", "", "tap binding key (default #)")
	fs.StringVar(&t.mode, "mode", "", "firehose (default for a queue), tap (default for an exchange), peek, or consume (destructive)")
	fs.IntVar(&t.count, "count", 0, "exit after N messages (0: until Ctrl-C)")
	fs.StringVar(&t.record, "record", "", "also record every message to this SQLite file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "vhost"); err != nil {
		return err
	}
	if t.queue != "" && t.exchange != "" && t.mode != string(capture.ModeFirehose) {
		return usagef("tail: give --queue or --exchange, not both")
	}
	if t.mode == "" {
		t.mode = string(capture.ModeFirehose)
		if t.exchange != "" {
			t.mode = string(capture.ModeTap)
		}
	}
	return nil
}

func (t *tailFlags) spec() (observe.WatchSpec, error) {
	mode, err := observe.ParseMode(t.mode)
	if err != nil {
		return observe.WatchSpec{}, usagef("tail: %v", err)
	}
	return observe.WatchSpec{VHost: t.vhost, Queue: t.queue, Exchange: t.exchange, BindingKey: t.bindingKey, Mode: mode, Limit: t.count}, nil
}

func runTail(ctx context.Context, args []string, stdout io.Writer) error {
	var t tailFlags
	if err := t.parse(args); err != nil {
		return err
	}
	spec, err := t.spec()
	if err != nil {
		return err
	}
	broker, cfg, err := t.broker()
	if err != nil {
		return err
	}
	st := newStore(cfg)
	rec, err := openRecorder(t.record)
	if err != nil {
		return err
	}
	defer closeRecorder(rec)
	if w := spec.Warning(); w != "" {
		fmt.Fprintln(os.Stderr, "mqscope: warning: "+w)
	}
	failed := make(chan error, 1)
	watch, err := broker.Watch(ctx, spec, st.Sink(store.OptionalRecorder(rec)), func(s connector.State) { reportState(s, failed) })
	if err != nil {
		return err
	}
	defer watch.Close()
	return printLive(ctx, st, liveOutput{stdout: stdout, stderr: os.Stderr, rec: rec}, t.count, failed)
}

// newStore makes a store with the config's budget (or the defaults).
func newStore(cfg *appconfig.Config) *store.Store {
	limitMemory(cfg)
	return store.New(cfg.StoreOptions())
}

// limitMemory keeps the process near the store's budget. Go's collector
// lets the heap grow to twice what is live, so a full store would take about
// twice its budget; a soft memory limit of the budget plus a margin makes the
// collector work harder instead. GOMEMLIMIT, when set, wins.
func limitMemory(cfg *appconfig.Config) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	budget := cfg.StoreMaxBytes
	if budget <= 0 {
		budget = store.DefaultMaxBytes
	}
	debug.SetMemoryLimit(budget*5/4 + 64<<20)
}

// reportState prints connection changes on stderr and passes a failure on.
func reportState(s connector.State, failed chan<- error) {
	switch s.Kind {
	case connector.StateFailed:
		select {
		case failed <- fmt.Errorf("%s: %v", s.Worker, s.Err):
		default:
		}
	case connector.StateReconnecting:
		fmt.Fprintf(os.Stderr, "mqscope: %s: %v; reconnecting in %s\n", s.Worker, s.Err, s.Retry.Round(time.Millisecond))
	case connector.StateConnected:
		fmt.Fprintf(os.Stderr, "mqscope: %s: connected\n", s.Worker)
	}
}

// liveOutput is where printLive writes: JSON lines to stdout, warnings to
// stderr, and the recording (nil when there is none) whose first drop it
// reports.
type liveOutput struct {
	stdout, stderr io.Writer
	rec            *record.Writer
}

// printLive prints every entry appended to st as a JSON line until count
// have been printed, ctx ends or a watch fails. It waits on the store's
// change signal and prints everything new in one go. The first time the
// recording cannot keep up it says so on stderr, once: recording never
// holds up printing, so without the warning the loss would show only at
// exit.
func printLive(ctx context.Context, st *store.Store, out liveOutput, count int, failed <-chan error) error {
	w := bufio.NewWriterSize(out.stdout, 64<<10)
	defer w.Flush()
	var dropping <-chan struct{}
	if out.rec != nil {
		dropping = out.rec.Dropping()
	}
	var cursor uint64
	printed := 0
	for {
		entries, next := st.Since(cursor)
		cursor = next
		for _, e := range entries {
			if err := store.WriteJSONLine(w, e); err != nil {
				return err
			}
			if e.Msg.Event == capture.EventGap {
				continue // a marker of what may be missing, not one of the count
			}
			if printed++; count > 0 && printed >= count {
				return nil
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		select {
		case <-st.Changed():
		case <-ctx.Done():
			return nil
		case err := <-failed:
			return err
		case <-dropping:
			dropping = nil // warn once; closeRecorder gives the total
			fmt.Fprintln(out.stderr, "mqscope: warning: "+dropWarning(out.rec.Stats()))
		}
	}
}

// dropWarning is the warning printed when the recording first falls
// behind.
func dropWarning(s record.Stats) string {
	return fmt.Sprintf("recording: %d messages could not be recorded so far%s; printing goes on, the total is given at exit",
		s.Dropped, dropCause(s.LastErr))
}

// dropCause says why messages were not recorded: the write error, or a
// disk too slow for the traffic when writes did not fail.
func dropCause(err error) string {
	if err != nil {
		return " (" + err.Error() + ")"
	}
	return " (the disk did not keep up)"
}

// openRecorder creates the recording when a path is given.
func openRecorder(path string) (*record.Writer, error) {
	if path == "" {
		return nil, nil
	}
	return record.Create(path, record.Options{Version: versionString()})
}

// closeRecorder flushes the recording and says what it could not keep.
func closeRecorder(w *record.Writer) {
	if w == nil {
		return
	}
	err := w.Close()
	if st := w.Stats(); st.Dropped > 0 {
		fmt.Fprintf(os.Stderr, "mqscope: recording: %d of %d messages could not be recorded%s\n", st.Dropped, st.Dropped+st.Written, dropCause(st.LastErr))
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "mqscope: recording: "+err.Error())
	}
}

func runExport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("export", "FILE.db [--filter QUERY]")
	filter := fs.String("filter", "", "only messages matching this filter (the UI's / language)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("export: give one recording file")
	}
	f, err := store.ParseFilter(*filter)
	if err != nil {
		return usagef("export: --filter: %v", err)
	}
	rd, err := record.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer rd.Close()
	w := bufio.NewWriterSize(stdout, 64<<10)
	defer w.Flush()
	// Messages go through a store so that replies are paired with their
	// requests exactly as they were live; printing as we go keeps memory
	// within the store's budget whatever the recording's size.
	st := store.New(store.Options{})
	return rd.Each(func(m capture.Message) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e, ok := st.Get(st.Append(m))
		if !ok || !f.Match(&e) {
			return nil
		}
		return store.WriteJSONLine(w, e)
	})
}

// runTUI runs the terminal app. Flags it is not given are asked for by the
// picker; --service, --vhost and --watch together skip it.
func runTUI(ctx context.Context, args []string, _ io.Writer) error {
	fs := newFlagSet("", "[--service S] [--vhost V] [--watch Q1,Q2] [--mode firehose|tap|peek|consume] [--record FILE.db] [--theme NAME]")
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
	limitMemory(cfg)
	return ui.Run(ctx, ui.Options{
		Config: cfg, Service: b.service, VHost: *vhost, Watch: splitList(*watch), Mode: m,
		Record: *rec, Theme: *theme, Version: versionString(),
	})
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
	return ui.Run(ctx, ui.Options{Recording: fs.Arg(0), Theme: *theme, Version: versionString()})
}

// themeChoices lists the --theme values.
func themeChoices() string {
	return strings.Join(append([]string{themes.Auto}, themes.Names()...), ", ")
}
