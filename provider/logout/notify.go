package logout

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// ClientLookup reads a registration (the client registry, cached).
type ClientLookup func(ctx context.Context, id string) (oauth.Client, error)

// Ended is a browser session that has ended.
type Ended struct {
	Subject string
	SID     string
	// Clients are the clients that got tokens in it.
	Clients []string
}

// Notifier is told when a session ends: it queues a job for each of the
// session's clients and returns the front-channel logout URLs to load.
type Notifier struct {
	Queue   Queue
	Clients ClientLookup
	// Issuer is the iss parameter of front-channel logout URLs.
	Issuer string
	Audit  audit.Recorder
	Log    *slog.Logger
	Now    func() time.Time
}

// NewNotifier fills in what n leaves out: no audit, a silent log, the
// system clock. Queue and Clients are required.
func NewNotifier(n Notifier) *Notifier {
	n.Audit = audit.OrNop(n.Audit)
	if n.Log == nil {
		n.Log = slog.New(slog.DiscardHandler)
	}
	if n.Now == nil {
		n.Now = time.Now
	}
	return &n
}

// SessionEnded queues the back-channel work of the session's clients —
// ending the refresh tokens issued in it, and the logout token for those
// that registered a backchannel_logout_uri — and returns the
// front-channel logout URLs of those that registered one. It does no
// network call but the queue's and the (cached) client lookups, so the
// logout page never waits for a client; a failure is logged, never
// passed on: the person is signed out whatever the clients hear.
func (n *Notifier) SessionEnded(ctx context.Context, e Ended) []string {
	var frames []string
	for _, id := range e.Clients {
		n.queue(ctx, e, id)
		c, err := n.Clients(ctx, id)
		if err != nil {
			n.Log.Warn("logout: read client for front-channel logout", "client_id", id, "err", err)
			continue
		}
		if u := c.Metadata.FrontchannelLogoutURI; u != "" {
			frames = append(frames, n.frontChannelURL(u, e.SID))
		}
	}
	n.Audit.Record(ctx, audit.Event{Type: audit.TypeLogout, Subject: e.Subject, Address: audit.AddressOf(ctx)})
	return frames
}

// queue pushes the back-channel job of one client of the session; a
// refusal is logged and audited as dropped, never passed on.
func (n *Notifier) queue(ctx context.Context, e Ended, clientID string) {
	j := Job{ID: newJobID(), ClientID: clientID, Subject: e.Subject, SID: e.SID, Enqueued: n.Now().UTC()}
	if err := n.Queue.Push(ctx, j); err != nil {
		n.Log.Error("logout: queue back-channel logout", "client_id", clientID, "err", err)
		n.Audit.Record(ctx, audit.Event{Type: audit.TypeBackchannelLogout, Outcome: OutcomeDropped,
			ClientID: clientID, Subject: e.Subject, Detail: "the logout queue refused the job"})
	}
}

// frontChannelURL adds iss and sid to a registered front-channel logout
// URI (Front-Channel Logout 1.0 §3). They are always sent, not only to
// clients that registered frontchannel_logout_session_required: they
// name nothing the client did not learn in the ID token, and a client
// that can check them is better off.
func (n *Notifier) frontChannelURL(raw, sid string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw // registration checked it; nothing better to do
	}
	q := u.Query()
	q.Set("iss", n.Issuer)
	if sid != "" {
		q.Set("sid", sid)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
