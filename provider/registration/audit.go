package registration

import (
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
)

// audit records a change to the registration of clientID, and who made it.
func (h *Handler) audit(r *http.Request, eventType, clientID string, who Access) {
	if h.Audit == nil {
		return
	}
	h.Audit.Record(r.Context(), audit.Event{Type: eventType, ClientID: clientID,
		Actor: who.auditName(), Address: audit.PeerAddress(r)})
}

// auditName is the audit log's name of an Access: part of its schema.
func (a Access) auditName() string {
	switch a {
	case Open:
		return "open_registration"
	case Self:
		return "registration_access_token"
	case Master:
		return "master_token"
	}
	return ""
}
