package flow

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// HintChecker checks an id_token_hint (tokens.Minter): an ID token we
// issued, possibly expired, HS* ones against the current and the
// rolled-over secret.
type HintChecker interface {
	CheckIDTokenHint(ctx context.Context, hint, clientID string, lookup authorize.ClientLookup) (tokens.HintClaims, error)
}

// stepLogout binds the logout confirmation's CSRF token.
const stepLogout = "logout"

// logoutRequest is an RP-initiated logout request (OpenID Connect
// RP-Initiated Logout 1.0 §2), with what was learnt from it.
type logoutRequest struct {
	hint      tokens.HintClaims
	hinted    bool
	client    oauth.Client
	hasClient bool
	// returnTo is post_logout_redirect_uri once it is known to be registered.
	returnTo string
	state    string
	lang     string
}

// logoutLimits bound what /logout reads, before the client is looked up
// or the state is echoed (docs/limits.md).
var logoutLimits = []oauth.Limit{
	{Param: "client_id", Max: oauth.MaxClientID},
	{Param: "id_token_hint", Max: oauth.MaxIDTokenHint},
	{Param: "post_logout_redirect_uri", Max: oauth.MaxRedirectURI},
	{Param: "state", Max: oauth.MaxState},
	{Param: "ui_locales", Max: oauth.MaxUILocales},
}

// Logout serves GET /logout. With a valid id_token_hint for the browser's
// session the person is signed out at once; without one, they are asked
// first, so that a link on another site cannot sign them out.
func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	lr, ok := h.readLogout(w, r, r.URL.Query())
	if !ok {
		return
	}
	sess, live, err := h.currentSession(r.Context(), r)
	if err != nil {
		h.outagePage(w, r, storeSessions, err)
		return
	}
	if !live || (lr.hinted && lr.hint.IsSubject(sess.Subject)) {
		h.endSession(w, r, lr)
		return
	}
	h.confirmLogout(w, r, lr, sess.ID)
}

// LogoutSubmit serves POST /logout: the confirmation.
func (h *Handler) LogoutSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.page(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	lr, ok := h.readLogout(w, r, r.PostForm)
	if !ok {
		return
	}
	sess, live, err := h.currentSession(r.Context(), r)
	if err != nil {
		h.outagePage(w, r, storeSessions, err)
		return
	}
	if live && !h.csrfValid(sess.ID, stepLogout, r.PostForm.Get("csrf")) {
		h.page(w, r, http.StatusForbidden, "csrf", "invalid_request")
		return
	}
	h.endSession(w, r, lr)
}

// readLogout checks the parameters: a hint must be ours, a client_id must
// agree with it, and post_logout_redirect_uri must be registered exactly
// by the client (§3) — else no redirect happens at all.
func (h *Handler) readLogout(w http.ResponseWriter, r *http.Request, q url.Values) (logoutRequest, bool) {
	ctx := r.Context()
	if l, over := oauth.Overlong(q.Get, logoutLimits); over {
		h.Log.Info("logout: parameter too long", "param", l.Param, "max", l.Max)
		h.page(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
		return logoutRequest{}, false
	}
	lr := logoutRequest{state: q.Get("state"), lang: templates.ChooseLang(splitLocales(q.Get("ui_locales")), r.Header.Get("Accept-Language"))}
	clientID := q.Get("client_id")
	if hint := q.Get("id_token_hint"); hint != "" {
		claims, err := h.Hints.CheckIDTokenHint(ctx, hint, clientID, h.Parse.Clients)
		switch {
		case errors.Is(err, tokens.ErrInvalidToken):
			h.Log.Info("logout: id_token_hint refused", "err", err)
			h.page(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
			return lr, false
		case err != nil:
			h.outagePage(w, r, storeDirectory, err)
			return lr, false
		}
		lr.hint, lr.hinted = claims, true
		lr.client, lr.hasClient = claims.Client, true
	} else if clientID != "" {
		c, err := h.Parse.Clients(ctx, clientID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			h.page(w, r, http.StatusBadRequest, "unknown_client", "invalid_request")
			return lr, false
		case err != nil:
			h.outagePage(w, r, storeDirectory, err)
			return lr, false
		}
		lr.client, lr.hasClient = c, true
	}
	if uri := q.Get("post_logout_redirect_uri"); uri != "" {
		if !lr.hasClient || !slices.Contains(lr.client.Metadata.PostLogoutRedirectURIs, uri) {
			h.page(w, r, http.StatusBadRequest, "bad_redirect_uri", "invalid_request")
			return lr, false
		}
		lr.returnTo = uri
	}
	return lr, true
}

// confirmLogout asks the person whether to sign out.
func (h *Handler) confirmLogout(w http.ResponseWriter, r *http.Request, lr logoutRequest, sessionID string) {
	if lr.returnTo != "" {
		w.Header().Set("Content-Security-Policy", templates.ContentSecurityPolicy(authorize.FormActionSource(lr.returnTo)))
	}
	page := templates.LogoutPage{
		Lang: lr.lang, Action: h.path("/logout"), CSRF: h.csrfToken(sessionID, stepLogout),
		State: lr.state, PostLogoutRedirectURI: lr.returnTo, CancelURL: h.path("/"),
	}
	if lr.hasClient {
		page.ClientID = lr.client.ID
		page.ClientName = templates.PickLang(lr.client.Metadata.ClientName, lr.lang)
	}
	if err := h.Pages.Logout(w, page); err != nil {
		h.Log.Error("render logout page", "err", err)
	}
}

// endSession deletes the session and its cookie, then returns to the
// client or says that the person is signed out.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request, lr logoutRequest) {
	var frames []string
	if sess, live, err := h.currentSession(r.Context(), r); err == nil && live {
		if err := h.Sessions.Delete(r.Context(), sess.ID); err != nil {
			h.Log.Warn("logout: delete session", "err", err)
		}
		h.Log.Info("signed out", "sub", sess.Subject)
		frames = h.notifyLogout(r.Context(), sess)
	}
	h.clearSessionCookie(w)
	returnTo := ""
	if lr.returnTo != "" {
		target, _ := url.Parse(lr.returnTo)
		if lr.state != "" {
			q := target.Query()
			q.Set("state", lr.state)
			target.RawQuery = q.Encode()
		}
		returnTo = target.String()
	}
	if len(frames) > 0 {
		h.frontChannelPage(w, lr, frames, returnTo)
		return
	}
	if returnTo != "" {
		http.Redirect(w, r, returnTo, http.StatusSeeOther)
		return
	}
	page := templates.LoggedOutPage{Lang: lr.lang}
	if err := h.Pages.LoggedOut(w, page); err != nil {
		h.Log.Error("render signed-out page", "err", err)
	}
}

// splitLocales splits ui_locales, a space-separated list.
func splitLocales(s string) []string { return strings.Fields(s) }
