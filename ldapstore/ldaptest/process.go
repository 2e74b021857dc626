package ldaptest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/internal/proctest"
)

// maxSocketPath leaves room under the 108-byte sun_path limit of Linux for
// the terminating NUL and some slack.
const maxSocketPath = 100

// portAttempts bounds how often a start is retried because another process
// took the free port between our probe and slapd's bind.
const portAttempts = 5

// shortTempDir makes the server directory where the ldapi socket path
// inside it stays short enough for a Unix socket. t.TempDir would embed
// the test name and overflow for long ones.
func shortTempDir() (string, error) {
	parent := os.TempDir()
	if len(parent)+len("/ldaptest-0123456789/ldapi") > maxSocketPath {
		parent = "/tmp"
	}
	dir, err := os.MkdirTemp(parent, "ldaptest-")
	if err != nil {
		return "", fmt.Errorf("ldaptest: create server directory: %w", err)
	}
	return dir, nil
}

// ldapiURL puts the socket path in the host part, percent-encoded
// slashes included, as libldap and go-ldap expect.
func ldapiURL(socket string) string {
	return "ldapi://" + url.PathEscape(socket)
}

// freePort asks the kernel for a free loopback port. It is free only until
// someone else takes it; launch retries for that case.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("release probe port: %w", err)
	}
	return port, nil
}

// errPortTaken marks a start that failed only because the port was taken.
var errPortTaken = errors.New("port already in use")

// launch starts slapd and waits until it answers.
func (s *Slapd) launch(ctx context.Context, tools tools) error {
	var err error
	for range portAttempts {
		if err = s.launchOnce(ctx, tools); !errors.Is(err, errPortTaken) {
			return err
		}
	}
	return fmt.Errorf("%d attempts: %w", portAttempts, err)
}

func (s *Slapd) launchOnce(ctx context.Context, tools tools) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	tlsPort := 0
	if s.tls {
		if tlsPort, err = freePort(); err != nil {
			return err
		}
	}
	return s.launchOn(ctx, tools, port, tlsPort)
}

// launchOn starts slapd listening on port, and on tlsPort for ldaps://
// when the server has TLS.
func (s *Slapd) launchOn(ctx context.Context, tools tools, port, tlsPort int) error {
	ldapURL := "ldap://127.0.0.1:" + strconv.Itoa(port)
	listeners := ldapURL + "/ " + s.LDAPI
	ldapsURL := ""
	if s.tls {
		ldapsURL = "ldaps://127.0.0.1:" + strconv.Itoa(tlsPort)
		listeners += " " + ldapsURL + "/"
	}
	// "-d none" keeps slapd in the foreground, so the process we start is
	// the server, and prints only startup failures; "-d 0" would print
	// nothing, not even why it could not bind.
	proc, err := startProcess(tools.slapd,
		"-d", "none",
		"-h", listeners,
		"-F", s.configDir())
	if err != nil {
		return err
	}
	if err := s.waitReady(ctx, proc, ldapURL); err != nil {
		return errors.Join(err, proc.kill())
	}
	s.URL, s.LDAPSURL, s.proc = ldapURL, ldapsURL, proc
	return nil
}

// waitReady polls until slapd answers, slapd exits, or ctx ends. Polling
// starts fast because slapd is usually up within milliseconds, and backs
// off so a slow machine is not hammered.
func (s *Slapd) waitReady(ctx context.Context, proc *process, ldapURL string) error {
	delay := time.Millisecond
	for {
		err := s.probe(ldapURL)
		if err == nil {
			return nil
		}
		select {
		case <-proc.Done():
			return proc.exitError()
		case <-ctx.Done():
			return fmt.Errorf("slapd not answering at %s: %w (last attempt: %v)\n%s",
				ldapURL, ctx.Err(), err, proc.Output())
		case <-time.After(delay):
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// probe binds as this server's admin, which succeeds once slapd serves
// requests from the database. A root DSE read would answer as well, but
// also from another server that took the port first, which the random
// admin password rules out.
func (s *Slapd) probe(ldapURL string) error {
	conn, err := ldap.DialURL(ldapURL, ldap.DialWithDialer(&net.Dialer{Timeout: time.Second}))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // a probe has nothing to lose
	conn.SetTimeout(time.Second)
	return conn.Bind(s.AdminDN, s.AdminPassword)
}

// process is a running slapd.
type process struct{ *proctest.Process }

func startProcess(path string, args ...string) (*process, error) {
	p, err := proctest.Start(path, args...)
	if err != nil {
		return nil, err
	}
	return &process{p}, nil
}

// exitError explains why slapd exited on its own.
func (p *process) exitError() error {
	err, out := p.WaitErr(), p.Output()
	if strings.Contains(out, "errno=98") { // EADDRINUSE
		return fmt.Errorf("slapd: %w\n%s", errPortTaken, out)
	}
	return fmt.Errorf("slapd exited: %v\n%s", err, out)
}

func (p *process) exited() bool { return p.Exited() }

// kill stops slapd and waits for it. Killing is fine: the database is
// thrown away with the directory.
func (p *process) kill() error { return p.Kill() }

// terminateGrace is how long slapd may take to shut down cleanly after
// SIGTERM before it is killed.
const terminateGrace = 10 * time.Second

// terminate stops slapd the way an init system does, so that it writes
// out what it holds, and waits for it.
func (p *process) terminate() error { return p.Terminate(terminateGrace) }

// socketPath is the ldapi socket inside a server directory.
func socketPath(dir string) string { return filepath.Join(dir, "ldapi") }
