package account

import (
	"context"
	"errors"
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/logout"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// maxFormBytes bounds the page's forms: the largest holds a sealed
// enrolment, a name and a code.
const maxFormBytes = 8 << 10

// Bounds of single fields, checked before any store is asked.
const (
	maxID   = 128 // authenticator ids are 22 characters
	maxCode = 16
)

// needsFresh are the actions that change sign-in methods: they need a
// recent sign-in.
var needsFresh = map[string]bool{"add_totp": true, "enrol": true, "rename": true, "remove": true, "recovery": true}

// Submit serves POST /account: one action per form.
func (h *Handler) Submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	sess, ok := h.signedIn(w, r)
	if !ok {
		return
	}
	form := r.PostForm
	if !h.csrfValid(sess, form.Get("csrf")) {
		h.errorPage(w, r, http.StatusForbidden, "csrf", "invalid_request")
		return
	}
	action := form.Get("action")
	if needsFresh[action] && (h.Authenticators == nil || !h.fresh(sess)) {
		if h.Authenticators == nil {
			h.errorPage(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
			return
		}
		h.SignIn.SignInThenReturn(w, r, h.Path)
		return
	}
	switch action {
	case "reauth":
		h.SignIn.SignInThenReturn(w, r, h.Path)
	case "add_totp":
		h.startEnrolment(w, r, sess)
	case "enrol":
		h.enrol(w, r, sess)
	case "rename":
		h.rename(w, r, sess)
	case "remove":
		h.remove(w, r, sess)
	case "recovery":
		h.recovery(w, r, sess)
	case "revoke":
		h.revoke(w, r, sess)
	case "end":
		h.endOne(w, r, sess)
	case "end_all":
		h.endAll(w, r, sess)
	default:
		h.errorPage(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
	}
}

// done goes back to the page with a notice (post/redirect/get).
func (h *Handler) done(w http.ResponseWriter, r *http.Request, notice string) {
	http.Redirect(w, r, h.Path+"?done="+notice, http.StatusSeeOther)
}

func (h *Handler) startEnrolment(w http.ResponseWriter, r *http.Request, sess session.Session) {
	e, err := h.Factors.StartEnrolment(sess.Subject, sess.SID)
	if err != nil {
		h.outage(w, r, err)
		return
	}
	h.show(w, r, sess, templates.AccountPage{Enrolment: &templates.AccountEnrolment{QR: e.QR, Secret: e.Secret, Sealed: e.Sealed}})
}

func (h *Handler) enrol(w http.ResponseWriter, r *http.Request, sess session.Session) {
	sealed, code := r.PostForm.Get("enrolment"), r.PostForm.Get("code")
	if len(code) > maxCode {
		code = ""
	}
	codes, err := h.Factors.FinishEnrolment(r.Context(), sess.Subject, sess.SID, sealed, code, r.PostForm.Get("name"))
	if errors.Is(err, mfa.ErrWrongCode) || errors.Is(err, mfa.ErrThrottled) {
		errKey, status := "invalid", http.StatusOK
		if errors.Is(err, mfa.ErrThrottled) {
			errKey, status = "throttled", http.StatusTooManyRequests
		}
		e, rerr := h.Factors.ResumeEnrolment(sess.Subject, sess.SID, sealed)
		if rerr != nil { // not our enrolment, or another session's: start over
			e, rerr = h.Factors.StartEnrolment(sess.Subject, sess.SID)
		}
		if rerr != nil {
			h.outage(w, r, rerr)
			return
		}
		h.show(w, r, sess, templates.AccountPage{Error: errKey, Status: status,
			Enrolment: &templates.AccountEnrolment{QR: e.QR, Secret: e.Secret, Sealed: e.Sealed}})
		return
	}
	if err != nil {
		h.outage(w, r, err)
		return
	}
	h.Log.Info("account: authenticator app added", "sub", sess.Subject)
	h.audited(r, sess, audit.TypeAuthenticatorAdded, "totp", "")
	// The first code was a second factor: the session now has one, so the
	// policy does not send the person straight to /mfa for it.
	if err := h.Factors.StepUpSession(r.Context(), sess); err != nil {
		h.outage(w, r, err)
		return
	}
	if codes != nil {
		h.show(w, r, sess, templates.AccountPage{RecoveryCodes: codes, Notice: "added"})
		return
	}
	h.done(w, r, "added")
}

// ownFactor checks that id names one of the person's apps or passkeys
// (never the recovery set, which has its own action).
func (h *Handler) ownFactor(ctx context.Context, subject, id string) (bool, error) {
	if id == "" || len(id) > maxID {
		return false, nil
	}
	list, err := h.Authenticators.List(ctx, subject)
	if err != nil {
		return false, err
	}
	for _, a := range list {
		if a.ID == id && (a.Kind == oauth.AuthenticatorTOTP || a.Kind == oauth.AuthenticatorPasskey) {
			return true, nil
		}
	}
	return false, nil
}

func (h *Handler) rename(w http.ResponseWriter, r *http.Request, sess session.Session) {
	id, name := r.PostForm.Get("id"), mfa.CleanName(r.PostForm.Get("name"))
	if name == "" {
		h.show(w, r, sess, templates.AccountPage{Error: "name"})
		return
	}
	ctx := r.Context()
	own, err := h.ownFactor(ctx, sess.Subject, id)
	if err == nil && own {
		_, err = h.Authenticators.Update(ctx, sess.Subject, id, func(a oauth.Authenticator) (oauth.Authenticator, error) {
			a.Name = name
			return a, nil
		})
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) && !errors.Is(err, storage.ErrConflict) {
		h.outage(w, r, err)
		return
	}
	if own && err == nil {
		h.audited(r, sess, audit.TypeAuthenticatorRenamed, "", "")
	}
	h.done(w, r, "renamed")
}

func (h *Handler) remove(w http.ResponseWriter, r *http.Request, sess session.Session) {
	ctx := r.Context()
	id := r.PostForm.Get("id")
	own, err := h.ownFactor(ctx, sess.Subject, id)
	if err == nil && own {
		err = h.Authenticators.Delete(ctx, sess.Subject, id)
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.outage(w, r, err)
		return
	}
	if own && err == nil {
		h.Log.Info("account: authenticator removed", "sub", sess.Subject)
		h.audited(r, sess, audit.TypeAuthenticatorRemoved, "", "")
	}
	h.done(w, r, "removed")
}

func (h *Handler) recovery(w http.ResponseWriter, r *http.Request, sess session.Session) {
	codes, err := h.Factors.NewRecoveryCodes(r.Context(), sess.Subject)
	if err != nil {
		h.outage(w, r, err)
		return
	}
	h.Log.Info("account: new recovery codes", "sub", sess.Subject)
	h.audited(r, sess, audit.TypeRecoveryCodesRenewed, "", "")
	h.show(w, r, sess, templates.AccountPage{RecoveryCodes: codes})
}

// revoke deletes the authorization entry: consent and refresh tokens go
// with it (the refresh grant reads the entry on every use). Access tokens
// already issued stay valid until they expire.
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request, sess session.Session) {
	clientID := r.PostForm.Get("client")
	if clientID == "" || len(clientID) > oauth.MaxClientID {
		h.errorPage(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	err := h.Authorizations.Delete(r.Context(), sess.Subject, clientID)
	h.SignIn.ForgetConsent(sess.Subject, clientID) // whatever the outcome: the next check reads the directory
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.outage(w, r, err)
		return
	}
	h.Log.Info("account: authorization revoked", "sub", sess.Subject, "client_id", clientID)
	if err == nil {
		h.audited(r, sess, audit.TypeAuthorizationRevoked, "", clientID)
	}
	h.done(w, r, "revoked")
}

// endOne signs out one of the person's other browsers.
func (h *Handler) endOne(w http.ResponseWriter, r *http.Request, sess session.Session) {
	sid := r.PostForm.Get("sid")
	if sid == "" || len(sid) > maxID {
		h.errorPage(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	ended, err := h.Sessions.EndBySID(r.Context(), sess.Subject, sid)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.outage(w, r, err)
		return
	}
	if err == nil {
		h.notify(r.Context(), ended)
		h.audited(r, sess, audit.TypeSessionsEnded, "one", "")
	}
	if sid == sess.SID {
		h.signedOut(w, r)
		return
	}
	h.done(w, r, "ended")
}

// endAll signs the person out everywhere, this browser too.
func (h *Handler) endAll(w http.ResponseWriter, r *http.Request, sess session.Session) {
	ended, err := h.Sessions.EndAll(r.Context(), sess.Subject, "")
	for _, s := range ended {
		h.notify(r.Context(), s)
	}
	if errors.Is(err, session.ErrNoIndex) {
		err = h.Sessions.Delete(r.Context(), sess.ID)
		h.notify(r.Context(), sess)
	}
	if err != nil {
		h.outage(w, r, err)
		return
	}
	h.audited(r, sess, audit.TypeSessionsEnded, "all", "")
	h.signedOut(w, r)
}

// notify tells the logout notifier of an ended session: its clients get
// back-channel logout, and their session-bound refresh tokens end.
// Front-channel frames are not loaded from here.
func (h *Handler) notify(ctx context.Context, s session.Session) {
	h.Log.Info("account: session ended", "sub", s.Subject)
	if h.Logouts != nil {
		h.Logouts.SessionEnded(ctx, logout.Ended{Subject: s.Subject, SID: s.SID, Clients: s.Clients})
	}
}

func (h *Handler) signedOut(w http.ResponseWriter, r *http.Request) {
	if err := h.Pages.LoggedOut(w, templates.LoggedOutPage{Lang: lang(r)}); err != nil {
		h.Log.Error("render signed-out page", "err", err)
	}
}
