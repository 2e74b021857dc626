package tokens

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/pairwise"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// HintClaims is what an id_token_hint tells the logout endpoint.
type HintClaims struct {
	Subject, ClientID, SID string
	// Client is the client the hint was issued to, as lookup found it.
	Client oauth.Client
	// public maps a person's own subject to the sub the hint's client
	// knows them by; nil for public subs.
	public func(local string) (string, error)
}

// IsSubject says whether the hint names the person whose own subject is
// local: for a pairwise client, its sub is local's pairwise sub.
func (h HintClaims) IsSubject(local string) bool {
	if h.public == nil {
		return h.Subject == local
	}
	sub, err := h.public(local)
	return err == nil && sub == h.Subject
}

// hintWire is the payload of an ID token as read back.
type hintWire struct {
	jwt.Claims
	AZP string `json:"azp"`
	SID string `json:"sid"`
}

// CheckIDTokenHint checks an id_token_hint (OpenID Connect Core §3.1.2.1,
// RP-Initiated Logout 1.0 §2): an ID token this server issued, possibly
// expired. clientID is the client_id request parameter, or empty; when
// given it must be the hint's audience, and an encrypted hint needs it to
// find the secret its key derives from. lookup finds clients by id.
//
// A refused hint wraps ErrInvalidToken; an error of lookup other than
// storage.ErrNotFound is returned as it is, since the hint may be fine.
func (m *Minter) CheckIDTokenHint(ctx context.Context, hint, clientID string, lookup authorize.ClientLookup) (HintClaims, error) {
	r := &hintReader{m: m, ctx: ctx, lookup: lookup}
	tok, err := r.open(hint, clientID)
	if err != nil {
		return HintClaims{}, err
	}
	w, err := r.verify(tok, clientID)
	if err != nil {
		return HintClaims{}, err
	}
	// exp is not checked: the RP may send a hint that has expired.
	w.Expiry = nil
	if err := w.Claims.ValidateWithLeeway(jwt.Expected{Issuer: m.issuer, Time: m.now()}, leeway); err != nil {
		return HintClaims{}, invalidCause(err, "claims")
	}
	if w.IssuedAt == nil || w.Subject == "" {
		return HintClaims{}, invalid("iat or sub missing")
	}
	hc := HintClaims{Subject: w.Subject, ClientID: r.client.ID, SID: w.SID, Client: r.client}
	if pairwise.Applies(r.client.Metadata) {
		meta := r.client.Metadata
		hc.public = func(local string) (string, error) { return m.PublicSubject(meta, local) }
	}
	return hc, nil
}

// hintSigningAlgs are the algorithms ID tokens are signed with.
func hintSigningAlgs() []jose.SignatureAlgorithm {
	var out []jose.SignatureAlgorithm
	for _, alg := range slices.Concat(asymmetricAlgs, hmacAlgs) {
		out = append(out, jose.SignatureAlgorithm(alg))
	}
	return out
}

// hintReader checks one hint, remembering the client once found.
type hintReader struct {
	m      *Minter
	ctx    context.Context
	lookup authorize.ClientLookup
	client oauth.Client
}

// open parses the hint, decrypting it first when it is a JWE.
func (r *hintReader) open(hint, clientID string) (*jwt.JSONWebToken, error) {
	switch strings.Count(hint, ".") {
	case 2:
		tok, err := jwt.ParseSigned(hint, hintSigningAlgs())
		if err != nil {
			return nil, invalidCause(err, "not a JWS")
		}
		return tok, nil
	case 4:
		return r.decrypt(hint, clientID)
	}
	return nil, invalid("neither a JWS nor a JWE in compact form")
}

// find looks the client up once.
func (r *hintReader) find(id string) error {
	if r.client.ID != "" {
		if r.client.ID != id {
			return invalid("issued to client %q, not %q", id, r.client.ID)
		}
		return nil
	}
	c, err := r.lookup(r.ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return invalidCause(err, "client %q", id)
	case err != nil:
		return fmt.Errorf("tokens: id_token_hint: client %q: %w", id, err)
	}
	r.client = c
	return nil
}

// decrypt opens a hint encrypted under a key derived from the client's
// secret (the only encryption a hint of ours can have), trying each of the
// client's recoverable secrets.
func (r *hintReader) decrypt(hint, clientID string) (*jwt.JSONWebToken, error) {
	if clientID == "" {
		return nil, invalid("an encrypted hint needs the client_id parameter")
	}
	nested, err := jwt.ParseSignedAndEncrypted(hint, keyAlgs(secretKeyAlgs), encs(contentEncs), hintSigningAlgs())
	if err != nil {
		return nil, invalidCause(err, "not a nested JWT encrypted with a client secret")
	}
	if err := r.find(clientID); err != nil {
		return nil, err
	}
	secrets, err := r.m.clientSecrets(r.client, "an encrypted id_token_hint")
	if err != nil {
		return nil, invalidCause(err, "no key")
	}
	h := nested.Headers[0]
	enc, _ := h.ExtraHeaders["enc"].(string)
	for _, s := range secrets {
		if tok, err := nested.Decrypt(secretDerivedKey(s, h.Algorithm, enc)); err == nil {
			return tok, nil
		}
	}
	return nil, invalid("cannot be decrypted with a key derived from client %q's secrets", clientID)
}

// verify checks the signature of the hint's JWS: with our published keys
// for RS*, PS* and ES*; for HS*, with the client's recoverable secrets,
// current and previous, when the client registered that algorithm.
func (r *hintReader) verify(tok *jwt.JSONWebToken, clientID string) (hintWire, error) {
	h := tok.Headers[0]
	if isAccessTokenType(h) {
		return hintWire{}, invalid("an access token, not an ID token")
	}
	var w hintWire
	if !isHMAC(h.Algorithm) {
		if err := r.m.verifyOurs(tok, h.KeyID, &w); err != nil {
			return w, err
		}
		return w, r.findAudience(w, clientID)
	}
	// The audience names the client whose secret is the key: read it
	// before the signature is checked, and trust it only after.
	if err := tok.UnsafeClaimsWithoutVerification(&w); err != nil {
		return w, invalidCause(err, "claims")
	}
	if err := r.findAudience(w, clientID); err != nil {
		return w, err
	}
	if registered := r.client.Metadata.IDTokenSignedResponseAlg; registered != h.Algorithm {
		return w, invalid("signed with %s, but client %q registered %q for ID tokens", h.Algorithm, r.client.ID, registered)
	}
	secrets, err := r.m.clientSecrets(r.client, "an "+h.Algorithm+" id_token_hint")
	if err != nil {
		return w, invalidCause(err, "no key")
	}
	for _, s := range secrets {
		var verified hintWire
		if err := tok.Claims([]byte(s), &verified); err == nil {
			return verified, nil
		}
	}
	return w, invalid("the %s signature does not verify with client %q's secrets", h.Algorithm, r.client.ID)
}

// findAudience finds the client the hint was issued to: azp, else the
// only audience. With a client_id parameter, they must agree.
func (r *hintReader) findAudience(w hintWire, clientID string) error {
	aud := w.AZP
	switch {
	case aud != "" && !w.Audience.Contains(aud):
		return invalid("azp is not an audience")
	case aud == "" && len(w.Audience) != 1:
		return invalid("%d audiences and no azp", len(w.Audience))
	case aud == "":
		aud = w.Audience[0]
	}
	if clientID != "" && clientID != aud {
		return invalid("issued to another client than client_id %q", clientID)
	}
	return r.find(aud)
}

// verifyOurs checks tok's signature with our published key kid, or any of
// them when there is no kid, and reads the claims into out.
func (m *Minter) verifyOurs(tok *jwt.JSONWebToken, kid string, out any) error {
	for _, k := range m.keys.Current().PublicKeys() {
		if kid != "" && k.KeyID != kid {
			continue
		}
		if err := tok.Claims(k, out); err == nil {
			return nil
		}
	}
	return invalid("the signature does not verify with any of our keys")
}

func keyAlgs(names []string) []jose.KeyAlgorithm {
	out := make([]jose.KeyAlgorithm, len(names))
	for i, n := range names {
		out[i] = jose.KeyAlgorithm(n)
	}
	return out
}

func encs(names []string) []jose.ContentEncryption {
	out := make([]jose.ContentEncryption, len(names))
	for i, n := range names {
		out[i] = jose.ContentEncryption(n)
	}
	return out
}
