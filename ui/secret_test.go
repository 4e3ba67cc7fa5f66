package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mqscope/appconfig"
	"mqscope/observe"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mqscope/connector"
)

// uiSecret is a password no screen could show by chance.
const uiSecret = "ui-Secret-7Hq!never-on-screen"

// secretConfig parses a config whose every user has uiSecret as password.
func secretConfig(t *testing.T) *appconfig.Config {
	t.Helper()
	cfg, err := appconfig.Parse("mq_config.json", []byte(`{
		"server": "127.0.0.1",
		"users": {
			"neon_api_connector": {"user": "neon_api", "password": "`+uiSecret+`"},
			"mq_handler": {"user": "neon_api_utils", "password": "`+uiSecret+`"}
		},
		"mqscope": {"services": {"neon_api_connector": {"vhost": "/neon_api", "queues": ["neon_api_input"]}}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestPasswordNeverOnScreenOrInTemplates walks the UI with a config that
// holds a password: every picker step, every pane and tab, help, filter,
// compose with a saved template, the errors a session can show, in every
// theme. No frame and no file the UI writes may hold the password.
func TestPasswordNeverOnScreenOrInTemplates(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	cfg := secretConfig(t)
	var frames []string
	draw := func(m *Model) {
		for _, size := range [][2]int{{200, 50}, {80, 24}} {
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			frames = append(frames, m.render())
		}
	}

	m, _ := testModel(t, 200, 50, "dark", 2)
	m.openPicker(newPicker(cfg, pickChoice{}, func(string, string) tea.Cmd { return nil }, nil))
	m.env.start = func(pickChoice, []observe.WatchSpec, int) tea.Cmd { return nil }
	m.picker.start()
	for _, keys := range [][]string{{}, {"enter"}, {"enter"}, {"space", "enter"}, {"down", "down", "down", "enter"}, {"down", "enter"}} {
		press(m, keys...)
		draw(m)
	}
	if m.picker != nil {
		t.Fatalf("the picker did not finish (step %v): the walk shows less than it should", m.picker.step)
	}

	_, credErr := cfg.NewClient("no_such_service")
	m.Update(sessionMsg{err: credErr, gen: m.session})
	m.Update(eventsMsg{stateMsg{state: connector.State{Worker: "firehose /neon_api", Kind: connector.StateFailed, Err: credErr}, gen: m.session}})
	for _, theme := range []string{"dark", "light", "high-contrast", "colorblind", "mono"} {
		m.env.theme = theme
		press(m, "t")
		for _, keys := range [][]string{{}, {"tab"}, {"l"}, {"l"}, {"l"}, {"l"}, {"esc", "?"}, {"esc", "/"}, {"esc", "c"}} {
			press(m, keys...)
			draw(m)
		}
		press(m, "esc", "esc")
	}

	press(m, "c")
	press(m, "ctrl+t")
	typeText(m, "with secret")
	m.Update(collect(t, press(m, "enter"), isType(templatesChangedMsg{})))
	draw(m)
	for i, f := range frames {
		if strings.Contains(f, uiSecret) {
			t.Fatalf("frame %d shows the password:\n%s", i, ansi.Strip(f))
		}
	}
	checkFilesHold(t, dir, uiSecret)
}

// checkFilesHold fails when any file under dir holds secret, and when
// there is no file at all (then the scan proves nothing).
func checkFilesHold(t *testing.T, dir, secret string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), secret) {
			return fmt.Errorf("%s holds the password", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("the UI wrote no template: the scan proves nothing")
	}
}
