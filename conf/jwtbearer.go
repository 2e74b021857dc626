package conf

import (
	"fmt"
	"net"
	"net/url"
	"time"
)

// JWTBearer configures the JWT bearer grant (RFC 7523 §2.1): the issuers
// whose assertions about people are trusted. No issuer, no grant.
type JWTBearer struct {
	Issuers []JWTBearerIssuer `yaml:"issuers"`
}

// JWTBearerIssuer is one trusted issuer of assertions.
type JWTBearerIssuer struct {
	// Issuer is the iss of its assertions, compared exactly.
	Issuer string `yaml:"issuer"`
	// JWKSURL publishes its signing keys (https, or http on loopback).
	JWKSURL string `yaml:"jwksURL"`
	// SubjectClaim names the claim naming the person; "" means sub.
	SubjectClaim string `yaml:"subjectClaim"`
	// Lookup is how the person is found: username (the login filter,
	// the default) or subject (ldap.users.subjectAttribute).
	Lookup string `yaml:"lookup"`
	// Audiences are the aud values accepted; empty means our token
	// endpoint URL and our issuer.
	Audiences []string `yaml:"audiences"`
	// MaxLifetime bounds exp - iat; 0 means 10m.
	MaxLifetime time.Duration `yaml:"maxLifetime"`
	// Clients are the client_ids that may present its assertions; empty
	// means every confidential client registered for the grant.
	Clients []string `yaml:"clients"`
}

// maxJWTBearerLifetime bounds op.jwtBearer.issuers[].maxLifetime: every
// jti is remembered until its assertion's exp.
const maxJWTBearerLifetime = 24 * time.Hour

func checkJWTBearer(c *Config, r *report) {
	seen := map[string]bool{}
	for i, is := range c.OP.JWTBearer.Issuers {
		path := fmt.Sprintf("op.jwtBearer.issuers[%d]", i)
		if r.required(path+".issuer", is.Issuer) {
			if seen[is.Issuer] {
				r.add(path+".issuer", "%q is configured twice", is.Issuer)
			}
			seen[is.Issuer] = true
		}
		if r.required(path+".jwksURL", is.JWKSURL) && !fetchableURL(is.JWKSURL) {
			r.add(path+".jwksURL", "must be an https URL (http only on a loopback address), not %q", is.JWKSURL)
		}
		if is.Lookup != "" {
			r.oneOf(path+".lookup", is.Lookup, "username", "subject")
		}
		if is.MaxLifetime < 0 || is.MaxLifetime > maxJWTBearerLifetime {
			r.add(path+".maxLifetime", "must be between 0 (the default, 10m) and %s, not %s", maxJWTBearerLifetime, is.MaxLifetime)
		}
		for j, a := range is.Audiences {
			r.required(fmt.Sprintf("%s.audiences[%d]", path, j), a)
		}
		for j, id := range is.Clients {
			r.required(fmt.Sprintf("%s.clients[%d]", path, j), id)
		}
	}
}

// fetchableURL: an https URL, or http to a loopback address (tests, a
// sidecar on the same host).
func fetchableURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return u.Scheme == "http" && (u.Hostname() == "localhost" || ip != nil && ip.IsLoopback())
}
