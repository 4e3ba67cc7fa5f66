package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"mqscope/appconfig"
	"mqscope/internal/textsafe"
	"mqscope/observe"
)

// runStatus prints the service board: every queue of the vhosts, its
// consumers, backlog and rates, and the problems found.
func runStatus(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("status", "[--vhost V] [--json]")
	var b brokerFlags
	b.register(fs)
	vhost := fs.String("vhost", "", "the vhost to show (default: the vhosts of mqscope.services, else every vhost the user sees)")
	asJSON := fs.Bool("json", false, "print one JSON object per queue, one per line")
	if err := parse(fs, args); err != nil {
		return err
	}
	broker, cfg, err := b.broker()
	if err != nil {
		return err
	}
	vhosts, err := boardVHosts(ctx, broker, cfg, *vhost)
	if err != nil {
		return err
	}
	board, err := broker.Board(ctx, vhosts, cfg.ServiceQueues())
	if err != nil {
		return err
	}
	if board.Missing != "" {
		fmt.Fprintln(os.Stderr, "mqscope: "+board.Missing)
	}
	if *asJSON {
		return printBoardJSON(stdout, board)
	}
	return printBoard(stdout, board, time.Now())
}

// boardVHosts are the vhosts to show: the one asked for, else those the
// config's services live in, else every vhost the management API lists.
func boardVHosts(ctx context.Context, broker *observe.Broker, cfg *appconfig.Config, vhost string) ([]string, error) {
	if vhost != "" {
		return []string{vhost}, nil
	}
	var out []string
	for _, name := range cfg.ServiceOrder {
		if v := cfg.Services[name].VHost; v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	infos, err := broker.Mgmt.VHosts(ctx)
	if err != nil {
		return nil, usagef("status: give --vhost: the config names no service vhosts, and the management API could not list them (%v)", err)
	}
	for _, v := range infos {
		out = append(out, v.Name)
	}
	return out, nil
}

// printBoardJSON writes one object per queue.
func printBoardJSON(w io.Writer, board observe.Board) error {
	enc := json.NewEncoder(w)
	for _, r := range board.Rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// printBoard writes the board as a table, problems first.
func printBoard(w io.Writer, board observe.Board, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VHOST\tQUEUE\tKIND\tSERVICE\tCONSUMERS\tREADY\tUNACKED\tPUBLISH/s\tDELIVER/s\tPROBLEMS")
	for _, r := range board.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%.1f\t%.1f\t%s\n", textsafe.Row(r.VHost), textsafe.Row(r.Queue), r.Kind,
			textsafe.Row(r.Service), r.Consumers, r.Ready, r.Unacked, r.PublishRate, r.DeliverRate, r.ProblemText(now))
	}
	return tw.Flush()
}
