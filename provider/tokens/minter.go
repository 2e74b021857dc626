package tokens

import (
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/pairwise"
)

// Defaults of Options.
const (
	DefaultIDTokenLifetime     = time.Hour
	DefaultAccessTokenLifetime = 10 * time.Minute
)

// leeway is the clock skew allowed when reading our own tokens back: other
// instances of the server may run a little ahead or behind.
const leeway = 30 * time.Second

// Leeway is the clock skew verifiers allow: a retired key stays published
// this much longer than the tokens it signed live.
const Leeway = leeway

// ErrInvalidToken wraps every reason a token presented to ParseAccessToken
// or CheckIDTokenHint is refused.
var ErrInvalidToken = errors.New("invalid token")

// Options configure a Minter.
type Options struct {
	// Issuer is this server's issuer identifier, the iss of every token.
	Issuer string
	// Keys signs ID tokens (RS*, PS*, ES*) and access tokens (RS256). It
	// is asked on every use, so a rotation takes effect at once: the key
	// signing for an algorithm at the moment, every published key for
	// verification. A *keyset.Set never changes; a *keyset.Live does.
	Keys keyset.Source
	// Secrets returns the plain secrets of a client that the server can
	// recover, current first (secrets.Codec.RecoverableSecrets). They are
	// the HS* keys and, derived, the dir and AES key wrap keys. Nil means
	// no client secret is ever used as a key.
	Secrets func(c oauth.Client) ([]string, error)
	// Fetcher reads a client's jwks_uri, for encryption to its keys; nil
	// means only keys registered inline (jwks) are used.
	Fetcher authorize.KeyFetcher
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// IDTokenLifetime defaults to DefaultIDTokenLifetime.
	IDTokenLifetime time.Duration
	// AccessTokenLifetime applies when AccessToken.Lifetime is zero; it
	// defaults to DefaultAccessTokenLifetime.
	AccessTokenLifetime time.Duration
	// DefaultAudience is the aud of access tokens issued without a
	// resource; empty means the issuer.
	DefaultAudience []string
	// AccessTokenAlg signs access tokens: one of AccessTokenAlgs; empty
	// means DefaultAccessTokenAlg. The key set must hold a key for it.
	AccessTokenAlg string
	// Pairwise gives clients registered with subject_type pairwise their
	// own subs (OpenID Connect Core §8.1); nil refuses to mint for them.
	Pairwise *pairwise.Subjects
}

// Minter mints and checks the provider's JWTs. It is immutable after New
// and safe for concurrent use.
type Minter struct {
	issuer     string
	keys       keyset.Source
	secrets    func(c oauth.Client) ([]string, error)
	fetcher    authorize.KeyFetcher
	now        func() time.Time
	idLife     time.Duration
	accessLife time.Duration
	accessAlg  string
	audience   []string
	pairwise   *pairwise.Subjects
}

// New checks the options and returns a Minter.
func New(o Options) (*Minter, error) {
	switch {
	case o.Issuer == "":
		return nil, errors.New("tokens: an issuer is required")
	case o.Keys == nil || o.Keys.Current() == nil:
		return nil, errors.New("tokens: a key set is required")
	case o.IDTokenLifetime < 0 || o.AccessTokenLifetime < 0:
		return nil, errors.New("tokens: lifetimes must not be negative")
	case slices.Contains(o.DefaultAudience, ""):
		return nil, errors.New("tokens: the default audience has an empty value")
	}
	if _, ok := o.Keys.Current().SigningKey(jose.RS256); !ok {
		return nil, errors.New("tokens: the key set has no RSA key for RS256")
	}
	accessAlg := o.AccessTokenAlg
	if accessAlg == "" {
		accessAlg = DefaultAccessTokenAlg
	}
	if !slices.Contains(AccessTokenAlgs, accessAlg) {
		return nil, fmt.Errorf("tokens: access tokens cannot be signed with %q", accessAlg)
	}
	if _, ok := o.Keys.Current().SigningKey(jose.SignatureAlgorithm(accessAlg)); !ok {
		return nil, fmt.Errorf("tokens: the key set has no key for %s (%s)", accessAlg, keyNeeded(accessAlg))
	}
	m := &Minter{
		issuer:     o.Issuer,
		keys:       o.Keys,
		secrets:    o.Secrets,
		fetcher:    o.Fetcher,
		now:        o.Now,
		idLife:     orDefault(o.IDTokenLifetime, DefaultIDTokenLifetime),
		accessLife: orDefault(o.AccessTokenLifetime, DefaultAccessTokenLifetime),
		accessAlg:  accessAlg,
		audience:   slices.Clone(o.DefaultAudience),
		pairwise:   o.Pairwise,
	}
	if m.now == nil {
		m.now = time.Now
	}
	if len(m.audience) == 0 {
		m.audience = []string{o.Issuer}
	}
	return m, nil
}

// orDefault returns d, or def when d is zero.
func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// SigningAlgs returns the JWS algorithms IDToken and Secure can sign with
// under this key set: what discovery may announce as
// id_token_signing_alg_values_supported. HS* need Options.Secrets.
func (m *Minter) SigningAlgs() []string {
	var out []string
	for _, alg := range asymmetricAlgs {
		if _, ok := m.keys.Current().SigningKey(jose.SignatureAlgorithm(alg)); ok {
			out = append(out, alg)
		}
	}
	if m.secrets != nil {
		out = append(out, hmacAlgs...)
	}
	return out
}

// clientSecret returns the client's current recoverable secret, the first
// that Options.Secrets gives.
func (m *Minter) clientSecret(c oauth.Client, use string) (string, error) {
	all, err := m.clientSecrets(c, use)
	if err != nil {
		return "", err
	}
	return all[0], nil
}

// clientSecrets returns all of the client's recoverable secrets.
func (m *Minter) clientSecrets(c oauth.Client, use string) ([]string, error) {
	if m.secrets == nil {
		return nil, fmt.Errorf("tokens: %s needs the client secret, and this server uses none as a key", use)
	}
	all, err := m.secrets(c)
	if err != nil {
		return nil, fmt.Errorf("tokens: %s: the secret of client %q: %w", use, c.ID, err)
	}
	if len(all) == 0 || all[0] == "" {
		return nil, fmt.Errorf("tokens: %s needs the client secret, but client %q has none this server can recover", use, c.ID)
	}
	return all, nil
}
