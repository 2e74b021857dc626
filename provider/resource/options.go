package resource

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/dpop"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// Users reads a person's current claims from the directory;
// storage.ErrNotFound for a person who no longer exists.
type Users interface {
	Lookup(ctx context.Context, subject string) (oauth.User, error)
}

// RefreshRevoker revokes a refresh token of clientID, and with it the
// grant it belongs to. found is false for a token that is unknown,
// expired or not the client's, which RFC 7009 §2.2 answers all the same.
type RefreshRevoker interface {
	RevokeRefresh(ctx context.Context, clientID, token string) (found bool, err error)
}

// RefreshIntrospector describes refresh tokens for introspection; the
// Refresh option may implement it too.
type RefreshIntrospector interface {
	IntrospectRefresh(ctx context.Context, clientID, token string) (RefreshInfo, bool, error)
}

// RefreshInfo is what introspection tells of an active refresh token.
type RefreshInfo struct {
	Subject, ClientID   string
	Scopes              []string
	IssuedAt, ExpiresAt time.Time
}

// Options are the handlers' dependencies, fixed at start.
type Options struct {
	// Issuer is the iss of JWT introspection responses (RFC 9701).
	Issuer        string
	Minter        *tokens.Minter
	Authenticator *clientauth.Authenticator
	Users         Users
	// Clients looks up the client an access token was issued to, for its
	// UserInfo response algorithms; storage.ErrNotFound for one that no
	// longer exists.
	Clients func(ctx context.Context, id string) (oauth.Client, error)
	// Revocations holds the revoked access tokens' jti (a shared KV when
	// several instances serve).
	Revocations session.KV
	// Refresh revokes refresh tokens; nil until the refresh token grant
	// offers it.
	Refresh RefreshRevoker
	// GroupsClaim is the claim the groups scope releases.
	GroupsClaim string
	// IntrospectAnyClient lets a client introspect tokens issued to other
	// clients (a resource server checking the tokens it receives).
	IntrospectAnyClient bool
	// TokenCacheSize is how many verified access tokens introspection and
	// UserInfo remember, so that a token asked about again is not parsed
	// and its signature not checked again: 0 means DefaultTokenCacheSize,
	// a negative number turns the cache off. Revocation is checked on
	// every call all the same.
	TokenCacheSize int
	// DPoP checks the proofs of DPoP-bound tokens (RFC 9449 §7), nil when
	// DPoP is off; UserInfoURLs are the URLs a proof's htu may name for
	// /userinfo (under the issuer and the mTLS alias host).
	DPoP         *dpop.Checker
	UserInfoURLs []string
	// Audit hears of revocations; nil records nothing.
	Audit audit.Recorder
	Log   *slog.Logger
	Now   func() time.Time
}

// Handler serves UserInfo, introspection and revocation.
type Handler struct {
	opts    Options
	revoked *Revocations
	tokens  *tokenCache // nil when off
	log     *slog.Logger
}

// New checks the options and returns the handler.
func New(o Options) (*Handler, error) {
	if o.Minter == nil || o.Authenticator == nil || o.Users == nil || o.Clients == nil || o.Revocations == nil {
		return nil, errors.New("resource: minter, authenticator, users, clients and revocations are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	o.Audit = audit.OrNop(o.Audit)
	return &Handler{
		opts: o, revoked: NewRevocations(o.Revocations, o.Now),
		tokens: newTokenCache(o.TokenCacheSize), log: o.Log,
	}, nil
}

// Revocations returns the revocation list, for other parts of the provider
// that end access tokens (a reused code, a revoked grant).
func (h *Handler) Revocations() *Revocations { return h.revoked }
