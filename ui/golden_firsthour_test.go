package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// goldenSizes are the sizes the first-hour screens are pinned at: the
// smallest supported, a classic terminal, and a wide one.
var goldenSizes = [][2]int{{60, 15}, {80, 24}, {150, 40}}

// fixedID stands in for the fresh message_id compose makes, so that the
// screens do not change from run to run.
const fixedID = "0123456789abcdef0123456789abcdef"

// sendFromCompose sends what compose holds with answer as the outcome and
// feeds the outcome back, with fixed ids before and after.
func sendFromCompose(t *testing.T, m *Model, req *fakeRequester, answer func(string, neonwire.Value) (*connector.Response, error)) {
	t.Helper()
	req.answer = answer
	m.compose.inputs[fieldID].SetValue(fixedID)
	m.compose.revalidate()
	m.Update(collect(t, press(m, "ctrl+s"), isType(replyMsg{})))
	m.compose.inputs[fieldID].SetValue(strings.Repeat("fe", 16))
	m.compose.revalidate()
}

// firstHourScreens are the screens of items 3 and 4 of "A first hour
// without surprises": the list with its event markers, compose with a
// reply (no lone comma, a reply area at 60×15), the errors compose and the
// filter show (wrapped, never cut), and a long status message.
var firstHourScreens = map[string]func(t *testing.T, m *Model, req *fakeRequester){
	"list": func(t *testing.T, m *Model, _ *fakeRequester) {
		selectRow(m, 3) // a reply
	},
	"compose-reply": func(t *testing.T, m *Model, req *fakeRequester) {
		selectRow(m, 3)
		press(m, "c")
		sendFromCompose(t, m, req, func(string, neonwire.Value) (*connector.Response, error) {
			return &connector.Response{MessageID: fixedID, Latency: 4740 * time.Microsecond,
				Value: dict("success", false, "error", "User does not exist", "code", int64(404), "message_id", fixedID)}, nil
		})
	},
	"compose-unroutable": func(t *testing.T, m *Model, req *fakeRequester) {
		selectRow(m, 2)
		press(m, "c")
		m.compose.inputs[fieldQueue].SetValue("no_such_queue")
		sendFromCompose(t, m, req, func(string, neonwire.Value) (*connector.Response, error) {
			return nil, &connector.NoRouteError{Queue: "no_such_queue", VHost: "/neon_api"}
		})
	},
	"compose-timeout": func(t *testing.T, m *Model, req *fakeRequester) {
		selectRow(m, 2)
		press(m, "c")
		m.compose.inputs[fieldQueue].SetValue("ux_noconsumer")
		sendFromCompose(t, m, req, func(string, neonwire.Value) (*connector.Response, error) {
			return nil, &connector.TimeoutError{Queue: "ux_noconsumer", VHost: "/neon_api", After: time.Second, MessageID: fixedID}
		})
	},
	"compose-syntax": func(t *testing.T, m *Model, _ *fakeRequester) {
		selectRow(m, 2)
		press(m, "c")
		m.compose.inputs[fieldID].SetValue(fixedID)
		m.compose.body.SetValue("{\n  \"service\": \"api_test_endpoint\",\n  \"n\" 2\n}")
		m.compose.revalidate()
	},
	"filter-error": func(t *testing.T, m *Model, _ *fakeRequester) {
		press(m, "/")
		typeText(m, "foo:bar")
		press(m, "enter")
	},
	"status-long": func(t *testing.T, m *Model, _ *fakeRequester) {
		m.setStatus("copied body as JSON (1.2 KB) via OSC52 only (no system clipboard: xclip, xsel or wl-copy not found; install one, or use a terminal that supports OSC52)", false)
	},
}

// TestGoldenFirstHour pins the screens above at 60×15, 80×24 and 150×40
// as text, as a person reads them. Refresh with:
// go test ./ui -run TestGoldenFirstHour -update
func TestGoldenFirstHour(t *testing.T) {
	for name, setup := range firstHourScreens {
		for _, sz := range goldenSizes {
			t.Run(fmt.Sprintf("%s/%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				m, req := testModel(t, sz[0], sz[1], "dark", 3)
				setup(t, m, req)
				checkFrame(t, m, name)
				golden.RequireEqual(t, screen(m))
			})
		}
	}
}
