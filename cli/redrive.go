package cli

import (
	"context"
	"fmt"
	"io"
	"sort"

	"mqscope/observe"
)

// runRedrive moves dead-lettered messages back where they came from.
func runRedrive(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("redrive", "--vhost V --queue DLQ [--to Q] [--count N] [--dry-run]")
	var b brokerFlags
	b.register(fs)
	var opts observe.RedriveOptions
	fs.StringVar(&opts.VHost, "vhost", "", "virtual host of the dead-letter queue")
	fs.StringVar(&opts.Queue, "queue", "", "the dead-letter queue to empty")
	fs.StringVar(&opts.To, "to", "", "move every message to this queue (default: the queue its x-death header names)")
	fs.IntVar(&opts.Count, "count", 0, "move at most N messages (0: all)")
	fs.BoolVar(&opts.DryRun, "dry-run", false, "say where each message would go; move none")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "vhost", "queue"); err != nil {
		return err
	}
	if opts.Count < 0 {
		return usagef("redrive: --count must be 0 (all) or more")
	}
	broker, _, err := b.broker()
	if err != nil {
		return err
	}
	if err := broker.ReadOnly.Refuse(fmt.Sprintf("redrive would take messages from %q and publish them elsewhere", opts.Queue)); err != nil && !opts.DryRun {
		return err
	}
	total := opts.Count
	if infos, err := broker.InspectQueues(ctx, opts.VHost, opts.Queue); err == nil && infos[0].Exists && (total == 0 || infos[0].Messages < total) {
		total = infos[0].Messages
	}
	bar := newProgress(total)
	bar.label, bar.fail = "handled", "left in place"
	opts.Progress = bar.step
	res, err := broker.Redrive(ctx, opts)
	bar.finish()
	printRedrive(stdout, res, opts)
	if err != nil {
		return err
	}
	if len(res.Skipped) > 0 && !opts.DryRun {
		return errReported // the summary says what stayed, and why
	}
	return nil
}

// printRedrive says what moved where and what stayed, and why.
func printRedrive(w io.Writer, res observe.RedriveResult, opts observe.RedriveOptions) {
	fmt.Fprintln(w, res.Summary(opts.Queue))
	reasons := make([]string, 0, len(res.Skipped))
	for why := range res.Skipped {
		reasons = append(reasons, why)
	}
	sort.Strings(reasons)
	for _, why := range reasons {
		fmt.Fprintf(w, "  %d left in %q: %s\n", res.Skipped[why], opts.Queue, why)
	}
}
