package provider

import (
	"context"

	"github.com/gatehouse-idp/gatehouse/provider/logout"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// evictionLogout has ss tell the logout notifier of the sessions a
// sign-in ends past session.MaxSessionsPerSubject, as /logout, the
// account page and `gatehouse sessions end` tell it of theirs. The
// notifier is looked up at each eviction, not now: it is built later in
// the wiring, and stays nil when logout is not configured.
func (s *Server) evictionLogout(ss *session.Sessions) *session.Sessions {
	ss.OnEvicted(func(ctx context.Context, e session.Session, err error) {
		if n := s.logout.notifier; n != nil {
			n.SessionEvicted(ctx, logout.Ended{Subject: e.Subject, SID: e.SID, Clients: e.Clients}, err)
		}
	})
	return ss
}
