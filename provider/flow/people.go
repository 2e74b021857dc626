package flow

import (
	"context"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// groupless is what a Directory may offer beyond Login and Lookup: the
// same reads without the groups search (ldapstore.Users does). The flow
// needs a person's groups only for an ID token it returns itself; a
// sign-in needs the subject, a consent page the name, and the token
// endpoint reads the person again (groups included when its tokens
// release them) or, without groups, reuses the sign-in's read (SignIns).
// So each sign-in is spared a search (docs/performance.md, "Round trips
// of a sign-in").
type groupless interface {
	LoginWithoutGroups(ctx context.Context, username, password string) (oauth.User, oauth.LoginOutcome, error)
	LookupWithoutGroups(ctx context.Context, subject string) (oauth.User, error)
}

// personToGreet is the person a page names: as the sign-in just read
// them, when it did so seconds ago on this instance (a first visit's
// consent page), else read from the directory.
func (h *Handler) personToGreet(ctx context.Context, subject string) (oauth.User, error) {
	if h.SignIns != nil {
		if u, ok := h.SignIns.Peek(subject); ok {
			return u, nil
		}
	}
	return h.people.LookupWithoutGroups(ctx, subject)
}

// people is the flow's view of the directory: the groupless reads where
// the Directory has them, else Login and Lookup themselves.
func people(d Directory) groupless {
	if g, ok := d.(groupless); ok {
		return g
	}
	return withGroups{d}
}

// withGroups is a Directory without groupless reads: it reads the groups
// anyway, and the flow ignores them.
type withGroups struct{ d Directory }

func (w withGroups) LoginWithoutGroups(ctx context.Context, username, password string) (oauth.User, oauth.LoginOutcome, error) {
	return w.d.Login(ctx, username, password)
}

func (w withGroups) LookupWithoutGroups(ctx context.Context, subject string) (oauth.User, error) {
	return w.d.Lookup(ctx, subject)
}
