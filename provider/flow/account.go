package flow

import (
	"net/http"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// What the account page (package account) needs of the sign-in.

// ForgetConsent drops what this instance's consent cache knows of
// subject's consent for clientID, after it was revoked: the next
// authorization asks the directory, and then the person, again. Other
// instances see the change within Options.ConsentCacheTTL.
func (h *Handler) ForgetConsent(subject, clientID string) {
	h.consents.forget(subject, clientID)
}

// StepUpThenReturn sends the browser of sess to /mfa for a second factor
// and then back to returnTo, a path on this server, as SignInThenReturn
// does for the password.
func (h *Handler) StepUpThenReturn(w http.ResponseWriter, r *http.Request, sess session.Session, returnTo string) {
	returnTo, ok := LocalPath(returnTo)
	if !ok {
		h.page(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	f := session.Flow{Origin: clientAddr(r), ReturnTo: returnTo, Subject: sess.Subject, AuthTime: sess.AuthTime}
	f, err := h.saveFlow(r.Context(), f, authorize.Request{})
	if err != nil {
		h.outagePage(w, r, storeSessions, err)
		return
	}
	http.Redirect(w, r, h.path("/mfa")+"?flow="+url.QueryEscape(f.ID), http.StatusSeeOther)
}
