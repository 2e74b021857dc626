package resource

import (
	"context"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// grouplessUsers is what Users may offer beyond Lookup: the same read
// without the groups search (ldapstore.Users does).
type grouplessUsers interface {
	LookupWithoutGroups(ctx context.Context, subject string) (oauth.User, error)
}

// lookup reads the person for a UserInfo answer over these scopes and
// granted claims, without the groups search when they cannot release the
// groups claim.
func (h *Handler) lookup(ctx context.Context, subject string, scopes, requested []string) (oauth.User, error) {
	if g, ok := h.opts.Users.(grouplessUsers); ok && !tokens.NeedsGroups(scopes, requested, h.opts.GroupsClaim) {
		return g.LookupWithoutGroups(ctx, subject)
	}
	return h.opts.Users.Lookup(ctx, subject)
}
