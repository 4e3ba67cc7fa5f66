package ui

import (
	"strings"
	"testing"

	"mqscope/appconfig"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// headerLine renders the model and returns its first line, the header.
func headerLine(m *Model) string {
	return strings.SplitN(m.render(), "\n", 2)[0]
}

func TestHeaderFlagsInsecureTLSInDangerColour(t *testing.T) {
	m, _ := testModel(t, 120, 30, "dark", 2)
	m.env.scheme, m.env.insecure = "amqps", true
	// The narrowest screen: the session names give way, the flag does not.
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 15})
	header := headerLine(m)
	if !strings.Contains(header, m.st.Danger.Render("⚠ TLS INSECURE ")) {
		t.Errorf("header does not show TLS INSECURE in the danger style: %q", header)
	}
	if plain := ansi.Strip(header); !strings.Contains(plain, "⚠ TLS INSECURE amqps ● connected") {
		t.Errorf("header = %q", plain)
	}
}

func TestHeaderShowsSchemeWithoutFlagWhenVerified(t *testing.T) {
	m, _ := testModel(t, 120, 30, "dark", 2)
	for _, scheme := range []string{"amqps", "amqp"} {
		m.env.scheme, m.env.insecure = scheme, false
		plain := ansi.Strip(headerLine(m))
		if strings.Contains(plain, "INSECURE") || !strings.Contains(plain, " "+scheme+" ● connected") {
			t.Errorf("%s: header = %q", scheme, plain)
		}
	}
}

func TestTransportFollowsTheConfig(t *testing.T) {
	for _, tc := range []struct {
		mqscope      string
		scheme       string
		wantInsecure bool
	}{
		{`{}`, "amqp", false},
		{`{"tls": {"server_name": "mq.example.org"}}`, "amqps", false},
		{`{"tls": {"insecure": true}}`, "amqps", true},
	} {
		cfg, err := appconfig.Parse("test.json", []byte(`{"users": {"a": {"user": "u", "password": "p"}}, "mqscope": `+tc.mqscope+`}`))
		if err != nil {
			t.Fatal(err)
		}
		scheme, insecure := transport(cfg)
		if scheme != tc.scheme || insecure != tc.wantInsecure {
			t.Errorf("%s: transport = %q, %v; want %q, %v", tc.mqscope, scheme, insecure, tc.scheme, tc.wantInsecure)
		}
	}
}
