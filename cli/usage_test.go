package cli

import (
	"context"
	"strings"
	"testing"
)

func TestFlagAndCommandMistakesNameTheCommandAndSuggest(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--wacth", "x"}, "mqscope: unknown flag --wacth (did you mean --watch?); run 'mqscope -h' for the flags"},
		{[]string{"reqest"}, `mqscope: unknown command "reqest" (did you mean request?) (run 'mqscope help' for the list)`},
		{[]string{"request", "--tiemout", "3s"}, "mqscope: request: unknown flag --tiemout (did you mean --timeout?); run 'mqscope request -h' for its flags"},
		{[]string{"tail", "--qeueu", "q"}, "mqscope: tail: unknown flag --qeueu (did you mean --queue?); run 'mqscope tail -h' for its flags"},
		{[]string{"--theme", "drak"}, `mqscope: --theme: unknown theme "drak" (known: dark, light, high-contrast, colorblind, mono, or auto)`},
		{[]string{"open", "x.db", "--theme", "drak"}, `mqscope: open: --theme: unknown theme "drak" (known: dark, light, high-contrast, colorblind, mono, or auto)`},
		{[]string{"export", "--xyzzy"}, "mqscope: export: unknown flag --xyzzy; run 'mqscope export -h' for its flags"},
	}
	for _, c := range cases {
		_, code, msg := run(t, context.Background(), c.args...)
		if code != 2 || msg != c.want {
			t.Errorf("%q: exit %d, %q\n want exit 2, %q", c.args, code, msg, c.want)
		}
	}
}

func TestVersionFlagAndCommandPrintARealVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out, code, msg := run(t, context.Background(), args...)
		if code != 0 || !strings.HasPrefix(out, "mqscope ") || strings.TrimSpace(out) == "mqscope dev" {
			t.Errorf("%q: exit %d, %q, %q", args, code, out, msg)
		}
	}
}

func TestEditDistanceCountsASwapAsOne(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"wacth", "watch", 1}, {"reqest", "request", 1}, {"", "tail", 4}, {"tail", "tail", 0}, {"dmeo", "demo", 1}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestHelpListsEveryTUIFlag(t *testing.T) {
	out, code, _ := run(t, context.Background(), "--help")
	for _, flag := range []string{"-config", "-service", "-vhost", "-watch", "-mode", "-record", "-theme"} {
		if code != 0 || !strings.Contains(out, "  "+flag+" ") {
			t.Errorf("mqscope --help (exit %d) does not list %s:\n%s", code, flag, out)
		}
	}
}

// TestTUIReplyWindow: the TUI takes --reply-window as tail does, refuses a
// negative one, and lists it in its usage.
func TestTUIReplyWindow(t *testing.T) {
	_, code, msg := run(t, context.Background(), "--reply-window", "-1s")
	if code != 2 || !strings.Contains(msg, "--reply-window must be positive") {
		t.Fatalf("--reply-window -1s: exit %d, %q", code, msg)
	}
	fs, _ := tuiFlags()
	if fs.Lookup("reply-window") == nil {
		t.Fatal("the TUI has no --reply-window flag")
	}
}
