package ldapstore

import (
	"slices"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
)

// stringClaims are the standard claims that OpenID Connect Core §5.1
// defines as one string. They are given one value even where the
// attribute has several (the first the directory returns), so that a
// second mail value cannot turn "email" into an array.
var stringClaims = []string{
	"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
	"profile", "picture", "website", "email", "gender", "birthdate", "zoneinfo", "locale",
	"phone_number",
}

// claims reads the configured claims out of a person's entry. An attribute
// with one value gives a string, one with several a []string; an absent
// attribute gives no claim. Values that are not UTF-8 (binary attributes)
// cannot be JSON strings and are left out.
func (u *Users) claims(e *ldap.Entry) map[string]any {
	claims := make(map[string]any, len(u.cfg.Claims)+1)
	for claim, attr := range u.cfg.Claims {
		values := slices.DeleteFunc(slices.Clone(e.GetEqualFoldAttributeValues(attr)),
			func(v string) bool { return !utf8.ValidString(v) })
		switch {
		case len(values) == 0:
		case len(values) == 1 || slices.Contains(stringClaims, claim):
			claims[claim] = values[0]
		default:
			claims[claim] = values
		}
	}
	return claims
}
