package store

import (
	"mqscope/capture"
	"mqscope/connector/neonwire"
)

// Recorder receives every message appended through Sink together with its
// decoded body; *record.Writer is one.
type Recorder interface {
	Append(m capture.Message, d *neonwire.Decoded)
}

// Sink returns the function connector watches and sessions deliver to. It
// decodes each body once (as Decode does), on the caller's (consumer's)
// goroutine and outside the store's lock, appends it, and hands the same
// decode to rec, which may be nil. Neither the store nor the recorder
// blocks the consumer.
func (s *Store) Sink(rec Recorder) func(capture.Message) {
	return func(m capture.Message) {
		d, size := s.decodeOr(m.Body, m.Decoded)
		m.Decoded = nil
		s.appendSized(m, d, size, true)
		if rec != nil {
			rec.Append(m, &d)
		}
	}
}

// OptionalRecorder returns r as a Recorder, or nil when r is a nil pointer,
// so that "no recording" does not become a non-nil interface holding a nil
// writer.
func OptionalRecorder[T interface {
	comparable
	Recorder
}](r T) Recorder {
	var none T
	if r == none {
		return nil
	}
	return r
}
