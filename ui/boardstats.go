package ui

import (
	"slices"
	"strings"
	"time"

	"mqscope/verdict"
)

// queueStats is what this session observed of the requests to one queue,
// from their verdicts: the board's requests, replied %, error replies,
// no-reply count, latency percentiles and rate sparkline.
type queueStats struct {
	requests, replied, errors, noReply int
	latencies                          []time.Duration // of the newest maxLatencies replies
	next                               int             // where the next latency goes once full
	spark                              []int           // requests per sparkBucket, oldest first
	sparkStart                         int64           // the bucket of spark[0], in sparkBucket units since 1970
}

// Bounds of what a queue's stats keep.
const (
	maxLatencies = 1024
	sparkBucket  = 10 * time.Second
	maxSpark     = 360 // an hour of buckets
)

// add counts one verdict.
func (q *queueStats) add(v verdict.Verdict) {
	q.requests++
	switch v.Code {
	case verdict.Replied:
		q.replied++
	case verdict.ErrorReply:
		q.errors++
	case verdict.NoReply:
		q.noReply++
	}
	if v.Latency > 0 && (v.Code == verdict.Replied || v.Code == verdict.ErrorReply) {
		if len(q.latencies) < maxLatencies {
			q.latencies = append(q.latencies, v.Latency)
		} else {
			q.latencies[q.next] = v.Latency
			q.next = (q.next + 1) % maxLatencies
		}
	}
	q.count(v.At)
}

// count adds a request at t to the sparkline's buckets.
func (q *queueStats) count(t time.Time) {
	b := t.UnixNano() / int64(sparkBucket)
	if len(q.spark) == 0 {
		q.sparkStart = b
	}
	if b < q.sparkStart {
		return // older than the buckets kept
	}
	q.grow(b)
	q.spark[b-q.sparkStart]++
}

// grow extends the buckets up to b, dropping the oldest past maxSpark.
func (q *queueStats) grow(b int64) {
	if drop := b - q.sparkStart - maxSpark + 1; drop > 0 {
		q.spark = q.spark[min(int(drop), len(q.spark)):]
		q.sparkStart += drop
	}
	for int64(len(q.spark)) <= b-q.sparkStart {
		q.spark = append(q.spark, 0)
	}
}

// percentiles are p50, p95 and p99 of the latencies kept; ok is false
// when there are none.
func (q *queueStats) percentiles() (p50, p95, p99 time.Duration, ok bool) {
	if q == nil || len(q.latencies) == 0 {
		return 0, 0, 0, false
	}
	s := slices.Clone(q.latencies)
	slices.Sort(s)
	at := func(p int) time.Duration { return s[min((len(s)*p+99)/100, len(s))-1] }
	return at(50), at(95), at(99), true
}

// sparkline draws the last width buckets up to now, one cell each.
func (q *queueStats) sparkline(width int, now time.Time) string {
	if q == nil || width <= 0 {
		return strings.Repeat(" ", max(width, 0))
	}
	end := now.UnixNano() / int64(sparkBucket)
	counts := make([]int, width)
	peak := 0
	for i := range width {
		b := end - int64(width-1-i) - q.sparkStart
		if b >= 0 && b < int64(len(q.spark)) {
			counts[i] = q.spark[b]
			peak = max(peak, counts[i])
		}
	}
	levels := []rune(" ▁▂▃▄▅▆▇█")
	out := make([]rune, width)
	for i, n := range counts {
		out[i] = levels[0]
		if n > 0 { // the smallest count still shows, the peak is full height
			out[i] = levels[1+(n*(len(levels)-1)-1)/peak]
		}
	}
	return string(out)
}
