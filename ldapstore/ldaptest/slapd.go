package ldaptest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Names of the directory every server is seeded with.
const (
	baseDN   = "dc=example,dc=org"
	adminDN  = "cn=admin," + baseDN
	configDN = "cn=config"
	policyDN = "cn=default,ou=policies," + baseDN
)

// startTimeout bounds StartSlapd as a whole: building the config, seeding
// and waiting for the server. A healthy start takes a fraction of a second;
// the margin is for loaded CI machines.
const startTimeout = 15 * time.Second

// dialTimeout bounds connecting and each request on connections handed out
// by this package, so a wedged server fails a test instead of hanging it.
const dialTimeout = 10 * time.Second

// Options says what a server holds beyond the base entries.
type Options struct {
	// LDIF files are loaded into the database, in order, before the server
	// starts. Paths are relative to the working directory (the package
	// directory under go test). See the package documentation for how they
	// combine with the base entries.
	LDIF []string

	// Schemas are extra schema files in cn=config form
	// (dn: cn=NAME,cn=schema,cn=config), loaded after the standard ones
	// and Gatehouse's.
	Schemas []string

	// BareSchema leaves out Gatehouse's own schema (package schema, loaded
	// by default), so that the server has only the standard schemas and
	// Schemas: for tests that add or upgrade the schema themselves.
	BareSchema bool

	// PPolicy loads the ppolicy overlay with a default policy at
	// Slapd.PolicyDN: three failed binds lock the account until an admin
	// removes pwdAccountLockedTime. Tests may modify the policy entry.
	PPolicy bool

	// TLS gives the server a certificate from a private CA (Slapd.CAFile)
	// for StartTLS on URL, and serves ldaps:// at Slapd.LDAPSURL too.
	TLS bool
}

// Slapd is a running private OpenLDAP server.
type Slapd struct {
	URL            string // ldap://127.0.0.1:PORT
	LDAPSURL       string // ldaps://127.0.0.1:PORT; empty without Options.TLS
	CAFile         string // PEM of the CA that issued the server certificate; empty without Options.TLS
	LDAPI          string // ldapi:// URL of the server's Unix socket
	BaseDN         string // suffix of the database
	AdminDN        string // root DN of the database
	AdminPassword  string
	ConfigDN       string // root DN of cn=config
	ConfigPassword string
	PolicyDN       string // default password policy; empty without Options.PPolicy
	Dir            string // holds config, database and socket; removed by Close

	tls       bool
	mirror    *mirrorConfig // set for a server of a mirror pair
	proc      *process
	paused    atomic.Bool // stopped by Pause
	closeOnce sync.Once
	closeErr  error
}

// StartSlapd builds and starts a private slapd. The caller must Close it.
// When slapd is not installed the error wraps ErrNotInstalled.
//
// ctx bounds only the start; the server runs until Close.
func StartSlapd(ctx context.Context, opts Options) (*Slapd, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	tools, err := findTools()
	if err != nil {
		return nil, err
	}
	dir, err := shortTempDir()
	if err != nil {
		return nil, err
	}
	s := newSlapd(dir, opts.PPolicy)
	s.tls = opts.TLS
	if err := s.start(ctx, tools, opts); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("gave up (limit %v or the caller's deadline): %w", startTimeout, err)
		}
		return nil, errors.Join(fmt.Errorf("ldaptest: start slapd: %w", err), s.Close())
	}
	return s, nil
}

func newSlapd(dir string, ppolicy bool) *Slapd {
	s := &Slapd{
		LDAPI:          ldapiURL(socketPath(dir)),
		BaseDN:         baseDN,
		AdminDN:        adminDN,
		AdminPassword:  rand.Text(),
		ConfigDN:       configDN,
		ConfigPassword: rand.Text(),
		Dir:            dir,
	}
	if ppolicy {
		s.PolicyDN = policyDN
	}
	return s
}

func (s *Slapd) start(ctx context.Context, tools tools, opts Options) error {
	if err := s.writeConfig(ctx, tools, opts); err != nil {
		return err
	}
	if err := s.seed(ctx, tools, opts); err != nil {
		return err
	}
	return s.launch(ctx, tools)
}

// Close stops the server and removes its directory. It is safe to call
// more than once. An error reports a server that had died on its own
// (with its output) or a directory that could not be removed.
func (s *Slapd) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.proc != nil {
			errs = append(errs, s.stopProcess())
		}
		if err := os.RemoveAll(s.Dir); err != nil {
			errs = append(errs, fmt.Errorf("ldaptest: remove %s: %w", s.Dir, err))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// stopProcess kills slapd, or reports that it had died by itself: tests
// that passed against a server that crashed under them should hear of it.
func (s *Slapd) stopProcess() error {
	if s.proc.exited() {
		return fmt.Errorf("ldaptest: slapd died before Close: %w", s.proc.exitError())
	}
	// SIGKILL ends a paused process too; resuming it first is for tidiness.
	return errors.Join(s.resumeIfPaused(), s.proc.kill())
}

// Restart stops slapd cleanly and starts it again on the same
// configuration and database, as a reboot would: for tests of changes to
// cn=config that must survive one. The server listens on a new port
// afterwards (URL changes; LDAPI stays) and connections from before are
// closed. Restart must not run concurrently with other uses of s.
func (s *Slapd) Restart(ctx context.Context) error {
	if s.proc == nil {
		return errors.New("ldaptest: restart: slapd is not running")
	}
	if err := s.resumeIfPaused(); err != nil {
		return err
	}
	if s.proc.exited() {
		return fmt.Errorf("ldaptest: restart: slapd died before: %w", s.proc.exitError())
	}
	if err := s.proc.terminate(); err != nil {
		return fmt.Errorf("ldaptest: restart: %w", err)
	}
	s.proc = nil
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tools, err := findTools()
	if err != nil {
		return err
	}
	if err := s.launch(ctx, tools); err != nil {
		return fmt.Errorf("ldaptest: restart slapd: %w", err)
	}
	return nil
}

// Dial returns a connection bound as the database admin. The caller
// closes it; tests use Conn instead.
func (s *Slapd) Dial() (*ldap.Conn, error) {
	return dialBound(s.URL, s.AdminDN, s.AdminPassword)
}

// DialConfig returns a connection bound as the cn=config root DN, for
// changing the configuration (schema, overlays) of the running server.
func (s *Slapd) DialConfig() (*ldap.Conn, error) {
	return dialBound(s.URL, s.ConfigDN, s.ConfigPassword)
}

func dialBound(url, dn, password string) (*ldap.Conn, error) {
	conn, err := ldap.DialURL(url, ldap.DialWithDialer(&net.Dialer{Timeout: dialTimeout}))
	if err != nil {
		return nil, fmt.Errorf("ldaptest: dial %s: %w", url, err)
	}
	conn.SetTimeout(dialTimeout)
	if err := conn.Bind(dn, password); err != nil {
		_ = conn.Close() // the bind error is the one worth reporting
		return nil, fmt.Errorf("ldaptest: bind as %s: %w", dn, err)
	}
	return conn, nil
}
