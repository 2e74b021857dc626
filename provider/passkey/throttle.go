package passkey

import (
	"context"
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
)

// Why a passkey was refused, in the audit log's fixed words.
const (
	whyUnreadable = "unreadable answer"
	whyUnknown    = "unknown credential"
	whyNotValid   = "assertion not valid"
	whyCloned     = "signature counter went back"
)

// personKey names a person's refused passkeys in the throttle: apart
// from the login names the password form counts (a sub is not a name
// anyone types), like the /mfa code page's "mfa:<sub>".
func personKey(subject string) string { return "passkey:" + subject }

// allowed asks the throttle before a passkey is checked: the address
// alone while the person is not known (passwordless), the person and
// the address once they are.
func (h *Handler) allowed(ctx context.Context, r *http.Request, subject string) (bool, error) {
	var ok bool
	var err error
	if subject == "" {
		ok, _, err = h.Throttle.AllowAddress(ctx, clientAddr(r))
	} else {
		ok, _, err = h.Throttle.Allow(ctx, personKey(subject), clientAddr(r))
	}
	return ok, err
}

// refusedPasskey counts and records a refused passkey, as the login page
// does a wrong password: against the address, and the person when the
// credential named one. A failure to count is logged only: the passkey
// is refused either way, and the next Allow meets the same outage.
func (h *Handler) refusedPasskey(r *http.Request, clientID, subject, why string) {
	ctx := r.Context()
	var err error
	if subject == "" {
		err = h.Throttle.FailAddress(ctx, clientAddr(r))
	} else {
		err = h.Throttle.Fail(ctx, personKey(subject), clientAddr(r))
	}
	if err != nil {
		h.Log.Warn("passkey: record failure", "err", err)
	}
	h.Audit.Record(ctx, audit.Event{Type: audit.TypePasskeyFailed, Outcome: audit.OutcomeInvalid,
		ClientID: clientID, Subject: subject, Address: audit.PeerAddress(r), Detail: why})
	if ok, err := h.allowed(ctx, r, subject); err == nil && !ok {
		h.Audit.Record(ctx, audit.Event{Type: audit.TypeThrottle, ClientID: clientID, Subject: subject,
			Address: audit.PeerAddress(r), Detail: "passkey"})
	}
}

// throttledPasskey records an attempt refused before it was checked.
func (h *Handler) throttledPasskey(r *http.Request, clientID, subject string) {
	h.Audit.Record(r.Context(), audit.Event{Type: audit.TypePasskeyFailed, Outcome: audit.OutcomeThrottled,
		ClientID: clientID, Subject: subject, Address: audit.PeerAddress(r)})
}

// acceptedPasskey forgets the person's refused passkeys (the address
// keeps its count, as after a password).
func (h *Handler) acceptedPasskey(ctx context.Context, subject string) {
	if err := h.Throttle.Succeed(ctx, personKey(subject)); err != nil {
		h.Log.Warn("passkey: forget failures", "err", err)
	}
}
