package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// result is what one in-process run of the command left behind.
type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := a.run(context.Background(), args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func TestUsageAndConfigErrorsAreOneLineExit2(t *testing.T) {
	dir := t.TempDir()
	unknownKey := writeFile(t, dir, "unknown.yaml", "issuer: http://127.0.0.1:8080\nldap:\n  urlz: []\n")
	malformed := writeFile(t, dir, "malformed.yaml", "issuer: [\n")
	tests := []struct {
		name     string
		args     []string
		wantText string
	}{
		{name: "no command", args: nil, wantText: "usage: gatehouse"},
		{name: "unknown command", args: []string{"frobnicate"}, wantText: `unknown command "frobnicate"`},
		{name: "unknown flag", args: []string{"serve", "--port", "1"}, wantText: "flag provided but not defined: -port"},
		{name: "missing config file", args: []string{"serve", "--config", filepath.Join(dir, "absent.yaml")}, wantText: "absent.yaml"},
		{name: "unknown key", args: []string{"serve", "--config", unknownKey}, wantText: "ldap.urlz"},
		{name: "malformed YAML", args: []string{"serve", "--config", malformed}, wantText: "malformed.yaml"},
		{name: "keys without out", args: []string{"keys", "generate"}, wantText: "--out FILE is required"},
		{name: "version with argument", args: []string{"version", "extra"}, wantText: `unexpected argument "extra"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit code = %d, want %d (stderr %q)", r.code, exitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.wantText) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tc.wantText)
			}
			if tc.args != nil && strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("stderr is not one line: %q", r.stderr)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stack trace in output: %q", r.stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	r := runCmd(t, "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "gatehouse ") || !strings.Contains(r.stdout, "LDAP schema 1.15") {
		t.Errorf("version: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestKeysGenerate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "jwks.json")
	r := runCmd(t, "keys", "generate", "--out", path)
	if r.code != exitOK || !strings.Contains(r.stdout, "RSA signing key") {
		t.Fatalf("generate: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %04o, want 0600", info.Mode().Perm())
	}
	before, _ := os.ReadFile(path)

	r = runCmd(t, "keys", "generate", "--out", path)
	if r.code != exitUsage || !strings.Contains(r.stderr, "use --rotate") {
		t.Errorf("second generate: code %d, stderr %q", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("second generate changed the file")
	}

	r = runCmd(t, "keys", "generate", "--out", path, "--rotate")
	if r.code != exitOK || !strings.Contains(r.stdout, "rotated") {
		t.Fatalf("rotate: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	after, _ := os.ReadFile(path)
	if got := strings.Count(string(after), `"kid"`); got != 7 {
		t.Errorf("rotated file has %d keys, want 7 (6 signing + 1 secret)", got)
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, "keys", "generate", "--out", path, "--rotate")
	if r.code != exitUsage || !strings.Contains(r.stderr, "chmod 600") {
		t.Errorf("rotate of a world-readable file: code %d, stderr %q", r.code, r.stderr)
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// logWatch is a log destination that tests can wait on: it signals when a
// line containing a wanted text has been written.
type logWatch struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	waiters []waiter
}

type waiter struct {
	text string
	ch   chan struct{}
}

func (l *logWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	kept := l.waiters[:0]
	for _, w := range l.waiters {
		if strings.Contains(l.buf.String(), w.text) {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	l.waiters = kept
	return len(p), nil
}

func (l *logWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor blocks until the log holds text; the timeout only bounds a
// failing test.
func (l *logWatch) waitFor(t *testing.T, text string) {
	t.Helper()
	ch := make(chan struct{})
	l.mu.Lock()
	if strings.Contains(l.buf.String(), text) {
		l.mu.Unlock()
		return
	}
	l.waiters = append(l.waiters, waiter{text: text, ch: ch})
	l.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(15 * time.Second):
		t.Fatalf("log never said %q; log:\n%s", text, l.String())
	}
}

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// TestKeysRotateAudit: a rotation with --audit leaves one key_rotation
// event naming the new key ids, and no key material.
func TestKeysRotateAudit(t *testing.T) {
	dir := t.TempDir()
	path, log := filepath.Join(dir, "jwks.json"), filepath.Join(dir, "audit.log")
	if r := runCmd(t, "keys", "generate", "--out", path); r.code != exitOK {
		t.Fatalf("generate: %d %s", r.code, r.stderr)
	}
	r := runCmd(t, "keys", "generate", "--out", path, "--rotate", "--audit", log)
	if r.code != exitOK {
		t.Fatalf("rotate: %d %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"type":"key_rotation"`) || !strings.Contains(lines[0], `"kids":[`) {
		t.Fatalf("audit log: %q", data)
	}
	for _, private := range []string{`"d":`, `"k":`, `"p":`} {
		if strings.Contains(lines[0], private) {
			t.Errorf("the audit line holds key material %s", private)
		}
	}
}
