package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listen opens a unixgram socket like systemd's: a path in a fresh
// directory, or an abstract name.
func listen(t *testing.T, abstract bool) (*net.UnixConn, string) {
	t.Helper()
	name := "@gatehouse-sdnotify-test-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if !abstract {
		dir, err := os.MkdirTemp("", "sdn") // short: sun_path holds 108 bytes
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
		name = filepath.Join(dir, "notify")
	}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn, name
}

// receive reads one datagram; the deadline only stops a broken test from
// hanging.
func receive(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("no datagram: %v", err)
	}
	return string(buf[:n])
}

func env(socket string) func(string) string {
	return func(k string) string {
		if k == "NOTIFY_SOCKET" {
			return socket
		}
		return ""
	}
}

func TestSendReachesTheSocket(t *testing.T) {
	for _, abstract := range []bool{false, true} {
		t.Run(fmt.Sprintf("abstract=%v", abstract), func(t *testing.T) {
			conn, name := listen(t, abstract)
			n := FromEnv(env(name))
			if !n.Enabled() {
				t.Fatal("Enabled() = false with NOTIFY_SOCKET set")
			}
			for _, state := range []string{Ready, Stopping} {
				if err := n.Send(state); err != nil {
					t.Fatalf("Send(%s): %v", state, err)
				}
				if got := receive(t, conn); got != state+"\n" {
					t.Errorf("datagram %q, want %q", got, state+"\n")
				}
			}
		})
	}
}

func TestReloadCarriesTheMonotonicTime(t *testing.T) {
	conn, name := listen(t, false)
	before, err := monotonicUsec()
	if err != nil {
		t.Fatal(err)
	}
	if err := FromEnv(env(name)).Reload(); err != nil {
		t.Fatal(err)
	}
	after, err := monotonicUsec()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(receive(t, conn), "\n"), "\n")
	if len(lines) != 2 || lines[0] != Reloading || !strings.HasPrefix(lines[1], "MONOTONIC_USEC=") {
		t.Fatalf("datagram lines %q, want RELOADING=1 and MONOTONIC_USEC=", lines)
	}
	usec, err := strconv.ParseInt(strings.TrimPrefix(lines[1], "MONOTONIC_USEC="), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if usec < before || usec > after {
		t.Errorf("MONOTONIC_USEC=%d, not between %d and %d", usec, before, after)
	}
}

func TestSendErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "gone")
	tests := []struct {
		name    string
		socket  string
		wantErr error // nil: no error; errAny: some error
	}{
		{name: "no NOTIFY_SOCKET is a no-op", socket: ""},
		{name: "relative path refused", socket: "run/notify", wantErr: ErrAddress},
		{name: "vsock refused", socket: "vsock:2:1234", wantErr: ErrAddress},
		{name: "absent socket reported", socket: missing, wantErr: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := FromEnv(env(tt.socket)).Send(Ready)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Send: %v, want nil", err)
			case tt.wantErr == errAny && err == nil:
				t.Fatal("Send: nil, want an error")
			case tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("Send: %v, want %v", err, tt.wantErr)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestZeroNotifierIsDisabled(t *testing.T) {
	var n Notifier
	if n.Enabled() {
		t.Fatal("zero Notifier enabled")
	}
	if err := n.Reload(); err != nil {
		t.Fatalf("Reload on a disabled notifier: %v", err)
	}
}
