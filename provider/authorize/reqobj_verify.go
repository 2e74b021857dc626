package authorize

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/netguard"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// clockSkew is the leeway for exp and nbf: the client's clock and ours
// may differ a little.
const clockSkew = time.Minute

// asymmetricSigningAlgs are accepted from a client that registered no
// request_object_signing_alg. HS* needs the client to register it: the
// key is then its secret, which the server must be able to recover.
var asymmetricSigningAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

func isHMAC(alg string) bool { return strings.HasPrefix(alg, "HS") }

// verify checks the signature of a request object with the client's keys
// and returns its payload. "none" is never accepted: an unsigned object
// proves nothing a plain request does not.
func (p *parser) verify(ctx context.Context, jwt string, c oauth.Client, info *ObjectInfo) ([]byte, *oauth.Error) {
	src := info.Source
	h, err := compactHeader(jwt)
	if err != nil {
		return nil, invalid(oauth.ErrInvalidRequestObject, src, "the request object's JOSE header cannot be read")
	}
	if e := checkSigningAlg(h.Alg, c, src); e != nil {
		return nil, e
	}
	jws, err := jose.ParseSignedCompact(jwt, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(h.Alg)})
	if err != nil {
		return nil, invalid(oauth.ErrInvalidRequestObject, src, "the request object is not a valid JWS").WithCause(err)
	}
	keys, e := p.verificationKeys(ctx, c, h.Alg, false, src)
	if e != nil {
		return nil, e
	}
	payload, kid, ok := verifyWithAny(jws, keys, h)
	if !ok && !isHMAC(h.Alg) && len(c.Metadata.JWKS) == 0 {
		// The client may have rotated its keys since the set was cached.
		if keys, e = p.verificationKeys(ctx, c, h.Alg, true, src); e != nil {
			return nil, e
		}
		payload, kid, ok = verifyWithAny(jws, keys, h)
	}
	if !ok {
		return nil, invalid(oauth.ErrInvalidRequestObject, src, "the request object's signature does not verify with the client's keys")
	}
	info.Alg, info.KeyID = h.Alg, kid
	return payload, nil
}

// checkSigningAlg: the algorithm the client registered
// (request_object_signing_alg, OpenID Connect Registration §2), or any
// asymmetric one when it registered none.
func checkSigningAlg(alg string, c oauth.Client, src string) *oauth.Error {
	if alg == "none" {
		return invalid(oauth.ErrInvalidRequestObject, src, "unsigned request objects (alg none) are not accepted")
	}
	registered := c.Metadata.RequestObjectSigningAlg
	switch {
	case registered != "" && alg != registered:
		return invalid(oauth.ErrInvalidRequestObject, src, "signed with %s, but the client registered request_object_signing_alg %s", quote(alg), registered)
	case registered == "" && !slices.Contains(asymmetricSigningAlgs, alg):
		return invalid(oauth.ErrInvalidRequestObject, src, "signed with %s; without a registered request_object_signing_alg only %s are accepted",
			quote(alg), strings.Join(asymmetricSigningAlgs, ", "))
	}
	return nil
}

// candidateKey is a key that may have made a signature.
type candidateKey struct {
	kid string
	key any
}

// verificationKeys returns the keys that may have signed with alg: the
// client's recoverable secrets for HS*, otherwise its registered public
// keys (jwks inline, or jwks_uri).
func (p *parser) verificationKeys(ctx context.Context, c oauth.Client, alg string, refresh bool, src string) ([]candidateKey, *oauth.Error) {
	if isHMAC(alg) {
		secrets, e := p.clientSecrets(ctx, c, src, "signed with "+alg)
		if e != nil {
			return nil, e
		}
		keys := make([]candidateKey, len(secrets))
		for i, s := range secrets {
			keys[i] = candidateKey{key: []byte(s)}
		}
		return keys, nil
	}
	set, e := p.clientKeySet(ctx, c, refresh, src)
	if e != nil {
		return nil, e
	}
	var keys []candidateKey
	for _, k := range set.Keys {
		if (k.Use == "" || k.Use == "sig") && (k.Algorithm == "" || k.Algorithm == alg) {
			keys = append(keys, candidateKey{kid: k.KeyID, key: k.Key})
		}
	}
	return keys, nil
}

// clientKeySet returns the public keys the client registered.
func (p *parser) clientKeySet(ctx context.Context, c oauth.Client, refresh bool, src string) (jose.JSONWebKeySet, *oauth.Error) {
	m := c.Metadata
	switch {
	case len(m.JWKS) > 0:
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(m.JWKS, &set); err != nil {
			return set, invalid(oauth.ErrInvalidRequestObject, src, "the client's registered jwks cannot be read").WithCause(err)
		}
		return publicOnly(set), nil
	case m.JWKSURI != "" && p.deps.Keys != nil:
		set, err := p.deps.Keys.KeySet(netguard.Guard(ctx, m.OpenlyRegistered()), m.JWKSURI, refresh)
		if err != nil {
			return set, invalid(oauth.ErrInvalidRequestObject, src, "the client's jwks_uri could not be fetched").WithCause(err)
		}
		return publicOnly(set), nil
	case m.JWKSURI != "":
		return jose.JSONWebKeySet{}, invalid(oauth.ErrInvalidRequestObject, src, "this server cannot fetch the client's jwks_uri")
	}
	return jose.JSONWebKeySet{}, invalid(oauth.ErrInvalidRequestObject, src, "the client registered no keys (jwks or jwks_uri) to verify it with")
}

// publicOnly keeps the asymmetric keys of a set, as public keys: a client
// that publishes a private key by mistake must not make us use it.
func publicOnly(set jose.JSONWebKeySet) jose.JSONWebKeySet {
	var out jose.JSONWebKeySet
	for _, k := range set.Keys {
		if _, symmetric := k.Key.([]byte); symmetric || k.Key == nil {
			continue
		}
		out.Keys = append(out.Keys, k.Public())
	}
	return out
}

// clientSecrets returns the client's recoverable secrets, for a request
// object that uses one as its key (what says how, for the error).
func (p *parser) clientSecrets(ctx context.Context, c oauth.Client, src, what string) ([]string, *oauth.Error) {
	if p.deps.Secrets == nil {
		return nil, invalid(oauth.ErrInvalidRequestObject, src, "%s, but this server cannot use client secrets as keys", what)
	}
	secrets, err := p.deps.Secrets(ctx, c)
	if err != nil || len(secrets) == 0 {
		return nil, invalid(oauth.ErrInvalidRequestObject, src, "%s, but the client has no secret this server can recover", what).WithCause(err)
	}
	return secrets, nil
}

// verifyWithAny tries the keys whose kid fits the header's, and returns
// the payload and the kid of the key that verified it.
func verifyWithAny(jws *jose.JSONWebSignature, keys []candidateKey, h joseHeader) ([]byte, string, bool) {
	for _, k := range keys {
		if h.Kid != "" && k.kid != "" && k.kid != h.Kid {
			continue
		}
		if payload, err := jws.Verify(k.key); err == nil {
			return payload, k.kid, true
		}
	}
	return nil, "", false
}

// objectClaims are the JWT claims of a request object that Parse checks.
type objectClaims struct {
	Iss      *string         `json:"iss"`
	Sub      *string         `json:"sub"`
	Aud      json.RawMessage `json:"aud"`
	Exp      *float64        `json:"exp"`
	Nbf      *float64        `json:"nbf"`
	JTI      *string         `json:"jti"`
	ClientID *string         `json:"client_id"`
}

// checkObjectClaims applies RFC 9101 §4, §6.3 and §10.8 and OpenID Connect
// Core §6.1 and §6.3.1: iss and aud are optional, but when present iss is
// the client and aud names this server; exp and nbf hold; client_id, when
// present, is the outer client_id; and sub may not be the client_id, which
// would make the object pass for a client assertion (RFC 7523) elsewhere.
func checkObjectClaims(claims map[string]json.RawMessage, clientID string, deps *Deps, info *ObjectInfo) *oauth.Error {
	src := info.Source
	var oc objectClaims
	if err := remarshal(claims, &oc); err != nil {
		return invalid(oauth.ErrInvalidRequestObject, src, "a JWT claim has the wrong type (iss, sub, jti and client_id are strings, exp and nbf numbers)")
	}
	now := deps.now()
	switch {
	case oc.Iss != nil && *oc.Iss != clientID:
		return invalid(oauth.ErrInvalidRequestObject, src, "iss must be the client_id")
	case len(oc.Aud) > 0 && !isNull(oc.Aud) && !audienceHas(oc.Aud, deps.Config.Issuer):
		return invalid(oauth.ErrInvalidRequestObject, src, "aud must name this server's issuer, %s", deps.Config.Issuer)
	case oc.Exp != nil && now.After(unixTime(*oc.Exp).Add(clockSkew)):
		return invalid(oauth.ErrInvalidRequestObject, src, "the request object has expired")
	case oc.Nbf != nil && now.Add(clockSkew).Before(unixTime(*oc.Nbf)):
		return invalid(oauth.ErrInvalidRequestObject, src, "the request object is not valid yet (nbf)")
	case oc.ClientID != nil && *oc.ClientID != clientID:
		return invalid(oauth.ErrInvalidRequestObject, src, "client_id does not match the client_id parameter")
	case oc.Sub != nil && *oc.Sub == clientID:
		return invalid(oauth.ErrInvalidRequestObject, src, "sub must not be the client_id: that would make it a client assertion (RFC 9101 10.8)")
	}
	if oc.JTI != nil {
		info.JTI = *oc.JTI
	}
	if oc.Exp != nil {
		info.ExpiresAt = int64(*oc.Exp)
	}
	return nil
}

func remarshal(claims map[string]json.RawMessage, out any) error {
	b, err := json.Marshal(claims)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// audienceHas reads aud, a string or an array of strings (RFC 7519 §4.1.3).
func audienceHas(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Contains(many, want)
}

// unixTime reads a NumericDate (RFC 7519 §2), which may have a fraction.
func unixTime(seconds float64) time.Time {
	const limit = 1 << 40 // far beyond any real date, and safe to convert
	seconds = max(min(seconds, limit), -limit)
	whole := math.Floor(seconds)
	return time.Unix(int64(whole), int64((seconds-whole)*1e9))
}
