package logout

import (
	"context"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
)

// DetailEvicted is the Detail of the audit event logout of a session the
// server ended to make room for a newer one of the same person.
const DetailEvicted = "evicted"

// SessionEvicted is told of a session that a sign-in ended because its
// person held too many (session.MaxSessionsPerSubject). That is the
// server ending a live session, not an expiry, so its clients get what
// they get when the person or an administrator ends one: the
// back-channel logout token and the end of the session's refresh
// tokens, through the queue. Front-channel logout is impossible (no
// browser of that session is at hand), so no client is looked up.
//
// readErr is the failure to read the evicted session's record: its
// clients are then unknown and nobody can be told. That is logged and
// audited as a dropped back-channel logout, never passed on: the
// sign-in that caused the eviction goes ahead.
func (n *Notifier) SessionEvicted(ctx context.Context, e Ended, readErr error) {
	if readErr != nil {
		n.Log.Error("logout: evicted session unreadable, its clients are not told", "sub", e.Subject, "err", readErr)
		n.Audit.Record(ctx, audit.Event{Type: audit.TypeBackchannelLogout, Outcome: OutcomeDropped,
			Subject: e.Subject, Detail: "the evicted session could not be read"})
		return
	}
	// The jobs outlive the sign-in that caused the eviction: a browser
	// that gives up on its request must not cancel the logout.
	jobs := context.WithoutCancel(ctx)
	for _, id := range e.Clients {
		n.queue(jobs, e, id)
	}
	n.Log.Info("logout: session evicted past the per-person bound", "sub", e.Subject, "clients", len(e.Clients))
	n.Audit.Record(ctx, audit.Event{Type: audit.TypeLogout, Subject: e.Subject, Detail: DetailEvicted,
		Address: audit.AddressOf(ctx)})
}
