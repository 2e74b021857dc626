package flow

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// codeExtra is what a code carries beyond the grant's own fields, for the
// token endpoint.
type codeExtra struct {
	// RedirectURIGiven: the request named its redirect_uri, so the token
	// request must name the same (RFC 6749 §4.1.3).
	RedirectURIGiven bool            `json:"redirect_uri_given,omitempty"`
	Claims           json.RawMessage `json:"claims,omitempty"`
	ClaimsLocales    []string        `json:"claims_locales,omitempty"`
	// DPoPJKT binds the code to a DPoP key (RFC 9449 §10).
	DPoPJKT string `json:"dpop_jkt,omitempty"`
}

// finish ends the flow with what the response type asks for — a
// single-use code bound to the client, the redirect URI, the PKCE
// challenge, the nonce and the session, and an ID token for the hybrid and
// implicit types — sent back in the request's response mode.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, req authorize.Request, f session.Flow, sess session.Session) {
	if f.ID != "" {
		// Take, not Get: a flow finishes once, even if its form is posted twice.
		if _, err := h.Flows.Take(r.Context(), f.ID); err != nil {
			if isNotFound(err) {
				h.page(w, r, http.StatusBadRequest, "expired", "invalid_request")
				return
			}
			h.outage(w, r, req, storeSessions, err)
			return
		}
	}
	params := url.Values{}
	if req.ResponseType.Code() {
		code, ok := h.newCode(w, r, req, sess)
		if !ok {
			return
		}
		params.Set("code", code)
	}
	if req.ResponseType.IDToken() {
		idToken, err := h.frontChannelIDToken(r.Context(), req, sess, params.Get("code"))
		if isNotFound(err) {
			h.closedAccount(w, r, req, sess, err)
			return
		}
		if err != nil {
			h.Log.Error("mint ID token", "err", err, "client_id", req.ClientID)
			h.reply(w, r, req.ErrorResponse(oauth.ErrServerError().WithDescription("the ID token could not be issued").WithCause(err)))
			return
		}
		params.Set("id_token", idToken)
	}
	h.noteClient(r, sess, req.ClientID)
	h.reply(w, r, req.Response(params))
}

// newCode stores the grant and returns its code.
func (h *Handler) newCode(w http.ResponseWriter, r *http.Request, req authorize.Request, sess session.Session) (string, bool) {
	ctx := r.Context()
	extra := codeExtra{RedirectURIGiven: req.RedirectURIGiven, ClaimsLocales: req.ClaimsLocales, DPoPJKT: req.DPoPJKT}
	if req.Claims != nil {
		extra.Claims = req.Claims.Raw
	}
	rawExtra, err := json.Marshal(extra)
	if err != nil {
		h.reply(w, r, req.ErrorResponse(unavailable(err)))
		return "", false
	}
	code, err := h.Codes.Issue(ctx, session.CodeGrant{
		ClientID: req.ClientID, RedirectURI: req.RedirectURI, Subject: sess.Subject, SessionSID: sess.SID,
		Nonce: req.Nonce, CodeChallenge: req.CodeChallenge, CodeChallengeMethod: req.CodeChallengeMethod,
		Scopes: req.Scopes, Claims: requestedClaims(req), AuthTime: sess.AuthTime, ACR: sess.ACR, AMR: sess.AMR,
		IssuedAt: h.Now(), Extra: rawExtra,
	}, h.codeLifetime(req.Client))
	if err != nil {
		h.outage(w, r, req, storeSessions, err)
		return "", false
	}
	return code, true
}

// frontChannelIDToken mints the ID token of a hybrid or implicit response
// (OpenID Connect Core §3.3.2.11, §3.2.2.10): with c_hash beside a code;
// for response type id_token alone, which gives the client no access token
// to ask UserInfo with, with the person's claims themselves (§5.4).
func (h *Handler) frontChannelIDToken(ctx context.Context, req authorize.Request, sess session.Session, code string) (string, error) {
	if h.IDTokens == nil {
		return "", errors.New("flow: no ID token minter")
	}
	in := tokens.IDToken{
		Client: req.Client, Subject: sess.Subject, AuthTime: sess.AuthTime, Nonce: req.Nonce,
		ACR: sess.ACR, AMR: sess.AMR, SID: sess.SID, Code: code,
	}
	// The person is read whatever the ID token carries: it leaves at once,
	// with no token request to check the account at.
	withClaims := code == "" && h.Claims != nil
	var user oauth.User
	var err error
	if withClaims {
		user, err = h.Directory.Lookup(ctx, sess.Subject)
	} else {
		user, err = h.people.LookupWithoutGroups(ctx, sess.Subject)
	}
	if err != nil {
		return "", err
	}
	if withClaims {
		in.Claims = h.Claims(user.Claims, req.Scopes, requestedClaims(req))
	}
	return h.IDTokens.IDToken(ctx, in)
}

// noteClient records in the session that the client got a code, for
// logout. A failure is logged, not fatal: the code is already issued.
func (h *Handler) noteClient(r *http.Request, sess session.Session, clientID string) {
	if slices.Contains(sess.Clients, clientID) {
		return
	}
	sess.Clients = append(sess.Clients, clientID)
	if err := h.Sessions.Update(r.Context(), sess); err != nil {
		h.Log.Warn("record client in session", "err", err)
	}
}

// codeLifetime is how long a code of c lives: CodeLifetime, or less when
// c's security profile asks for less.
func (h *Handler) codeLifetime(c oauth.Client) time.Duration {
	if h.CodeCap == nil {
		return h.CodeLifetime
	}
	if d := h.CodeCap(c); d > 0 && d < h.CodeLifetime {
		return d
	}
	return h.CodeLifetime
}
