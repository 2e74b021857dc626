package resource

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/mtls"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// UserInfo serves GET and POST /userinfo (OpenID Connect Core §5.3).
func (h *Handler) UserInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		oauth.ErrInvalidRequest().WithDescription("Use GET or POST.").WithStatus(http.StatusMethodNotAllowed).WriteJSON(w)
		return
	}
	token, dpopUsed, e := h.readToken(w, r)
	switch {
	case e != nil:
		h.writeTokenError(w, e, "", dpopUsed)
		return
	case token == "" && h.opts.DPoP != nil:
		// RFC 9449 §7.1: both schemes are offered, each its own challenge.
		oauth.WriteBearerMissing(w, h.opts.DPoP.MissingChallenge())
		return
	case token == "":
		oauth.WriteBearerMissing(w)
		return
	case len(token) > oauth.MaxAccessToken:
		// Longer than any token this server issues: not one of ours,
		// refused before it is parsed.
		h.writeTokenError(w, oauth.ErrInvalidToken().WithDescription("The access token is too long."), "", dpopUsed)
		return
	}
	ctx := r.Context()
	ac, e := h.checkAccessToken(ctx, token)
	useDPoP := dpopUsed || boundKey(ac) != ""
	if e == nil && !slices.Contains(ac.Audience, ac.Issuer) {
		// A token issued for another resource (RFC 8707) is not for us.
		e = oauth.ErrInvalidToken().WithDescription("The access token is meant for another resource.")
	}
	if e == nil && !h.holdsKey(r, ac) {
		// RFC 8705 §3: a certificate-bound token needs its certificate.
		e = oauth.ErrInvalidToken().WithDescription("The access token is bound to a client certificate that was not presented.")
	}
	if e == nil {
		// RFC 9449 §7: a DPoP-bound token needs a proof of its key.
		e = h.checkProof(r, dpopUsed, token, ac)
	}
	if e != nil {
		h.log.Info("userinfo: token refused", "error", e)
		h.writeTokenError(w, e, "", useDPoP)
		return
	}
	// §5.3: the token must have been granted for OpenID Connect.
	if !slices.Contains(ac.Scopes, "openid") {
		h.writeTokenError(w, oauth.ErrInsufficientScope().WithDescription("The access token was not granted the openid scope."), "openid", useDPoP)
		return
	}
	user, client, e := h.subjectAndClient(ctx, ac)
	if e != nil {
		h.log.Info("userinfo: refused", "client_id", ac.ClientID, "error", e)
		h.writeTokenError(w, e, "", useDPoP)
		return
	}
	claims := tokens.ReleasedClaims(user.Claims, ac.Scopes, ac.Claims, h.opts.GroupsClaim)
	claims["sub"] = ac.Sub() // the sub of the ID token, always (§5.3.2)
	h.writeUserInfo(w, r, client, ac, claims)
}

// checkAccessToken accepts one of our access tokens that is unexpired and
// not revoked. The parse may come from the cache; the revocation list is
// read every time.
func (h *Handler) checkAccessToken(ctx context.Context, token string) (tokens.AccessClaims, *oauth.Error) {
	ac, _, err := h.parseAccessToken(ctx, token)
	if err != nil {
		return ac, oauth.ErrInvalidToken().WithDescription("The access token is invalid or expired.").WithCause(err)
	}
	revoked, err := h.revoked.Revoked(ctx, ac.JTI)
	switch {
	case err != nil:
		return ac, unavailable(err)
	case revoked:
		return ac, oauth.ErrInvalidToken().WithDescription("The access token has been revoked.")
	}
	return ac, nil
}

// subjectAndClient reads the person and the client afresh: a person or a
// client that no longer exists makes the token worthless, and so does a
// person who may no longer sign in (storage.ErrInactive).
func (h *Handler) subjectAndClient(ctx context.Context, ac tokens.AccessClaims) (oauth.User, oauth.Client, *oauth.Error) {
	user, err := h.lookup(ctx, ac.Subject, ac.Scopes, ac.Claims)
	switch {
	case errors.Is(err, storage.ErrInactive):
		h.opts.Log.Info("userinfo refused: the person may no longer sign in", "sub", ac.Subject, "client_id", ac.ClientID)
		return user, oauth.Client{}, oauth.ErrInvalidToken().WithDescription("The access token's subject may no longer sign in.").WithCause(err)
	case errors.Is(err, storage.ErrNotFound):
		return user, oauth.Client{}, oauth.ErrInvalidToken().WithDescription("The access token's subject no longer exists.").WithCause(err)
	case err != nil:
		return user, oauth.Client{}, unavailable(err)
	}
	client, err := h.opts.Clients(ctx, ac.ClientID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return user, client, oauth.ErrInvalidToken().WithDescription("The access token's client no longer exists.").WithCause(err)
	case err != nil:
		return user, client, unavailable(err)
	}
	return user, client, nil
}

// writeUserInfo answers with JSON, or with a JWT when the client
// registered userinfo_signed_response_alg or
// userinfo_encrypted_response_alg (§5.3.2, OpenID Connect Dynamic Client
// Registration §2). A JWT carries iss and aud, so that it cannot be passed
// off as another issuer's or another client's.
func (h *Handler) writeUserInfo(w http.ResponseWriter, r *http.Request, c oauth.Client, ac tokens.AccessClaims, claims map[string]any) {
	m := c.Metadata
	if m.UserinfoSignedResponseAlg == "" && m.UserinfoEncryptedResponseAlg == "" {
		writeJSON(w, claims)
		return
	}
	claims["iss"] = ac.Issuer
	claims["aud"] = c.ID
	jwt, err := h.opts.Minter.Secure(r.Context(), c, claims, m.UserinfoSignedResponseAlg,
		m.UserinfoEncryptedResponseAlg, m.UserinfoEncryptedResponseEnc, "JWT")
	if err != nil {
		e := oauth.ErrServerError().WithDescription("The UserInfo response could not be secured.").WithCause(err)
		h.log.Error("userinfo: response not secured", "client_id", c.ID, "error", e)
		e.WriteJSON(w)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/jwt")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(jwt))
}

// writeBearerError answers with the Bearer challenge where RFC 6750 §3.1
// defines one (400, 401, 403); other errors (503) are plain JSON.
func writeBearerError(w http.ResponseWriter, e *oauth.Error, scope string) {
	switch e.Status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		e.WriteBearer(w, scope)
	default:
		e.WriteJSON(w)
	}
}

// holdsKey reports whether a certificate-bound token comes with its
// certificate; an unbound token always does.
func (h *Handler) holdsKey(r *http.Request, ac tokens.AccessClaims) bool {
	want, bound := ac.Cnf[mtls.ConfirmationMember].(string)
	if !bound {
		return true
	}
	cert, err := h.opts.Authenticator.PresentedCertificate(r)
	if err != nil || cert == nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(mtls.Thumbprint(cert.Leaf)), []byte(want)) == 1
}
