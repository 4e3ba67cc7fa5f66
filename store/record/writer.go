package record

import (
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"mqscope/capture"

	"mqscope/connector/neonwire"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Defaults for the zero Options. At full rate the interval ends a batch
// first (about 2,500 messages at 25,000 msg/s); the size bounds a backlog's
// batches. Every commit writes again the pages its batch touched, all over
// the message_id and full-text indexes when each message has its own id,
// so full batches of 5000 cost 0.69 of the time per message that batches
// of 1000 did, and those of 2500 0.80 (BenchmarkWriterBatchSize). The
// buffer holds what arrives while a batch is written, and while a WAL
// checkpoint syncs the file, which can take far longer: with 6,000, `tail
// --record` at about 19,000 msg/s dropped 528 of 100,000 messages in one
// run, and the burst's peak RSS was no lower than with 10,000.
const (
	DefaultBatchInterval = 100 * time.Millisecond
	DefaultBatchSize     = 5000
	DefaultBuffer        = 10000
)

// Options configure a Writer. There is deliberately nothing here from
// mqscope's configuration (no broker URL, user or password): whatever is in
// Options may end up in the file, and a recording must never hold a
// credential.
type Options struct {
	// Version is the mqscope version, kept in the meta table of a new
	// recording.
	Version string
	// BatchInterval bounds how long a message waits before its batch is
	// committed, and so what a killed process can lose. Zero or negative
	// means DefaultBatchInterval.
	BatchInterval time.Duration
	// BatchSize commits a batch early once it holds this many messages.
	// Zero or negative means DefaultBatchSize.
	BatchSize int
	// Buffer is how many messages may wait for the writer before Append
	// starts dropping. Zero or negative means DefaultBuffer.
	Buffer int
}

// withDefaults fills in the zero fields.
func (o Options) withDefaults() Options {
	if o.BatchInterval <= 0 {
		o.BatchInterval = DefaultBatchInterval
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	return o
}

// Stats count what a Writer did with the messages it was given.
type Stats struct {
	Written uint64 // committed to the file
	Dropped uint64 // not recorded: buffer full, writer closed, or their batch failed
	Batches uint64 // transactions committed
	LastErr error  // the most recent write failure, nil if none
}

// item is one message waiting for the writer goroutine.
type item struct {
	m capture.Message
	d *neonwire.Decoded
}

// Writer appends messages to a recording from its own goroutine.
type Writer struct {
	path   string
	opts   Options
	db     *sql.DB
	insert *sql.Stmt
	fts    bool // the recording has messages_fts, which each batch must update
	items  chan item
	done   chan struct{}

	// mu makes closing the channel and sending on it exclusive, so an
	// Append racing Close counts its message as dropped instead of
	// panicking. Append only takes the read side.
	mu     sync.RWMutex
	closed bool

	written, dropped, batches atomic.Uint64
	errMu                     sync.Mutex
	lastErr                   error

	// dropping is closed at the first message not recorded; see Dropping.
	dropping     chan struct{}
	droppingOnce sync.Once

	closeOnce sync.Once
	closeErr  error
}

// Create opens path for recording and starts the writer goroutine. A new
// file is created with mode 0600. An existing recording is appended to; an
// existing file that is not a recording is an error and is left untouched.
func Create(path string, opts Options) (*Writer, error) {
	w, err := newWriter(path, opts)
	if err != nil {
		return nil, err
	}
	w.start()
	return w, nil
}

// newWriter prepares a Writer without starting its goroutine, so a test can
// fill the buffer deterministically.
func newWriter(path string, opts Options) (*Writer, error) {
	opts = opts.withDefaults()
	created, err := createFile(path)
	if err != nil {
		return nil, err
	}
	if !created {
		// Look before writing: opening with writeParams would switch a
		// foreign database to WAL mode before we could tell it is foreign.
		db, err := openChecked(path)
		if err != nil {
			return nil, err
		}
		_ = db.Close()
	}
	db, err := openForWriting(path, opts.Version, created)
	if err != nil {
		return nil, err
	}
	var ftsTables int
	if err := db.QueryRow(hasFTSSQL).Scan(&ftsTables); err != nil {
		_ = db.Close()
		return nil, fileErr(path, err)
	}
	insert, err := db.Prepare(insertSQL)
	if err != nil {
		_ = db.Close()
		return nil, fileErr(path, err)
	}
	return &Writer{
		path:     path,
		opts:     opts,
		db:       db,
		insert:   insert,
		fts:      ftsTables > 0,
		items:    make(chan item, opts.Buffer),
		done:     make(chan struct{}),
		dropping: make(chan struct{}),
	}, nil
}

// openForWriting opens the write connection and, for a new file, lays out
// the schema and restricts the -wal and -shm files it brings.
func openForWriting(path, version string, created bool) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, writeParams))
	if err != nil {
		return nil, fileErr(path, err)
	}
	// One connection: SQLite has one writer anyway, and the pragmas and the
	// WAL's shared memory stay with a connection that lives as long as we do.
	db.SetMaxOpenConns(1)
	if created {
		err = createSchema(db, version, time.Now().UTC().Format(time.RFC3339))
		if err == nil {
			err = restrictSidecars(path)
		}
	} else {
		err = db.Ping()
	}
	if err != nil {
		_ = db.Close()
		return nil, fileErr(path, err)
	}
	return db, nil
}

// start runs the writer goroutine.
func (w *Writer) start() { go w.run() }

// Append queues m for recording and returns at once. d is m's decoded body
// if the caller already has it (it must not change afterwards); nil makes
// the writer goroutine decode the body. m's slices and maps must not be
// changed after Append either. When the buffer is full, or the Writer is
// closed, the message is counted in Stats().Dropped instead.
func (w *Writer) Append(m capture.Message, d *neonwire.Decoded) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		w.drop(1)
		return
	}
	select {
	case w.items <- item{m, d}:
	default:
		w.drop(1)
	}
}

// drop counts n messages as not recorded.
func (w *Writer) drop(n int) {
	w.dropped.Add(uint64(n))
	w.droppingOnce.Do(func() { close(w.dropping) })
}

// Dropping returns a channel that is closed when the first message is not
// recorded, so that the user can be told while it happens rather than at
// Close. Stats says how many and why.
func (w *Writer) Dropping() <-chan struct{} {
	return w.dropping
}

// Stats returns the counters so far. Written and Batches cover committed
// transactions only.
func (w *Writer) Stats() Stats {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return Stats{
		Written: w.written.Load(),
		Dropped: w.dropped.Load(),
		Batches: w.batches.Load(),
		LastErr: w.lastErr,
	}
}

// Close commits every queued message, stops the writer goroutine and closes
// the file. It returns the last write error, if any. Calling it again returns
// the same result.
func (w *Writer) Close() error {
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.closed = true
		close(w.items)
		w.mu.Unlock()
		<-w.done
		w.closeErr = w.Stats().LastErr
		for _, err := range []error{w.insert.Close(), w.db.Close()} {
			if w.closeErr == nil && err != nil {
				w.closeErr = fileErr(w.path, err)
			}
		}
	})
	return w.closeErr
}

// run collects items into batches. A batch is committed when it is full or
// BatchInterval after its first message arrived, whichever comes first, so
// no message waits longer than BatchInterval once the writer has it.
func (w *Writer) run() {
	defer close(w.done)
	batch := make([]item, 0, w.opts.BatchSize)
	timer := time.NewTimer(w.opts.BatchInterval)
	timer.Stop()
	flush := func() {
		timer.Stop()
		w.commit(batch)
		clear(batch) // let the bodies be collected
		batch = batch[:0]
	}
	for {
		select {
		case it, ok := <-w.items:
			if !ok {
				flush()
				return
			}
			if len(batch) == 0 {
				timer.Reset(w.opts.BatchInterval)
			}
			batch = append(batch, it)
			if len(batch) >= w.opts.BatchSize {
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

// commit writes a batch in one transaction and updates the counters. The
// caller's missing decodes happen here, before BEGIN. Each row's columns
// (the JSON of its properties, headers and body) are built inside the
// transaction, just before the row is inserted, so that a batch of
// thousands does not hold them all; that holds the write lock a little
// longer (a few ms a batch), which only another writer of the same file
// would notice, and busy_timeout lets it wait. A message that cannot be
// encoded is dropped alone; a failed transaction drops its whole batch.
func (w *Writer) commit(batch []item) {
	if len(batch) == 0 {
		return
	}
	decoded := make([]neonwire.Decoded, len(batch))
	for i, it := range batch {
		if it.d != nil {
			decoded[i] = *it.d
		} else {
			decoded[i] = neonwire.Decode(it.m.Body)
		}
	}
	inserted, lost, err := w.insertRows(batch, decoded)
	if err != nil {
		w.fail(lost, err)
		return
	}
	if inserted == 0 {
		return
	}
	w.written.Add(uint64(inserted))
	w.batches.Add(1)
}

// fail counts n messages as dropped because of err.
func (w *Writer) fail(n int, err error) {
	w.errMu.Lock()
	w.lastErr = fileErr(w.path, err)
	w.errMu.Unlock()
	w.drop(n) // after lastErr is set: whoever Dropping wakes reads it
}

// insertRows inserts the batch's messages (decoded holds their decoded
// bodies), and indexes them for full-text search, in one transaction. It
// returns how many rows it inserted. When the transaction fails, inserted
// is 0 (they were rolled back) and lost is how many messages it took with
// it: those inserted and those not yet tried. A message that cannot be
// encoded is counted in neither: it is dropped here, alone, through fail.
func (w *Writer) insertRows(batch []item, decoded []neonwire.Decoded) (inserted, lost int, err error) {
	tx, err := w.db.Begin()
	if err != nil {
		return 0, len(batch), err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
			inserted, lost = 0, lost+inserted
		}
	}()
	var last int64
	if w.fts {
		if err = tx.QueryRow(lastSeqSQL).Scan(&last); err != nil {
			return 0, len(batch), err
		}
	}
	stmt := tx.Stmt(w.insert)
	for i, it := range batch {
		a, encErr := insertArgs(it.m, decoded[i])
		if encErr != nil {
			w.fail(1, encErr)
			continue
		}
		if _, err = stmt.Exec(a...); err != nil {
			return inserted, len(batch) - i, err
		}
		inserted++
	}
	if inserted == 0 {
		_ = tx.Rollback() // nothing in it: every message failed alone, and said so
		return 0, 0, nil
	}
	if w.fts {
		if _, err = tx.Exec(ftsIndexSQL, last); err != nil {
			return inserted, 0, err
		}
	}
	return inserted, 0, tx.Commit()
}
