package token

import (
	"context"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// grouplessUsers is what Users may offer beyond Lookup: the same read
// without the groups search (ldapstore.Users does).
type grouplessUsers interface {
	LookupWithoutGroups(ctx context.Context, subject string) (oauth.User, error)
}

// redeemer is the person a code is redeemed for: as the sign-in that led
// to it read them seconds ago, when this instance holds that read and the
// tokens need no groups (a sign-in reads none), else read afresh.
func (h *Handler) redeemer(ctx context.Context, g session.CodeGrant) (oauth.User, error) {
	if h.SignIns != nil && !tokens.NeedsGroups(g.Scopes, g.Claims, h.GroupsClaim) {
		if u, ok := h.SignIns.Take(g.Subject); ok {
			return u, nil
		}
	}
	return h.lookup(ctx, g.Subject, g.Scopes, g.Claims)
}

// inactive refuses tokens for a person who exists but may no longer sign
// in (storage.ErrInactive: an administrator disabled, expired or locked
// the account, or took them out of the allowed population), logged with
// the subject and the client, never the claims. param names what was
// presented: "code" or "refresh_token".
func (h *Handler) inactive(c oauth.Client, subject, param string) *oauth.Error {
	h.Log.Info("tokens refused: the person may no longer sign in", "sub", subject, "client_id", c.ID, "grant", param)
	return oauth.ErrInvalidGrant().WithDescription(param + ": the person may no longer sign in")
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
