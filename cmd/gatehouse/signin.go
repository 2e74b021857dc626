package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider"
	"github.com/gatehouse-idp/gatehouse/provider/flow"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// The directory implements the browser flow's seams.
var (
	_ flow.Directory          = (*ldapstore.Users)(nil)
	_ flow.AuthorizationStore = (*ldapstore.Authorizations)(nil)
	_ flow.PasswordChanger    = (*ldapstore.Users)(nil)
)

// newSignIn builds the browser flow's parts: people in the users'
// directory (the store's, unless ldap.users.urls names one of its own),
// consent in the store's directory, sessions in the configured store.
func newSignIn(cfg *conf.Config, dir *directory) (*provider.SignIn, func(), error) {
	pool := dir.pool
	kv, closeKV, err := sessionStore(cfg.Sessions)
	if err != nil {
		return nil, nil, err
	}
	u := cfg.LDAP.Users
	if u.PasswordChange == "none" {
		u.PasswordChange = ""
	}
	users, err := ldapstore.NewUsers(dir.usersPool(), ldapstore.UsersConfig{
		BaseDN: u.BaseDN, Filter: u.Filter, SubjectAttribute: u.SubjectAttribute, Claims: u.Claims,
		SubjectEncoding: u.SubjectEncoding,
		Groups: ldapstore.GroupsConfig{
			BaseDN: u.Groups.BaseDN, Filter: u.Groups.Filter,
			NameAttribute: u.Groups.NameAttribute, Claim: u.Groups.Claim,
			Nested: u.Groups.Nested, MaxDepth: u.Groups.MaxDepth,
		},
		PasswordChange:   u.PasswordChange,
		PPolicyDefaultDN: u.PPolicyDefaultDN,
	})
	if err != nil {
		closeKV()
		return nil, nil, asUsage(fmt.Errorf("ldap.users: %w", err))
	}
	authz, err := ldapstore.NewAuthorizations(pool, cfg.LDAP.Authorizations.BaseDN)
	if err != nil {
		users.Close()
		closeKV()
		return nil, nil, asUsage(fmt.Errorf("ldap.authorizations.baseDN: %w", err))
	}
	strong, err := newStrongSignIn(cfg, pool)
	if err != nil {
		users.Close()
		closeKV()
		return nil, nil, err
	}
	var passwords flow.PasswordChanger // nil: not offered (ldap.users.passwordChange "")
	if u.PasswordChange != "" {
		passwords = users
	}
	return &provider.SignIn{
		Users:            users,
		Passwords:        passwords,
		Authorizations:   authz,
		Strong:           strong,
		KV:               kv,
		SessionLifetime:  cfg.Sessions.Lifetime,
		SessionIdle:      cfg.Sessions.IdleTimeout,
		CodeLifetime:     cfg.OP.Authz.CodeLifetime,
		GroupsClaim:      cfg.LDAP.Users.Groups.Claim,
		ResponseModes:    cfg.OP.Authz.ResponseModes,
		ResponseJWSAlgs:  cfg.OP.Authz.ResponseJWSAlgs,
		ResponseJWEAlgs:  cfg.OP.Authz.ResponseJWEAlgs,
		ResponseJWEEncs:  cfg.OP.Authz.ResponseJWEEncs,
		ResponseLifetime: cfg.OP.Authz.ResponseLifetime,
		PAR:              provider.PAR{Lifetime: cfg.OP.PAR.Lifetime, Require: cfg.OP.PAR.Require},
	}, func() { users.Close(); closeKV() }, nil
}

// sessionStore opens the store of sessions, pending sign-ins, codes and
// used assertion ids: in memory, or in Redis shared by every instance.
func sessionStore(c conf.Sessions) (session.KV, func(), error) {
	pending := session.PendingLimits{Max: c.PendingFlows.Max, PerGroup: c.PendingFlows.PerAddress}
	if c.Store != "redis" {
		return session.NewMemory(session.MemoryOptions{Pending: pending}), func() {}, nil
	}
	r, err := session.DialRedisOptions(redisOptions(c.Redis))
	switch {
	case errors.Is(err, storage.ErrUnavailable):
		// Redis not answering is an outage, not a configuration error.
		return nil, nil, fmt.Errorf("sessions.redis: %w", err)
	case err != nil:
		// A TLS file that is no certificate, and the like.
		return nil, nil, asUsage(fmt.Errorf("sessions.redis: %w", err))
	}
	r = r.WithPendingLimits(pending)
	return r, func() { _ = r.Close() }, nil
}

// redisOptions maps sessions.redis onto the store's options.
func redisOptions(rc conf.Redis) session.RedisOptions {
	t := rc.TLS
	return session.RedisOptions{
		Addrs:            rc.Addrs,
		Cluster:          rc.Cluster,
		SentinelMaster:   rc.Sentinel.MasterName,
		SentinelAddrs:    rc.Sentinel.Addrs,
		SentinelPassword: rc.Sentinel.Password,
		Username:         rc.Username,
		Password:         rc.Password,
		DB:               rc.DB,
		TLS:              session.RedisTLS{Enabled: t.Enabled, CAFile: t.CAFile, CertFile: t.CertFile, KeyFile: t.KeyFile, ServerName: t.ServerName},
		KeyPrefix:        rc.KeyPrefix,
	}
}

// newToken configures the token endpoint, with where client certificates
// come from for mutual TLS: a proxy's header, or Gatehouse's own listener
// verifying against tls.clientCA.
func newToken(cfg *conf.Config) (*provider.Token, error) {
	var clientCAs *x509.CertPool
	if cfg.TLS.ClientCA != "" && cfg.OP.TLS.ClientX509CertHeader == "" {
		pem, err := os.ReadFile(cfg.TLS.ClientCA)
		if err != nil {
			return nil, asUsage(fmt.Errorf("tls.clientCA: %w", err))
		}
		clientCAs = x509.NewCertPool()
		if !clientCAs.AppendCertsFromPEM(pem) {
			return nil, asUsage(fmt.Errorf("tls.clientCA: %s holds no PEM certificate", cfg.TLS.ClientCA))
		}
	}
	claims := slices.Sorted(maps.Keys(cfg.LDAP.Users.Claims))
	if g := cfg.LDAP.Users.Groups.Claim; g != "" && cfg.LDAP.Users.Groups.BaseDN != "" {
		claims = append(claims, g)
	}
	return &provider.Token{
		AuthMethods:          cfg.OP.Token.AuthMethods,
		AccessTokenLifetime:  cfg.OP.Token.AccessTokenLifetime,
		AccessTokenAlg:       cfg.OP.Token.AccessTokenAlg,
		RefreshTokenLifetime: cfg.OP.Token.RefreshTokenLifetime,
		GroupsClaim:          cfg.LDAP.Users.Groups.Claim,
		Claims:               claims,
		CertificateHeader:    cfg.OP.TLS.ClientX509CertHeader,
		MTLSBaseURL:          cfg.OP.TLS.MTLSBaseURL,
		Certificates:         cfg.OP.TLS.ClientX509CertHeader != "" || (cfg.TLS.Cert != "" && cfg.TLS.ClientAuth != "none"),
		ClientCAs:            clientCAs,
		DPoP:                 newDPoP(cfg),
	}, nil
}

// newDemo configures the demo relying party, when enabled.
func newDemo(cfg *conf.Config) *provider.Demo {
	if !cfg.Demo.Enabled {
		return nil
	}
	return &provider.Demo{ClientID: cfg.Demo.ClientID, ClientSecret: cfg.Demo.ClientSecret}
}
