package main

import (
	"errors"
	"fmt"

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
		Users:           users,
		Authorizations:  authz,
		KV:              session.NewMemory(session.MemoryOptions{}),
		SessionLifetime: cfg.Sessions.Lifetime,
		SessionIdle:     cfg.Sessions.IdleTimeout,
		CodeLifetime:    cfg.OP.Authz.CodeLifetime,
		ResponseModes:   cfg.OP.Authz.ResponseModes,
	}, users.Close, nil
}
