package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider"
	"github.com/gatehouse-idp/gatehouse/provider/flow"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// The directory implements the browser flow's seams.
var (
	_ flow.Directory          = (*ldapstore.Users)(nil)
	_ flow.AuthorizationStore = (*ldapstore.Authorizations)(nil)
)

// newSignIn builds the browser flow's parts: people and consent in the
// directory, sessions in the configured store.
func newSignIn(cfg *conf.Config, pool *ldapstore.Pool) (*provider.SignIn, func(), error) {
	if cfg.Sessions.Store != "memory" {
		return nil, nil, asUsage(errors.New("sessions.store: only memory is available in this version"))
	}
	u := cfg.LDAP.Users
	users, err := ldapstore.NewUsers(pool, ldapstore.UsersConfig{
		BaseDN: u.BaseDN, Filter: u.Filter, SubjectAttribute: u.SubjectAttribute, Claims: u.Claims,
		Groups: ldapstore.GroupsConfig{
			BaseDN: u.Groups.BaseDN, Filter: u.Groups.Filter,
			NameAttribute: u.Groups.NameAttribute, Claim: u.Groups.Claim,
		},
	})
	if err != nil {
		return nil, nil, asUsage(fmt.Errorf("ldap.users: %w", err))
	}
	authz, err := ldapstore.NewAuthorizations(pool, cfg.LDAP.Authorizations.BaseDN)
	if err != nil {
		users.Close()
		return nil, nil, asUsage(fmt.Errorf("ldap.authorizations.baseDN: %w", err))
	}
	return &provider.SignIn{
		Users:            users,
		Authorizations:   authz,
		KV:               session.NewMemory(session.MemoryOptions{}),
		SessionLifetime:  cfg.Sessions.Lifetime,
		SessionIdle:      cfg.Sessions.IdleTimeout,
		CodeLifetime:     cfg.OP.Authz.CodeLifetime,
		GroupsClaim:      cfg.LDAP.Users.Groups.Claim,
		ResponseModes:    cfg.OP.Authz.ResponseModes,
		ResponseJWSAlgs:  cfg.OP.Authz.ResponseJWSAlgs,
		ResponseJWEAlgs:  cfg.OP.Authz.ResponseJWEAlgs,
		ResponseJWEEncs:  cfg.OP.Authz.ResponseJWEEncs,
		ResponseLifetime: cfg.OP.Authz.ResponseLifetime,
	}, users.Close, nil
}

// newToken configures the token endpoint. The mutual-TLS methods are
// refused by name: this version cannot check certificates yet.
func newToken(cfg *conf.Config) (*provider.Token, error) {
	for _, m := range cfg.OP.Token.AuthMethods {
		if m == "tls_client_auth" || m == "self_signed_tls_client_auth" {
			return nil, asUsage(fmt.Errorf("op.token.authMethods: %s is not available in this version", m))
		}
	}
	claims := slices.Sorted(maps.Keys(cfg.LDAP.Users.Claims))
	if g := cfg.LDAP.Users.Groups.Claim; g != "" && cfg.LDAP.Users.Groups.BaseDN != "" {
		claims = append(claims, g)
	}
	return &provider.Token{
		AuthMethods:          cfg.OP.Token.AuthMethods,
		AccessTokenLifetime:  cfg.OP.Token.AccessTokenLifetime,
		RefreshTokenLifetime: cfg.OP.Token.RefreshTokenLifetime,
		GroupsClaim:          cfg.LDAP.Users.Groups.Claim,
		Claims:               claims,
	}, nil
}

// newDemo configures the demo relying party, when enabled.
func newDemo(cfg *conf.Config) *provider.Demo {
	if !cfg.Demo.Enabled {
		return nil
	}
	return &provider.Demo{ClientID: cfg.Demo.ClientID, ClientSecret: cfg.Demo.ClientSecret}
}
