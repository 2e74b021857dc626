package flow

import (
	"errors"
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// closedAccount answers a request whose live session belongs to someone
// the directory no longer lets sign in — a read of the person that is
// isNotFound: deleted, or closed by an administrator (storage.ErrInactive
// is a storage.ErrNotFound too), which is no outage: the session ends (its cookie
// too) and the browser meets the login page, where the directory's own
// refusal speaks; prompt=none is told login_required. The session's
// clients are not told here: its refresh tokens already fail the same
// account check.
func (h *Handler) closedAccount(w http.ResponseWriter, r *http.Request, req authorize.Request, sess session.Session, err error) {
	h.Log.Info("session ended: its person may no longer sign in", "sub", sess.Subject, "client_id", req.ClientID,
		"inactive", errors.Is(err, storage.ErrInactive))
	if derr := h.Sessions.Delete(r.Context(), sess.ID); derr != nil {
		h.Log.Warn("end the session of a closed account", "err", derr) // it expires anyway
	}
	h.clearSessionCookie(w)
	if req.PromptNone() {
		h.reply(w, r, req.ErrorResponse(oauth.ErrLoginRequired().WithDescription("the person is not signed in")))
		return
	}
	h.startLogin(w, r, req)
}
