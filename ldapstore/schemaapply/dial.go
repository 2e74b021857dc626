package schemaapply

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/go-ldap/ldap/v3"
)

// Target says how to reach and authenticate to a server's cn=config. This
// is usually not Gatehouse's own service account: on a stock Debian
// OpenLDAP only root over the ldapi socket may change cn=config.
type Target struct {
	// URL is ldapi://, ldap:// or ldaps://.
	URL string
	// BindDN and BindPassword select a simple bind. Without a BindDN the
	// connection must be ldapi://, where SASL EXTERNAL binds as the
	// identity of the calling process (uid and gid).
	BindDN       string
	BindPassword string
	// StartTLS upgrades an ldap:// connection before binding.
	StartTLS bool
	// CAFile holds PEM certificates trusted for ldaps:// and StartTLS;
	// empty means the system roots.
	CAFile string
	// Timeout bounds the dial and each request; zero means 30 seconds.
	Timeout time.Duration
}

const defaultTimeout = 30 * time.Second

// Dial connects and binds. The caller closes the connection.
func Dial(t Target) (*ldap.Conn, error) {
	scheme, host, err := splitURL(t.URL)
	if err != nil {
		return nil, err
	}
	if t.BindDN == "" && scheme != "ldapi" {
		return nil, errors.New("a bind DN is needed unless the URL is ldapi:// (SASL EXTERNAL)")
	}
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	tlsCfg, err := tlsConfig(t.CAFile, host)
	if err != nil {
		return nil, err
	}
	conn, err := ldap.DialURL(t.URL,
		ldap.DialWithDialer(&net.Dialer{Timeout: timeout}),
		ldap.DialWithTLSConfig(tlsCfg))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", t.URL, err)
	}
	conn.SetTimeout(timeout)
	if err := bind(conn, t, scheme, tlsCfg); err != nil {
		_ = conn.Close() // the bind error is the one to report
		return nil, err
	}
	return conn, nil
}

// splitURL returns the scheme and, for TCP URLs, the host name that TLS
// verifies. An ldapi:// URL carries a percent-encoded socket path where the
// host would be, which net/url refuses, so it is not parsed further here.
func splitURL(raw string) (scheme, host string, err error) {
	scheme, _, ok := strings.Cut(raw, "://")
	switch {
	case ok && scheme == "ldapi":
		return scheme, "", nil
	case ok && (scheme == "ldap" || scheme == "ldaps"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("directory URL %q: %w", raw, err)
		}
		return scheme, u.Hostname(), nil
	}
	return "", "", fmt.Errorf("directory URL %q: scheme must be ldapi, ldap or ldaps", raw)
}

func bind(conn *ldap.Conn, t Target, scheme string, tlsCfg *tls.Config) error {
	if t.StartTLS && scheme == "ldap" {
		if err := conn.StartTLS(tlsCfg); err != nil {
			return fmt.Errorf("StartTLS with %s: %w", t.URL, err)
		}
	}
	if t.BindDN == "" {
		if err := conn.ExternalBind(); err != nil {
			return fmt.Errorf("SASL EXTERNAL bind to %s: %w", t.URL, err)
		}
		return nil
	}
	if t.BindPassword == "" {
		// An empty password would make a successful anonymous bind.
		return fmt.Errorf("no password for %s", t.BindDN)
	}
	if err := conn.Bind(t.BindDN, t.BindPassword); err != nil {
		return fmt.Errorf("bind as %s: %w", t.BindDN, err)
	}
	return nil
}

func tlsConfig(caFile, serverName string) (*tls.Config, error) {
	cfg, err := ldapstore.TLSConfig(caFile)
	if err != nil {
		return nil, err
	}
	cfg.ServerName = serverName
	return cfg, nil
}
