package conf

// The kinds of user directory ldap.users.profile knows.
const (
	ProfileOpenLDAP        = "openldap"
	ProfileActiveDirectory = "activedirectory"
)

// activeDirectoryUsers are the defaults of ldap.users under the
// activedirectory profile (docs/active-directory.md). The base DNs have none:
// every domain has its own, so they must be set.
func activeDirectoryUsers() Users {
	return Users{
		Profile: ProfileActiveDirectory,
		// Sign-in by sAMAccountName, userPrincipalName or mail; disabled
		// accounts (userAccountControl bit 2, by the bitwise-AND matching
		// rule) are not found at all.
		Filter: "(&(objectCategory=person)(objectClass=user)" +
			"(!(userAccountControl:1.2.840.113556.1.4.803:=2))" +
			"(|(sAMAccountName={username})(userPrincipalName={username})(mail={username})))",
		// objectGUID survives renames and moves.
		SubjectAttribute: "objectGUID",
		SubjectEncoding:  "guid",
		Claims: map[string]string{
			"preferred_username": "sAMAccountName",
			"name":               "displayName",
			"given_name":         "givenName",
			"family_name":        "sn",
			"email":              "mail",
		},
		Groups: Groups{
			// Every group the person is in, through nested groups too
			// (LDAP_MATCHING_RULE_IN_CHAIN).
			Filter:        "(member:1.2.840.113556.1.4.1941:={dn})",
			NameAttribute: "cn",
			Claim:         "groups",
			MaxDepth:      8,
		},
		PasswordChange: "unicodePwd",
	}
}
