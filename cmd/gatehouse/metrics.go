package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"syscall"
	"time"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/internal/telemetry"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider"
	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// The metrics hear of every request, of the Redis session store's
// commands, and of audit events (as counters).
var (
	_ provider.HTTPObserver = (*telemetry.Metrics)(nil)
	_ session.RedisObserver = (*telemetry.Metrics)(nil)
	_ ldapstore.OpObserver  = (*telemetry.Metrics)(nil)
	_ audit.Recorder        = (*telemetry.Metrics)(nil)
)

// observability is what a running server reports through: the metrics
// registry, and the audit recorder (the audit log, when configured, and
// the metrics' event counters).
type observability struct {
	metrics *telemetry.Metrics
	audit   audit.Recorder
	// closeAudit closes the audit log file.
	closeAudit func()
}

// newObservability opens the audit log (audit.output) and makes the
// metrics registry (metrics.clientLabels).
func (a *app) newObservability(cfg *conf.Config, log *slog.Logger) (*observability, error) {
	m := telemetry.New(telemetry.Options{ClientLabels: cfg.Metrics.ClientLabels})
	w, closeAudit, err := a.openAudit(cfg.Audit.Output, log)
	if err != nil {
		return nil, err
	}
	return &observability{metrics: m, audit: audit.Multi(w, m), closeAudit: closeAudit}, nil
}

// Close closes the audit log.
func (o *observability) Close() { o.closeAudit() }

// providerOptions hands the provider the audit recorder and the metrics;
// /metrics is served on the main listener unless metrics.listen names
// another.
func (o *observability) providerOptions(cfg *conf.Config, p provider.Options) provider.Options {
	p.Audit, p.HTTPMetrics = o.audit, o.metrics
	if cfg.Metrics.Listen == "" {
		p.MetricsHandler = o.metrics.Handler()
	}
	return p
}

// watch registers the collectors that read the parts' statistics at each
// scrape, and has the Redis session store report its commands.
func (o *observability) watch(dir *directory, reg *registry, signIn *provider.SignIn, p *provider.Server, keys *keyset.Set) {
	m := o.metrics
	m.WatchDirectory(directoryServers(dir))
	m.WatchPool("service", poolStats(dir.pool))
	if dir.users != nil {
		m.WatchPool("users", poolStats(dir.users))
	}
	m.WatchVerifier(reg.verifier)
	m.WatchTokenCache(p.TokenCacheStats)
	m.WatchKeys(keys)
	switch kv := signIn.KV.(type) {
	case *session.Memory:
		m.WatchSessions(func(context.Context) (session.Stats, error) { return kv.Stats(), nil })
	case *session.Redis:
		m.WatchSessions(kv.Stats)
		kv.WithObserver(m)
	}
}

// poolStats reads a directory pool's use for the metrics.
func poolStats(p *ldapstore.Pool) func() telemetry.PoolStats {
	return func() telemetry.PoolStats {
		s := p.Stats()
		return telemetry.PoolStats{InUse: s.InUse, Size: s.Size, Waiting: s.Waiting}
	}
}

// directoryServers lists the servers of the store's pool and, when people
// are in a directory of their own, of that one's, each once.
func directoryServers(dir *directory) func() []ldapstore.ServerState {
	return func() []ldapstore.ServerState {
		all := dir.pool.Servers()
		if dir.users != nil {
			for _, s := range dir.users.Servers() {
				if !slices.ContainsFunc(all, func(o ldapstore.ServerState) bool { return o.URL == s.URL }) {
					all = append(all, s)
				}
			}
		}
		return all
	}
}

// startMetrics serves /metrics on metrics.listen, when set, apart from the
// provider: only /metrics, plain HTTP, for the scraper's network. stop
// closes it.
func startMetrics(c conf.Metrics, m *telemetry.Metrics, log *slog.Logger) (stop func(), err error) {
	if c.Listen == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", c.Listen)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("metrics.listen: %s: the address is already in use", c.Listen)
	}
	if err != nil {
		return nil, fmt.Errorf("metrics.listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	log.Info("serving metrics", "listen", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx) // a scrape cut short is retried
		<-done
	}, nil
}
