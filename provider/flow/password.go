package flow

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// PasswordChanger changes a person's own password (ldapstore.Users).
type PasswordChanger interface {
	// ChangePassword changes the password of the person who signs in as
	// username from current to next, as that person: the directory checks
	// current and applies its password policy. With PasswordRefused the
	// string says why, as one of the Reason* words, or "" when unknown.
	// An error wrapping errors.ErrUnsupported means this person's password
	// cannot be changed here; any other error is an outage.
	ChangePassword(ctx context.Context, username, current, next string) (oauth.PasswordChange, string, error)
}

// Why a directory refused a new password, as a PasswordChanger says it.
const (
	ReasonTooShort  = "too_short"
	ReasonTooSimple = "too_simple" // fails the complexity rule
	ReasonInHistory = "in_history" // used before
	ReasonTooYoung  = "too_young"  // changed too recently
)

// stepPassword is the change-password form's CSRF step.
const stepPassword = "password"

// offerPasswordChange sends a person whose password has expired or must
// be changed to the change-password page, remembering in the flow whose
// password it is, when a PasswordChanger is configured. It reports
// whether it answered.
func (h *Handler) offerPasswordChange(w http.ResponseWriter, r *http.Request, f session.Flow, req authorize.Request,
	username string, outcome oauth.LoginOutcome) bool {
	if h.Passwords == nil || (outcome != oauth.LoginExpired && outcome != oauth.LoginMustChange) {
		return false
	}
	f.PasswordUser = username
	saved, err := h.Flows.Put(r.Context(), f)
	switch {
	case isNotFound(err):
		h.page(w, r, http.StatusBadRequest, "expired", "invalid_request")
	case err != nil:
		h.logOutage(storeSessions, err, "client_id", req.ClientID)
		h.renderLogin(w, r, http.StatusServiceUnavailable, f, req, username, templates.LoginUnavailable)
	default:
		h.Log.Info("sign-in needs a new password", "outcome", outcomeKey(outcome), "client_id", req.ClientID)
		http.Redirect(w, r, h.path("/password")+"?flow="+url.QueryEscape(saved.ID), http.StatusSeeOther)
	}
	return true
}

// PasswordPage serves GET /password?flow=…: current, new and repeated
// password, for the person the login step named.
func (h *Handler) PasswordPage(w http.ResponseWriter, r *http.Request) {
	f, req, ok := h.passwordStep(w, r, r.URL.Query().Get("flow"))
	if !ok {
		return
	}
	h.renderPassword(w, r, http.StatusOK, f, req, "")
}

// PasswordSubmit serves POST /password: changes the password in the
// directory, then signs the person in with the new one and goes on as
// the login step would. Wrong current passwords count against the login
// throttle, under the same keys.
func (h *Handler) PasswordSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.page(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	f, req, ok := h.passwordStep(w, r, r.PostForm.Get("flow"))
	if !ok {
		return
	}
	if !h.csrfValid(f.ID, stepPassword, r.PostForm.Get("csrf")) {
		h.page(w, r, http.StatusForbidden, "csrf", "invalid_request")
		return
	}
	current, next := r.PostForm.Get("current"), r.PostForm.Get("new")
	if errKey := checkNewPassword(current, next, r.PostForm.Get("repeat")); errKey != "" {
		h.renderPassword(w, r, http.StatusOK, f, req, errKey)
		return
	}
	// The device cookie is not sent here (its path is /login), so the
	// per-address limit applies as well as the username's.
	username, addr := f.PasswordUser, clientAddr(r)
	ok, _, err := h.Throttle.Allow(r.Context(), username, addr)
	if err != nil {
		h.logOutage(storeSessions, err, "client_id", req.ClientID)
		h.renderPassword(w, r, http.StatusServiceUnavailable, f, req, templates.PasswordUnavailable)
		return
	}
	if !ok {
		h.renderPassword(w, r, http.StatusTooManyRequests, f, req, templates.PasswordThrottled)
		return
	}
	change, reason, err := h.Passwords.ChangePassword(r.Context(), username, current, next)
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		h.Log.Info("password cannot be changed here", "err", err, "client_id", req.ClientID)
		h.renderLogin(w, r, http.StatusOK, f, req, username, templates.LoginExpired)
		return
	case err != nil:
		h.logOutage(storeDirectory, err, "client_id", req.ClientID)
		h.renderPassword(w, r, http.StatusServiceUnavailable, f, req, templates.PasswordUnavailable)
		return
	}
	h.Log.Info("password change", "outcome", changeKey(change, reason), "client_id", req.ClientID)
	if change == oauth.PasswordWrongCurrent {
		if err := h.Throttle.Fail(r.Context(), username, addr); err != nil {
			h.logOutage(storeSessions, err, "client_id", req.ClientID)
		}
	}
	if change != oauth.PasswordChanged {
		h.renderPassword(w, r, http.StatusOK, f, req, changeKey(change, reason))
		return
	}
	h.passwordChanged(w, r, f, req, next)
}

// passwordChanged signs the person in with their new password, which
// also gives the directory's claims, and goes on to consent or the code.
func (h *Handler) passwordChanged(w http.ResponseWriter, r *http.Request, f session.Flow, req authorize.Request, next string) {
	username := f.PasswordUser
	f.PasswordUser = ""
	f, err := h.Flows.Put(r.Context(), f)
	if err != nil {
		if isNotFound(err) {
			h.page(w, r, http.StatusBadRequest, "expired", "invalid_request")
			return
		}
		h.outage(w, r, req, storeSessions, err)
		return
	}
	user, outcome, err := h.people.LoginWithoutGroups(r.Context(), username, next)
	if err != nil {
		h.auditSignIn(r, req, username, audit.OutcomeUnavailable, "")
	} else {
		h.auditSignIn(r, req, username, signInOutcome(outcome), user.Subject)
	}
	switch {
	case err != nil:
		h.logOutage(storeDirectory, err, "client_id", req.ClientID)
		h.renderLogin(w, r, http.StatusServiceUnavailable, f, req, username, templates.LoginUnavailable)
	case outcome != oauth.LoginOK:
		// Changed, but not (yet) accepted: a replica behind, or a policy
		// that wants more. The login page says what the directory says.
		h.Log.Warn("sign-in with the new password refused", "outcome", outcomeKey(outcome), "client_id", req.ClientID)
		h.renderLogin(w, r, http.StatusOK, f, req, username, outcomeKey(outcome))
	default:
		h.loggedIn(w, r, f, req, username, user)
	}
}

// passwordStep loads the flow of a change-password page: one whose login
// step named a person who must change their password.
func (h *Handler) passwordStep(w http.ResponseWriter, r *http.Request, id string) (session.Flow, authorize.Request, bool) {
	f, req, ok := h.flowFromRequest(w, r, id)
	if !ok {
		return f, req, false
	}
	if h.Passwords == nil || f.PasswordUser == "" {
		h.page(w, r, http.StatusBadRequest, "expired", "invalid_request")
		return f, req, false
	}
	return f, req, true
}

// checkNewPassword refuses, before anything is sent to the directory, a
// form whose new password is not repeated, is the current one, or is
// empty or longer than any password; and a current password longer than
// any.
func checkNewPassword(current, next, repeat string) string {
	switch {
	case next != repeat:
		return templates.PasswordMismatch
	case len(current) > oauth.MaxPassword:
		return templates.PasswordWrongCurrent
	case next == "":
		return templates.PasswordTooShort
	case len(next) > oauth.MaxPassword:
		return templates.PasswordRefused
	case next == current:
		return templates.PasswordSame
	}
	return ""
}

// changeKey is the page's text for a change that did not happen.
func changeKey(change oauth.PasswordChange, reason string) string {
	switch change {
	case oauth.PasswordChanged:
		return "changed"
	case oauth.PasswordWrongCurrent:
		return templates.PasswordWrongCurrent
	case oauth.PasswordLocked:
		return templates.PasswordLocked
	}
	switch reason {
	case ReasonTooShort:
		return templates.PasswordTooShort
	case ReasonTooSimple:
		return templates.PasswordTooSimple
	case ReasonInHistory:
		return templates.PasswordInHistory
	case ReasonTooYoung:
		return templates.PasswordTooYoung
	}
	return templates.PasswordRefused
}

func (h *Handler) renderPassword(w http.ResponseWriter, r *http.Request, status int, f session.Flow, req authorize.Request, errKey string) {
	lang := h.lang(r, req)
	allowRedirect(w, req)
	err := h.Pages.Password(w, templates.PasswordPage{Status: status,
		Lang: lang, Action: h.path("/password"), CSRF: h.csrfToken(f.ID, stepPassword), Flow: f.ID,
		ClientName: templates.PickLang(req.Client.Metadata.ClientName, lang),
		LogoURI:    templates.PickLang(req.Client.Metadata.LogoURI, lang),
		Username:   f.PasswordUser, Error: errKey,
	})
	if err != nil {
		h.Log.Error("render password page", "err", err)
	}
}
