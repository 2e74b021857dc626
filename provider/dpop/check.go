package dpop

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// HeaderName is the request header that carries a proof (RFC 9449 §4.1).
const HeaderName = "DPoP"

// proofType is the typ of every proof (§4.2).
const proofType = "dpop+jwt"

// Target is what a proof must be made for: the request it arrived with.
type Target struct {
	// Method is the request's method (htm).
	Method string
	// URLs are the endpoint's URLs as clients may know them: under the
	// issuer and, where there is one, under the mTLS alias host. Behind a
	// proxy the request itself does not know its external URL, so htu is
	// compared with these (§4.3 item 9).
	URLs []string
	// AccessToken is the token presented with the proof at a protected
	// resource; the proof's ath must be its hash. Empty at the token and
	// pushed authorization endpoints.
	AccessToken string
}

// Proof is what a valid proof tells.
type Proof struct {
	// JKT is the RFC 7638 SHA-256 thumbprint of the proof's key,
	// base64url: the value of cnf.jkt and of dpop_jkt.
	JKT      string
	JTI      string
	IssuedAt time.Time
}

// claims are a proof's claims (§4.2).
type claims struct {
	JTI   string          `json:"jti"`
	HTM   string          `json:"htm"`
	HTU   string          `json:"htu"`
	IAT   json.RawMessage `json:"iat"`
	ATH   string          `json:"ath"`
	Nonce string          `json:"nonce"`
}

// Check validates the proof in h for t. present is false when h holds no
// proof at all (no error then: whether one is needed is the caller's
// decision). A failed check is invalid_dpop_proof or use_dpop_nonce, 400;
// at a resource the caller answers it with WriteChallenge.
func (c *Checker) Check(ctx context.Context, h http.Header, t Target) (p Proof, present bool, e *oauth.Error) {
	p, present, e = c.CheckUnused(ctx, h, t)
	if e != nil || !present {
		return p, present, e
	}
	if e := c.Use(ctx, p); e != nil {
		return Proof{}, true, e
	}
	return p, true, nil
}

// Use records a proof that CheckUnused accepted as used (§11.1), refusing
// one seen before. An endpoint that reads the proof before it
// authenticates the client calls it once the client is known, so that
// requests of no client take no room in the replay store.
func (c *Checker) Use(ctx context.Context, p Proof) *oauth.Error { return c.useJTI(ctx, p) }

// CheckUnused is Check but for the replay cache: the caller must call Use
// before it acts on the proof.
func (c *Checker) CheckUnused(ctx context.Context, h http.Header, t Target) (p Proof, present bool, e *oauth.Error) {
	values := h.Values(HeaderName)
	switch {
	case len(values) == 0:
		return Proof{}, false, nil
	case len(values) > 1:
		// §4.3 item 1: "there is not more than one DPoP HTTP request header field".
		return Proof{}, true, invalid("Send one DPoP header.")
	case len(values[0]) > oauth.MaxDPoPProof:
		return Proof{}, true, invalid("The DPoP proof is too long.")
	}
	p, e = c.verify(ctx, values[0], t)
	return p, true, e
}

// verify runs the checks of §4.3 in order but for the replay cache, which
// comes last (Use), so that only proofs good in every other way take room
// in it.
func (c *Checker) verify(_ context.Context, raw string, t Target) (Proof, *oauth.Error) {
	key, cl, e := c.parse(raw)
	if e != nil {
		return Proof{}, e
	}
	iat, e := c.checkClaims(cl, t)
	if e != nil {
		return Proof{}, e
	}
	thumb, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return Proof{}, invalid("The DPoP proof's key has no thumbprint.").WithCause(err)
	}
	return Proof{JKT: base64.RawURLEncoding.EncodeToString(thumb), JTI: cl.JTI, IssuedAt: iat}, nil
}

// parse checks the JOSE header and the signature, and decodes the claims.
func (c *Checker) parse(raw string) (jose.JSONWebKey, claims, *oauth.Error) {
	algs := make([]jose.SignatureAlgorithm, len(c.opts.Algs))
	for i, a := range c.opts.Algs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSignedCompact(raw, algs)
	if err != nil {
		// Also alg none, an HMAC alg, one not configured, or a private
		// key in jwk (go-jose refuses those as it parses).
		return jose.JSONWebKey{}, claims{}, invalid("The DPoP proof is not a JWS signed with an accepted algorithm and a public key.").WithCause(err)
	}
	if len(jws.Signatures) != 1 {
		return jose.JSONWebKey{}, claims{}, invalid("The DPoP proof must have one signature.")
	}
	hd := jws.Signatures[0].Protected
	if typ, _ := hd.ExtraHeaders[jose.HeaderType].(string); typ != proofType {
		return jose.JSONWebKey{}, claims{}, invalid("The DPoP proof's typ must be dpop+jwt.")
	}
	key := hd.JSONWebKey
	switch {
	case key == nil:
		return jose.JSONWebKey{}, claims{}, invalid("The DPoP proof's header has no jwk.")
	case !key.IsPublic():
		return jose.JSONWebKey{}, claims{}, invalid("The DPoP proof's jwk must be a public key.")
	case !key.Valid():
		return jose.JSONWebKey{}, claims{}, invalid("The DPoP proof's jwk is not a valid key.")
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return jose.JSONWebKey{}, claims{}, invalid("The DPoP proof's signature does not verify with its jwk.").WithCause(err)
	}
	var cl claims
	if err := json.Unmarshal(payload, &cl); err != nil {
		return jose.JSONWebKey{}, claims{}, invalid("The DPoP proof's claims are not a JSON object of the expected types.").WithCause(err)
	}
	return *key, cl, nil
}

// checkClaims checks jti, htm, htu, ath, iat and the nonce.
func (c *Checker) checkClaims(cl claims, t Target) (time.Time, *oauth.Error) {
	switch {
	case cl.JTI == "":
		return time.Time{}, invalid("The DPoP proof has no jti.")
	case len(cl.JTI) > oauth.MaxDPoPJTI:
		return time.Time{}, invalid("The DPoP proof's jti is too long.")
	case cl.HTM != t.Method:
		return time.Time{}, invalid("The DPoP proof's htm is not the request's method.")
	case !matchesURL(cl.HTU, t.URLs):
		return time.Time{}, invalid("The DPoP proof's htu is not this endpoint's URL.")
	}
	if t.AccessToken != "" && !sameText(cl.ATH, accessTokenHash(t.AccessToken)) {
		return time.Time{}, invalid("The DPoP proof's ath is not the hash of the access token.")
	}
	iat, ok := numericDate(cl.IAT)
	if !ok {
		return time.Time{}, invalid("The DPoP proof has no valid iat.")
	}
	now := c.opts.Now()
	if iat.Before(now.Add(-c.opts.MaxAge)) || iat.After(now.Add(c.opts.ClockSkew)) {
		return time.Time{}, invalid("The DPoP proof's iat is too far from the current time.")
	}
	if c.opts.Nonce && !c.validNonce(cl.Nonce, now) {
		return time.Time{}, oauth.ErrUseDPoPNonce().WithDescription("Make the DPoP proof with the nonce of the DPoP-Nonce header.")
	}
	return iat, nil
}

// numericDate reads a JWT NumericDate (RFC 7519 §2), fractions allowed.
func numericDate(raw json.RawMessage) (time.Time, bool) {
	var f float64
	if len(raw) == 0 || json.Unmarshal(raw, &f) != nil || f < 0 || f > math.MaxInt32*4 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// accessTokenHash is ath (§4.2): base64url of the SHA-256 of the token's
// ASCII bytes.
func accessTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func sameText(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func invalid(desc string) *oauth.Error { return oauth.ErrInvalidDPoPProof().WithDescription(desc) }
