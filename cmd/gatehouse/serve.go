package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/internal/logx"
	"github.com/gatehouse-idp/gatehouse/internal/sdnotify"
	"github.com/gatehouse-idp/gatehouse/provider"
	"github.com/gatehouse-idp/gatehouse/provider/profile"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/templates"
)

func (a *app) serve(ctx context.Context, args []string) error {
	fs := newFlagSet("serve")
	path := fs.String("config", "", "configuration file (default conf/gatehouse.yaml, env GATEHOUSE_CONFIG)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := conf.Load(a.configPath(*path))
	if err != nil {
		return asUsage(err)
	}
	log, err := newLogger(a.stderr, cfg.Log)
	if err != nil {
		return asUsage(err)
	}
	// go-redis logs on its own (one line per failed dial); its lines go
	// through ours, at debug: outages are reported by the store's errors.
	session.RouteRedisLogs(log.With("component", "redis"))
	return a.runServer(ctx, cfg, log)
}

func (a *app) configPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if env := a.getenv("GATEHOUSE_CONFIG"); env != "" {
		return env
	}
	return "conf/gatehouse.yaml"
}

// runServer wires the parts and serves until ctx ends.
func (a *app) runServer(ctx context.Context, cfg *conf.Config, log *slog.Logger) error {
	// First in, last out: spans are flushed after everything else closed.
	shutdownTracing, err := setupTracing(ctx, cfg.Tracing, log)
	if err != nil {
		return err
	}
	defer flushTracing(shutdownTracing, log)
	pages, err := templates.Load(cfg.Templates.Dir)
	if err != nil {
		return asUsage(err)
	}
	obs, err := a.newObservability(cfg, log)
	if err != nil {
		return err
	}
	defer obs.Close()
	dir, err := openDirectory(cfg.LDAP, log, obs.metrics)
	if err != nil {
		return err
	}
	defer dir.Close()
	keys, err := a.startKeys(ctx, cfg, dir.pool, log) // after the directory: it may hold them
	if err != nil {
		return err
	}

	reg, err := newRegistry(cfg, dir.pool, keys.Current())
	if err != nil {
		return err
	}
	signIn, closeSignIn, err := newSignIn(cfg, dir)
	if err != nil {
		return err
	}
	defer closeSignIn()
	tokenEndpoint, err := newToken(cfg)
	if err != nil {
		return err
	}
	p, err := provider.New(obs.providerOptions(cfg, reg.providerOptions(provider.Options{
		Issuer: cfg.Issuer, Keys: keys, JWKSMaxAge: cfg.JWKSMaxAge(), Directory: dir.pool, Pages: pages, Logger: log,
		SignIn: signIn, Token: tokenEndpoint, Demo: newDemo(cfg), Logout: newLogout(cfg), Device: newDevice(cfg),
		Ready: readyChecks(dir, signIn), RequestTimeout: cfg.HTTP.RequestTimeout,
		Profile:   profile.Policy{Deployment: cfg.OP.Profile},
		JWTBearer: newJWTBearer(cfg),
	})))
	if err != nil {
		return err
	}
	obs.watch(dir, reg, signIn, p, keys.Current())
	stopMetrics, err := startMetrics(cfg.Metrics, obs.metrics, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	ln, err := listen(cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           p.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go awaitDirectory(ctx, dir.pool, log)
	go p.DeliverLogouts(ctx)
	log.Info("serving", "issuer", cfg.Issuer, "listen", ln.Addr().String(), "tls", cfg.TLS.Cert != "")
	if a.onServing != nil {
		a.onServing(ln.Addr().String(), dir.url)
	}
	return serveUntilDone(ctx, srv, ln, p, cfg.HTTP, sdnotify.FromEnv(a.getenv), log)
}

// listen opens the HTTP port, with TLS when a certificate is configured.
// A port that is in use is reported as such, with the address.
func listen(cfg *conf.Config) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.Listen)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("listen on %s: the address is already in use", cfg.Listen)
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	if cfg.TLS.Cert == "" {
		return ln, nil
	}
	tlsCfg, err := serverTLS(cfg.TLS)
	if err != nil {
		_ = ln.Close()
		return nil, asUsage(err)
	}
	return tlsListener(ln, tlsCfg), nil
}

// drainer is the provider's side of a graceful stop.
type drainer interface{ Drain() }

// serveUntilDone serves until ctx ends (SIGINT or SIGTERM), then drains:
// /health/ready turns 503 at once and, for the drain period, the listener
// keeps accepting and every answer carries Connection: close, so that the
// load balancer and kept-alive clients move elsewhere without a reset.
// Then it stops accepting and lets the requests in flight finish within
// the grace period.
//
// n tells systemd (Type=notify) when the server is ready and when it stops;
// without $NOTIFY_SOCKET it does nothing.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, p drainer, c conf.HTTP, n sdnotify.Notifier, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if err := n.Send(sdnotify.Ready); err != nil {
		log.Warn("sd_notify failed", "err", err)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	if err := n.Send(sdnotify.Stopping); err != nil {
		log.Warn("sd_notify failed", "err", err)
	}
	p.Drain()
	log.Info("draining: /health/ready answers 503, connections are asked to close", "drain", c.DrainPeriod)
	drain := time.NewTimer(c.DrainPeriod)
	select {
	case <-drain.C:
	case err := <-errc:
		drain.Stop()
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("shutting down; letting requests in flight finish", "grace", c.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

func newLogger(w io.Writer, c conf.Log) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("log.level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: logx.Truncate}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(logx.RateLimit(h, logx.DefaultLimits)), nil
}
