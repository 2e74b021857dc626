package rig

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"

	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// DefaultUserPattern names the generated users and their passwords.
const DefaultUserPattern = "user%04d:password-%04d"

const defaultUsers = 100

// Options say what Start runs.
type Options struct {
	// Binary is the gatehouse executable to run.
	Binary string
	// Users is the number of generated people (default 100), named by
	// UserPattern (default DefaultUserPattern; see scenarios.GenerateUsers).
	Users       int
	UserPattern string
	// Redis keeps sessions in a private redis-server instead of memory.
	Redis bool
	// ExtraYAML is appended to Gatehouse's configuration.
	ExtraYAML string
	// AccessTokenAlg is op.token.accessTokenAlg; empty keeps the default.
	AccessTokenAlg string
}

// Rig is a running directory, optional Redis and Gatehouse with a
// registered client.
type Rig struct {
	Dir       string
	Slapd     *ldaptest.Slapd
	Redis     *redistest.Server // nil without Options.Redis
	Gatehouse *Gatehouse
	Client    Client
	Users     []scenarios.User
	// MasterToken authorises /clients on the Gatehouse.
	MasterToken string
}

// Start starts everything, in order, and stops what it started if a later
// part fails. The caller must Close the rig. Missing servers are reported
// with errors wrapping ldaptest.ErrNotInstalled or
// redistest.ErrNotInstalled.
func Start(ctx context.Context, opts Options) (r *Rig, err error) {
	count := opts.Users
	if count <= 0 {
		count = defaultUsers
	}
	users, err := scenarios.GenerateUsers(orDefault(opts.UserPattern, DefaultUserPattern), count)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gatehouse-load-")
	if err != nil {
		return nil, fmt.Errorf("rig: %w", err)
	}
	r = &Rig{Dir: dir, Users: users, MasterToken: rand.Text()}
	defer func() {
		if err != nil {
			err = errors.Join(err, r.Close())
		}
	}()
	if r.Slapd, err = StartDirectory(ctx, dir, users); err != nil {
		return r, err
	}
	gopts := GatehouseOptions{Binary: opts.Binary, Dir: dir, LDAPURLs: []string{r.Slapd.URL},
		BindDN: r.Slapd.AdminDN, BindPassword: r.Slapd.AdminPassword, MasterToken: r.MasterToken, ExtraYAML: opts.ExtraYAML,
		AccessTokenAlg: opts.AccessTokenAlg}
	if opts.Redis {
		if r.Redis, err = redistest.Start(ctx, dir, redistest.Options{}); err != nil {
			return r, err
		}
		gopts.RedisAddrs = []string{r.Redis.Addr}
	}
	if r.Gatehouse, err = StartGatehouse(ctx, gopts); err != nil {
		return r, err
	}
	r.Client, err = RegisterClient(ctx, r.Gatehouse.URL, r.MasterToken)
	return r, err
}

// ScenarioConfig is the scenarios' view of the rig for workers workers.
func (r *Rig) ScenarioConfig(workers int) scenarios.Config {
	return scenarios.Config{
		Target: r.Gatehouse.URL, ClientID: r.Client.ID, ClientSecret: r.Client.Secret,
		RedirectURI: r.Client.RedirectURI, Users: r.Users, Workers: workers,
	}
}

// Close stops Gatehouse, Redis and slapd and removes the rig's directory.
// It reports a Gatehouse that did not stop cleanly.
func (r *Rig) Close() error {
	var errs []error
	if r.Gatehouse != nil {
		errs = append(errs, r.Gatehouse.Stop())
	}
	if r.Redis != nil {
		errs = append(errs, r.Redis.Close())
	}
	if r.Slapd != nil {
		errs = append(errs, r.Slapd.Close())
	}
	if err := os.RemoveAll(r.Dir); err != nil {
		errs = append(errs, fmt.Errorf("rig: %w", err))
	}
	return errors.Join(errs...)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
