package token

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

// lookup reads the person for tokens that release the given scopes and
// requested claims, without the groups search when they cannot release
// the groups claim.
func (h *Handler) lookup(ctx context.Context, subject string, scopes, requested []string) (oauth.User, error) {
	if g, ok := h.Users.(grouplessUsers); ok && !tokens.NeedsGroups(scopes, requested, h.GroupsClaim) {
		return g.LookupWithoutGroups(ctx, subject)
	}
	return h.Users.Lookup(ctx, subject)
}
