package tokens

import "slices"

// scopeClaims are the claims each standard scope releases (OpenID Connect
// Core §5.4).
var scopeClaims = map[string][]string{
	"profile": {"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"},
	"email":   {"email", "email_verified"},
	"address": {"address"},
	"phone":   {"phone_number", "phone_number_verified"},
}

// providerClaims are claims the provider sets itself; a claims request
// cannot pull a directory attribute into them.
var providerClaims = []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash", "c_hash"}

// ReleasedClaims picks from a person's claims those that the scopes and
// the individually requested claims (OpenID Connect Core §5.5) release,
// for the ID token and the UserInfo response alike. The groups scope
// releases groupsClaim when it is set. A requested claim that the
// provider sets itself is never taken from all.
func ReleasedClaims(all map[string]any, scopes, requested []string, groupsClaim string) map[string]any {
	out := map[string]any{}
	release := func(name string) {
		if v, ok := all[name]; ok {
			out[name] = v
		}
	}
	for _, scope := range scopes {
		for _, name := range scopeClaims[scope] {
			release(name)
		}
		if scope == "groups" && groupsClaim != "" {
			release(groupsClaim)
		}
	}
	for _, name := range requested {
		if !slices.Contains(providerClaims, name) {
			release(name)
		}
	}
	return out
}

// NeedsGroups says whether ReleasedClaims with these arguments could
// release the groups claim. A reader that answers false may skip the
// directory's groups search (one round trip of every code flow,
// docs/performance.md).
func NeedsGroups(scopes, requested []string, groupsClaim string) bool {
	if groupsClaim == "" {
		return false
	}
	return slices.Contains(scopes, "groups") || slices.Contains(requested, groupsClaim)
}
