package observe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector"
)

// Requester is the library's Requester with mqscope's bookkeeping. A reply
// queue cannot expire by itself (see connector.Requester: Neon services
// declare it without arguments before they reply), so while the Requester
// lives its queue is recorded in the state directory; a process killed
// before Close leaves the record, and the next mqscope that opens a
// Requester on that vhost deletes the queue it names.
type Requester struct {
	*connector.Requester
	record replyRecord
}

// Close closes the Requester, which deletes its reply queue, and forgets
// the record.
func (r *Requester) Close() {
	r.Requester.Close()
	r.record.remove()
}

// OpenRequester deletes the reply queues that killed mqscope processes left
// in vhost, then starts a Requester (see connector.Client.NewRequester).
func (b *Broker) OpenRequester(ctx context.Context, vhost string, opts connector.RequesterOptions) (*Requester, error) {
	b.sweepReplyQueues(ctx, vhost)
	req, err := b.Client.NewRequester(ctx, vhost, opts)
	if err != nil {
		return nil, err
	}
	rec := replyRecordOf(b.StateDir, b.Mgmt.URL(), vhost, req.ReplyQueue())
	_ = rec.write() // without a state directory, a kill -9 leaves the queue: that is the cost
	return &Requester{Requester: req, record: rec}, nil
}

// replyRecord is the file that names a live Requester's reply queue.
type replyRecord struct {
	path string // "" without a state directory
	body replyRecordBody
}

type replyRecordBody struct {
	Management string `json:"management"`
	VHost      string `json:"vhost"`
	Queue      string `json:"queue"`
	Host       string `json:"host"`
	PID        int    `json:"pid"`
}

// replyRecordPrefix starts the names of reply queue records; the rest is a
// hash of the broker and vhost, so that a sweep reads only its own.
const replyRecordPrefix = "reply-"

func replyRecordOf(dir, mgmtURL, vhost, queue string) replyRecord {
	host, _ := os.Hostname()
	body := replyRecordBody{Management: mgmtURL, VHost: vhost, Queue: queue, Host: host, PID: os.Getpid()}
	if dir == "" {
		return replyRecord{body: body}
	}
	return replyRecord{path: filepath.Join(dir, replyRecordGlobPrefix(mgmtURL, vhost)+queue+".json"), body: body}
}

// replyRecordGlobPrefix is what the names of the records of one broker and
// vhost start with.
func replyRecordGlobPrefix(mgmtURL, vhost string) string {
	sum := sha256.Sum256([]byte(mgmtURL + "\x00" + vhost))
	return replyRecordPrefix + hex.EncodeToString(sum[:8]) + "-"
}

func (r replyRecord) write() error {
	if r.path == "" {
		return nil
	}
	return writeStateFile(r.path, r.body)
}

func (r replyRecord) remove() {
	if r.path != "" {
		_ = os.Remove(r.path)
	}
}

// sweepTimeout bounds the sweep, which must not hold up the start.
const sweepTimeout = 5 * time.Second

// sweepReplyQueues deletes the reply queues whose records were left in the
// state directory by mqscope processes of this host that are gone. A queue
// that still has a consumer is left alone (deleted with if-unused): its
// Requester lives after all. Failures are not reported: the next sweep
// tries again.
func (b *Broker) sweepReplyQueues(ctx context.Context, vhost string) {
	leftovers := b.leftoverReplyRecords(vhost)
	if len(leftovers) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, sweepTimeout)
	defer cancel()
	conn, err := b.Client.Dial(ctx, vhost)
	if err != nil {
		return
	}
	defer conn.Close()
	for _, rec := range leftovers {
		if deleteUnused(conn, rec.body.Queue) {
			rec.remove()
		}
	}
}

// leftoverReplyRecords reads the records of vhost whose process is gone.
func (b *Broker) leftoverReplyRecords(vhost string) []replyRecord {
	if b.StateDir == "" {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(b.StateDir, replyRecordGlobPrefix(b.Mgmt.URL(), vhost)+"*.json"))
	host, _ := os.Hostname()
	var out []replyRecord
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		rec := replyRecord{path: p}
		if json.Unmarshal(data, &rec.body) != nil || rec.body.VHost != vhost || rec.body.Queue == "" || strings.ContainsAny(rec.body.Queue, "/\x00") {
			continue
		}
		// A process of another host (a shared home directory) may live.
		if rec.body.Host == host && !processAlive(rec.body.PID) {
			out = append(out, rec)
		}
	}
	return out
}

// deleteUnused deletes queue unless it has a consumer, and reports whether
// it is gone.
func deleteUnused(conn *amqp.Connection, queue string) bool {
	ch, err := conn.Channel()
	if err != nil {
		return false
	}
	defer ch.Close()
	_, err = ch.QueueDelete(queue, true, false, false)
	var aerr *amqp.Error
	return err == nil || errors.As(err, &aerr) && aerr.Code == amqp.NotFound
}

// processAlive reports whether a process with pid runs on this host (or
// may: a pid that another user's process took counts as alive).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EPERM)
}
