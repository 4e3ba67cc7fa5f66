package appconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"mqscope/connector"
	"mqscope/internal/jsonconf"
)

const (
	goodConfigDir = "../testdata/config/good/"
	badConfigDir  = "../testdata/config/bad/"
)

// parseConfigFile parses a fixture, failing the test if it cannot be read.
func parseConfigFile(t *testing.T, path string) (*Config, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Parse(path, data)
}

// writeConfig writes a config file with the given mode, creating parents.
func writeConfig(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is filtered by the umask
		t.Fatal(err)
	}
}

// defaultConfig returns what a file that says nothing yields, for path.
func defaultConfig(path string) *Config {
	return &Config{
		Config:        &connector.Config{Path: path, Server: "localhost", Port: 5672, Users: map[string]connector.Credentials{}},
		Services:      map[string]ServiceSpec{},
		ManagementURL: "http://localhost:15672", Servers: []string{"localhost:5672"}, ReplyWindow: 30 * time.Second,
	}
}

func TestParseConfigGoodFiles(t *testing.T) {
	t.Setenv("HOME", "/home/tester") // for "~" in mqscope.tls.key_file
	tests := map[string]func(c *Config){
		"minimal.json": func(c *Config) {},
		"top_level.json": func(c *Config) {
			c.Server, c.ManagementURL, c.Servers = "mq.example.org", "http://mq.example.org:15672", []string{"mq.example.org:5672"}
			c.Users = map[string]connector.Credentials{
				"neon_api_connector": {User: "neon_api", Password: "api-pw"},
				"mq_handler":         {User: "neon_api_utils", Password: "handler-pw"},
				"neon_llm_chatgpt": {User: "neon_llm_chatgpt", Password: "llm-pw", Properties: map[string]any{
					"vhost_prefix": "llm", "sync_period": 10.0, "testing": map[string]any{"prefix": "test"}}},
			}
			c.UserOrder = []string{"neon_api_connector", "mq_handler", "neon_llm_chatgpt"}
		},
		"nested_mq.json": func(c *Config) {
			c.Server, c.Port, c.ManagementURL, c.Servers = "10.0.0.5", 5673, "http://10.0.0.5:15672", []string{"10.0.0.5:5673"}
			c.Users = map[string]connector.Credentials{"mq_handler": {User: "neon_api_utils", Password: "handler-pw"}}
			c.UserOrder = []string{"mq_handler"}
		},
		"username.json": func(c *Config) {
			c.Users = map[string]connector.Credentials{
				"seed_style": {User: "seed_user", Password: "seed-pw"},
				"both":       {User: "wins", Password: "both-pw"},
				"defaults":   {User: "guest", Password: "guest"},
			}
			c.UserOrder = []string{"seed_style", "both", "defaults"}
		},
		"bom.json": func(c *Config) {
			c.Server, c.ManagementURL, c.Servers = "bom.example.org", "http://bom.example.org:15672", []string{"bom.example.org:5672"}
		},
		"ipv6_defaults.json": func(c *Config) {
			c.Server, c.ManagementURL, c.Servers = "::1", "http://[::1]:15672", []string{"[::1]:5672"}
			c.TLS = &connector.TLSConfig{Insecure: true}
		},
		"mqscope_extras.json": func(c *Config) {
			c.Server, c.Port = "mq1.example.org", 5671
			c.Users = map[string]connector.Credentials{
				"neon_api_connector": {User: "neon_api", Password: "api-pw"},
				"mq_handler":         {User: "neon_api_utils", Password: "handler-pw"},
			}
			c.UserOrder = []string{"neon_api_connector", "mq_handler"}
			c.Services = map[string]ServiceSpec{
				"neon_llm_chatgpt": {VHost: "/llm", Queues: []string{"chat_gpt_input", "chat_gpt_score_input"},
					Exchanges: []string{"chat_gpt_persona_updated"}},
				"neon_api_connector": {VHost: "/neon_api", Queues: []string{"neon_api_input"}},
				"neon_metrics":       {},
			}
			c.ServiceOrder = []string{"neon_llm_chatgpt", "neon_api_connector", "neon_metrics"}
			c.ManagementURL, c.Theme = "https://mq1.example.org:15671", "dark"
			c.Servers = []string{"mq1.example.org:5671", "mq2.example.org:5671", "[::1]:5671"}
			c.TLS = &connector.TLSConfig{CAFile: goodConfigDir + "certs/ca.pem", CertFile: "/etc/mqscope/client.pem",
				KeyFile: "/home/tester/keys/client.key", ServerName: "rabbit.internal"}
			c.StoreMaxBytes, c.StoreMaxMessages = 268435456, 50000
		},
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseConfigFile(t, goodConfigDir+name)
			if err != nil {
				t.Fatal(err)
			}
			want := defaultConfig(goodConfigDir + name)
			edit(want)
			got.nested = false // where the section sits is checked by TestTLSErrorsNameTheSection
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if pw := got.Users["mq_handler"].Password; pw != "" && pw.Reveal() != "handler-pw" {
				t.Errorf("Reveal() = %q", pw.Reveal())
			}
		})
	}
}

func TestParseConfigBadFilesMatchGoldenErrors(t *testing.T) {
	files, err := filepath.Glob(badConfigDir + "*.json")
	if err != nil || len(files) < 25 {
		t.Fatalf("want at least 25 bad configs in %s, found %d (%v)", badConfigDir, len(files), err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			golden, err := os.ReadFile(strings.TrimSuffix(path, ".json") + ".err")
			if err != nil {
				t.Fatal(err)
			}
			_, err = parseConfigFile(t, path)
			if err == nil {
				t.Fatal("parsed without error")
			}
			if want := strings.TrimSuffix(string(golden), "\n"); err.Error() != want {
				t.Errorf("error\n got  %s\n want %s", err, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestEveryGoldenErrorHasABadConfig(t *testing.T) {
	goldens, _ := filepath.Glob(badConfigDir + "*.err")
	for _, g := range goldens {
		if _, err := os.Stat(strings.TrimSuffix(g, ".err") + ".json"); err != nil {
			t.Errorf("%s has no config next to it: %v", g, err)
		}
	}
}

func TestParseConfigSizeLimit(t *testing.T) {
	// A valid document of exactly the limit is read; one byte more is not.
	// Padding with spaces keeps the test fast, as there is no value to decode.
	exact := []byte(`{"port": 5672}` + strings.Repeat(" ", 16<<20-len(`{"port": 5672}`)))
	if _, err := Parse("big.json", exact); err != nil {
		t.Fatalf("%d bytes: %v", len(exact), err)
	}
	_, err := Parse("big.json", append(exact, ' '))
	want := "config big.json: file is larger than 16 MiB; an MQ config is a few KiB, so check that this is the right file"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestParseConfigDuplicateKeyKeepsFirstPlaceAndLastValue(t *testing.T) {
	// Python's json.loads builds a dict the same way.
	c, err := Parse("dup.json", []byte(`{"users": {"a": {"user": "1"}, "b": {}, "a": {"user": "2"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Users["a"].User; got != "2" || !reflect.DeepEqual(c.UserOrder, []string{"a", "b"}) {
		t.Errorf("user %q, order %v; want user 2, order [a b]", got, c.UserOrder)
	}
}

func TestParseConfigTooDeep(t *testing.T) {
	data := `{"x": ` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`
	_, err := Parse("deep.json", []byte(data))
	// The object is level 1, so the 10000th "[" (column 6+10000) is level 10001.
	want := "config deep.json:1:10006: values nested more than 10000 deep"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestLoadConfigFileErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	writeConfig(t, big, "", 0o600)
	if err := os.Truncate(big, 64<<20); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	tests := map[string]string{
		dir:                              "is a directory, expected a JSON file",
		filepath.Join(dir, "none.json"):  "no such file",
		filepath.Join(dir, "a/b/c.json"): "no such file",
		big:                              "file is larger than 16 MiB; an MQ config is a few KiB, so check that this is the right file",
	}
	for path, msg := range tests {
		_, err := Load(path)
		if want := "config " + path + ": " + msg; err == nil || err.Error() != want {
			t.Errorf("Load(%s)\n got  %v\n want %s", path, err, want)
		}
	}
}

func TestLoadConfigUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file; TestFileErrorIsOneLine covers the message")
	}
	path := filepath.Join(t.TempDir(), "mq_config.json")
	writeConfig(t, path, "{}", 0o000)
	_, err := Load(path)
	if want := "config " + path + ": permission denied"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestFileErrorIsOneLine(t *testing.T) {
	err := jsonconf.FileError("/x/mq_config.json", &fs.PathError{Op: "open", Path: "/x/mq_config.json", Err: syscall.EACCES})
	if want := "config /x/mq_config.json: permission denied"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if !errors.Is(err, fs.ErrPermission) {
		t.Error("errors.Is(err, fs.ErrPermission) is false")
	}
}

func TestFindConfigSearchOrder(t *testing.T) {
	const (
		explicit = "explicit.json"
		env      = "env/mq.json"
		xdg      = "xdg/neon/mq_config.json"
		dotcfg   = "home/.config/neon/mq_config.json"
		legacy   = "home/.local/share/neon/credentials.json"
	)
	everything := []string{explicit, env, xdg, dotcfg, legacy}
	tests := []struct {
		name     string
		files    []string          // created under the temp root
		env      map[string]string // values not starting with "~" are under the root
		explicit string
		want     string
	}{
		{"explicit beats all", everything, map[string]string{"NEON_MQ_CONFIG_PATH": env, "XDG_CONFIG_HOME": "xdg"}, explicit, explicit},
		{"explicit with tilde", []string{"home/my.json", legacy}, nil, "~/my.json", "home/my.json"},
		{"env beats xdg", everything, map[string]string{"NEON_MQ_CONFIG_PATH": env, "XDG_CONFIG_HOME": "xdg"}, "", env},
		{"env with tilde", []string{"home/neon.json", legacy}, map[string]string{"NEON_MQ_CONFIG_PATH": "~/neon.json"}, "", "home/neon.json"},
		{"missing env file falls through", []string{xdg, legacy}, map[string]string{"NEON_MQ_CONFIG_PATH": env, "XDG_CONFIG_HOME": "xdg"}, "", xdg},
		{"xdg defaults to ~/.config", []string{dotcfg, legacy}, nil, "", dotcfg},
		{"set xdg hides ~/.config", []string{dotcfg, legacy}, map[string]string{"XDG_CONFIG_HOME": "xdg"}, "", legacy},
		{"legacy last", []string{legacy}, nil, "", legacy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := searchEnv(t, tt.env)
			for _, f := range tt.files {
				writeConfig(t, filepath.Join(root, f), "{}", 0o600)
			}
			path := tt.explicit
			if path != "" && !strings.HasPrefix(path, "~") {
				path = filepath.Join(root, path)
			}
			got, err := connector.FindConfig(path)
			if want := filepath.Join(root, tt.want); err != nil || got != want {
				t.Errorf("connector.FindConfig(%q) = %q, %v; want %q", path, got, err, want)
			}
		})
	}
}

// searchEnv points HOME at a fresh temp root's "home" and sets (or clears)
// the search-order variables; it returns the root.
func searchEnv(t *testing.T, env map[string]string) string {
	root := t.TempDir()
	t.Setenv("HOME", filepath.Join(root, "home"))
	for _, key := range []string{"NEON_MQ_CONFIG_PATH", "XDG_CONFIG_HOME"} {
		v := env[key]
		if v != "" && !strings.HasPrefix(v, "~") {
			v = filepath.Join(root, v)
		}
		t.Setenv(key, v)
	}
	return root
}

func TestFindConfigExplicitMissingDoesNotFallBack(t *testing.T) {
	root := searchEnv(t, nil)
	writeConfig(t, filepath.Join(root, "home/.config/neon/mq_config.json"), "{}", 0o600)
	missing := filepath.Join(root, "typo.json")
	_, err := connector.FindConfig(missing)
	if want := "config " + missing + ": no such file"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestFindConfigNoneFoundListsPathsTried(t *testing.T) {
	root := searchEnv(t, map[string]string{"NEON_MQ_CONFIG_PATH": "~/gone.json"})
	_, err := connector.FindConfig("")
	var nc *connector.NoConfigError
	if !errors.As(err, &nc) {
		t.Fatalf("got %v, want a *connector.NoConfigError", err)
	}
	home := filepath.Join(root, "home")
	xdg := home + "/.config/neon/mq_config.json"
	want := "no Neon MQ config file found (tried " + home + "/gone.json, " + xdg + ", " +
		home + "/.local/share/neon/credentials.json); create " + xdg +
		` or pass --config PATH, as the mqscope README section "Configuration" shows`
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
}

func TestLoadConfigPermWarning(t *testing.T) {
	dir := t.TempDir()
	for mode, warn := range map[os.FileMode]bool{0o600: false, 0o400: false, 0o640: true, 0o644: true} {
		path := filepath.Join(dir, fmt.Sprintf("mq_%o.json", mode))
		writeConfig(t, path, `{"users": {"a": {"password": "pw"}}}`, mode)
		c, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		want := ""
		if warn {
			want = fmt.Sprintf("%s can be read by other users (mode %04o) and holds MQ passwords; run: chmod 600 %s", path, mode, path)
		}
		if c.PermWarning != want {
			t.Errorf("mode %o: PermWarning %q, want %q", mode, c.PermWarning, want)
		}
	}
}

func TestCredentialsAndServiceNames(t *testing.T) {
	c, err := parseConfigFile(t, goodConfigDir+"mqscope_extras.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.ServiceNames(), []string{"neon_api_connector", "mq_handler", "neon_llm_chatgpt", "neon_metrics"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ServiceNames() = %v, want %v", got, want)
	}
	if cred, err := c.Credentials("mq_handler"); err != nil || cred.User != "neon_api_utils" {
		t.Errorf("Credentials(mq_handler) = %+v, %v", cred, err)
	}
	_, err = c.Credentials("neon_llm_chatgpt") // listed in mqscope.services only
	want := `service "neon_llm_chatgpt" has no credentials in users (known: neon_api_connector, mq_handler); add it under "users" in ` + goodConfigDir + "mqscope_extras.json"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	_, err = defaultConfig("empty.json").Credentials("x")
	if want := `service "x" has no credentials in users (users is empty); add it under "users" in empty.json`; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := connector.Secret("hunter2")
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s"} {
		got := fmt.Sprintf(format, s)
		want := "********"
		if format == "%q" {
			want = `"********"`
		}
		if got != want {
			t.Errorf("Sprintf(%q) = %q, want %q", format, got, want)
		}
	}
	if s.Reveal() != "hunter2" {
		t.Errorf("Reveal() = %q", s.Reveal())
	}
}

// distinctPassword is a password no message could contain by chance.
const distinctPassword = "Zq9~hunter2~distinct"

func TestConfigOutputNeverContainsPassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mq_config.json")
	writeConfig(t, path, `{"users": {"neon_api": {"user": "neon_api", "password": "`+distinctPassword+`"}},
		"mqscope": {"tls": {"insecure": true}}}`, 0o600)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cred, _ := c.Credentials("neon_api")
	if cred.Password.Reveal() != distinctPassword {
		t.Fatalf("password not loaded: Reveal() = %q", cred.Password.Reveal())
	}
	_, missing := c.Credentials("other")
	var outputs []string
	for _, v := range []any{c, *c, cred, &cred, cred.Password, c.Users} {
		for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			outputs = append(outputs, fmt.Sprintf(format, v))
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(j))
	}
	outputs = append(outputs, missing.Error())
	for _, out := range outputs {
		if strings.Contains(out, distinctPassword) {
			t.Errorf("output contains the password: %s", out)
		}
	}
}

func TestConfigErrorsNeverContainPassword(t *testing.T) {
	pw := distinctPassword
	bad := []string{
		`{"users": {"a": {"password": "` + pw + `"}}, "port": "abc"}`,
		`{"users": {"a": {"password": "` + pw + `"}} "server": "x"}`,
		`{"users": {"a": {"password": "` + pw + `", "user": 5}}}`,
		`{"users": {"a": {"password": ["` + pw + `"]}}}`,
		`{"users": {"a": {"password": "` + pw + "\x01" + `"}}}`,
		`{"users": {"a": {"password": "` + pw + `\q"}}}`,
		`{"users": {"a": {"password": "` + pw,
		`{"mqscope": {"management": {"url": "http://admin:` + pw + `@mq:15672"}}}`,
		`{"mqscope": {"management": {"url": "http://admin:` + pw + `@mq:bad port"}}}`,
		`{"mqscope": {"servers": ["amqp://admin:` + pw + `@mq:5672"]}}`,
		`{"mqscope": {"servers": ["admin@mq:` + pw + `"]}}`,
	}
	for _, text := range bad {
		_, err := Parse("mq_config.json", []byte(text))
		if err == nil {
			t.Errorf("no error for %s", text)
		} else if strings.Contains(err.Error(), pw) {
			t.Errorf("error contains the password: %s", err)
		}
	}
}

// FuzzParseConfig checks that no input makes ParseConfig panic, and that it
// returns either a config or a one-line error. The fixtures seed it.
func FuzzParseConfig(f *testing.F) {
	fixtures, _ := filepath.Glob("../testdata/config/*/*.json")
	for _, path := range fixtures {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.json", data)
		if (c == nil) == (err == nil) {
			t.Fatalf("config %v and error %v", c, err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error is not one line: %q", err)
		}
	})
}

func TestTLSErrorsNameTheSection(t *testing.T) {
	for doc, want := range map[string]string{
		`{"mqscope": {}}`:         "mqscope",
		`{"MQ": {"mqscope": {}}}`: "MQ.mqscope",
		`{"MQ": {"server": "x"}}`: "MQ.mqscope",
		`{"users": {"a": {}}}`:    "mqscope",
	} {
		c, err := Parse("f.json", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if got := sectionName(c); got != want {
			t.Errorf("%s: section %q, want %q", doc, got, want)
		}
	}
}

func TestTLSFilesAreRelativeToTheConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mq_config.json")
	c, err := Parse(path, []byte(`{"mqscope": {"tls": {"ca_file": "ca.pem", "cert_file": "/abs/c.pem", "key_file": "k.pem"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.TLS.CAFile != filepath.Join(dir, "ca.pem") || c.TLS.CertFile != "/abs/c.pem" || c.TLS.KeyFile != filepath.Join(dir, "k.pem") {
		t.Fatalf("TLS files = %+v; want them next to %s", c.TLS, path)
	}
}

func TestUnknownThemeIsAnError(t *testing.T) {
	_, err := Parse("f.json", []byte(`{"mqscope": {"theme": "nope"}}`))
	if err == nil || !strings.Contains(err.Error(), `f.json:1:23: "mqscope.theme": unknown theme "nope"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestReplyWindowIsADuration(t *testing.T) {
	c, err := Parse("f.json", []byte(`{"mqscope": {"reply_window": "1m30s"}}`))
	if err != nil || c.ReplyWindow != 90*time.Second {
		t.Fatalf("reply_window 1m30s = %v, %v", c.ReplyWindow, err)
	}
	for _, bad := range []string{`"30"`, `"-5s"`, `30`} {
		_, err := Parse("f.json", []byte(`{"mqscope": {"reply_window": `+bad+`}}`))
		if err == nil || !strings.Contains(err.Error(), `"mqscope.reply_window"`) {
			t.Errorf("reply_window %s: %v", bad, err)
		}
	}
}

func TestStoreDecodeLimitReachesTheStore(t *testing.T) {
	c, err := Parse("f.json", []byte(`{"mqscope": {"store": {"max_decode_bytes": 1048576}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.StoreOptions().MaxDecodeBytes; got != 1<<20 {
		t.Fatalf("MaxDecodeBytes = %d, want 1048576", got)
	}
	if _, err := Parse("f.json", []byte(`{"mqscope": {"store": {"max_decode_bytes": 0}}}`)); err == nil {
		t.Fatal("a decode limit of 0 was accepted")
	}
}
