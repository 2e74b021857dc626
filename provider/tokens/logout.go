package tokens

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// BackchannelLogoutEvent is the one member of a logout token's events
// claim (OpenID Connect Back-Channel Logout 1.0 §2.4).
const BackchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// LogoutTokenType is the typ header of a logout token (§2.4): explicit
// typing keeps it from ever passing for an ID token, and the reverse.
const LogoutTokenType = "logout+jwt"

// DefaultLogoutTokenLifetime is how long a logout token is valid: the
// receiver checks it at once, and a retry mints a new one.
const DefaultLogoutTokenLifetime = 2 * time.Minute

// LogoutToken is what a logout token says (§2.4).
type LogoutToken struct {
	// Client is the audience; its ID token algorithms sign and encrypt
	// the logout token as they do its ID tokens (§2.4).
	Client  oauth.Client
	Subject string
	// SID is the session that ended; at least one of Subject and SID is
	// required.
	SID string
	// Lifetime defaults to DefaultLogoutTokenLifetime.
	Lifetime time.Duration
}

// LogoutToken mints a logout token for in.Client and returns it with its
// jti. It never carries a nonce (§2.4: that would let it pass for an ID
// token).
func (m *Minter) LogoutToken(ctx context.Context, in LogoutToken) (token, jti string, err error) {
	if in.Client.ID == "" || (in.Subject == "" && in.SID == "") {
		return "", "", errors.New("tokens: a logout token needs a client and a subject or a session")
	}
	meta := in.Client.Metadata
	alg := meta.IDTokenSignedResponseAlg
	if alg == "" {
		alg = defaultIDTokenAlg
	}
	if err := checkSigningAlg(alg); err != nil {
		return "", "", err
	}
	if jti, err = newJTI(); err != nil {
		return "", "", err
	}
	now := m.now()
	c := map[string]any{
		"iss": m.issuer, "aud": in.Client.ID, "iat": now.Unix(),
		"exp":    now.Add(orDefault(in.Lifetime, DefaultLogoutTokenLifetime)).Unix(),
		"jti":    jti,
		"events": map[string]any{BackchannelLogoutEvent: map[string]any{}},
	}
	setIf(c, "sub", in.Subject)
	setIf(c, "sid", in.SID)
	token, err = m.Secure(ctx, in.Client, c, alg, meta.IDTokenEncryptedResponseAlg, meta.IDTokenEncryptedResponseEnc, LogoutTokenType)
	return token, jti, err
}
