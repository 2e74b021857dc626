package ldapstore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// PoolConfig describes how to reach the directory.
type PoolConfig struct {
	// URLs are the servers, in order of preference: a new connection goes
	// to the first one that is up, so the first is the primary and the
	// rest are failover.
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
	// ProbeInterval is how often a server that is down is probed (a root
	// DSE read) to see whether it answers again. Default 1s.
	ProbeInterval time.Duration
	// ProbeTimeout bounds a probe. An operation outstanding this long gets
	// its server probed at once, so that a hung server is found while its
	// callers still wait. Default 1s, at most Timeout.
	ProbeTimeout time.Duration
	// UpProbeInterval is how often a server that is up is probed, so that
	// a hang is seen without traffic. Default 10s; negative: never.
	UpProbeInterval time.Duration
	// Observer hears of every operation, dial and probe, for metrics;
	// nil: none. Spans need no setting: they go to the process's
	// OpenTelemetry provider, which is a no-op unless tracing is on.
	Observer OpObserver
}

// Defaults of PoolConfig.
const (
	defaultTimeout         = 5 * time.Second
	defaultProbeInterval   = time.Second
	defaultProbeTimeout    = time.Second
	defaultUpProbeInterval = 10 * time.Second
)

// Pool hands out bound connections. At most Size operations run at once;
// the rest wait for a slot or for their context to end.
//
// Each server has a circuit breaker, shared with the pool for people's
// binds: a server that times out, refuses or breaks a connection is down
// at once, its connections are closed, and requests go to the others until
// a probe or a half-open trial finds it answering again.
type Pool struct {
	cfg     PoolConfig
	tls     *tls.Config
	log     *slog.Logger
	servers *servers
	owner   bool // stops the probes on Close
	slots   chan struct{}
	idle    chan *pooledConn
	// waiting counts the callers waiting for a slot, for Stats.
	waiting atomic.Int64

	mu     sync.Mutex
	closed bool
}

// NewPool checks the configuration and prepares the pool. It does not
// wait for the directory, which may come up after the provider does; it
// starts probing the servers in the background until Close.
func NewPool(cfg PoolConfig, log *slog.Logger) (*Pool, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("no directory URL")
	}
	for _, raw := range cfg.URLs {
		if _, err := parseURL(raw); err != nil {
			return nil, err
		}
	}
	cfg = withDefaults(cfg)
	tlsCfg, err := TLSConfig(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Pool{
		cfg:     cfg,
		tls:     tlsCfg,
		log:     log,
		servers: newServers(cfg.URLs, log),
		owner:   true,
		slots:   make(chan struct{}, cfg.Size),
		idle:    make(chan *pooledConn, cfg.Size),
	}
	p.servers.startProbes(p.probeSchedule(), p.probe)
	return p, nil
}

func withDefaults(cfg PoolConfig) PoolConfig {
	cfg.Size = max(cfg.Size, 1)
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.ProbeInterval <= 0 {
		cfg.ProbeInterval = defaultProbeInterval
	}
	if cfg.ProbeTimeout <= 0 {
		cfg.ProbeTimeout = defaultProbeTimeout
	}
	cfg.ProbeTimeout = min(cfg.ProbeTimeout, cfg.Timeout)
	if cfg.UpProbeInterval == 0 {
		cfg.UpProbeInterval = defaultUpProbeInterval
	}
	return cfg
}

// Do runs fn with a bound connection, as an operation named "other" (see
// DoOp). An outage — from dialing, binding or
// fn itself — is returned wrapped in ErrUnavailable and the connection is
// dropped; other errors are fn's own, and the connection goes back to the
// pool. fn runs at most once: use it for writes, whose answer may have
// been lost with the connection after the server applied them.
//
// Waiting for a slot and every operation end with ctx; when every server
// is down, Do fails at once.
func (p *Pool) Do(ctx context.Context, fn func(*ldap.Conn) error) error {
	return p.do(ctx, OpOther, fn, false)
}

// DoIdempotent is Do for fn that may safely run twice — reads, and binds
// that check a password: when fn meets an outage and ctx has time left, it
// runs once more on another server.
func (p *Pool) DoIdempotent(ctx context.Context, fn func(*ldap.Conn) error) error {
	return p.do(ctx, OpOther, fn, true)
}

func (p *Pool) do(ctx context.Context, op string, fn func(*ldap.Conn) error, idempotent bool) error {
	if err := p.acquire(ctx); err != nil {
		return unavailable(err)
	}
	defer func() { <-p.slots }()

	tried := make(map[int]bool)
	var failed error // fn's outage on the first server
	for {
		pc, err := p.get(ctx, tried)
		if err != nil {
			if failed != nil {
				err = fmt.Errorf("%w; then %w", failed, err)
			}
			return unavailable(err)
		}
		outage, err := p.run(ctx, pc, op, fn)
		if !outage {
			return err
		}
		tried[pc.srv] = true
		if !idempotent || failed != nil || ctx.Err() != nil || len(p.servers.order(tried)) == 0 {
			return unavailable(err)
		}
		failed = err
		p.log.Debug("directory operation failed, trying it on another server", "url", p.cfg.URLs[pc.srv], "err", err)
	}
}

// acquire takes a slot, failing at once when no server can be reached
// and when ctx ends first.
func (p *Pool) acquire(ctx context.Context) error {
	if err := p.servers.refusal(); err != nil {
		return err
	}
	select {
	case p.slots <- struct{}{}:
		return nil
	default:
	}
	p.waiting.Add(1)
	defer p.waiting.Add(-1)
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for a directory connection: %w", ctx.Err())
	}
}

// PoolStats is how a pool is used at one moment, for metrics.
type PoolStats struct {
	// InUse are the connections lent out, Size the most there may be,
	// Waiting the callers waiting for one.
	InUse, Size, Waiting int
}

// Stats tells how the pool is used now.
func (p *Pool) Stats() PoolStats {
	return PoolStats{InUse: len(p.slots), Size: cap(p.slots), Waiting: int(p.waiting.Load())}
}

// forBinds returns a second pool that reaches the same servers in the same
// way (failover order, TLS, timeouts, size) and shares their breakers, but
// never binds as the service account. Its connections are for checking
// people's passwords only: each is left bound as whoever bound last, or
// anonymous after a failed bind, so nothing is ever read or written on
// them.
func (p *Pool) forBinds() *Pool {
	cfg := p.cfg
	cfg.BindDN, cfg.BindPassword = "", ""
	return &Pool{
		cfg:     cfg,
		tls:     p.tls,
		log:     p.log,
		servers: p.servers,
		slots:   make(chan struct{}, cfg.Size),
		idle:    make(chan *pooledConn, cfg.Size),
	}
}

// Ping reads the root DSE: the cheapest request every server answers.
func (p *Pool) Ping(ctx context.Context) error {
	return p.DoIdempotentOp(ctx, OpSearch, func(c *ldap.Conn) error {
		_, err := c.Search(rootDSE())
		return err
	})
}

func rootDSE() *ldap.SearchRequest {
	return ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		1, 0, false, "(objectClass=*)", []string{"1.1"}, nil)
}

// Servers returns what the pool knows of each server, in configured
// order. It makes no network call: probes keep it fresh.
func (p *Pool) Servers() []ServerState { return p.servers.states() }

// Ready is nil when at least one server is up, and otherwise an error that
// names each server and why it is down. It makes no network call.
func (p *Pool) Ready() error { return p.servers.downError() }

// Close closes the idle connections and stops the probes; connections in
// use close when returned.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case c := <-p.idle:
			p.discard(c)
		default:
			if p.owner {
				p.servers.stopProbes()
			}
			return
		}
	}
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
