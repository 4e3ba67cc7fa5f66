package observe

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// DefaultStateDir is where mqscope keeps what one run must leave for the
// next: $XDG_STATE_HOME/mqscope, by default ~/.local/state/mqscope. ""
// when neither variable is set.
func DefaultStateDir() string {
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "mqscope")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "state", "mqscope")
}

// tracingRecord is the file that says mqscope switched a vhost's tracer on
// and nobody has switched it off since: an operator's setting has none, so
// the tracer is left as the operator wants it, while one that a killed
// mqscope left on is recognised and switched off by the next one. One file
// per management API and vhost: creating and removing a file is atomic,
// where editing a shared one would need a lock between processes.
type tracingRecord struct {
	path string // "" when there is no state directory: nothing is remembered
}

// tracingRecordOf is the record of vhost at the management API mgmtURL in
// dir.
func tracingRecordOf(dir, mgmtURL, vhost string) tracingRecord {
	if dir == "" {
		return tracingRecord{}
	}
	sum := sha256.Sum256([]byte(mgmtURL + "\x00" + vhost))
	return tracingRecord{path: filepath.Join(dir, "tracing-"+hex.EncodeToString(sum[:8])+".json")}
}

// tracingRecordBody is what a record file holds, for a person who finds it.
type tracingRecordBody struct {
	Management string    `json:"management"`
	VHost      string    `json:"vhost"`
	SwitchedOn time.Time `json:"switched_on"`
	PID        int       `json:"pid"`
}

// exists reports whether mqscope switched the tracer on and it is on still,
// as far as mqscope knows.
func (r tracingRecord) exists() bool {
	if r.path == "" {
		return false
	}
	_, err := os.Stat(r.path)
	return err == nil
}

// write records that mqscope switched the tracer on.
func (r tracingRecord) write(mgmtURL, vhost string) error {
	if r.path == "" {
		return nil
	}
	return writeStateFile(r.path, tracingRecordBody{Management: mgmtURL, VHost: vhost, SwitchedOn: time.Now().UTC(), PID: os.Getpid()})
}

// writeStateFile writes body as JSON to path in the state directory,
// owner-only: whole, then renamed, so that a reader (another mqscope) never
// sees half a record.
func writeStateFile(path string, body any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	tmp := path + "." + strconv.Itoa(os.Getpid()) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// remove forgets the record: the tracer is off, or someone else's.
func (r tracingRecord) remove() {
	if r.path == "" {
		return
	}
	// Already gone is fine: another mqscope switched the tracer off.
	_ = os.Remove(r.path)
}
