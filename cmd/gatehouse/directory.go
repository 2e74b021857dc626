package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"time"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/embedded"
	"github.com/gatehouse-idp/gatehouse/provider"
)

// directory is the connection pool and, when no server is configured, the
// embedded directory it talks to over loopback LDAP.
type directory struct {
	pool     *ldapstore.Pool
	url      string
	embedded *embedded.Server
	// users reaches the people's directory when it is not the store's
	// (ldap.users.urls); nil otherwise.
	users *ldapstore.Pool
}

// usersPool is the pool people are found and checked through.
func (d *directory) usersPool() *ldapstore.Pool {
	if d.users != nil {
		return d.users
	}
	return d.pool
}

// openDirectory starts the embedded directory when ldap.urls is empty and
// builds the pool. The pool talks LDAP over TCP to either: there is no
// shortcut path, so the embedded directory exercises the same code as a
// production OpenLDAP.
//
// obs, when not nil, hears of every directory operation (metrics).
func openDirectory(c conf.LDAP, log *slog.Logger, obs ldapstore.OpObserver) (*directory, error) {
	d := &directory{}
	urls, password := c.URLs, c.BindPassword
	if len(urls) == 0 {
		if password == "" {
			// Nobody but this process needs the embedded admin's password.
			password = randomPassword()
		}
		srv, err := embedded.Start(embedded.Options{
			Seed: c.Embedded.Seed, Data: c.Embedded.Data, Listen: c.Embedded.Listen,
			AdminDN: c.BindDN, AdminPassword: password, Logger: log.With("component", "embedded-directory"),
		})
		if err != nil {
			return nil, err
		}
		d.embedded = srv
		urls = []string{srv.URL()}
	}
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{
		URLs: urls, BindDN: c.BindDN, BindPassword: password, StartTLS: c.StartTLS,
		CAFile: c.CAFile, Timeout: c.Timeout, Size: c.PoolSize,
		ProbeInterval: c.ProbeInterval, ProbeTimeout: c.ProbeTimeout, UpProbeInterval: c.UpProbeInterval,
		Observer: obs,
	}, log.With("component", "ldap"))
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("ldap: %w", err)
	}
	d.pool, d.url = pool, urls[0]
	if u := c.Users; len(u.URLs) > 0 {
		d.users, err = ldapstore.NewPool(ldapstore.PoolConfig{
			URLs: u.URLs, BindDN: u.BindDN, BindPassword: u.BindPassword, StartTLS: u.StartTLS,
			CAFile: u.CAFile, Timeout: c.Timeout, Size: c.PoolSize,
			ProbeInterval: c.ProbeInterval, ProbeTimeout: c.ProbeTimeout, UpProbeInterval: c.UpProbeInterval,
			Observer: obs,
		}, log.With("component", "ldap-users"))
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("ldap.users: %w", err)
		}
	}
	return d, nil
}

func (d *directory) Close() {
	if d.users != nil {
		d.users.Close()
	}
	if d.pool != nil {
		d.pool.Close()
	}
	if d.embedded != nil {
		// Close reports clients still connected; at exit that needs no action.
		_ = d.embedded.Close()
	}
}

// awaitDirectory checks the directory until it answers once, backing off
// between tries, so that the log says plainly when the provider cannot work
// yet and when it can. /health/ready reports the same meanwhile.
func awaitDirectory(ctx context.Context, pool *ldapstore.Pool, log *slog.Logger) {
	delay := time.Second
	for {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := pool.Ping(pctx)
		cancel()
		if err == nil {
			log.Info("directory reachable")
			return
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("directory unreachable; retrying", "in", delay, "err", err)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, 30*time.Second)
	}
}

func randomPassword() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// readyChecks are the stores /health/ready reports on: the directory, and
// the session store (Redis answering; memory not full).
func readyChecks(dir *directory, signIn *provider.SignIn) []provider.ReadyCheck {
	// The pool's probes keep each server's state: asking it costs no
	// network call, and a hung server is already known as down.
	checks := []provider.ReadyCheck{{Name: "directory", Check: func(context.Context) error { return dir.pool.Ready() }}}
	if dir.users != nil {
		checks = append(checks, provider.ReadyCheck{Name: "users-directory", Check: func(context.Context) error { return dir.users.Ready() }})
	}
	if r, ok := signIn.KV.(interface{ Ready(context.Context) error }); ok {
		checks = append(checks, provider.ReadyCheck{Name: "sessions", Check: r.Ready})
	}
	return checks
}
