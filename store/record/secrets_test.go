package record

import (
	"bytes"
	"os"
	"reflect"
	"regexp"
	"testing"
)

// secret is a distinctive password that must never reach a recording.
const secret = "pw-Kx7!recording-must-not-hold-this"

func TestOptionsHaveNoCredentialField(t *testing.T) {
	credential := regexp.MustCompile(`(?i)pass|secret|cred|token|user|url|uri|dsn|auth|config`)
	typ := reflect.TypeFor[Options]()
	for i := range typ.NumField() {
		if name := typ.Field(i).Name; credential.MatchString(name) {
			t.Errorf("Options.%s looks like configuration or a credential; a recording must not hold one", name)
		}
	}
}

func TestRecordingHoldsNothingFromOptionsButVersion(t *testing.T) {
	// Every string option other than Version gets the secret; only Version
	// is meant to be written. Today Version is the only string option, and
	// this keeps it so if one is added and written.
	var opts Options
	v := reflect.ValueOf(&opts).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String && v.Type().Field(i).Name != "Version" {
			f.SetString(secret)
		}
	}
	opts.Version = "version-marker-7f3a"
	path := testPath(t)
	w := mustCreate(t, path, opts)
	w.Append(fullMessage(0), nil)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path) // Close checkpointed the WAL into the file
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(opts.Version)) {
		t.Fatal("the version is not in the file: this scan would not see a leak either")
	}
	if bytes.Contains(raw, []byte(secret)) {
		t.Error("the recording holds a value from Options that is not the version")
	}
}
