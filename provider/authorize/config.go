package authorize

import (
	"context"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Config is the server's policy for authorization requests, fixed at start.
type Config struct {
	// Issuer is this server's issuer identifier: the iss of every response
	// (RFC 9207) and the audience request objects must name.
	Issuer string
	// ResponseTypes the server serves; empty means DefaultResponseTypes.
	ResponseTypes []string
	// ResponseModes the server serves: op.authz.responseModes, less the
	// modes the response writer cannot produce (Writer.ServedModes). The
	// default mode of a response type is always allowed.
	ResponseModes []string
	// RequirePKCE asks every client for PKCE; public clients (auth method
	// none) are always asked.
	RequirePKCE bool
	// RequestParameter accepts request objects by value (request), and
	// RequestURIParameter by reference (request_uri, which needs Keys).
	// They are what discovery calls request_parameter_supported and
	// request_uri_parameter_supported.
	RequestParameter    bool
	RequestURIParameter bool
	// RequirePushed accepts authorization requests only through the
	// pushed authorization request endpoint (op.par.require, RFC 9126 §5).
	RequirePushed bool
}

// ClientLookup finds a client by id; an unknown id is storage.ErrNotFound.
type ClientLookup func(ctx context.Context, id string) (oauth.Client, error)

// SecretSource returns the plain secrets of a client that the server can
// recover, current one first (secrets.Codec.RecoverableSecrets does this),
// or an error when there are none. They are the keys of HS256/384/512
// request objects and, derived per OpenID Connect Core §10.2, of request
// objects encrypted with dir or AES key wrap.
type SecretSource func(ctx context.Context, c oauth.Client) ([]string, error)

// KeyFetcher fetches what clients publish by URL: their key sets
// (jwks_uri) and request objects by reference (request_uri).
// HTTPFetcher is the implementation over HTTP.
type KeyFetcher interface {
	// KeySet returns the JWK set at uri. With refresh the caller has found
	// no key it needs in what it got before, and the fetcher reloads the
	// set unless its copy is very recent.
	KeySet(ctx context.Context, uri string, refresh bool) (jose.JSONWebKeySet, error)
	// RequestObject returns the document at uri, never from a cache.
	RequestObject(ctx context.Context, uri string) ([]byte, error)
}

// Deps is what Parse needs from the rest of the server.
type Deps struct {
	Config  Config
	Clients ClientLookup
	// Keys fetches jwks_uri and request_uri documents; nil means request
	// objects can be verified only with keys registered inline (jwks) or
	// the client secret, and request_uri is not supported.
	Keys KeyFetcher
	// Secrets may be nil: then no client secret serves as a key.
	Secrets SecretSource
	// Now is the clock for request object expiry; nil means time.Now.
	Now func() time.Time
	// Pushed takes pushed authorization requests (RFC 9126) by their
	// request_uri; nil means the server has no pushed authorization
	// request endpoint.
	Pushed PushedLookup
	// Rules, when set, holds a request that was not pushed to what the
	// client's security profile asks beyond these rules (provider/profile:
	// "fapi2: PAR required"); pushed requests are held to it at the push.
	// nil checks nothing more.
	Rules func(req Request) *oauth.Error
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deps) responseTypes() []string {
	if len(d.Config.ResponseTypes) == 0 {
		return DefaultResponseTypes()
	}
	return d.Config.ResponseTypes
}
