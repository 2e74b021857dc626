package flow

import (
	"net/http"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// SignInWith goes on with a flow for a person who signed in without a
// password (a passkey: package passkey), as the login form does after
// one: a new session (a new id, never the one the browser had: session
// fixation) with the acr and amr of that sign-in, then consent, the code
// or the page the flow returns to.
func (h *Handler) SignInWith(w http.ResponseWriter, r *http.Request, flowID string, user oauth.User, acr string, amr []string) {
	f, req, ok := h.flowFromRequest(w, r, flowID)
	if !ok {
		return
	}
	h.auditSignIn(r, req, user.Username, audit.OutcomeOK, user.Subject)
	ctx := r.Context()
	if old, live, err := h.currentSession(ctx, r); err == nil && live {
		_ = h.Sessions.Delete(ctx, old.ID) // best effort: it expires anyway
	}
	sess, err := h.Sessions.Create(ctx, session.Session{Subject: user.Subject, AuthTime: h.Now(), ACR: acr, AMR: amr})
	if err != nil {
		h.outage(w, r, req, storeSessions, err)
		return
	}
	h.setSessionCookie(w, sess.ID)
	h.Log.Info("signed in", "sub", user.Subject, "acr", acr)
	h.signedIn(w, r, req, f, sess)
}

// passkeyURL is the login page's "Sign in with a passkey" for a flow;
// empty without Options.PasskeyPath.
func (h *Handler) passkeyURL(flowID string) string {
	if h.PasskeyPath == "" {
		return ""
	}
	return h.PasskeyPath + "?flow=" + url.QueryEscape(flowID)
}

// RefuseSignIn answers a sign-in without a password (a passkey) of an
// account the directory says may not sign in — locked, disabled,
// expired — with the login page and message a password sign-in gets for
// the same account, and the same audit outcome. The browser's session,
// when it is this person's (a passkey as the second factor after a
// password), ends: the account may not use it either.
func (h *Handler) RefuseSignIn(w http.ResponseWriter, r *http.Request, flowID string, user oauth.User, outcome oauth.LoginOutcome) {
	f, req, ok := h.flowFromRequest(w, r, flowID)
	if !ok {
		return
	}
	h.auditSignIn(r, req, user.Username, signInOutcome(outcome), user.Subject)
	ctx := r.Context()
	if old, live, err := h.currentSession(ctx, r); err == nil && live && old.Subject == user.Subject {
		_ = h.Sessions.Delete(ctx, old.ID) // best effort: it expires anyway
	}
	h.Log.Info("sign-in refused", "outcome", outcomeKey(outcome), "client_id", req.ClientID)
	h.renderLogin(w, r, http.StatusOK, f, req, user.Username, outcomeKey(outcome))
}
