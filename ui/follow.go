package ui

import (
	"fmt"
	"time"
)

// followState remembers when the list stopped showing the newest rows, by
// scrolling up or pausing, and which row was the newest then, so that the
// status bar can say how long ago that was and how much arrived since.
type followState struct {
	since time.Time // zero while the list follows the newest row
	seq   uint64    // the newest row of the view when it stopped
}

// noteFollow records a change of whether the list follows: call it after
// anything that may change m.list.follow or m.paused.
func (m *Model) noteFollow() {
	following := m.list.follow && !m.paused
	switch {
	case following:
		m.follow = followState{}
	case m.follow.since.IsZero():
		m.follow = followState{since: m.env.now(), seq: m.newestSeq()}
	}
}

// newestSeq is the seq of the view's newest row, 0 when it is empty.
func (m *Model) newestSeq() uint64 {
	n := m.view.Len()
	if n == 0 {
		return 0
	}
	if rows := m.view.Range(n-1, 1); len(rows) == 1 {
		return rows[0].Seq
	}
	return 0
}

// newSinceStop counts the rows of the view newer than the newest row when
// following stopped. When that row has been evicted, every retained row
// is newer.
func (m *Model) newSinceStop() int {
	n := m.view.Len()
	if m.follow.seq == 0 {
		return n
	}
	i := m.view.Index(m.follow.seq)
	if i < 0 {
		return n
	}
	return n - 1 - i
}

// stoppedNote is the status bar's note while the list does not follow:
// since when, how many rows arrived since, and the key that follows again.
func (m *Model) stoppedNote() string {
	if m.follow.since.IsZero() || m.env.offline != "" {
		return ""
	}
	at := m.follow.since.In(m.env.loc).Format("15:04:05")
	n := m.newSinceStop()
	rows := fmt.Sprintf("%d new row%s", n, plural(n, "", "s"))
	if m.paused {
		return "⏸ paused at " + at + " · " + rows + " · space resumes"
	}
	return "↑ not following since " + at + " · " + rows + " · G follows"
}
