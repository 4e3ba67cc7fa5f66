package connector

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mqscope/internal/jsonconf"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// LoadConfig finds the config file (see FindConfig), reads it and parses
// it. It sets PermWarning when others can read the file.
func LoadConfig(explicit string) (*Config, error) {
	path, err := FindConfig(explicit)
	if err != nil {
		return nil, err
	}
	data, warning, err := ReadConfigFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(path, data)
	if err != nil {
		return nil, err
	}
	c.PermWarning = warning
	return c, nil
}

// ReadConfigFile reads a config file the way LoadConfig does (a named pipe
// such as --config <(pass show mq) included, at most 16 MiB), for a program
// that reads keys of its own from the same file. warning is set when others
// can read the file, which holds passwords.
func ReadConfigFile(path string) (data []byte, warning string, err error) {
	data, info, err := readConfigFile(path)
	if err != nil {
		return nil, "", err
	}
	return data, permWarning(path, info), nil
}

// FindConfig returns the config file to use. A non-empty explicit path (the
// --config flag) must exist and beats everything; otherwise the first
// existing file of Neon's search order wins: $NEON_MQ_CONFIG_PATH,
// $XDG_CONFIG_HOME/neon/mq_config.json (XDG default ~/.config), then the
// legacy ~/.local/share/neon/credentials.json. "~" is expanded in all of
// them. When none exists the error is a *NoConfigError.
func FindConfig(explicit string) (string, error) {
	if explicit != "" {
		path := ExpandHome(explicit)
		if _, err := os.Stat(path); err != nil && !errors.Is(err, fs.ErrPermission) {
			return "", jsonconf.FileError(path, err)
		}
		return path, nil
	}
	candidates := searchPaths()
	for _, path := range candidates {
		if configExists(path) {
			return path, nil
		}
	}
	return "", &NoConfigError{Tried: candidates, Create: candidates[len(candidates)-2]}
}

// searchPaths lists Neon's config locations in order (docs/wire.md §1).
// The last two are always there; the XDG one is where a new file belongs.
func searchPaths() []string {
	var paths []string
	if env := os.Getenv("NEON_MQ_CONFIG_PATH"); env != "" {
		paths = append(paths, ExpandHome(env))
	}
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		xdg = "~/.config"
	}
	return append(paths,
		filepath.Join(ExpandHome(xdg), "neon", "mq_config.json"),
		ExpandHome("~/.local/share/neon/credentials.json"))
}

// configExists reports whether something is at path. A file that exists but
// cannot be examined still counts, so that the reader reports "permission
// denied" instead of silently using a file further down the list.
func configExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil || errors.Is(err, fs.ErrPermission)
}

// ExpandHome replaces a leading "~" or "~/" with the home directory. Paths
// come from environment variables and JSON, where no shell expanded them.
// Without a home directory the path is left as it is, so errors show it.
func ExpandHome(path string) string {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return path
	}
	return filepath.Join(home, path[1:])
}

// pipeWait bounds how long a config given as a named pipe may take to
// arrive, such as --config <(pass show mq) while the password store asks
// for its passphrase. A variable so that tests need not wait it out.
var pipeWait = 10 * time.Second

// readConfigFile reads at most one byte more than ParseConfig accepts, so
// a wrong path to a huge file (or a device) costs little.
func readConfigFile(path string) ([]byte, fs.FileInfo, error) {
	f, isPipe, err := openConfigFile(path)
	if err != nil {
		return nil, nil, jsonconf.FileError(path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, jsonconf.FileError(path, err)
	}
	if info.IsDir() {
		return nil, nil, &jsonconf.Error{Path: path, Msg: "is a directory, expected a JSON file"}
	}
	var data []byte
	if isPipe {
		data, err = readPipe(f, time.Now().Add(pipeWait))
	} else {
		data, err = io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	}
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded), err == nil && isPipe && len(data) == 0:
		return nil, nil, &jsonconf.Error{Path: path, Msg: fmt.Sprintf("is a named pipe and no complete config came through it within %s; expected a JSON file", pipeWait)}
	case err != nil:
		return nil, nil, jsonconf.FileError(path, err)
	}
	return data, info, nil
}

// openConfigFile opens path for reading. A named pipe is opened without
// blocking: a plain open of a pipe that no process writes to waits
// forever, deaf even to Ctrl-C, which main catches to shut down cleanly.
func openConfigFile(path string) (f *os.File, isPipe bool, err error) {
	st, err := os.Stat(path)
	if err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		f, err = os.Open(path)
		return f, false, err
	}
	f, err = os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	return f, true, err
}

// readPipe reads a named pipe opened without blocking until its writer
// closes it, or until deadline. Until a writer has opened the pipe, reads
// see end of input at once, so an empty read is retried: a writer that
// was waiting for us to open the pipe may not have been scheduled yet.
func readPipe(f *os.File, deadline time.Time) ([]byte, error) {
	// Where the pipe can be polled, the deadline also ends a read that
	// waits on a writer who never writes; elsewhere that read waits.
	_ = f.SetReadDeadline(deadline)
	for {
		data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
		if err != nil || len(data) > 0 || !time.Now().Before(deadline) {
			return data, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// permWarning returns a warning when a regular file's mode lets its group
// or others read it, since it holds passwords. Windows has no such bits.
func permWarning(path string, info fs.FileInfo) string {
	mode := info.Mode()
	if runtime.GOOS == "windows" || !mode.IsRegular() || mode.Perm()&0o044 == 0 {
		return ""
	}
	return fmt.Sprintf("%s can be read by other users (mode %04o) and holds MQ passwords; run: chmod 600 %s",
		path, mode.Perm(), path)
}
