package ldapstore

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// LookupByUsername reads the person the login filter finds for username:
// the search a sign-in makes, without the bind. It serves grants where
// someone else vouched for the person (the JWT bearer grant, RFC 7523),
// who must then be found exactly as they would sign in here. The name is
// escaped once, in loginFilter.
//
// No entry, or more than one (logged: the filter is too loose), is
// ErrNotFound: an ambiguous name must not pick one of its people. Groups
// are not read: the grants that use this issue no groups claim. An
// account an administrator closed is ErrInactive, as for Lookup.
func (u *Users) LookupByUsername(ctx context.Context, username string) (oauth.User, error) {
	if username == "" || len(username) > maxUsernameLength || !utf8.ValidString(username) {
		return oauth.User{}, fmt.Errorf("user name: %w", ErrNotFound)
	}
	entries, err := u.searchAttrs(ctx, u.loginFilter(username), u.lookupAttrs)
	if err != nil {
		return oauth.User{}, fmt.Errorf("find user by name: %w", err)
	}
	switch {
	case len(entries) == 0:
		return oauth.User{}, fmt.Errorf("user %q: %w", username, ErrNotFound)
	case len(entries) > 1:
		u.log.Warn("login name matches more than one entry; refusing it: make ldap.users.filter stricter",
			"username", username, "dns", dnsOf(entries))
		return oauth.User{}, fmt.Errorf("user %q: more than one entry: %w", username, ErrNotFound)
	}
	if err := u.refuseInactive(entries[0]); err != nil {
		return oauth.User{}, err
	}
	return u.user(ctx, entries[0], username, false)
}
