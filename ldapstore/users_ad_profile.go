package ldapstore

import (
	"fmt"
)

// Directory profiles: ldap.users.profile. A profile only chooses the
// defaults of ldap.users; every value stays overridable.
const (
	ProfileOpenLDAP        = "openldap"
	ProfileActiveDirectory = "activedirectory"
)

// Active Directory's extensible-match rules ([MS-ADTS] §3.1.1.3.4.4).
const (
	// adRuleBitAnd matches when every bit of the value is set.
	adRuleBitAnd = "1.2.840.113556.1.4.803"
	// adRuleInChain (LDAP_MATCHING_RULE_IN_CHAIN) follows member links
	// transitively: groups inside groups, resolved by the server.
	adRuleInChain = "1.2.840.113556.1.4.1941"
)

// adUserFilter finds an enabled person by sAMAccountName,
// userPrincipalName or mail. objectCategory=person with objectClass=user
// leaves out computer accounts (a computer is objectClass=user too), and
// userAccountControl bit 2 (ACCOUNTDISABLE) leaves out disabled accounts,
// so that they are refused like unknown names whatever the password.
var adUserFilter = "(&(objectCategory=person)(objectClass=user)" +
	"(!(userAccountControl:" + adRuleBitAnd + ":=2))" +
	"(|(sAMAccountName={username})(userPrincipalName={username})(mail={username})))"

// ProfileDefaults returns the defaults of ldap.users for a directory
// profile; "" is ProfileOpenLDAP.
//
// ProfileOpenLDAP is the inetOrgPerson layout of conf/dev-directory.ldif.
// ProfileActiveDirectory leaves both base DNs empty — every domain has its
// own, so the configuration must name them — and sets: login by
// sAMAccountName, userPrincipalName or mail, enabled accounts only; "sub"
// from objectGUID in its canonical string form, which survives renames
// and moves; groups by the transitive membership rule, so that nested
// groups come from one search; password change by unicodePwd.
func ProfileDefaults(profile string) (UsersConfig, error) {
	switch profile {
	case "", ProfileOpenLDAP:
		return UsersConfig{
			BaseDN:           "ou=people,dc=example,dc=org",
			Filter:           "(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))",
			SubjectAttribute: "entryUUID",
			Claims: map[string]string{
				"preferred_username": "uid", "name": "cn", "given_name": "givenName",
				"family_name": "sn", "email": "mail",
			},
			Groups: GroupsConfig{BaseDN: "ou=groups,dc=example,dc=org", Filter: "(member={dn})",
				NameAttribute: "cn", Claim: "groups"},
		}, nil
	case ProfileActiveDirectory:
		return UsersConfig{
			Filter:           adUserFilter,
			SubjectAttribute: "objectGUID",
			SubjectEncoding:  subjectEncodingGUID,
			Claims: map[string]string{
				"preferred_username": "sAMAccountName", "name": "displayName", "given_name": "givenName",
				"family_name": "sn", "email": "mail",
			},
			Groups: GroupsConfig{Filter: "(member:" + adRuleInChain + ":={dn})", NameAttribute: "cn", Claim: "groups"},
			// [MS-ADTS] §3.1.1.3.1.5.2: the person deletes the old
			// unicodePwd value and adds the new one, over an encrypted
			// connection.
			PasswordChange: "unicodePwd",
		}, nil
	default:
		return UsersConfig{}, fmt.Errorf("directory profile %q: want %q or %q", profile, ProfileOpenLDAP, ProfileActiveDirectory)
	}
}
