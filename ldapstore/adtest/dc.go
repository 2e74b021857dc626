package adtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/internal/proctest"
)

// startTimeout bounds a DC's start after the template exists: copying it,
// starting Samba (answering after about a second) and seeding.
const startTimeout = 30 * time.Second

// dialTimeout bounds connecting and each request on connections handed out
// by this package, so a wedged DC fails a test instead of hanging it.
const dialTimeout = 10 * time.Second

// DC is a running Samba Active Directory domain controller on a loopback
// address of its own, seeded with the users and groups of names.go.
type DC struct {
	URL         string // ldap://127.0.0.N (port 389): simple binds allowed, StartTLS offered
	LDAPSURL    string // ldaps://127.0.0.N (port 636)
	CAFile      string // PEM of the CA that issued the DC's certificate (SANs: IP Addr, dc1.example.test, dc1)
	WrongCAFile string // PEM of an unrelated CA: a client trusting only it must refuse the DC

	BaseDN        string // DC=example,DC=test
	Realm         string // EXAMPLE.TEST
	Domain        string // EXAMPLE (NetBIOS)
	AdminDN       string // CN=Administrator,CN=Users,DC=example,DC=test
	AdminUPN      string // Administrator@example.test
	AdminPassword string
	Addr          string // 127.0.0.N; ports 389, 636, 3268 and 3269
	Dir           string // the DC's files; removed by Close

	tools     tools
	proc      *proctest.Process
	release   func() // gives up the lease of Addr
	closeOnce sync.Once
	closeErr  error
}

// Start provisions (once, cached) and starts a DC and seeds it. The caller
// must Close it. When Samba is missing or cannot run here the error wraps
// ErrNotInstalled. ctx bounds only the start.
func Start(ctx context.Context) (*DC, error) {
	tools, err := findTools()
	if err != nil {
		return nil, err
	}
	tmpl, err := template()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	d, err := newDC(tools)
	if err != nil {
		return nil, err
	}
	if err := d.start(ctx, tmpl); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("gave up (limit %v or the caller's deadline): %w", startTimeout, err)
		}
		return nil, errors.Join(fmt.Errorf("adtest: start DC at %s: %w", d.Addr, err), d.Close())
	}
	return d, nil
}

func newDC(tools tools) (*DC, error) {
	addr, release, err := leaseAddress()
	if err != nil {
		return nil, err
	}
	dir, err := shortTempDir()
	if err != nil {
		release()
		return nil, err
	}
	return &DC{
		URL:           "ldap://" + addr,
		LDAPSURL:      "ldaps://" + addr,
		BaseDN:        BaseDN,
		Realm:         Realm,
		Domain:        Domain,
		AdminDN:       AdminDN,
		AdminUPN:      AdminUPN,
		AdminPassword: AdminPassword,
		Addr:          addr,
		Dir:           dir,
		tools:         tools,
		release:       release,
	}, nil
}

func (d *DC) start(ctx context.Context, tmpl string) error {
	if err := copyTemplate(ctx, tmpl, d.Dir); err != nil {
		return err
	}
	if _, err := writeConfig(d.Dir, d.Addr); err != nil {
		return err
	}
	var err error
	if d.CAFile, d.WrongCAFile, err = writeTLSFiles(d.Dir, d.Addr); err != nil {
		return err
	}
	if err := d.launch(ctx); err != nil {
		return err
	}
	return d.seed(ctx)
}

// maxSocketPath leaves room under the 108-byte sun_path limit of Linux for
// Samba's longest socket, private/ldap_priv/ldapi, and its NUL.
const maxSocketPath = 100

// shortTempDir makes the DC directory. t.TempDir would embed the test name
// and may overflow the socket path limit.
func shortTempDir() (string, error) {
	parent := os.TempDir()
	if len(parent)+len("/gh-ad-0123456789/private/ldap_priv/ldapi") > maxSocketPath {
		parent = "/tmp"
	}
	dir, err := os.MkdirTemp(parent, "gh-ad-")
	if err != nil {
		return "", fmt.Errorf("adtest: create DC directory: %w", err)
	}
	return dir, nil
}

// Close stops the DC and removes its directory; safe to call more than
// once. An error reports a DC that had died on its own (with its output)
// or a directory that could not be removed.
func (d *DC) Close() error {
	d.closeOnce.Do(func() {
		var errs []error
		if d.proc != nil {
			errs = append(errs, d.stop())
		}
		if err := os.RemoveAll(d.Dir); err != nil {
			errs = append(errs, fmt.Errorf("adtest: remove %s: %w", d.Dir, err))
		}
		d.release()
		d.closeErr = errors.Join(errs...)
	})
	return d.closeErr
}

// Dial returns a connection to URL bound as Administrator. The caller
// closes it; tests use Conn instead.
func (d *DC) Dial() (*ldap.Conn, error) {
	conn, err := d.DialURL(d.URL)
	if err != nil {
		return nil, err
	}
	if err := conn.Bind(d.AdminUPN, d.AdminPassword); err != nil {
		_ = conn.Close() // the bind error is the one worth reporting
		return nil, fmt.Errorf("adtest: bind as %s: %w", d.AdminUPN, err)
	}
	return conn, nil
}

// DialURL connects, unbound, to url (d.URL or d.LDAPSURL), trusting
// CAFile for ldaps://, with this package's timeouts.
func (d *DC) DialURL(url string) (*ldap.Conn, error) {
	conn, err := ldap.DialURL(url,
		ldap.DialWithDialer(&net.Dialer{Timeout: dialTimeout}),
		ldap.DialWithTLSConfig(d.TLSConfig()))
	if err != nil {
		return nil, fmt.Errorf("adtest: dial %s: %w", url, err)
	}
	conn.SetTimeout(dialTimeout)
	return conn, nil
}

// Bind dials url, binds as user (a UPN, a DN or DOMAIN\name) and hangs up.
// It returns the bind's error: an *ldap.Error with result 49 and a data
// code (see DataWrongPassword and the others) for a refused login.
func (d *DC) Bind(url, user, password string) error {
	conn, err := d.DialURL(url)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // the bind's outcome is the answer
	return conn.Bind(user, password)
}

// TLSConfig trusts CAFile only, for ldaps:// and StartTLS to Addr.
func (d *DC) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(d.CAFile); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	return &tls.Config{RootCAs: pool, ServerName: d.Addr, MinVersion: tls.VersionTLS12}
}

// UserDN is the DN of a seeded user, by sAMAccountName (Alice, Meta, ...).
func (d *DC) UserDN(name string) string { return UserDN(name) }

// GroupDN is the DN of a seeded group (InnerGroup, ...).
func (d *DC) GroupDN(name string) string { return GroupDN(name) }

// UserDN is the DN of a seeded user, by sAMAccountName.
func UserDN(name string) string { return "CN=" + ldap.EscapeDN(name) + "," + PeopleDN }

// GroupDN is the DN of a seeded group.
func GroupDN(name string) string { return "CN=" + ldap.EscapeDN(name) + "," + GroupsDN }

// DataCode extracts the "data XXX" sub-code of a failed AD bind, or "".
func DataCode(err error) string {
	var lerr *ldap.Error
	if !errors.As(err, &lerr) || lerr.Err == nil {
		return ""
	}
	_, rest, ok := strings.Cut(lerr.Err.Error(), ", data ")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, ",")
	return code
}
