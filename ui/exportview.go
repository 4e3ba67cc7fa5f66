package ui

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"mqscope/connector/neonwire"
	"mqscope/internal/textsafe"
	"mqscope/store"
	"mqscope/verdict"
)

// exportPrompt asks where e writes the current filtered view.
type exportPrompt struct {
	input textinput.Model
	err   string
}

// exportedMsg reports a finished export.
type exportedMsg struct {
	path   string
	format string
	rows   int
	err    error
}

// exportChunk is how many rows an export copies out of the view at a
// time: memory stays bounded however many rows the view holds.
const exportChunk = 512

// csvFixed are the CSV columns every row has, before its decoded fields.
var csvFixed = []string{"seq", "time", "event", "queue", "message_id"}

// openExport opens the prompt for the file, with a name that says when.
func (m *Model) openExport() tea.Cmd {
	if m.view.Len() == 0 {
		return m.setStatus("nothing to export: the view is empty", true)
	}
	in := textinput.New()
	in.Prompt = "export to: "
	in.SetWidth(max(m.width-len(in.Prompt)-2, 1))
	in.SetValue("./mqscope-export-" + m.env.now().Format("20060102-150405") + ".jsonl")
	in.CursorEnd()
	m.export = exportPrompt{input: in}
	m.openOverlay(modeExport)
	return m.export.input.Focus()
}

// exportLines are the prompt's rows under the header: the name being
// typed, what it will write, and the last refusal.
func (m *Model) exportLines() []string {
	p := &m.export
	n := m.list.total
	lines := []string{p.input.View(), m.st.Muted.Render(fmt.Sprintf("%d row%s of the current view · .jsonl writes what mqscope export writes, .csv one column per top-level field · enter writes, esc cancels", n, plural(n, "", "s")))}
	if p.err != "" {
		lines = append(lines, styleLines(wrapText("✗ "+textsafe.Row(p.err), max(m.width, 1)), m.st.Danger)...)
	}
	return lines
}

// exportKey edits the file name; enter writes, esc cancels.
func (m *Model) exportKey(msg tea.KeyPressMsg) tea.Cmd {
	p := &m.export
	switch {
	case key.Matches(msg, m.keys.Back):
		p.input.Blur()
		m.closeOverlay()
		return nil
	case key.Matches(msg, m.keys.Apply):
		return m.startExport(strings.TrimSpace(p.input.Value()))
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

// exportPaste types a paste into the file name.
func (m *Model) exportPaste(msg tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	m.export.input, cmd = m.export.input.Update(msg)
	return cmd
}

// startExport checks the name and writes the view in the background.
func (m *Model) startExport(path string) tea.Cmd {
	format, err := exportFormat(path)
	if err == nil {
		if _, serr := os.Stat(path); serr == nil {
			err = fmt.Errorf("%s exists: mqscope does not overwrite a file; type another name", path)
		}
	}
	if err != nil {
		m.export.err = err.Error()
		m.resize(m.width, m.height)
		return nil
	}
	m.export.input.Blur()
	m.closeOverlay()
	v, last := m.view, m.lastViewSeq()
	return tea.Batch(m.setStatus("exporting to "+textsafe.Row(path)+"…", false), func() tea.Msg {
		n, err := exportFile(path, format, v, last)
		return exportedMsg{path: path, format: format, rows: n, err: err}
	})
}

// lastViewSeq is the newest row the list shows (while paused, the one it
// paused at): the export stops there, so rows that arrive meanwhile or
// while it writes are not part of it.
func (m *Model) lastViewSeq() uint64 {
	n := m.list.total
	if rows := m.view.Range(n-1, 1); len(rows) == 1 {
		return rows[0].Seq
	}
	return 0
}

// onExported says where the export went and how many rows it holds.
func (m *Model) onExported(msg exportedMsg) tea.Cmd {
	if msg.err != nil {
		return m.setStatus("export failed: "+msg.err.Error(), true)
	}
	abs, err := filepath.Abs(msg.path)
	if err != nil {
		abs = msg.path
	}
	return m.setStatus(fmt.Sprintf("exported %d row%s to %s (%s)", msg.rows, plural(msg.rows, "", "s"), abs, msg.format), false)
}

// exportFormat is the format the file name's extension asks for.
func exportFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl":
		return "JSON lines", nil
	case ".csv":
		return "CSV", nil
	case "":
		if path == "" {
			return "", errors.New("give a file name ending in .jsonl or .csv")
		}
	}
	return "", fmt.Errorf("%s: the name must end in .jsonl (JSON lines, as mqscope export writes) or .csv", path)
}

// exportFile writes the rows of v up to seq last to a new file at path;
// it never replaces a file, and removes what it wrote when it fails.
func exportFile(path, format string, v *store.View, last uint64) (rows int, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	w := bufio.NewWriterSize(f, 64<<10)
	if format == "CSV" {
		rows, err = writeCSV(w, v, last)
	} else {
		rows, err = eachRow(v, last, func(e store.Entry) error { return store.WriteJSONLine(w, exportEntry(e)) })
	}
	if err != nil {
		return rows, err
	}
	return rows, w.Flush()
}

// exportEntry is e as `mqscope export` writes it. That command writes each
// row as it reads it, when a request's reply is not known yet: the link
// between the two is on the reply's line. The same rows give the same
// lines here.
func exportEntry(e store.Entry) store.Entry {
	if e.Pair != nil && e.Pair.Seq > e.Seq {
		e.Pair = nil
	}
	return e
}

// eachRow calls fn on every row of v up to seq last, oldest first, a chunk
// at a time. It follows rows by seq, not position, so rows evicted while
// it runs are skipped, never repeated.
func eachRow(v *store.View, last uint64, fn func(store.Entry) error) (int, error) {
	var done uint64
	pos, n := 0, 0
	for {
		rows := v.Range(pos, exportChunk)
		if len(rows) == 0 {
			return n, nil
		}
		for _, e := range rows {
			if e.Seq <= done {
				continue
			}
			if e.Seq > last {
				return n, nil
			}
			if err := fn(e); err != nil {
				return n, err
			}
			n++
			done = e.Seq
		}
		pos = v.Index(done) + 1 // 0 when evicted meanwhile: the seq check skips what was written
	}
}

// writeCSV writes one column per top-level field of the decoded bodies
// (their union, in order of first appearance) after csvFixed. It reads the
// view twice: once for the columns, once for the rows.
func writeCSV(w io.Writer, v *store.View, last uint64) (int, error) {
	var fields []string
	index := map[string]int{}
	if _, err := eachRow(v, last, func(e store.Entry) error {
		csvCells(&e, func(name, _ string) {
			if index[name] == 0 {
				fields = append(fields, name)
				index[name] = len(fields)
			}
		})
		return nil
	}); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	header := append(append([]string(nil), csvFixed...), fields...)
	for i, f := range fields {
		for _, fixed := range csvFixed {
			if f == fixed {
				header[len(csvFixed)+i] = "body." + f // a field named like a fixed column
			}
		}
	}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	record := make([]string, len(header))
	n, err := eachRow(v, last, func(e store.Entry) error {
		clear(record)
		record[0] = strconv.FormatUint(e.Seq, 10)
		record[1] = e.Msg.Time.UTC().Format(time.RFC3339Nano)
		record[2] = string(e.Msg.Event)
		record[3] = destination(&e.Msg)
		record[4] = e.MessageID
		if v, ok := verdict.Of(&e.Msg); ok {
			record[4] = v.MessageID
		}
		csvCells(&e, func(name, value string) {
			if i := index[name]; i > 0 {
				record[len(csvFixed)+i-1] = value
			}
		})
		return cw.Write(record)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

// csvCells calls cell for each named cell of e beyond csvFixed: the
// top-level fields of its decoded body, or for a verdict row the fields its
// JSON line has beside them (verdict, detail, latency_ms, request_seq).
func csvCells(e *store.Entry, cell func(name, value string)) {
	if v, ok := verdict.Of(&e.Msg); ok {
		cell("verdict", string(v.Code))
		cell("detail", v.Detail)
		if v.Latency > 0 {
			cell("latency_ms", strconv.FormatFloat(float64(v.Latency.Microseconds())/1000, 'f', -1, 64))
		}
		cell("request_seq", strconv.FormatUint(v.RequestSeq, 10))
		return
	}
	if d, ok := e.Decoded.Value.(*neonwire.Dict); ok {
		for _, it := range d.Items {
			cell(csvField(it.Key), csvValue(it.Value))
		}
	}
}

// csvField names a dict key as a column: a str as it is, another key by
// its Python repr.
func csvField(k neonwire.Value) string {
	if s, ok := k.(string); ok {
		return s
	}
	return neonwire.Repr(k)
}

// csvValue is a field's cell: a str as it is, anything else as JSON (as
// the JSON lines give it).
func csvValue(v neonwire.Value) string {
	if s, ok := v.(string); ok {
		return s
	}
	return string(neonwire.ToJSON(v))
}
