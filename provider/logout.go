package provider

import (
	"context"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/flow"
	"github.com/gatehouse-idp/gatehouse/provider/logout"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// Logout configures back- and front-channel logout (op.logout); it needs
// SignIn and Token.
type Logout struct {
	// Timeout bounds one POST of a logout token; Attempts are the POSTs a
	// client gets in all; RetryDelay is the first wait between them,
	// doubled each time; Workers run deliveries at once on this instance.
	Timeout    time.Duration
	Attempts   int
	RetryDelay time.Duration
	Workers    int
	// Poll is how often an idle worker asks the queue (0: the default).
	Poll time.Duration
	// FrontChannelWait bounds the signed-out page's wait for the
	// clients' logout frames.
	FrontChannelWait time.Duration
}

// logoutParts are the pieces of logout the server holds.
type logoutParts struct {
	queue     logout.Queue
	notifier  *logout.Notifier
	deliverer *logout.Deliverer
}

// logoutQueue is where the back-channel jobs wait: in Redis beside the
// sessions when they are there, so that every instance's workers share
// them and a job outlives the instance that queued it; else in memory.
func logoutQueue(kv session.KV, now func() time.Time) logout.Queue {
	if r, ok := kv.(*session.Redis); ok {
		return logout.NewRedis(r.Client(), r.Prefix(), now)
	}
	return logout.NewMemory(0, now)
}

// logoutNotifier builds the notifier the sign-in flow tells of ended
// sessions; nil (no logout) without Logout, Token or a minter.
func (s *Server) logoutNotifier(o Options) flow.LogoutNotifier {
	if o.Logout == nil || o.Token == nil || s.minter == nil {
		return nil
	}
	now := clock(o)
	s.logout.queue = logoutQueue(o.SignIn.KV, now)
	s.logout.notifier = logout.NewNotifier(logout.Notifier{
		Queue: s.logout.queue, Clients: s.clientLookup(o), Issuer: s.issuer.String(),
		Audit: o.Audit, Log: s.log.With("component", "logout"), Now: now,
	})
	return s.logout.notifier
}

// frontChannelWait is the signed-out page's wait in whole seconds.
func frontChannelWait(o Options) int {
	if o.Logout == nil || o.Logout.FrontChannelWait <= 0 {
		return 0
	}
	return int((o.Logout.FrontChannelWait + time.Second - 1) / time.Second)
}

// newLogoutDeliverer builds the workers of the queue, once the token
// endpoint (whose refresh tokens they end) exists.
func (s *Server) newLogoutDeliverer(o Options) {
	if s.logout.notifier == nil || s.token == nil {
		return
	}
	l := o.Logout
	s.logout.deliverer = &logout.Deliverer{
		Queue: s.logout.queue, Clients: s.clientLookup(o), Minter: s.minter, Refresh: s.token,
		Timeout: l.Timeout, Attempts: l.Attempts, RetryDelay: l.RetryDelay, Workers: l.Workers, Poll: l.Poll,
		Audit: o.Audit, Log: s.log.With("component", "logout"), Now: clock(o),
	}
	s.logout.deliverer.Public = openClientHTTP(o)
}

// DeliverLogouts runs this instance's back-channel logout workers until
// ctx ends; it returns at once when logout is not configured.
func (s *Server) DeliverLogouts(ctx context.Context) {
	if s.logout.deliverer != nil {
		s.logout.deliverer.Run(ctx)
	}
}
