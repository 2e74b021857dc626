package jarm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// MaxLifetime bounds a response's lifetime: JARM §2.1 recommends at most
// ten minutes, as a response lives only as long as the redirect takes.
const MaxLifetime = 10 * time.Minute

// DefaultSigningAlg is used for a client that registered no
// authorization_signed_response_alg (JARM §3).
const DefaultSigningAlg = "RS256"

// typ of the response JWT. JARM defines no media type of its own, so the
// plain one of RFC 7519 §5.1 is used.
const typ = "JWT"

// ErrAlgorithmNotAllowed: the client registered an algorithm the server no
// longer allows (op.authz.responseJWSAlgs, responseJWEAlgs or
// responseJWEEncs changed since). The response is not made; the person
// sees a server error rather than the client getting a token it did not
// ask for.
var ErrAlgorithmNotAllowed = errors.New("jarm: the client's algorithm is not allowed")

// Securer signs claims for a client and optionally encrypts the result as
// a nested JWT; *tokens.Minter is one.
type Securer interface {
	Secure(ctx context.Context, client oauth.Client, claims any, signAlg, encAlg, encEnc, typ string) (string, error)
}

// Options configure an Encoder.
type Options struct {
	Minter Securer
	// Clients looks a client up for its registered algorithms.
	Clients authorize.ClientLookup
	// SigningAlgs, EncryptionAlgs and EncryptionEncs are what the server
	// allows (op.authz.responseJWSAlgs, responseJWEAlgs, responseJWEEncs).
	SigningAlgs    []string
	EncryptionAlgs []string
	EncryptionEncs []string
	// Lifetime of a response; zero means MaxLifetime, more is refused.
	Lifetime time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Encoder implements authorize.Encoder.
type Encoder struct {
	minter   Securer
	clients  authorize.ClientLookup
	jws      []string
	jwe      []string
	enc      []string
	lifetime time.Duration
	now      func() time.Time
}

var _ authorize.Encoder = (*Encoder)(nil)

// New checks the options and returns an Encoder.
func New(o Options) (*Encoder, error) {
	switch {
	case o.Minter == nil || o.Clients == nil:
		return nil, errors.New("jarm: a minter and a client lookup are required")
	case len(o.SigningAlgs) == 0:
		return nil, errors.New("jarm: at least one signing algorithm is required")
	case slices.Contains(o.SigningAlgs, "none"):
		return nil, errors.New(`jarm: responses are always signed: "none" is not a signing algorithm`)
	case o.Lifetime < 0 || o.Lifetime > MaxLifetime:
		return nil, fmt.Errorf("jarm: the lifetime must be between 0 and %s, not %s", MaxLifetime, o.Lifetime)
	}
	e := &Encoder{
		minter: o.Minter, clients: o.Clients,
		jws: slices.Clone(o.SigningAlgs), jwe: slices.Clone(o.EncryptionAlgs), enc: slices.Clone(o.EncryptionEncs),
		lifetime: o.Lifetime, now: o.Now,
	}
	if e.lifetime == 0 {
		e.lifetime = MaxLifetime
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e, nil
}

// EncodeResponse makes the JWT of resp for its client (JARM §2.1): iss,
// aud and exp, then every response parameter as a string claim.
func (e *Encoder) EncodeResponse(ctx context.Context, resp authorize.Response) (string, error) {
	client, err := e.clients(ctx, resp.ClientID)
	if err != nil {
		return "", fmt.Errorf("jarm: client %q: %w", resp.ClientID, err)
	}
	signAlg, encAlg, encEnc, err := e.algorithms(client.Metadata)
	if err != nil {
		return "", fmt.Errorf("jarm: client %q: %w", client.ID, err)
	}
	return e.minter.Secure(ctx, client, e.claims(resp), signAlg, encAlg, encEnc, typ)
}

// claims: the parameters first, so that iss, aud and exp cannot be
// replaced by a parameter of the same name. Every parameter of an
// authorization response is single-valued.
func (e *Encoder) claims(resp authorize.Response) map[string]any {
	c := make(map[string]any, len(resp.Params)+3)
	for k, v := range resp.Params {
		if len(v) > 0 {
			c[k] = v[0]
		}
	}
	c["iss"] = resp.Issuer
	c["aud"] = resp.ClientID
	c["exp"] = e.now().Add(e.lifetime).Unix()
	return c
}

// algorithms picks the client's registered algorithms, or the defaults,
// and refuses any the server does not allow (any more).
func (e *Encoder) algorithms(m oauth.Metadata) (signAlg, encAlg, encEnc string, err error) {
	signAlg = m.AuthorizationSignedResponseAlg
	if signAlg == "" {
		signAlg = e.defaultSigningAlg()
	}
	if !slices.Contains(e.jws, signAlg) {
		return "", "", "", fmt.Errorf("%w: authorization_signed_response_alg %q", ErrAlgorithmNotAllowed, signAlg)
	}
	encAlg, encEnc = m.AuthorizationEncryptedResponseAlg, m.AuthorizationEncryptedResponseEnc
	if encAlg == "" {
		if encEnc != "" {
			return "", "", "", fmt.Errorf("%w: authorization_encrypted_response_enc %q without an algorithm", ErrAlgorithmNotAllowed, encEnc)
		}
		return signAlg, "", "", nil
	}
	if encEnc == "" {
		// JARM §3: the default when only the algorithm is registered.
		encEnc = "A128CBC-HS256"
	}
	if !slices.Contains(e.jwe, encAlg) {
		return "", "", "", fmt.Errorf("%w: authorization_encrypted_response_alg %q", ErrAlgorithmNotAllowed, encAlg)
	}
	if !slices.Contains(e.enc, encEnc) {
		return "", "", "", fmt.Errorf("%w: authorization_encrypted_response_enc %q", ErrAlgorithmNotAllowed, encEnc)
	}
	return signAlg, encAlg, encEnc, nil
}

// defaultSigningAlg is RS256 (JARM §3), or the first allowed algorithm
// when the configuration leaves RS256 out.
func (e *Encoder) defaultSigningAlg() string {
	if slices.Contains(e.jws, DefaultSigningAlg) {
		return DefaultSigningAlg
	}
	return e.jws[0]
}
