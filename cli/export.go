package cli

import (
	"bufio"
	"context"
	"io"

	"mqscope/capture"
	"mqscope/store"
	"mqscope/store/record"
)

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
	w := bufio.NewWriterSize(stdout, 64<<10)
	defer w.Flush()
	// Messages go through a store so that replies are paired with their
	// requests exactly as they were live; printing as we go keeps memory
	// within the store's budget whatever the recording's size.
	st := store.New(store.Options{})
	return record.ReadFile(fs.Arg(0), func(m capture.Message) error {
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
