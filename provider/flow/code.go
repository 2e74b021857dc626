package flow

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// codeExtra is what a code carries beyond the grant's own fields, for the
// token endpoint.
type codeExtra struct {
	// RedirectURIGiven: the request named its redirect_uri, so the token
	// request must name the same (RFC 6749 §4.1.3).
	RedirectURIGiven bool            `json:"redirect_uri_given,omitempty"`
	Claims           json.RawMessage `json:"claims,omitempty"`
	ClaimsLocales    []string        `json:"claims_locales,omitempty"`
}

// issueCode ends the flow: a single-use code bound to the client, the
// redirect URI, the PKCE challenge, the nonce and the session, sent back in
// the request's response mode.
func (h *Handler) issueCode(w http.ResponseWriter, r *http.Request, req authorize.Request, f session.Flow, sess session.Session) {
	ctx := r.Context()
	if f.ID != "" {
		// Take, not Get: a flow finishes once, even if its form is posted twice.
		if _, err := h.Flows.Take(ctx, f.ID); err != nil {
			if isNotFound(err) {
				h.page(w, r, http.StatusBadRequest, "expired", "invalid_request")
				return
			}
			h.reply(w, r, req.ErrorResponse(unavailable(err)))
			return
		}
	}
	extra := codeExtra{RedirectURIGiven: req.RedirectURIGiven, ClaimsLocales: req.ClaimsLocales}
	if req.Claims != nil {
		extra.Claims = req.Claims.Raw
	}
	rawExtra, err := json.Marshal(extra)
	if err != nil {
		h.reply(w, r, req.ErrorResponse(unavailable(err)))
		return
	}
	code, err := h.Codes.Issue(ctx, session.CodeGrant{
		ClientID: req.ClientID, RedirectURI: req.RedirectURI, Subject: sess.Subject, SessionSID: sess.SID,
		Nonce: req.Nonce, CodeChallenge: req.CodeChallenge, CodeChallengeMethod: req.CodeChallengeMethod,
		Scopes: req.Scopes, Claims: requestedClaims(req), AuthTime: sess.AuthTime, ACR: sess.ACR, AMR: sess.AMR,
		IssuedAt: h.Now(), Extra: rawExtra,
	}, h.CodeLifetime)
	if err != nil {
		h.reply(w, r, req.ErrorResponse(unavailable(err)))
		return
	}
	h.noteClient(r, sess, req.ClientID)
	h.reply(w, r, req.Response(url.Values{"code": {code}}))
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
