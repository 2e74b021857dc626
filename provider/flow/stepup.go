package flow

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// StepUp decides whether a session is strong enough for a request
// (mfa.Policy); the second factor itself is asked at /mfa.
type StepUp interface {
	// Needed reports whether a session of subject signed in at acr must
	// add a second factor before a request asking for acrValues goes on.
	Needed(ctx context.Context, acrValues []string, subject, acr string) (bool, error)
	// BaseACR is the acr of a password sign-in.
	BaseACR() string
}

// needsStepUp sends the browser to /mfa when the session falls short of
// what the request or the policy asks; the password is not asked again.
// It reports whether it answered.
func (h *Handler) needsStepUp(w http.ResponseWriter, r *http.Request, req authorize.Request, f session.Flow, sess session.Session) bool {
	if h.StepUp == nil {
		return false
	}
	ctx := r.Context()
	need, err := h.StepUp.Needed(ctx, req.ACRValues, sess.Subject, sess.ACR)
	if isNotFound(err) {
		h.closedAccount(w, r, req, sess, err)
		return true
	}
	if err != nil {
		h.outage(w, r, req, storeDirectory, err)
		return true
	}
	if !need {
		return false
	}
	if req.PromptNone() {
		// §3.1.2.6: a second factor is interaction.
		h.reply(w, r, req.ErrorResponse(oauth.ErrInteractionRequired().WithDescription("a second factor is required")))
		return true
	}
	f.Subject, f.AuthTime = sess.Subject, sess.AuthTime
	if f, err = h.saveFlow(ctx, f, req); err != nil {
		h.outage(w, r, req, storeSessions, err)
		return true
	}
	http.Redirect(w, r, h.path("/mfa")+"?flow="+url.QueryEscape(f.ID), http.StatusSeeOther)
	return true
}

// Resume goes on with a flow after /mfa stepped its session up: the
// session must be the browser's and the person the flow's.
func (h *Handler) Resume(w http.ResponseWriter, r *http.Request, flowID string) {
	f, req, ok := h.flowFromRequest(w, r, flowID)
	if !ok {
		return
	}
	sess, live, err := h.currentSession(r.Context(), r)
	if err != nil {
		h.outage(w, r, req, storeSessions, err)
		return
	}
	if !live || sess.Subject != f.Subject {
		h.page(w, r, http.StatusBadRequest, "expired", "invalid_request")
		return
	}
	h.signedIn(w, r, req, f, sess)
}
