package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"mqscope/connector/neonwire"
	"mqscope/store"
	"mqscope/store/record"
)

func TestRecordingLoadsIntoTheStoreDecoded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.db")
	w, err := record.Create(path, record.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	src := store.New(store.Options{})
	fillStore(src, 3)
	for _, e := range src.Range(0, src.Len()) {
		w.Append(e.Msg, &e.Decoded)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := store.New(store.Options{})
	if err := loadRecording(path, got); err != nil {
		t.Fatal(err)
	}
	if got.Len() != src.Len() {
		t.Fatalf("loaded %d messages, recorded %d", got.Len(), src.Len())
	}
	first := got.Range(0, 1)[0]
	if first.Decoded.Encoding != neonwire.EncNeon || first.Pair == nil {
		t.Fatalf("a loaded request should be decoded and paired again: %+v", first)
	}
}

func TestRunRefusesUnknownThemeBeforeStarting(t *testing.T) {
	err := Run(context.Background(), Options{Theme: "solarized", Recording: "unused.db"})
	if err == nil || !strings.Contains(err.Error(), `unknown theme "solarized"`) {
		t.Fatalf("got %v", err)
	}
}

func TestMissingRecordingIsOneClearError(t *testing.T) {
	err := Run(context.Background(), Options{Recording: filepath.Join(t.TempDir(), "nope.db")})
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v, want one line", err)
	}
}
