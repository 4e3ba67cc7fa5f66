package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ConfigError is a problem with one config file. Its text is one line,
// "config PATH:LINE:COL: what" or, when the problem is not at one place in
// the file, "config PATH: what". It never contains a password.
type ConfigError struct {
	Path      string
	Line, Col int    // 1-based; 0 when the problem has no place in the file
	Msg       string // what is wrong, and where useful what to do
	Err       error  // the underlying cause (e.g. fs.ErrPermission), may be nil
}

// Error returns the one-line message.
func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config %s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("config %s: %s", e.Path, e.Msg)
}

// Unwrap returns the underlying cause, so errors.Is(err, fs.ErrPermission)
// works.
func (e *ConfigError) Unwrap() error { return e.Err }

// NoConfigError says that no config file exists at any place of the search
// order.
type NoConfigError struct {
	Tried  []string // the paths looked at, in order
	Create string   // where a new config file belongs
}

// Error returns the one-line message, with the paths tried and what to do.
func (e *NoConfigError) Error() string {
	return fmt.Sprintf("no Neon MQ config file found (tried %s); create %s or pass --config PATH, "+
		"as the mqscope README section \"Configuration\" shows", strings.Join(e.Tried, ", "), e.Create)
}

// fileError turns an os error about path into a ConfigError without Go's
// "open PATH:" prefix, since the message already names the file.
func fileError(path string, err error) *ConfigError {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Err.Error()
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		msg = "permission denied"
	case errors.Is(err, fs.ErrNotExist):
		msg = "no such file"
	}
	return &ConfigError{Path: path, Msg: msg, Err: err}
}

// errorAt builds a ConfigError for byte offset off of data.
func errorAt(path string, data []byte, off int, msg string) *ConfigError {
	line, col := lineCol(data, off)
	return &ConfigError{Path: path, Line: line, Col: col, Msg: msg}
}

// lineCol returns the 1-based line and column of byte offset off. The
// column counts characters, not bytes, as editors do.
func lineCol(data []byte, off int) (line, col int) {
	before := data[:min(max(off, 0), len(data))]
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte{'\n'}) + 1, utf8.RuneCount(before[lineStart:]) + 1
}

// syntaxPhrases rewrites encoding/json's scanner contexts as what the
// reader should have written. Order matters: the first contained context
// wins, and "after object key" is part of "after object key:value pair".
var syntaxPhrases = []struct{ context, phrase string }{
	{"after object key:value pair", `expected "," or "}" after object value`},
	{"after object key", `expected ":" after object key`},
	{"after array element", `expected "," or "]" after array element`},
	{"looking for beginning of object key string", "expected a double-quoted object key"},
	{"looking for beginning of value", "expected a JSON value"},
	{"after top-level value", "unexpected text after the end of the JSON document"},
	{"in string literal", `control character in a string; write it as an escape such as \n or \t`},
	{"escape", `invalid escape sequence in a string; write a backslash as \\`},
	{"numeric literal", "invalid number"},
	{"in literal", "invalid literal; JSON has only true, false and null"},
	{"exceeded max depth", "values nested more than 10000 deep"},
	{"unexpected end of JSON input", `unexpected end of file; is a "}", "]" or closing quote missing?`},
}

// syntaxError explains a JSON syntax error at the character it stopped on.
func syntaxError(path string, data []byte, se *json.SyntaxError) *ConfigError {
	// Offset counts the bytes read, so the offending byte is the one before;
	// at end of input, point just past the last non-blank character instead
	// of at a trailing newline.
	off := min(int(se.Offset)-1, len(bytes.TrimRight(data, " \t\r\n")))
	msg := se.Error()
	if strings.Contains(msg, "in string escape code") {
		off-- // point at the backslash, not at the letter after it
	}
	off = max(off, 0)
	for _, p := range syntaxPhrases {
		if strings.Contains(msg, p.context) {
			msg = p.phrase
			break
		}
	}
	if hint := syntaxHint(data, off); hint != "" {
		msg += " (" + hint + ")"
	}
	return errorAt(path, data, off, msg)
}

// syntaxHint guesses the usual cause of a syntax error at off: a file in
// another format, or a habit from Python, YAML or JavaScript.
func syntaxHint(data []byte, off int) string {
	rest := data[min(off, len(data)):]
	switch {
	case looksLikeUTF16(data):
		return "this looks like UTF-16; save the file as UTF-8"
	case looksLikeYAML(data):
		return "this looks like YAML; mqscope reads JSON"
	case bytes.HasPrefix(rest, utf8BOM):
		return "a stray byte order mark; remove it"
	case bytes.HasPrefix(rest, []byte("'")):
		return "JSON strings use double quotes"
	case bytes.HasPrefix(rest, []byte("//")), bytes.HasPrefix(rest, []byte("/*")), bytes.HasPrefix(rest, []byte("#")):
		return "JSON does not allow comments"
	case bytes.HasPrefix(rest, []byte("True")), bytes.HasPrefix(rest, []byte("False")), bytes.HasPrefix(rest, []byte("None")):
		return "JSON spells these true, false and null"
	case (bytes.HasPrefix(rest, []byte("}")) || bytes.HasPrefix(rest, []byte("]"))) &&
		bytes.HasSuffix(bytes.TrimRight(data[:off], " \t\r\n"), []byte(",")):
		return "trailing comma?"
	}
	return ""
}

// looksLikeUTF16 reports a UTF-16 byte-order mark, or a NUL byte in the
// first two, which is how UTF-16 without a mark writes an ASCII "{".
func looksLikeUTF16(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) ||
		bytes.IndexByte(data[:min(2, len(data))], 0) >= 0
}

// yamlLine is a YAML document start or a "key:" / "key: value" line.
var yamlLine = regexp.MustCompile(`^(---|[A-Za-z_][A-Za-z0-9_ -]*:(\s|$))`)

// looksLikeYAML reports whether the first line that is not blank or a "#"
// comment reads as YAML. Neon deployments keep the MQ section in
// diana.yaml, so this is an easy file to pass by mistake.
func looksLikeYAML(data []byte) bool {
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		return yamlLine.MatchString(line)
	}
	return false
}
