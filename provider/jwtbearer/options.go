package jwtbearer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// GrantType is the grant_type of RFC 7523 §2.1.
const GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// Lookup modes: how the assertion's subject names a person.
const (
	// LookupUsername finds the person as a sign-in would, by the login
	// filter (ldap.users.filter): uid or mail in the default one.
	LookupUsername = "username"
	// LookupSubject finds the person by our own subject
	// (ldap.users.subjectAttribute, entryUUID by default).
	LookupSubject = "subject"
)

// Defaults of an Issuer.
const (
	DefaultSubjectClaim = "sub"
	// DefaultMaxLifetime bounds exp - iat. RFC 7523 asks for an exp that
	// limits the window without naming one; an assertion is made for one
	// request, and its jti is remembered until its exp.
	DefaultMaxLifetime = 10 * time.Minute
)

// leeway is how far in the future nbf and iat may lie, and how long past
// exp an assertion is still taken, for issuers whose clock is a little off.
const leeway = 30 * time.Second

// Algs are the JWS algorithms accepted: asymmetric only. none and the HS*
// family are never accepted: an HMAC key would be a secret we share with
// the issuer, and anyone holding it could sign for any person.
var Algs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// Issuer is one trusted issuer of assertions (an entry of
// op.jwtBearer.issuers).
type Issuer struct {
	// Issuer is the iss its assertions carry, compared exactly.
	Issuer string
	// JWKSURL is where its signing keys are published.
	JWKSURL string
	// SubjectClaim names the claim that names the person; "" means sub.
	SubjectClaim string
	// Lookup is LookupUsername ("" too) or LookupSubject.
	Lookup string
	// Audiences are the aud values accepted; empty means
	// Options.DefaultAudiences (our token endpoint and our issuer).
	Audiences []string
	// MaxLifetime bounds exp - iat; 0 means DefaultMaxLifetime.
	MaxLifetime time.Duration
	// Clients are the client_ids that may present its assertions; empty
	// means every client registered for the grant.
	Clients []string
}

// People finds persons in the directory (ldapstore.Users). Nobody is
// storage.ErrNotFound; an outage is storage.ErrUnavailable.
type People interface {
	Lookup(ctx context.Context, subject string) (oauth.User, error)
	LookupByUsername(ctx context.Context, username string) (oauth.User, error)
}

// KeySets fetches a key set by URL, with a deadline, a size limit and a
// cache; with refresh the caller found no key it needs in what it got
// before (authorize.HTTPFetcher).
type KeySets interface {
	KeySet(ctx context.Context, uri string, refresh bool) (jose.JSONWebKeySet, error)
}

// ReplayStore keeps the jtis of accepted assertions: session.KV
// implements it; one that implements session.OnceAdder (Redis) refuses a
// replay across instances.
type ReplayStore = session.OnceStore

// Options are the grant's dependencies, fixed at start.
type Options struct {
	Issuers []Issuer
	// DefaultAudiences are accepted in aud when an issuer lists none.
	DefaultAudiences []string
	Keys             KeySets
	Replay           ReplayStore
	People           People
	Now              func() time.Time
}

// Handler serves the grant. It is safe for concurrent use.
type Handler struct {
	issuers map[string]Issuer
	keys    KeySets
	replay  *session.Once
	people  People
	now     func() time.Time
}

// New checks the options and fills in each issuer's defaults.
func New(o Options) (*Handler, error) {
	if o.Keys == nil || o.Replay == nil || o.People == nil {
		return nil, errors.New("jwtbearer: keys, replay store and people are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &Handler{issuers: map[string]Issuer{}, keys: o.Keys, replay: session.NewOnce(o.Replay, replayPrefix), people: o.People, now: o.Now}
	for i, is := range o.Issuers {
		is, err := withDefaults(is, o.DefaultAudiences)
		if err != nil {
			return nil, fmt.Errorf("jwtbearer: issuer %d: %w", i, err)
		}
		if _, dup := h.issuers[is.Issuer]; dup {
			return nil, fmt.Errorf("jwtbearer: issuer %q configured twice", is.Issuer)
		}
		h.issuers[is.Issuer] = is
	}
	return h, nil
}

// withDefaults checks one issuer and fills in what it left out.
func withDefaults(is Issuer, audiences []string) (Issuer, error) {
	if is.Issuer == "" {
		return is, errors.New("issuer is required")
	}
	if u, err := url.Parse(is.JWKSURL); err != nil || !u.IsAbs() || u.Host == "" {
		return is, fmt.Errorf("jwksURL %q is not an absolute URL", is.JWKSURL)
	}
	switch is.Lookup {
	case "":
		is.Lookup = LookupUsername
	case LookupUsername, LookupSubject:
	default:
		return is, fmt.Errorf("lookup %q: want %s or %s", is.Lookup, LookupUsername, LookupSubject)
	}
	if is.SubjectClaim == "" {
		is.SubjectClaim = DefaultSubjectClaim
	}
	if len(is.Audiences) == 0 {
		is.Audiences = audiences
	}
	if len(is.Audiences) == 0 {
		return is, errors.New("no audience to accept")
	}
	if is.MaxLifetime <= 0 {
		is.MaxLifetime = DefaultMaxLifetime
	}
	return is, nil
}
