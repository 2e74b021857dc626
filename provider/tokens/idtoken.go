package tokens

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// defaultIDTokenAlg applies when a client registered no
// id_token_signed_response_alg (OpenID Connect Registration §2).
const defaultIDTokenAlg = "RS256"

// IDToken is what an ID token says (OpenID Connect Core §2).
type IDToken struct {
	// Client is the audience; its registration chooses the algorithms.
	Client  oauth.Client
	Subject string
	// AuthTime, when set, becomes auth_time: when the person last
	// authenticated.
	AuthTime time.Time
	// Nonce is the nonce of the authentication request, if any.
	Nonce string
	ACR   string
	AMR   []string
	// SID is the session id (Front- and Back-Channel Logout).
	SID string
	// Claims are the user's claims, already limited to what the scopes
	// and the claims request grant. They cannot replace a registered claim.
	Claims map[string]any
	// AccessToken and Code, when set, are issued along with the ID token,
	// which then carries their at_hash and c_hash.
	AccessToken string
	Code        string
}

// reservedIDClaims are claims that IDToken.Claims cannot supply: the JWT
// claims of RFC 7519 §4.1, those of an ID token (OpenID Connect Core §2,
// §3.1.3.6, §3.3.2.11 and s_hash of FAPI), cnf (RFC 7800), events, which
// would make a logout token of it (Back-Channel Logout §2.4), and client_id
// and scope, which belong to access tokens (RFC 9068).
var reservedIDClaims = []string{
	"iss", "sub", "aud", "exp", "nbf", "iat", "jti",
	"auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash", "c_hash", "s_hash",
	"cnf", "events", "client_id", "scope",
}

// IDToken mints an ID token for in.Client, signed with its
// id_token_signed_response_alg (RS256 by default) and encrypted when it
// registered id_token_encrypted_response_alg.
func (m *Minter) IDToken(ctx context.Context, in IDToken) (string, error) {
	if in.Client.ID == "" || in.Subject == "" {
		return "", errors.New("tokens: an ID token needs a client and a subject")
	}
	meta := in.Client.Metadata
	alg := meta.IDTokenSignedResponseAlg
	if alg == "" {
		alg = defaultIDTokenAlg
	}
	if err := checkSigningAlg(alg); err != nil {
		return "", err
	}
	claims, err := m.idClaims(in, alg)
	if err != nil {
		return "", err
	}
	return m.Secure(ctx, in.Client, claims, alg, meta.IDTokenEncryptedResponseAlg, meta.IDTokenEncryptedResponseEnc, "JWT")
}

// idClaims builds the payload: the user's claims first, then the
// registered claims over them.
func (m *Minter) idClaims(in IDToken, alg string) (map[string]any, error) {
	c := make(map[string]any, len(in.Claims)+16)
	for k, v := range in.Claims {
		if !slices.Contains(reservedIDClaims, k) {
			c[k] = v
		}
	}
	now := m.now().Unix()
	c["iss"] = m.issuer
	sub, err := m.PublicSubject(in.Client.Metadata, in.Subject)
	if err != nil {
		return nil, err
	}
	c["sub"] = sub
	c["aud"] = in.Client.ID
	// azp is optional when the client is the only audience (Core §2); it
	// is set so that clients which check it find it.
	c["azp"] = in.Client.ID
	c["iat"] = now
	c["exp"] = now + int64(m.idLife/time.Second)
	if !in.AuthTime.IsZero() {
		c["auth_time"] = in.AuthTime.Unix()
	}
	setIf(c, "nonce", in.Nonce)
	setIf(c, "acr", in.ACR)
	setIf(c, "sid", in.SID)
	if len(in.AMR) > 0 {
		c["amr"] = slices.Clone(in.AMR)
	}
	for claim, value := range map[string]string{"at_hash": in.AccessToken, "c_hash": in.Code} {
		if value == "" {
			continue
		}
		h, err := halfHash(alg, value)
		if err != nil {
			return nil, fmt.Errorf("tokens: %s: %w", claim, err)
		}
		c[claim] = h
	}
	return c, nil
}

func setIf(c map[string]any, name, value string) {
	if value != "" {
		c[name] = value
	}
}
