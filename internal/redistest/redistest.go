// Package redistest runs a private redis-server for a test: on a free
// loopback port, with its own directory, nothing persisted, and stopped
// when the test ends. Options add an ACL user, TLS with a private CA, or
// make the server a replica; NewSentinel starts a master, a replica and
// sentinels (redis-server --sentinel), NewCluster a Redis Cluster.
//
// Without redis-server the test is skipped, except when CI=true: there a
// missing server is a broken machine, and the test fails.
// scripts/test-deps.sh installs the package.
package redistest

import (
	"bufio"
	"context"
	"crypto/tls"
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
	// Password, when set, is required of clients (requirepass), or is the
	// password of User.
	Password string
	// User, with Password, is an ACL user allowed everything; the default
	// user is switched off, so that a client must name the user (AUTH
	// user password) to get in.
	User string
	// Rules, when set, replace User's rights ("~*", "&*", "+@all"), e.g.
	// "~app:*", "+get": ACL rules, one to an element.
	Rules []string
	// TLS serves TLS only (the plain port is off), with a certificate of a
	// private CA written to the server's directory: see Server.TLS.
	TLS bool
	// ClientCerts, with TLS, requires clients to show a certificate of
	// that CA (tls-auth-clients yes); without it they need none.
	ClientCerts bool
	// ReplicaOf, host:port, starts the server as a replica of that master,
	// authenticating with User and Password.
	ReplicaOf string
	// Args are further redis-server arguments, such as "--cluster-enabled", "yes".
	Args []string
}

// Server is a running redis-server.
type Server struct {
	// Addr is host:port, on 127.0.0.1.
	Addr string
	// Dir is the server's working directory.
	Dir string
	// TLS holds the files of the private CA, for a server started with
	// Options.TLS; nil otherwise.
	TLS *TLSFiles

	opts    Options
	role    role
	busPort int // a cluster node's bus port
	proc    *process
	once    sync.Once
	err     error
}

// New starts a server for one test and stops it when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	return newServer(t, t.TempDir(), opts, role{})
}

// role is what a server is besides a plain one.
type role struct {
	sentinel *sentinelSpec // a sentinel (redis-server --sentinel)
	cluster  bool          // a node of a Redis Cluster
}

func newServer(t testing.TB, dir string, opts Options, r role) *Server {
	t.Helper()
	s, err := start(t.Context(), dir, opts, r)
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
	return start(ctx, dir, opts, role{})
}

func start(ctx context.Context, dir string, opts Options, r role) (*Server, error) {
	bin, err := findServer()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	s := &Server{Dir: dir, opts: opts, role: r}
	if opts.TLS {
		files, err := WriteTLSFiles(dir)
		if err != nil {
			return nil, err
		}
		s.TLS = &files
	}
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
	args, err := s.args(port)
	if err != nil {
		return err
	}
	proc, err := startProcess(bin, args...)
	if err != nil {
		return err
	}
	if err := waitReady(ctx, proc, addr, s.probe()); err != nil {
		return errors.Join(err, proc.kill())
	}
	s.Addr, s.proc = addr, proc
	return nil
}

// args are the server's command line, listening on port.
func (s *Server) args(port int) ([]string, error) {
	o := s.opts
	if s.role.sentinel != nil {
		if o.User != "" || o.TLS || o.ReplicaOf != "" {
			return nil, errSentinelOptions
		}
		return s.sentinelArgs(port)
	}
	args := []string{
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--dir", s.Dir,
		"--logfile", "",
	}
	if !o.TLS {
		args = append(args, "--port", strconv.Itoa(port))
	} else {
		auth := "no"
		if o.ClientCerts {
			auth = "yes"
		}
		args = append(args, "--port", "0", "--tls-port", strconv.Itoa(port),
			"--tls-cert-file", s.TLS.ServerCertFile, "--tls-key-file", s.TLS.ServerKeyFile,
			"--tls-ca-cert-file", s.TLS.CAFile, "--tls-auth-clients", auth)
	}
	switch {
	case o.User != "" && o.Password == "":
		return nil, errors.New("redistest: Options.User needs a Password")
	case o.User != "":
		rules := o.Rules
		if len(rules) == 0 {
			rules = []string{"~*", "&*", "+@all"}
		}
		args = append(args, "--user", "default", "off", "--user", o.User, "on", ">"+o.Password)
		args = append(args, rules...)
	case o.Password != "":
		args = append(args, "--requirepass", o.Password)
	}
	if o.ReplicaOf != "" {
		if o.TLS {
			return nil, errors.New("redistest: a TLS replica is not supported")
		}
		host, port, err := net.SplitHostPort(o.ReplicaOf)
		if err != nil {
			return nil, fmt.Errorf("redistest: ReplicaOf: %w", err)
		}
		args = append(args, "--replicaof", host, port)
		if o.Password != "" {
			args = append(args, "--masterauth", o.Password)
		}
		if o.User != "" {
			args = append(args, "--masteruser", o.User)
		}
	}
	if s.role.cluster {
		bus, err := freePort()
		if err != nil {
			return nil, err
		}
		s.busPort = bus
		args = append(args, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", strconv.Itoa(int(clusterNodeTimeout.Milliseconds())),
			"--cluster-port", strconv.Itoa(bus))
	}
	return append(args, o.Args...), nil
}

// probe is how waitReady knows the server is up, and is ours.
func (s *Server) probe() probe {
	p := probe{user: s.opts.User, password: s.opts.Password}
	if s.TLS != nil {
		p.tls = s.TLS.clientConfig(s.opts.ClientCerts)
	}
	return p
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

// probe says how to ask a server for PING.
type probe struct {
	user, password string
	tls            *tls.Config // nil: plain TCP
}

// waitReady polls until the server answers PING, exits, or ctx ends.
func waitReady(ctx context.Context, proc *process, addr string, p probe) error {
	delay := time.Millisecond
	for {
		err := p.ping(ctx, addr)
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
func (p probe) ping(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	if p.tls != nil {
		conn = tls.Client(conn, p.tls)
	}
	defer func() { _ = conn.Close() }() // a probe has nothing to lose
	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	r := bufio.NewReader(conn)
	switch {
	case p.user != "":
		err = command(conn, r, "+OK", "AUTH", p.user, p.password)
	case p.password != "":
		err = command(conn, r, "+OK", "AUTH", p.password)
	}
	if err != nil {
		return err
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
