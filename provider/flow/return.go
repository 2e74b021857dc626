package flow

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// Pages of this server that need a signed-in person (the /device page of
// RFC 8628) send the browser through the login page and get it back:
// the flow then carries ReturnTo and no client's request, and the
// sign-in ends with a redirect there instead of consent or a code.

// CurrentSession is the person signed in in this browser, if any.
func (h *Handler) CurrentSession(r *http.Request) (session.Session, bool, error) {
	return h.currentSession(r.Context(), r)
}

// SignInThenReturn starts a sign-in that ends at returnTo, a path on this
// server (anything else is refused: no open redirect).
func (h *Handler) SignInThenReturn(w http.ResponseWriter, r *http.Request, returnTo string) {
	returnTo, ok := LocalPath(returnTo)
	if !ok {
		h.page(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	f, err := h.saveFlow(r.Context(), session.Flow{Origin: clientAddr(r), ReturnTo: returnTo}, authorize.Request{})
	if err != nil {
		if errors.Is(err, session.ErrFlowTooLarge) {
			h.page(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
			return
		}
		h.outagePage(w, r, storeSessions, err)
		return
	}
	http.Redirect(w, r, h.path("/login")+"?flow="+url.QueryEscape(f.ID), http.StatusSeeOther)
}

// returnAfterSignIn ends a flow started by SignInThenReturn.
func (h *Handler) returnAfterSignIn(w http.ResponseWriter, r *http.Request, f session.Flow) {
	if f.ID != "" {
		_ = h.Flows.Delete(r.Context(), f.ID) // finished; it would expire anyway
	}
	http.Redirect(w, r, f.ReturnTo, http.StatusSeeOther)
}
