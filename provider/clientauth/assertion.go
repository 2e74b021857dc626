package clientauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// maxAssertionLen bounds the assertion that is parsed at all.
const maxAssertionLen = oauth.MaxClientAssertion

// assertion is a parsed, not yet verified client assertion.
type assertion struct {
	token    *jwt.JSONWebToken
	alg, kid string
	clientID string
}

// byAssertion authenticates client_secret_jwt and private_key_jwt
// (RFC 7523 §2.2 and §3, RFC 7521 §4.2). The client is the assertion's
// sub; which of the two methods applies is the one it registered.
func (a *Authenticator) byAssertion(ctx context.Context, cr credentials) (Result, *oauth.Error) {
	switch {
	case cr.assertion == "" || cr.assertionType == "":
		return Result{}, invalidRequest("client_assertion and client_assertion_type must be given together.")
	case cr.assertionType != AssertionType:
		return Result{}, a.refuse(false, "The client_assertion_type is not supported.", errAssertionType)
	case !a.enabled(MethodSecretJWT) && !a.enabled(MethodPrivateKeyJWT):
		return Result{}, a.refuse(false, "Client assertions are not supported.", errNotEnabled)
	}
	as, e := a.parseAssertion(cr)
	if e != nil {
		return Result{}, e
	}
	c, e := a.lookup(ctx, as.clientID, false)
	if e != nil {
		return Result{}, e
	}
	method, e := a.assertionMethod(c, as.alg)
	if e != nil {
		return Result{}, e
	}
	now := a.now()
	claims, e := a.verify(ctx, c, method, as, now)
	if e != nil {
		return Result{}, e
	}
	if e := a.checkClaims(claims, c.ID, now); e != nil {
		return Result{}, e
	}
	if e := a.useJTI(ctx, c.ID, claims.ID, claims.Expiry.Time(), now); e != nil {
		return Result{}, e
	}
	return Result{Client: c, Method: method}, nil
}

// assertionMethod is the JWT method the client registered, if it is
// enabled and accepts alg.
func (a *Authenticator) assertionMethod(c oauth.Client, alg string) (string, *oauth.Error) {
	method := registeredMethod(c)
	switch {
	case method != MethodSecretJWT && method != MethodPrivateKeyJWT:
		return "", a.refuse(false, descFailed, fmt.Errorf("%w: registered %s, used an assertion", errMethodMismatch, method))
	case !a.enabled(method):
		return "", a.refuse(false, descFailed, fmt.Errorf("%w: %s", errNotEnabled, method))
	case !slices.Contains(acceptedAlgs(c, method), alg):
		return "", a.refuse(false, descFailed, fmt.Errorf("%w: %s for %s", errAlgNotAccepted, alg, method))
	}
	return method, nil
}

// parseAssertion reads the assertion's header and, unverified, the client
// it claims to come from. iss and sub must agree before the directory is
// asked: they are the assertion's own business, not the client's.
func (a *Authenticator) parseAssertion(cr credentials) (assertion, *oauth.Error) {
	malformed := func(err error) (assertion, *oauth.Error) {
		return assertion{}, a.refuse(false, "The client assertion is not a signed JWT this server can read.", fmt.Errorf("%w: %w", errMalformedJWT, err))
	}
	if len(cr.assertion) > maxAssertionLen {
		return malformed(fmt.Errorf("%d bytes", len(cr.assertion)))
	}
	alg, err := headerAlg(cr.assertion)
	if err != nil {
		return malformed(err)
	}
	if !slices.Contains(hmacAlgs, alg) && !slices.Contains(asymmetricAlgs, alg) {
		// none above all: an unsigned assertion proves nothing.
		return assertion{}, a.refuse(false, descFailed, fmt.Errorf("%w: %q", errAlgNotAccepted, alg))
	}
	token, err := jwt.ParseSigned(cr.assertion, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		return malformed(err)
	}
	var claims jwt.Claims
	if err := token.UnsafeClaimsWithoutVerification(&claims); err != nil {
		return malformed(err)
	}
	if claims.Subject == "" || claims.Issuer != claims.Subject {
		return assertion{}, a.refuse(false, "The client assertion's iss and sub must both be the client_id.", errIssuerSubject)
	}
	if cr.formClientID != "" && cr.formClientID != claims.Subject {
		return assertion{}, a.refuse(false, descFailed, errClientIDMismatch)
	}
	return assertion{token: token, alg: alg, kid: token.Headers[0].KeyID, clientID: claims.Subject}, nil
}

// headerAlg reads alg from a compact JWS's protected header, so that an
// algorithm this server refuses is told apart from a broken token.
func headerAlg(compact string) (string, error) {
	encoded, _, ok := strings.Cut(compact, ".")
	if !ok {
		return "", fmt.Errorf("not a compact JWS")
	}
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	return h.Alg, nil
}

// acceptedAlgs: the client's token_endpoint_auth_signing_alg when it
// registered one (OpenID Connect Registration §2: assertions signed
// otherwise "MUST be rejected"), else HS256 for client_secret_jwt and any
// asymmetric algorithm for private_key_jwt. A registered algorithm of the
// wrong family accepts nothing.
func acceptedAlgs(c oauth.Client, method string) []string {
	reg := c.Metadata.TokenEndpointAuthSigningAlg
	family := asymmetricAlgs
	if method == MethodSecretJWT {
		family = hmacAlgs
		if reg == "" {
			return []string{"HS256"}
		}
	}
	switch {
	case reg == "":
		return family
	case slices.Contains(family, reg):
		return []string{reg}
	}
	return nil
}

// checkClaims applies RFC 7523 §3 and OpenID Connect Core §9 to the
// claims of an assertion whose signature verified. Its descriptions may be
// precise: only the holder of the client's key reaches this point.
func (a *Authenticator) checkClaims(cl jwt.Claims, clientID string, now time.Time) *oauth.Error {
	fail := func(desc string, cause error) *oauth.Error { return a.refuse(false, desc, cause) }
	switch {
	case cl.Issuer != clientID || cl.Subject != clientID:
		return fail("The client assertion's iss and sub must both be the client_id.", errIssuerSubject)
	case !slices.ContainsFunc(a.audiences, cl.Audience.Contains):
		return fail("The client assertion's aud must name this server's token endpoint or issuer.", errAudience)
	case cl.Expiry == nil:
		return fail("The client assertion must have an exp claim.", errNoExpiry)
	case !now.Before(cl.Expiry.Time()):
		return fail("The client assertion has expired.", errExpired)
	case a.tooLong(cl, now):
		return fail("The client assertion must expire within "+minutes(a.maxLifetime)+" of its issue.", errTooLong)
	case cl.NotBefore != nil && cl.NotBefore.Time().After(now.Add(leeway)):
		return fail("The client assertion is not valid yet (nbf).", errNotYetValid)
	case cl.IssuedAt != nil && cl.IssuedAt.Time().After(now.Add(leeway)):
		return fail("The client assertion is issued in the future (iat).", errNotYetValid)
	case cl.ID == "":
		return fail("The client assertion must have a jti claim.", errNoJTI)
	}
	return nil
}

// tooLong: exp lies further than the maximum lifetime from now (allowing
// for a client clock that runs ahead) or from iat. The first bound is what
// keeps replay records short-lived.
func (a *Authenticator) tooLong(cl jwt.Claims, now time.Time) bool {
	exp := cl.Expiry.Time()
	if exp.Sub(now) > a.maxLifetime+leeway {
		return true
	}
	return cl.IssuedAt != nil && exp.Sub(cl.IssuedAt.Time()) > a.maxLifetime
}

func minutes(d time.Duration) string {
	if d%time.Minute == 0 {
		if d == time.Minute {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}
