package ldapstore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// PoolConfig describes how to reach the directory.
type PoolConfig struct {
	// URLs are tried in order on every new connection: the first that
	// answers wins, so the first is the primary and the rest are failover.
	URLs         []string
	BindDN       string
	BindPassword string
	StartTLS     bool
	// CAFile holds PEM certificates trusted for ldaps:// and StartTLS;
	// empty means the system roots.
	CAFile string
	// Timeout bounds a dial and each operation when the caller's context
	// has no earlier deadline.
	Timeout time.Duration
	// Size bounds the connections open and in use at once.
	Size int
}

// Pool hands out bound connections. At most Size operations run at once;
// the rest wait for a slot or for their context to end.
type Pool struct {
	cfg   PoolConfig
	tls   *tls.Config
	log   *slog.Logger
	slots chan struct{}
	idle  chan *ldap.Conn

	mu     sync.Mutex
	closed bool
}

// NewPool checks the configuration and prepares the pool. It does not dial:
// the directory may come up after the provider does.
func NewPool(cfg PoolConfig, log *slog.Logger) (*Pool, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("no directory URL")
	}
	for _, raw := range cfg.URLs {
		if _, err := parseURL(raw); err != nil {
			return nil, err
		}
	}
	if cfg.Size < 1 {
		cfg.Size = 1
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	tlsCfg, err := TLSConfig(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pool{
		cfg:   cfg,
		tls:   tlsCfg,
		log:   log,
		slots: make(chan struct{}, cfg.Size),
		idle:  make(chan *ldap.Conn, cfg.Size),
	}, nil
}

// Do runs fn with a bound connection. An outage — from dialing, binding or
// fn itself — is returned wrapped in ErrUnavailable and the connection is
// dropped; other errors are fn's own, and the connection goes back to the
// pool.
func (p *Pool) Do(ctx context.Context, fn func(*ldap.Conn) error) error {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return unavailable(fmt.Errorf("waiting for a directory connection: %w", ctx.Err()))
	}
	defer func() { <-p.slots }()

	conn, err := p.get(ctx)
	if err != nil {
		return unavailable(err)
	}
	conn.SetTimeout(p.opTimeout(ctx))
	err = fn(conn)
	if isOutage(err) || conn.IsClosing() {
		_ = conn.Close()
		if err == nil {
			return nil
		}
		return unavailable(err)
	}
	p.put(conn)
	return err
}

// forBinds returns a second pool that reaches the same servers in the same
// way (failover order, TLS, timeouts, size) but never binds as the service
// account. Its connections are for checking people's passwords only: each
// is left bound as whoever bound last, or anonymous after a failed bind,
// so nothing is ever read or written on them.
func (p *Pool) forBinds() *Pool {
	cfg := p.cfg
	cfg.BindDN, cfg.BindPassword = "", ""
	return &Pool{
		cfg:   cfg,
		tls:   p.tls,
		log:   p.log,
		slots: make(chan struct{}, cfg.Size),
		idle:  make(chan *ldap.Conn, cfg.Size),
	}
}

// Ping reads the root DSE: the cheapest request every server answers.
func (p *Pool) Ping(ctx context.Context) error {
	return p.Do(ctx, func(c *ldap.Conn) error {
		_, err := c.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases,
			1, 0, false, "(objectClass=*)", []string{"1.1"}, nil))
		return err
	})
}

// Close closes the idle connections; connections in use close when returned.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case c := <-p.idle:
			_ = c.Close()
		default:
			return
		}
	}
}

// get takes an idle connection that is still open, or dials a new one.
func (p *Pool) get(ctx context.Context) (*ldap.Conn, error) {
	for {
		select {
		case c := <-p.idle:
			if !c.IsClosing() {
				return c, nil
			}
			_ = c.Close() // the server went away while it sat idle
		default:
			return p.dial(ctx)
		}
	}
}

func (p *Pool) put(c *ldap.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.Close()
		return
	}
	select {
	case p.idle <- c:
	default:
		_ = c.Close()
	}
}

// dial tries each URL in order and returns the first bound connection.
func (p *Pool) dial(ctx context.Context) (*ldap.Conn, error) {
	var errs []error
	for _, raw := range p.cfg.URLs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := p.dialOne(ctx, raw)
		if err == nil {
			return c, nil
		}
		p.log.Warn("directory server failed, trying the next", "url", raw, "err", err)
		errs = append(errs, fmt.Errorf("%s: %w", raw, err))
	}
	return nil, errors.Join(errs...)
}

func (p *Pool) dialOne(ctx context.Context, raw string) (*ldap.Conn, error) {
	u, err := parseURL(raw)
	if err != nil {
		return nil, err
	}
	timeout := p.opTimeout(ctx)
	c, err := ldap.DialURL(raw,
		ldap.DialWithDialer(&net.Dialer{Timeout: timeout}),
		ldap.DialWithTLSConfig(p.tls))
	if err != nil {
		return nil, err
	}
	c.SetTimeout(timeout)
	if p.cfg.StartTLS && u.Scheme == "ldap" {
		cfg := p.tls.Clone()
		cfg.ServerName = u.Hostname()
		if err := c.StartTLS(cfg); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("StartTLS: %w", err)
		}
	}
	if p.cfg.BindDN != "" {
		if err := c.Bind(p.cfg.BindDN, p.cfg.BindPassword); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("bind as %s: %w", p.cfg.BindDN, err)
		}
	}
	return c, nil
}

// opTimeout is the configured timeout, shortened to the context's deadline.
func (p *Pool) opTimeout(ctx context.Context) time.Duration {
	d := p.cfg.Timeout
	if deadline, ok := ctx.Deadline(); ok {
		if left := time.Until(deadline); left < d {
			d = max(left, time.Millisecond)
		}
	}
	return d
}

func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("directory URL %q: %w", raw, err)
	}
	if u.Scheme != "ldap" && u.Scheme != "ldaps" {
		return nil, fmt.Errorf("directory URL %q: scheme must be ldap or ldaps", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("directory URL %q: no host", raw)
	}
	return u, nil
}

// TLSConfig is the client TLS configuration for directory connections:
// TLS 1.2 or later, trusting the PEM certificates in caFile, or the system
// roots when caFile is empty.
func TLSConfig(caFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("directory CA file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("directory CA file %s: no PEM certificate found", caFile)
	}
	cfg.RootCAs = roots
	return cfg, nil
}
