// Package redistest runs a private redis-server for a test: on a free
// loopback port, with its own directory, nothing persisted, and stopped
// when the test ends.
//
// Without redis-server the test is skipped, except when CI=true: there a
// missing server is a broken machine, and the test fails.
// scripts/test-deps.sh installs the package.
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/proctest"
)

// DebianPackage provides redis-server.
const DebianPackage = "redis-server"

// ErrNotInstalled is returned by Start when redis-server cannot be found.
var ErrNotInstalled = errors.New("redistest: redis-server is not installed")

// startTimeout bounds how long a server may take to answer its first PING.
const startTimeout = 10 * time.Second

// portAttempts bounds how often a start is retried because another process
// took the free port between our probe and the server's bind.
const portAttempts = 5

// Options tune a server. The zero value is a server without a password.
type Options struct {
	// Password, when set, is required of clients (requirepass).
	Password string
}

// Server is a running redis-server.
type Server struct {
	// Addr is host:port, on 127.0.0.1.
	Addr string
	// Dir is the server's working directory.
	Dir string

	opts Options
	proc *process
	once sync.Once
	err  error
}

// New starts a server for one test and stops it when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(t.Context(), t.TempDir(), opts)
	switch {
	case errors.Is(err, ErrNotInstalled) && os.Getenv("CI") != "true":
		t.Skipf("%v; install the Debian package %s (scripts/test-deps.sh)", err, DebianPackage)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// Start starts a server working in dir, which must exist, and returns once
// it answers PING. ctx bounds the start only, not the server's life; Close
// stops it.
func Start(ctx context.Context, dir string, opts Options) (*Server, error) {
	bin, err := findServer()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	s := &Server{Dir: dir, opts: opts}
	for range portAttempts {
		if err = s.launch(ctx, bin); !errors.Is(err, errPortTaken) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops the server and waits for it to exit. Killing is fine: it
// holds nothing worth saving. Close may be called more than once, and on
// a paused server (SIGKILL ends a stopped process too).
func (s *Server) Close() error {
	s.once.Do(func() { s.err = s.proc.kill() })
	return s.err
}

// Pause stops the server process (SIGSTOP): it keeps its port and its
// connections but answers nothing, like a server that hangs, until Resume.
func (s *Server) Pause() error { return s.signal(syscall.SIGSTOP) }

// Resume lets a paused server go on (SIGCONT).
func (s *Server) Resume() error { return s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) error {
	if err := s.proc.Signal(sig); err != nil {
		return fmt.Errorf("redistest: %v: %w", sig, err)
	}
	return nil
}

func findServer() (string, error) {
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"} {
		if info, err := os.Stat(p); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", ErrNotInstalled
}

var errPortTaken = errors.New("port already in use")

func (s *Server) launch(ctx context.Context, bin string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{
		"--bind", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--dir", s.Dir,
		"--logfile", "",
	}
	if s.opts.Password != "" {
		args = append(args, "--requirepass", s.opts.Password)
	}
	proc, err := startProcess(bin, args...)
	if err != nil {
		return err
	}
	if err := waitReady(ctx, proc, addr, s.opts.Password); err != nil {
		return errors.Join(err, proc.kill())
	}
	s.Addr, s.proc = addr, proc
	return nil
}

// freePort asks the kernel for a free loopback port. It is free only until
// someone else takes it; Start retries for that case.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("redistest: find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("redistest: release probe port: %w", err)
	}
	return port, nil
}

// waitReady polls until the server answers PING, exits, or ctx ends.
func waitReady(ctx context.Context, proc *process, addr, password string) error {
	delay := time.Millisecond
	for {
		err := ping(ctx, addr, password)
		if err == nil {
			return nil
		}
		select {
		case <-proc.Done():
			return proc.exitError()
		case <-ctx.Done():
			return fmt.Errorf("redistest: redis-server not answering at %s: %w (last attempt: %v)\n%s",
				addr, ctx.Err(), err, proc.Output())
		case <-time.After(delay):
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// ping sends AUTH when there is a password, then PING, and expects +PONG.
// With a password the reply proves the server is ours, not another one
// that took the port first.
func ping(ctx context.Context, addr, password string) error {
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // a probe has nothing to lose
	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	r := bufio.NewReader(conn)
	if password != "" {
		if err := command(conn, r, "+OK", "AUTH", password); err != nil {
			return err
		}
	}
	return command(conn, r, "+PONG", "PING")
}

// command sends args as a RESP array and checks the one-line reply.
func command(conn net.Conn, r *bufio.Reader, want string, args ...string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return err
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if got := strings.TrimRight(line, "\r\n"); got != want {
		return fmt.Errorf("%s: got %q, want %q", args[0], got, want)
	}
	return nil
}

// process is a running redis-server.
type process struct{ *proctest.Process }

func startProcess(path string, args ...string) (*process, error) {
	p, err := proctest.Start(path, args...)
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	return &process{p}, nil
}

// exitError explains why the server exited on its own.
func (p *process) exitError() error {
	err, out := p.WaitErr(), p.Output()
	if strings.Contains(out, "Address already in use") {
		return fmt.Errorf("redistest: %w\n%s", errPortTaken, out)
	}
	return fmt.Errorf("redistest: redis-server exited: %v\n%s", err, out)
}

func (p *process) kill() error {
	if err := p.Kill(); err != nil {
		return fmt.Errorf("redistest: %w", err)
	}
	return nil
}
