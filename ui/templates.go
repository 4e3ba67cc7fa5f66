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

// template is a request body saved under a name for one service and queue.
type template struct {
	Name string `json:"name"`
	Body string `json:"body"`
}

// templatesLoadedMsg carries the saved templates of one service and queue.
type templatesLoadedMsg struct {
	service, queue string
	templates      []template
	err            error
}

// templatesChangedMsg reports a save (saved set) or a delete (deleted
// set) and the templates as they now are.
type templatesChangedMsg struct {
	path           string
	saved, deleted string
	replaced       bool // the save replaced a template of the same name
	templates      []template
	err            error
}

// maxTemplates per queue: the newest are kept.
const maxTemplates = 20

// templateFile is the JSON kept per service and queue. Each entry is a
// template; a bare string is a body saved by a version of mqscope that
// had no names, read as "template N".
type templateFile struct {
	Templates []json.RawMessage `json:"templates"`
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

func readTemplates(path string) ([]template, error) {
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
	out := make([]template, 0, len(f.Templates))
	for i, raw := range f.Templates {
		var t template
		if err := json.Unmarshal(raw, &t.Body); err == nil {
			t.Name = fmt.Sprintf("template %d", i+1)
		} else if err := json.Unmarshal(raw, &t); err != nil || t.Name == "" {
			return nil, fmt.Errorf("%s: template %d is not {\"name\": …, \"body\": …} (fix or delete the file)", path, i+1)
		}
		out = append(out, t)
	}
	return out, nil
}

// loadTemplatesCmd reads the templates of service/queue.
func loadTemplatesCmd(service, queue string) tea.Cmd {
	return func() tea.Msg {
		path, err := templatePath(service, queue)
		if err != nil {
			return templatesLoadedMsg{service: service, queue: queue, err: err}
		}
		ts, err := readTemplates(path)
		return templatesLoadedMsg{service: service, queue: queue, templates: ts, err: err}
	}
}

// saveTemplateCmd saves body under name at the front of the templates of
// service/queue, replacing a template of the same name, and keeps the
// newest maxTemplates.
func saveTemplateCmd(service, queue, name, body string) tea.Cmd {
	return func() tea.Msg {
		msg := templatesChangedMsg{saved: name}
		msg.path, msg.templates, msg.err = changeTemplates(service, queue, func(ts []template) []template {
			n := len(ts)
			ts = slices.DeleteFunc(ts, func(t template) bool { return t.Name == name })
			msg.replaced = len(ts) < n
			ts = append([]template{{Name: name, Body: body}}, ts...)
			return ts[:min(len(ts), maxTemplates)]
		})
		return msg
	}
}

// deleteTemplateCmd deletes the template called name of service/queue.
func deleteTemplateCmd(service, queue, name string) tea.Cmd {
	return func() tea.Msg {
		msg := templatesChangedMsg{deleted: name}
		found := false
		msg.path, msg.templates, msg.err = changeTemplates(service, queue, func(ts []template) []template {
			n := len(ts)
			ts = slices.DeleteFunc(ts, func(t template) bool { return t.Name == name })
			found = len(ts) < n
			return ts
		})
		if msg.err == nil && !found {
			msg.err = fmt.Errorf("no template %q in %s (deleted elsewhere?)", name, msg.path)
		}
		return msg
	}
}

// changeTemplates reads the templates of service/queue, lets change edit
// them and writes them back.
func changeTemplates(service, queue string, change func([]template) []template) (string, []template, error) {
	path, err := templatePath(service, queue)
	if err != nil {
		return "", nil, err
	}
	ts, err := readTemplates(path)
	if err != nil {
		return path, nil, err
	}
	ts = change(ts)
	return path, ts, writeTemplates(path, ts)
}

// writeTemplates replaces the file atomically with mode 0600, because
// request bodies can hold tokens.
func writeTemplates(path string, ts []template) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(struct {
		Templates []template `json:"templates"`
	}{ts}, "", "  ")
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
