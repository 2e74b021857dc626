package chaos

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/faultproxy"
	"github.com/gatehouse-idp/gatehouse/internal/load/rig"
	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

const clientsDN = "ou=clients,dc=example,dc=org"

// World is what the faults act on: two directories, a proxy in front of
// the first, a Redis, and what every Gatehouse of the run shares.
type World struct {
	Dir string
	// A and B hold the same people; B is the failover server.
	A, B *ldaptest.Slapd
	// ProxyA forwards to A; faults that slow or cut A list it instead of A.
	ProxyA *faultproxy.Proxy
	Redis  *rig.Redis

	Binary      string
	MasterToken string
	Users       []scenarios.User
	Client      rig.Client
}

// startWorld starts the servers and registers the load's client (through
// a Gatehouse on A, then copied to B). On an error nothing is left running.
func startWorld(ctx context.Context, cfg Config) (w *World, err error) {
	users, err := scenarios.GenerateUsers(rig.DefaultUserPattern, max(cfg.Users, 1))
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gatehouse-chaos-")
	if err != nil {
		return nil, fmt.Errorf("chaos: %w", err)
	}
	w = &World{Dir: dir, Binary: cfg.Binary, MasterToken: rand.Text(), Users: users}
	defer func() {
		if err != nil {
			err = errors.Join(err, w.Close())
		}
	}()
	dirs, err := rig.StartReplicas(ctx, dir, users, 2)
	if err != nil {
		return w, err
	}
	w.A, w.B = dirs[0], dirs[1]
	host, err := hostPort(w.A.URL)
	if err != nil {
		return w, err
	}
	if w.ProxyA, err = faultproxy.Start(host); err != nil {
		return w, err
	}
	if w.Redis, err = rig.StartRedis(ctx, dir); err != nil {
		return w, err
	}
	return w, w.register(ctx)
}

// register registers the client through a Gatehouse on A alone and
// copies its entry to B.
func (w *World) register(ctx context.Context) error {
	g, err := rig.StartGatehouse(ctx, w.gatehouseOptions(Config{}, []string{w.A.URL}, false))
	if err != nil {
		return err
	}
	w.Client, err = rig.RegisterClient(ctx, g.URL, w.MasterToken)
	if err = errors.Join(err, g.Stop()); err != nil {
		return err
	}
	_, err = rig.CopyChildren(w.A, w.B, clientsDN)
	return err
}

// gatehouseOptions configures a Gatehouse on urls, with sessions in Redis
// when redis is set.
func (w *World) gatehouseOptions(cfg Config, urls []string, redis bool) rig.GatehouseOptions {
	o := rig.GatehouseOptions{Binary: w.Binary, Dir: w.Dir, LDAPURLs: urls,
		BindDN: w.A.AdminDN, BindPassword: w.A.AdminPassword, MasterToken: w.MasterToken}
	if redis {
		o.RedisAddrs = []string{w.Redis.Addr}
	}
	if cfg.LDAPTimeout > 0 {
		o.LDAPYAML = fmt.Sprintf("timeout: %s\nprobeTimeout: %s\nprobeInterval: %s\nupProbeInterval: %s\n",
			cfg.LDAPTimeout, cfg.LDAPTimeout, cfg.ProbeInterval, 4*cfg.ProbeInterval)
	}
	if cfg.RequestDeadline > 0 {
		o.ExtraYAML = fmt.Sprintf("http: {requestTimeout: %s, drainPeriod: 0s}\n", cfg.RequestDeadline)
	}
	return o
}

// ProxyURL is the LDAP URL of A through the proxy.
func (w *World) ProxyURL() string { return "ldap://" + w.ProxyA.Addr() }

// Close stops everything and removes the run's files.
func (w *World) Close() error {
	var errs []error
	if w.ProxyA != nil {
		errs = append(errs, w.ProxyA.Close())
	}
	if w.Redis != nil {
		errs = append(errs, w.Redis.Close())
	}
	for _, s := range []*ldaptest.Slapd{w.A, w.B} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	errs = append(errs, os.RemoveAll(w.Dir))
	return errors.Join(errs...)
}

func hostPort(ldapURL string) (string, error) {
	u, err := url.Parse(ldapURL)
	if err != nil {
		return "", fmt.Errorf("chaos: %w", err)
	}
	return u.Host, nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
