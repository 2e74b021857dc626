package flow

import (
	"net/http"
	"unicode/utf8"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// maxAuditUsername cuts what someone typed as a username in the audit
// log: the form lets through far longer names than anyone has, and a
// line must stay a line.
const maxAuditUsername = 256

// auditSignIn records a password check at /login and how it ended.
// subject is set when it succeeded.
func (h *Handler) auditSignIn(r *http.Request, req authorize.Request, username, outcome, subject string) {
	h.Audit.Record(r.Context(), audit.Event{Type: audit.TypeSignIn, Outcome: outcome,
		ClientID: req.ClientID, Username: cut(username), Subject: subject, Address: audit.PeerAddress(r)})
}

// auditThrottle records the failed sign-in after which the throttle
// refuses further attempts of username (or from the address) for a while.
func (h *Handler) auditThrottle(r *http.Request, req authorize.Request, username string) {
	h.Audit.Record(r.Context(), audit.Event{Type: audit.TypeThrottle,
		ClientID: req.ClientID, Username: cut(username), Address: audit.PeerAddress(r)})
}

// auditConsent records a person's answer on the consent page.
func (h *Handler) auditConsent(r *http.Request, req authorize.Request, subject, decision string) {
	h.Audit.Record(r.Context(), audit.Event{Type: audit.TypeConsent, Outcome: decision,
		ClientID: req.ClientID, Subject: subject, Scopes: req.Scopes, Address: audit.PeerAddress(r)})
}

// signInOutcome names a directory's answer in the audit log's words.
func signInOutcome(o oauth.LoginOutcome) string {
	if n, ok := outcomeNames[o]; ok {
		return n.audit
	}
	return audit.OutcomeInvalid
}

// cut shortens s to at most maxAuditUsername bytes, on a rune boundary.
func cut(s string) string {
	if len(s) <= maxAuditUsername {
		return s
	}
	s = s[:maxAuditUsername]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
