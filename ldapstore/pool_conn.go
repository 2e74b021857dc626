package ldapstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// pooledConn is a connection with the server it goes to and the epoch of
// that server's breaker when it was made.
type pooledConn struct {
	*ldap.Conn
	srv   int
	epoch uint64
}

// errNoServerLeft: every server was tried, or skipped for this request.
var errNoServerLeft = errors.New("no other directory server to try")

// run runs fn on pc with the operation timeout cut to ctx's deadline, and
// closes pc if ctx ends first, so that no caller waits past its deadline.
// outage reports a failure of the connection or the server, after which
// pc is gone.
func (p *Pool) run(ctx context.Context, pc *pooledConn, op string, fn func(*ldap.Conn) error) (outage bool, err error) {
	traced := p.begin(ctx, pc.srv, op)
	defer func() { traced.end(err) }()
	timeout, start := p.opTimeout(ctx), time.Now()
	pc.SetTimeout(timeout)
	stopWatch := p.watch(pc.srv)
	stopClosing := context.AfterFunc(ctx, func() { _ = pc.Close() })
	err = fn(pc.Conn)
	interrupted := !stopClosing()
	stopWatch()
	if interrupted && err != nil {
		err = fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	if err != nil && !interrupted && !isOutage(err) && (pc.IsClosing() || isTransportFailure(err)) {
		// The connection died under the operation (a reset while sending
		// or reading): go-ldap reports that as a plain error, but it is
		// the connection's failure, not an answer from the directory.
		err = ldap.NewError(ldap.ErrorNetwork, err)
	}
	if !isOutage(err) {
		p.servers.answered(pc.srv, pc.epoch)
		if pc.IsClosing() || interrupted {
			p.discard(pc) // fn closed it, or ctx ended as fn returned
		} else {
			p.put(pc)
		}
		return false, err
	}
	p.discard(pc)
	p.report(ctx, pc.srv, pc.epoch, err, timeout, start)
	return true, err
}

// report tells the breaker of a failure, begun at start, that is the
// server's fault. A timeout is only held against the server when it had at
// least a probe's time to answer; for a shorter one the caller's deadline
// was the reason, and a probe decides.
func (p *Pool) report(ctx context.Context, srv int, epoch uint64, err error, allotted time.Duration, start time.Time) {
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || !isServerFault(err):
	case (ctx.Err() != nil || isTimeout(err)) && allotted < p.cfg.ProbeTimeout:
		p.servers.suspect(srv)
	default:
		p.servers.failed(srv, epoch, err, start)
	}
}

// watch has server srv probed if what it is asked takes longer than a
// probe may: a hung server is then found while its callers still wait.
func (p *Pool) watch(srv int) (stop func()) {
	t := time.AfterFunc(p.cfg.ProbeTimeout, func() { p.servers.suspect(srv) })
	return func() { t.Stop() }
}

// get takes an idle connection to the preferred server, or dials a new
// one. Servers in skip failed this request already.
func (p *Pool) get(ctx context.Context, skip map[int]bool) (*pooledConn, error) {
	for {
		select {
		case c := <-p.idle:
			if !c.IsClosing() && !skip[c.srv] && p.servers.preferred(c.srv) {
				return c, nil
			}
			p.discard(c) // broken, on a server that is down, or a better one is back
		default:
			return p.dial(ctx, skip)
		}
	}
}

func (p *Pool) put(c *pooledConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.discard(c)
		return
	}
	select {
	case p.idle <- c:
	default:
		p.discard(c)
	}
}

func (p *Pool) discard(c *pooledConn) {
	p.servers.unregister(c.srv, c.Conn)
	_ = c.Close() // dropped either way
}

// dial connects to the first server that admits a connection and answers:
// those up in configured order, then one down for a half-open trial.
func (p *Pool) dial(ctx context.Context, skip map[int]bool) (*pooledConn, error) {
	var errs []error
	for _, i := range p.servers.order(skip) {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		epoch, ok := p.servers.admit(i)
		if !ok {
			continue
		}
		c, err := p.dialOne(ctx, i, epoch)
		if err == nil {
			return c, nil
		}
		p.log.Debug("directory server failed, trying the next", "url", p.cfg.URLs[i], "err", err)
		errs = append(errs, fmt.Errorf("%s: %w", p.cfg.URLs[i], err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := p.servers.downError(); err != nil {
		return nil, err
	}
	return nil, errNoServerLeft
}

// dialOne connects to server i and binds as the service account, if the
// pool has one.
func (p *Pool) dialOne(ctx context.Context, i int, epoch uint64) (_ *pooledConn, err error) {
	traced := p.begin(ctx, i, opDial)
	defer func() { traced.end(err) }()
	timeout, start := p.opTimeout(ctx), time.Now()
	defer p.watch(i)()
	c, err := p.connect(ctx, p.cfg.URLs[i], timeout)
	if err == nil && !p.servers.register(i, epoch, c) {
		_ = c.Close()
		return nil, errors.New("server went down while connecting")
	}
	if err == nil && p.cfg.BindDN != "" {
		if err = c.Bind(p.cfg.BindDN, p.cfg.BindPassword); err != nil {
			p.servers.unregister(i, c)
			_ = c.Close()
			err = fmt.Errorf("bind as %s: %w", p.cfg.BindDN, err)
		}
	}
	if err != nil {
		p.report(ctx, i, epoch, err, timeout, start)
		return nil, err
	}
	return &pooledConn{Conn: c, srv: i, epoch: epoch}, nil
}

// connect dials raw and starts TLS as configured, each step bounded by
// timeout. It does not bind.
func (p *Pool) connect(ctx context.Context, raw string, timeout time.Duration) (*ldap.Conn, error) {
	u, err := parseURL(raw)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
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
	return c, nil
}

// probe reads the root DSE of raw on a connection of its own, without
// binding. Any answer, even a refusal, shows the server is serving.
// Probes are observed but not traced: they belong to no request.
func (p *Pool) probe(ctx context.Context, raw string) (err error) {
	defer func(start time.Time) { p.observe(raw, opProbe, time.Since(start), err) }(time.Now())
	timeout := p.cfg.ProbeTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(deadline), time.Millisecond)
	}
	c, err := p.connect(ctx, raw, timeout)
	if err != nil {
		return probeError(ctx, err)
	}
	defer func() { _ = c.Close() }() // a probe has nothing to lose
	defer context.AfterFunc(ctx, func() { _ = c.Close() })()
	if _, err := c.Search(rootDSE()); isServerFault(err) {
		return probeError(ctx, err)
	}
	return nil
}

// probeError says that a probe failed, and that it timed out when it did,
// whatever error the closed connection gave.
func probeError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("probe: %w: %w", ctx.Err(), err)
	}
	return fmt.Errorf("probe: %w", err)
}

func (p *Pool) probeSchedule() probeSchedule {
	return probeSchedule{down: p.cfg.ProbeInterval, up: p.cfg.UpProbeInterval, timeout: p.cfg.ProbeTimeout}
}
