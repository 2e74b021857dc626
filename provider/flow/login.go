package flow

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// maxFormBytes bounds the login and consent form bodies.
const maxFormBytes = 16 << 10

// LoginPage serves GET /login?flow=…: the sign-in form.
func (h *Handler) LoginPage(w http.ResponseWriter, r *http.Request) {
	f, req, ok := h.flowFromRequest(w, r, r.URL.Query().Get("flow"))
	if !ok {
		return
	}
	h.renderLogin(w, r, http.StatusOK, f, req, f.LoginHint, "")
}

// LoginSubmit serves POST /login: checks the password against the
// directory and, when it is right, starts a session and goes on.
func (h *Handler) LoginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.page(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	f, req, ok := h.flowFromRequest(w, r, r.PostForm.Get("flow"))
	if !ok {
		return
	}
	if !h.csrfValid(f.ID, stepLogin, r.PostForm.Get("csrf")) {
		h.page(w, r, http.StatusForbidden, "csrf", "invalid_request")
		return
	}
	username, password := r.PostForm.Get("username"), r.PostForm.Get("password")
	if len(username) > oauth.MaxUsername || len(password) > oauth.MaxPassword {
		// No one's name or password is this long: refused like a wrong
		// password, before the throttle or the directory sees it.
		h.auditSignIn(r, req, username, audit.OutcomeInvalid, "")
		h.renderLogin(w, r, http.StatusOK, f, req, "", templates.LoginInvalid)
		return
	}
	addr, known := clientAddr(r), h.knownDevice(r, username)
	allowed, err := h.allowLogin(r.Context(), username, addr, known)
	if err != nil {
		h.throttleOutage(w, r, f, req, username, err)
		return
	}
	if !allowed {
		h.auditSignIn(r, req, username, audit.OutcomeThrottled, "")
		h.renderLogin(w, r, http.StatusTooManyRequests, f, req, username, templates.LoginThrottled)
		return
	}
	user, outcome, err := h.people.LoginWithoutGroups(r.Context(), username, password)
	if err != nil {
		h.logOutage(storeDirectory, err, "client_id", req.ClientID)
		h.auditSignIn(r, req, username, audit.OutcomeUnavailable, "")
		h.renderLogin(w, r, http.StatusServiceUnavailable, f, req, username, templates.LoginUnavailable)
		return
	}
	h.auditSignIn(r, req, username, signInOutcome(outcome), user.Subject)
	if outcome != oauth.LoginOK {
		if h.offerPasswordChange(w, r, f, req, username, outcome) {
			return
		}
		h.failLogin(r.Context(), username, addr, known)
		if allowed, err := h.allowLogin(r.Context(), username, addr, known); err == nil && !allowed {
			h.auditThrottle(r, req, username)
		}
		h.Log.Info("sign-in refused", "outcome", outcomeKey(outcome), "client_id", req.ClientID)
		h.renderLogin(w, r, http.StatusOK, f, req, username, outcomeKey(outcome))
		return
	}
	h.loggedIn(w, r, f, req, username, user)
}

// loggedIn goes on after the directory accepted username's password:
// a new session, then consent or the code.
func (h *Handler) loggedIn(w http.ResponseWriter, r *http.Request, f session.Flow, req authorize.Request, username string, user oauth.User) {
	if err := h.Throttle.Succeed(r.Context(), username); err != nil {
		// The failures stay until they expire; the session store is
		// likely down too, which startSession reports.
		h.logOutage(storeSessions, err, "client_id", req.ClientID)
	}
	h.setDeviceCookie(w, username)
	if h.SignIns != nil {
		h.SignIns.Remember(user)
	}
	sess, err := h.startSession(w, r, user)
	if err != nil {
		h.outage(w, r, req, storeSessions, err)
		return
	}
	h.signedIn(w, r, req, f, sess)
}

// allowLogin asks the throttle: a browser known for username (device
// cookie) answers to the username limit only.
func (h *Handler) allowLogin(ctx context.Context, username string, addr netip.Addr, known bool) (bool, error) {
	var ok bool
	var err error
	if known {
		ok, _, err = h.Throttle.AllowKnown(ctx, username)
	} else {
		ok, _, err = h.Throttle.Allow(ctx, username, addr)
	}
	return ok, err
}

// failLogin records a failed sign-in. A failure to record it is logged
// only: the person is refused either way, and while the shared store is
// down the next Allow fails too, so no guess gets through unthrottled.
func (h *Handler) failLogin(ctx context.Context, username string, addr netip.Addr, known bool) {
	var err error
	if known {
		err = h.Throttle.FailKnown(ctx, username)
	} else {
		err = h.Throttle.Fail(ctx, username, addr)
	}
	if err != nil {
		h.logOutage(storeSessions, err)
	}
}

// throttleOutage answers a sign-in whose throttle (in the shared session
// store) cannot be asked with the unavailable page: failing open would
// let guesses through unthrottled, and the sign-in could not finish
// without the session store anyway.
func (h *Handler) throttleOutage(w http.ResponseWriter, r *http.Request, f session.Flow, req authorize.Request, username string, err error) {
	h.logOutage(storeSessions, err, "client_id", req.ClientID)
	h.auditSignIn(r, req, username, audit.OutcomeUnavailable, "")
	h.renderLogin(w, r, http.StatusServiceUnavailable, f, req, username, templates.LoginUnavailable)
}

// startSession replaces whatever session the browser had with a new one,
// under a new id: an id known before the sign-in must never become
// authenticated (session fixation).
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, user oauth.User) (session.Session, error) {
	ctx := r.Context()
	if old, live, err := h.currentSession(ctx, r); err == nil && live {
		_ = h.Sessions.Delete(ctx, old.ID) // best effort: it expires anyway
	}
	now := h.Now()
	var acr string
	if h.StepUp != nil {
		acr = h.StepUp.BaseACR()
	}
	sess, err := h.Sessions.Create(ctx, session.Session{Subject: user.Subject, AuthTime: now, ACR: acr, AMR: []string{"pwd"},
		UserAgent: r.UserAgent()})
	if err != nil {
		return sess, err
	}
	h.setSessionCookie(w, sess.ID)
	h.Log.Info("signed in", "sub", user.Subject)
	return sess, nil
}

// flowFromRequest loads the flow a page names; when it is gone (expired,
// finished, never existed) the person sees a page saying so.
func (h *Handler) flowFromRequest(w http.ResponseWriter, r *http.Request, id string) (session.Flow, authorize.Request, bool) {
	if id == "" {
		h.page(w, r, http.StatusBadRequest, "expired", "invalid_request")
		return session.Flow{}, authorize.Request{}, false
	}
	f, req, err := h.loadFlow(r.Context(), id)
	switch {
	case err == nil:
		return f, req, true
	case isNotFound(err):
		h.page(w, r, http.StatusBadRequest, "expired", "invalid_request")
	case isUnavailable(err):
		h.outagePage(w, r, failedStore(err), err)
	default:
		h.Log.Error("load flow", "err", err)
		h.page(w, r, http.StatusInternalServerError, "server_error", "server_error")
	}
	return session.Flow{}, authorize.Request{}, false
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, f session.Flow, req authorize.Request, username, errKey string) {
	lang := h.lang(r, req)
	allowRedirect(w, req)
	// The renderer writes the status, after its headers (no-store,
	// Content-Language): the 429 and 503 forms carry a CSRF token too.
	err := h.Pages.Login(w, templates.LoginPage{Status: status,
		Lang: lang, Action: h.path("/login"), CSRF: h.csrfToken(f.ID, stepLogin), Flow: f.ID,
		ClientName: templates.PickLang(req.Client.Metadata.ClientName, lang),
		LogoURI:    templates.PickLang(req.Client.Metadata.LogoURI, lang),
		Username:   username, Error: errKey, PasskeyURL: h.passkeyURL(f.ID),
	})
	if err != nil {
		h.Log.Error("render login page", "err", err)
	}
}

// allowRedirect lets a page's form lead to the client's redirect URI: the
// submission may end there, and browsers hold redirects after a form post
// to the page's form-action.
func allowRedirect(w http.ResponseWriter, req authorize.Request) {
	if req.RedirectURI == "" { // a sign-in for a page of ours (return.go)
		w.Header().Set("Content-Security-Policy", templates.ContentSecurityPolicy())
		return
	}
	w.Header().Set("Content-Security-Policy", templates.ContentSecurityPolicy(authorize.FormActionSource(req.RedirectURI)))
}

// lang picks the page language: the request's ui_locales, then the browser's.
func (h *Handler) lang(r *http.Request, req authorize.Request) string {
	return templates.ChooseLang(req.UILocales, r.Header.Get("Accept-Language"))
}

// outcomeNames names each answer of the directory twice: as the login
// page's message key and in the audit log's words. Anything else is shown
// and recorded as a wrong username or password.
var outcomeNames = map[oauth.LoginOutcome]struct{ page, audit string }{
	oauth.LoginOK:             {templates.LoginInvalid, audit.OutcomeOK}, // no page: the sign-in goes on
	oauth.LoginInvalid:        {templates.LoginInvalid, audit.OutcomeInvalid},
	oauth.LoginLocked:         {templates.LoginLocked, audit.OutcomeLocked},
	oauth.LoginExpired:        {templates.LoginExpired, audit.OutcomeExpired},
	oauth.LoginMustChange:     {templates.LoginMustChange, audit.OutcomeMustChange},
	oauth.LoginDisabled:       {templates.LoginDisabled, audit.OutcomeDisabled},
	oauth.LoginAccountExpired: {templates.LoginAccountExpired, audit.OutcomeAccountExpired},
	oauth.LoginNotPermitted:   {templates.LoginNotPermitted, audit.OutcomeNotPermitted},
}

// outcomeKey is the login page's message for a refused sign-in.
func outcomeKey(o oauth.LoginOutcome) string {
	if n, ok := outcomeNames[o]; ok {
		return n.page
	}
	return templates.LoginInvalid
}

// clientAddr is the peer's address. Forwarded headers are not trusted: a
// client could write them.
func clientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, _ := netip.ParseAddr(host)
	return addr
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }

// isUnavailable: a store outage, or the request's deadline ending while a
// store did not answer — to the person both are "try again later".
func isUnavailable(err error) bool {
	return errors.Is(err, storage.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
}
