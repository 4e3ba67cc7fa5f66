package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTemplatesAreSavedPerServiceAndQueueOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	saved := saveTemplateCmd("neon_api_connector", "neon_api_input", `{"service": "a"}`)().(templateSavedMsg)
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
	saveTemplateCmd("neon_api_connector", "neon_api_input", `{"service": "b"}`)()
	saveTemplateCmd("neon_api_connector", "neon_api_input", `{"service": "a"}`)()
	loaded := loadTemplatesCmd("neon_api_connector", "neon_api_input")().(templatesLoadedMsg)
	if loaded.err != nil || strings.Join(loaded.bodies, "|") != `{"service": "a"}|{"service": "b"}` {
		t.Fatalf("loaded %q, %v: want newest first without duplicates", loaded.bodies, loaded.err)
	}
}

func TestTemplateNamesCannotLeaveTheirDirectory(t *testing.T) {
	for in, want := range map[string]string{"../../etc/passwd": ".._.._etc_passwd", "..": "_..", "": "_", "a/b": "a_b", "q.1-x_y": "q.1-x_y"} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCtrlTSavesAndCtrlOLoadsTemplateInCompose(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	m, _ := testModel(t, 160, 45, "dark", 0)
	press(m, "c")
	m.compose.body.SetValue(`{"service": "saved"}`)
	m.compose.revalidate()
	m.Update(collect(t, press(m, "ctrl+t"), isType(templateSavedMsg{})))
	if !strings.Contains(m.status.text, "template saved") {
		t.Fatalf("status %q", m.status.text)
	}
	m.compose.body.SetValue("{}")
	m.Update(collect(t, press(m, "ctrl+o"), isType(templatesLoadedMsg{})))
	if m.compose.body.Value() != `{"service": "saved"}` || m.compose.value == nil {
		t.Fatalf("ctrl+o loaded %q", m.compose.body.Value())
	}
}
