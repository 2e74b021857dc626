package account

import (
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// audited records a change the person made here: sign-in methods,
// applications and sessions are what an attacker holding a session would
// change first, so each change leaves a line in the audit log besides
// the log's.
func (h *Handler) audited(r *http.Request, sess session.Session, typ, detail, clientID string) {
	h.Audit.Record(r.Context(), audit.Event{Type: typ, Subject: sess.Subject, ClientID: clientID,
		Address: audit.PeerAddress(r), Detail: detail})
}
