// Package sdnotify tells systemd how the service is doing (sd_notify(3)):
// ready once the listener is up, reloading, stopping. The unit in
// packaging/gatehouse.service is Type=notify, so systemd starts units
// ordered after Gatehouse only once it really answers, and shows
// "deactivating" while it drains.
//
// Without $NOTIFY_SOCKET (not started by systemd, or in a container) every
// call does nothing and returns nil: the same binary runs everywhere.
// Only the standard library is used, on purpose: the protocol is one
// datagram.
package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// The states Gatehouse sends.
const (
	Ready     = "READY=1"
	Stopping  = "STOPPING=1"
	Reloading = "RELOADING=1"
)

// ErrAddress is returned for a $NOTIFY_SOCKET that is neither a path nor
// an abstract socket name ("@...").
var ErrAddress = errors.New("sdnotify: NOTIFY_SOCKET is not a unix socket path or @name")

// writeTimeout bounds one send: a service manager that does not read its
// socket must not stall start-up or shutdown.
const writeTimeout = time.Second

// Notifier sends states to the socket systemd named. The zero value is
// disabled: Send does nothing.
type Notifier struct {
	socket string
}

// FromEnv reads $NOTIFY_SOCKET through getenv (os.Getenv, or a test's map).
func FromEnv(getenv func(string) string) Notifier {
	return Notifier{socket: getenv("NOTIFY_SOCKET")}
}

// Enabled reports whether a service manager listens.
func (n Notifier) Enabled() bool { return n.socket != "" }

// Send writes the states, one per line, as one datagram. A name starting
// with "@" is a socket in the abstract namespace; the Go runtime maps the
// "@" to the leading NUL byte the kernel expects.
func (n Notifier) Send(states ...string) error {
	if !n.Enabled() || len(states) == 0 {
		return nil
	}
	if !strings.HasPrefix(n.socket, "/") && !strings.HasPrefix(n.socket, "@") {
		return fmt.Errorf("%w: %q", ErrAddress, n.socket)
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: n.socket, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	defer func() { _ = conn.Close() }() // a datagram was sent or not: nothing to flush
	if err := conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	if _, err := conn.Write([]byte(strings.Join(states, "\n") + "\n")); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	return nil
}

// Reload announces a reload in the form systemd 253's Type=notify-reload
// requires: RELOADING=1 with the CLOCK_MONOTONIC time, in microseconds.
// The caller sends Ready when the reload is done.
func (n Notifier) Reload() error {
	usec, err := monotonicUsec()
	if err != nil {
		return n.Send(Reloading)
	}
	return n.Send(Reloading, fmt.Sprintf("MONOTONIC_USEC=%d", usec))
}
