package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTemplatesAreSavedPerServiceAndQueueOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	saved := saveTemplateCmd("neon_api_connector", "neon_api_input", "a", `{"service": "a"}`)().(templatesChangedMsg)
	if saved.err != nil {
		t.Fatal(saved.err)
	}
	want := filepath.Join(dir, "mqscope", "templates", "neon_api_connector", "neon_api_input.json")
	if saved.path != want {
		t.Fatalf("saved to %s, want %s", saved.path, want)
	}
	info, err := os.Stat(want)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("template file mode %o, want 600", perm)
	}
	saveTemplateCmd("neon_api_connector", "neon_api_input", "b", `{"service": "b"}`)()
	again := saveTemplateCmd("neon_api_connector", "neon_api_input", "a", `{"service": "a2"}`)().(templatesChangedMsg)
	if !again.replaced {
		t.Fatal("saving under an existing name does not say it replaced it")
	}
	loaded := loadTemplatesCmd("neon_api_connector", "neon_api_input")().(templatesLoadedMsg)
	if got := fmt.Sprint(loaded.templates); loaded.err != nil || got != `[{a {"service": "a2"}} {b {"service": "b"}}]` {
		t.Fatalf("loaded %s, %v: want newest first, one per name", got, loaded.err)
	}
	deleted := deleteTemplateCmd("neon_api_connector", "neon_api_input", "a")().(templatesChangedMsg)
	if got := fmt.Sprint(deleted.templates); deleted.err != nil || got != `[{b {"service": "b"}}]` {
		t.Fatalf("after deleting a: %s, %v", got, deleted.err)
	}
	if gone := deleteTemplateCmd("neon_api_connector", "neon_api_input", "a")().(templatesChangedMsg); gone.err == nil {
		t.Fatal("deleting a template that is not there says nothing")
	}
}

func TestTemplatesSavedWithoutNamesStillLoad(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	path, _ := templatePath("svc", "q")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"templates": ["{\"a\": 1}", {"name": "named", "body": "{}"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	loaded := loadTemplatesCmd("svc", "q")().(templatesLoadedMsg)
	if got := fmt.Sprint(loaded.templates); loaded.err != nil || got != `[{template 1 {"a": 1}} {named {}}]` {
		t.Fatalf("loaded %s, %v", got, loaded.err)
	}
	if err := os.WriteFile(path, []byte(`{"templates": [{"body": "{}"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if bad := loadTemplatesCmd("svc", "q")().(templatesLoadedMsg); bad.err == nil || !strings.Contains(bad.err.Error(), path) {
		t.Fatalf("a template without a name: %v", bad.err)
	}
}

func TestTemplateNamesCannotLeaveTheirDirectory(t *testing.T) {
	for in, want := range map[string]string{"../../etc/passwd": ".._.._etc_passwd", "..": "_..", "": "_", "a/b": "a_b", "q.1-x_y": "q.1-x_y"} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCtrlTNamesAndSavesCtrlOLoadsCtrlXDeletes(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	m, _ := testModel(t, 160, 45, "dark", 0)
	press(m, "c")
	m.compose.body.SetValue(`{"service": "saved"}`)
	m.compose.revalidate()
	press(m, "ctrl+t")
	if !strings.Contains(viewText(m), "save template as:") {
		t.Fatalf("ctrl+t does not ask for a name:\n%s", viewText(m))
	}
	press(m, "enter")
	if m.compose.naming == nil || !strings.Contains(m.status.text, "type a name") {
		t.Fatalf("an empty name was accepted (status %q)", m.status.text)
	}
	typeText(m, "user lookup")
	m.Update(collect(t, press(m, "enter"), isType(templatesChangedMsg{})))
	if m.compose.naming != nil || !strings.Contains(m.status.text, `template "user lookup" saved`) {
		t.Fatalf("status %q", m.status.text)
	}
	m.compose.body.SetValue("{}")
	m.Update(collect(t, press(m, "ctrl+o"), isType(templatesLoadedMsg{})))
	if m.compose.body.Value() != `{"service": "saved"}` || m.compose.value == nil || !strings.Contains(viewText(m), `body from template "user lookup"`) {
		t.Fatalf("ctrl+o loaded %q:\n%s", m.compose.body.Value(), viewText(m))
	}
	// Saving again with the template loaded: enter alone keeps its name
	// (replacing it), typing gives another, not appended to the old one.
	m.Update(collect(t, press(m, "ctrl+t", "enter"), isType(templatesChangedMsg{})))
	if !strings.Contains(m.status.text, `template "user lookup" replaced`) {
		t.Fatalf("enter alone: %q", m.status.text)
	}
	press(m, "ctrl+t")
	typeText(m, "oslo")
	m.Update(collect(t, press(m, "enter"), isType(templatesChangedMsg{})))
	if !strings.Contains(m.status.text, `template "oslo" saved`) {
		t.Fatalf("a typed name: %q", m.status.text)
	}
	for _, name := range []string{"oslo", "user lookup"} {
		m.compose.loaded = name
		m.Update(collect(t, press(m, "ctrl+x"), isType(templatesChangedMsg{})))
		if !strings.Contains(m.status.text, `deleted template "`+name+`"`) || m.compose.body.Value() != `{"service": "saved"}` {
			t.Fatalf("ctrl+x: status %q, body %q", m.status.text, m.compose.body.Value())
		}
	}
	m.Update(collect(t, press(m, "ctrl+o"), isType(templatesLoadedMsg{})))
	if !strings.Contains(m.status.text, "no templates saved") {
		t.Fatalf("the deleted templates still load: %q", m.status.text)
	}
	m.compose.loaded = ""
	press(m, "ctrl+x")
	if !strings.Contains(m.status.text, "no template loaded") {
		t.Fatalf("ctrl+x with nothing loaded: %q", m.status.text)
	}
	press(m, "ctrl+t", "esc")
	if m.compose.naming != nil || m.mode != modeCompose {
		t.Fatal("esc while naming must cancel the name, not close compose")
	}
}
