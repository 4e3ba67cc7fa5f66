package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// templatesLoadedMsg carries the saved bodies for one service and queue.
type templatesLoadedMsg struct {
	service, queue string
	bodies         []string
	err            error
}

// templateSavedMsg reports a save.
type templateSavedMsg struct {
	path   string
	bodies []string
	err    error
}

// maxTemplates per queue: the newest are kept.
const maxTemplates = 20

// templateFile is the JSON kept per service and queue.
type templateFile struct {
	Templates []string `json:"templates"`
}

// templatePath is $XDG_CONFIG_HOME/mqscope/templates/<service>/<queue>.json
// (os.UserConfigDir honours XDG_CONFIG_HOME). Names are made safe as path
// elements, since queue names may hold any character.
func templatePath(service, queue string) (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory for templates: %v (set XDG_CONFIG_HOME)", err)
	}
	return filepath.Join(dir, "mqscope", "templates", safeName(service), safeName(queue)+".json"), nil
}

// safeName keeps letters, digits, '.', '-' and '_' and turns anything else
// into '_', so a name can never climb out of its directory.
func safeName(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
	if out == "" || strings.Trim(out, ".") == "" {
		return "_" + out
	}
	return out
}

func readTemplates(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var f templateFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %v (fix or delete the file)", path, err)
	}
	return f.Templates, nil
}

// loadTemplatesCmd reads the templates of service/queue.
func loadTemplatesCmd(service, queue string) tea.Cmd {
	return func() tea.Msg {
		path, err := templatePath(service, queue)
		if err != nil {
			return templatesLoadedMsg{service: service, queue: queue, err: err}
		}
		bodies, err := readTemplates(path)
		return templatesLoadedMsg{service: service, queue: queue, bodies: bodies, err: err}
	}
}

// saveTemplateCmd adds body to the front of the templates of service/queue
// (dropping an identical older copy) and writes the file owner-only,
// because request bodies can hold tokens.
func saveTemplateCmd(service, queue, body string) tea.Cmd {
	return func() tea.Msg {
		path, err := templatePath(service, queue)
		if err != nil {
			return templateSavedMsg{err: err}
		}
		bodies, err := readTemplates(path)
		if err != nil {
			return templateSavedMsg{path: path, err: err}
		}
		bodies = slices.DeleteFunc(bodies, func(b string) bool { return b == body })
		bodies = append([]string{body}, bodies...)
		bodies = bodies[:min(len(bodies), maxTemplates)]
		return templateSavedMsg{path: path, bodies: bodies, err: writeTemplates(path, bodies)}
	}
}

// writeTemplates replaces the file atomically with mode 0600.
func writeTemplates(path string, bodies []string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(templateFile{Templates: bodies}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
