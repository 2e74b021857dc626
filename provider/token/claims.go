package token

import "slices"

// scopeClaims are the claims each standard scope releases (OpenID Connect
// Core §5.4), plus groups for the groups scope.
var scopeClaims = map[string][]string{
	"profile": {"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"},
	"email":   {"email", "email_verified"},
	"address": {"address"},
	"phone":   {"phone_number", "phone_number_verified"},
}

// releasedClaims picks from the person's claims those the scopes and the
// individually requested claims release. groupsClaim names the claim that
// the groups scope releases.
func releasedClaims(all map[string]any, scopes, requested []string, groupsClaim string) map[string]any {
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
		if !slices.Contains(reserved, name) {
			release(name)
		}
	}
	return out
}

// reserved are claims the provider sets itself; a claims request cannot
// pull a directory attribute into them.
var reserved = []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash", "c_hash"}
