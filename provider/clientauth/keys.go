package clientauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-idp/gatehouse/provider/netguard"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// minRSABits: RSA keys shorter than this verify nothing (RFC 7518 §3.3
// asks for 2048 bits or more).
const minRSABits = 2048

// verify checks the assertion's signature with the client's keys and
// returns its claims.
func (a *Authenticator) verify(ctx context.Context, c oauth.Client, method string, as assertion, now time.Time) (jwt.Claims, *oauth.Error) {
	if method == MethodSecretJWT {
		return a.verifyHMAC(c, as, now)
	}
	return a.verifyPublic(ctx, c, as)
}

// verifyHMAC tries the client's recoverable secrets, current first, then
// the previous one while its rollover window lasts (RFC 7523 §2.2 with
// RFC 7518 §3.2: the secret is the HMAC key).
func (a *Authenticator) verifyHMAC(c oauth.Client, as assertion, now time.Time) (jwt.Claims, *oauth.Error) {
	plain, err := a.codec.RecoverableSecrets(c, now)
	if err != nil {
		return jwt.Claims{}, serverError(fmt.Errorf("%w: client %q: %w", errUnrecoverableKeys, c.ID, err))
	}
	if len(plain) == 0 {
		return jwt.Claims{}, a.refuse(false, descFailed, fmt.Errorf("%w: no valid recoverable secret", errNoKeys))
	}
	for _, secret := range plain {
		var claims jwt.Claims
		if as.token.Claims([]byte(secret), &claims) == nil {
			return claims, nil
		}
	}
	return jwt.Claims{}, a.refuse(false, descFailed, errBadSignature)
}

// verifyPublic tries the client's public keys. Keys from jwks_uri are
// fetched again once when the set lacks the key the assertion names (or,
// naming none, when no key verified it): the client may have rotated.
// The fetcher keeps such refreshes rare whatever a caller sends.
func (a *Authenticator) verifyPublic(ctx context.Context, c oauth.Client, as assertion) (jwt.Claims, *oauth.Error) {
	set, e := a.keySet(ctx, c, false)
	if e != nil {
		return jwt.Claims{}, e
	}
	claims, known, ok := tryKeys(as, set)
	if !ok && !known && len(c.Metadata.JWKS) == 0 {
		if set, e = a.keySet(ctx, c, true); e != nil {
			return jwt.Claims{}, e
		}
		claims, _, ok = tryKeys(as, set)
	}
	if !ok {
		return jwt.Claims{}, a.refuse(false, descFailed, fmt.Errorf("%w: kid %q", errBadSignature, as.kid))
	}
	return claims, nil
}

// tryKeys verifies the assertion with each key of set that fits its kid
// and alg. known reports that the set holds the named key.
func tryKeys(as assertion, set jose.JSONWebKeySet) (claims jwt.Claims, known, ok bool) {
	if known, ok = VerifyWithKeySet(as.token, as.kid, as.alg, set, &claims); !ok {
		return jwt.Claims{}, known, false
	}
	return claims, known, true
}

// VerifyWithKeySet checks tok's signature with each key of set that fits
// kid (any key when kid is "") and alg, and decodes its claims into dst
// with the first that verifies. known reports that set holds the key kid
// names, so that a caller holding a cached set knows whether fetching it
// again could help. The checks of client assertions and of the JWT
// bearer grant's assertions (provider/jwtbearer) share it.
func VerifyWithKeySet(tok *jwt.JSONWebToken, kid, alg string, set jose.JSONWebKeySet, dst any) (known, ok bool) {
	for _, k := range set.Keys {
		if kid != "" && k.KeyID != kid {
			continue
		}
		known = known || kid != ""
		pub := k.Public() // a private key published by mistake is used as its public half
		if !usable(pub, alg) {
			continue
		}
		if tok.Claims(pub.Key, dst) == nil {
			return known, true
		}
	}
	return known, false
}

// usable: the key is meant for signatures with alg and is of its type and
// strength. go-jose itself checks an EC key's curve against alg.
func usable(k jose.JSONWebKey, alg string) bool {
	if (k.Use != "" && k.Use != "sig") || (k.Algorithm != "" && k.Algorithm != alg) {
		return false
	}
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		return (strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")) && key.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		return strings.HasPrefix(alg, "ES")
	case ed25519.PublicKey:
		// RFC 8037 §3.1: EdDSA with an OKP key; Ed448 go-jose cannot read.
		return alg == "EdDSA"
	}
	return false
}

// keySet returns the keys the client registered: jwks inline, or the set
// at its jwks_uri. A set that cannot be had is the client's failure.
func (a *Authenticator) keySet(ctx context.Context, c oauth.Client, refresh bool) (jose.JSONWebKeySet, *oauth.Error) {
	var set jose.JSONWebKeySet
	m := c.Metadata
	switch {
	case len(m.JWKS) > 0:
		if err := json.Unmarshal(m.JWKS, &set); err != nil {
			return set, a.refuse(false, descFailed, fmt.Errorf("%w: registered jwks: %w", errNoKeys, err))
		}
	case m.JWKSURI != "" && a.keys != nil:
		var err error
		if set, err = a.keys.KeySet(netguard.Guard(ctx, m.OpenlyRegistered()), m.JWKSURI, refresh); err != nil {
			return set, a.refuse(false, descFailed, fmt.Errorf("%w: jwks_uri: %w", errNoKeys, err))
		}
	case m.JWKSURI != "":
		return set, a.refuse(false, descFailed, fmt.Errorf("%w: jwks_uri cannot be fetched here", errNoKeys))
	default:
		return set, a.refuse(false, descFailed, fmt.Errorf("%w: neither jwks nor jwks_uri registered", errNoKeys))
	}
	return set, nil
}
