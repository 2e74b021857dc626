package main

import (
	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider"
	"github.com/gatehouse-idp/gatehouse/provider/jwtbearer"
)

// The directory finds people by subject and by login name for the JWT
// bearer grant.
var _ jwtbearer.People = (*ldapstore.Users)(nil)

// newJWTBearer configures the JWT bearer grant (op.jwtBearer); nil
// without issuers.
func newJWTBearer(cfg *conf.Config) *provider.JWTBearer {
	if len(cfg.OP.JWTBearer.Issuers) == 0 {
		return nil
	}
	out := &provider.JWTBearer{}
	for _, is := range cfg.OP.JWTBearer.Issuers {
		out.Issuers = append(out.Issuers, jwtbearer.Issuer{
			Issuer: is.Issuer, JWKSURL: is.JWKSURL, SubjectClaim: is.SubjectClaim, Lookup: is.Lookup,
			Audiences: is.Audiences, MaxLifetime: is.MaxLifetime, Clients: is.Clients,
		})
	}
	return out
}
