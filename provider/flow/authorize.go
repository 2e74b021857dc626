package flow

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// Authorize serves GET and POST /authorize (OpenID Connect Core §3.1.2).
func (h *Handler) Authorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, err := authorize.Parse(ctx, r, h.Parse)
	if err != nil {
		h.parseFailed(w, r, err)
		return
	}
	sess, live, err := h.currentSession(ctx, r)
	if err != nil {
		h.outage(w, r, req, storeSessions, err)
		return
	}
	if !live || req.ForceLogin() || h.tooOld(req, sess.AuthTime) {
		if req.PromptNone() {
			// §3.1.2.6: prompt=none may show nothing.
			h.reply(w, r, req.ErrorResponse(oauth.ErrLoginRequired().WithDescription("the person is not signed in")))
			return
		}
		h.startLogin(w, r, req)
		return
	}
	h.signedIn(w, r, req, session.Flow{}, sess)
}

// tooOld applies max_age: the sign-in must be at most that many seconds old.
func (h *Handler) tooOld(req authorize.Request, authTime time.Time) bool {
	return req.MaxAge != nil && h.Now().Sub(authTime) > time.Duration(*req.MaxAge)*time.Second
}

// startLogin keeps the request as a flow and answers with the login page
// itself, whose form posts to /login with the flow's ID: no redirect to
// GET /login, one request fewer per sign-in (GET /login?flow=… still
// shows the same page, for pages that send people back to it). The flow
// is kept under the client's address, so that one address flooding
// /authorize pushes out only its own pending flows.
func (h *Handler) startLogin(w http.ResponseWriter, r *http.Request, req authorize.Request) {
	f, err := h.saveFlow(r.Context(), session.Flow{Origin: clientAddr(r)}, req)
	if errors.Is(err, session.ErrFlowTooLarge) {
		h.Log.Info("authorization request refused", "client_id", req.ClientID, "err", err)
		h.reply(w, r, req.ErrorResponse(oauth.ErrInvalidRequest().WithDescription("the authorization request is too large").WithCause(err)))
		return
	}
	if err != nil {
		h.outage(w, r, req, storeSessions, err)
		return
	}
	h.renderLogin(w, r, http.StatusOK, f, req, f.LoginHint, "")
}

// signedIn continues with a person signed in: straight to the code when
// consent covers the request, else to the consent page. f is the flow the
// request came through, or the zero Flow when it came straight from
// /authorize.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request, req authorize.Request, f session.Flow, sess session.Session) {
	if f.ReturnTo != "" {
		h.returnAfterSignIn(w, r, f)
		return
	}
	ctx := r.Context()
	if h.needsStepUp(w, r, req, f, sess) {
		return
	}
	granted, found, err := h.consents.get(ctx, sess.Subject, req.ClientID)
	if err != nil {
		h.outage(w, r, req, storeDirectory, err)
		return
	}
	if !req.ForceConsent() && found && granted.Covers(req.Scopes) {
		h.finish(w, r, req, f, sess)
		return
	}
	if req.PromptNone() {
		h.reply(w, r, req.ErrorResponse(oauth.ErrConsentRequired().WithDescription("the person has not consented to this request")))
		return
	}
	f.Subject, f.AuthTime = sess.Subject, sess.AuthTime
	if f, err = h.saveFlow(ctx, f, req); err != nil {
		h.outage(w, r, req, storeSessions, err)
		return
	}
	// The consent page answers this request itself (as the login page
	// answers /authorize): no redirect to GET /consent?flow=…, which
	// still shows the same page.
	h.renderConsent(w, r, f, req, sess)
}

// saveFlow stores req in f: a new flow when f has no ID, else in place.
func (h *Handler) saveFlow(ctx context.Context, f session.Flow, req authorize.Request) (session.Flow, error) {
	raw, err := json.Marshal(req)
	if err != nil {
		return f, err
	}
	f.ClientID, f.Request, f.LoginHint = req.ClientID, raw, req.LoginHint
	return h.Flows.Put(ctx, f)
}

// loadFlow reads a flow and its request, with the client looked up again:
// the flow keeps only the client's ID, so that a client changed or removed
// meanwhile is seen as it is now.
func (h *Handler) loadFlow(ctx context.Context, id string) (session.Flow, authorize.Request, error) {
	f, err := h.Flows.Get(ctx, id)
	if err != nil {
		return f, authorize.Request{}, &storeError{store: storeSessions, err: err}
	}
	var req authorize.Request
	if err := json.Unmarshal(f.Request, &req); err != nil {
		return f, req, err
	}
	if f.ReturnTo != "" && req.ClientID == "" {
		return f, req, nil // a sign-in for a page of ours, no client's
	}
	if req.Client, err = h.Parse.Clients(ctx, req.ClientID); err != nil {
		return f, req, &storeError{store: storeDirectory, err: err}
	}
	return f, req, nil
}

// parseFailed answers an invalid request: with a redirect once the client
// and redirect URI are trusted, else with a page — never a redirect to an
// address the client did not register (§3.1.2.6).
func (h *Handler) parseFailed(w http.ResponseWriter, r *http.Request, err error) {
	var f *authorize.Failure
	if !errors.As(err, &f) {
		h.Log.Error("authorization request", "err", err)
		h.page(w, r, http.StatusInternalServerError, "server_error", "server_error")
		return
	}
	h.Log.Info("authorization request refused", "failure", f)
	if f.Redirect != nil {
		h.reply(w, r, *f.Redirect)
		return
	}
	status, kind := pageKind(f.Err)
	h.page(w, r, status, kind, f.Err.Code)
}

// pageKind picks the page for an error shown to the person.
func pageKind(e *oauth.Error) (status int, kind string) {
	switch {
	case e.Code == "temporarily_unavailable":
		return http.StatusServiceUnavailable, "unavailable"
	case e.Code == "server_error":
		return http.StatusInternalServerError, "server_error"
	case strings.HasPrefix(e.Description, "client_id: no client"):
		return http.StatusBadRequest, "unknown_client"
	case strings.HasPrefix(e.Description, "redirect_uri: missing"):
		return http.StatusBadRequest, "missing_redirect_uri"
	case strings.HasPrefix(e.Description, "redirect_uri"):
		return http.StatusBadRequest, "bad_redirect_uri"
	}
	return http.StatusBadRequest, "bad_request"
}

// reply sends a response (success or error) to the client's redirect URI.
func (h *Handler) reply(w http.ResponseWriter, r *http.Request, resp authorize.Response) {
	if err := h.Writer.Respond(r.Context(), w, resp); err != nil {
		h.Log.Error("authorization response", "err", err, "client_id", resp.ClientID)
		h.page(w, r, http.StatusInternalServerError, "server_error", "server_error")
	}
}

// page shows an error page in the person's language.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, status int, kind, code string) {
	lang := templates.ChooseLang(nil, r.Header.Get("Accept-Language"))
	if err := h.Pages.Error(w, status, templates.ErrorPage{Lang: lang, Kind: kind, Code: code}); err != nil {
		h.Log.Error("render error page", "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}

// unavailable is the error for an outage of a store the flow needs.
func unavailable(err error) *oauth.Error {
	return oauth.ErrTemporarilyUnavailable().WithDescription("the service is temporarily unavailable").WithCause(err)
}
