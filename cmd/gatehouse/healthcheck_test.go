package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHealthcheck(t *testing.T) {
	s := startServe(t, embeddedConfig(t))
	if r := runCmd(t, "healthcheck", "--url", s.base+"/health/live"); r.code != exitOK {
		t.Errorf("live server: %d %s", r.code, r.stderr)
	}
	if r := runCmd(t, "healthcheck", "--url", s.base+"/nothing-here"); r.code != exitFailure || !strings.Contains(r.stderr, "status 404") {
		t.Errorf("a 404: %d %q", r.code, r.stderr)
	}
	if r := runCmd(t, "healthcheck", "--url", "http://"+closedPort(t)+"/health/live"); r.code != exitFailure || !strings.Contains(r.stderr, "healthcheck: GET") {
		t.Errorf("nothing listening: %d %q", r.code, r.stderr)
	}
	if r := runCmd(t, "healthcheck", "--timeout", "0s"); r.code != exitUsage {
		t.Errorf("bad timeout: %d %q", r.code, r.stderr)
	}
}

// TestServeNotifiesSystemd: under systemd (Type=notify) the server says
// READY=1 once it listens and STOPPING=1 when it starts to drain.
func TestServeNotifiesSystemd(t *testing.T) {
	dir, err := os.MkdirTemp("", "sdn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	path := writeFile(t, t.TempDir(), "gatehouse.yaml", embeddedConfig(t)+"http: {drainPeriod: 1ms}\n")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string {
		if k == "NOTIFY_SOCKET" {
			return sock
		}
		return ""
	}}
	go func() { done <- a.run(ctx, []string{"serve", "--config", path}) }()
	read := func() string {
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		buf := make([]byte, 256)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(buf[:n])
	}
	if got := read(); !strings.Contains(got, "READY=1") {
		t.Fatalf("first notification %q, want READY=1", got)
	}
	cancel()
	if got := read(); !strings.Contains(got, "STOPPING=1") {
		t.Errorf("second notification %q, want STOPPING=1", got)
	}
	if code := <-done; code != exitOK {
		t.Errorf("exit %d", code)
	}
}
