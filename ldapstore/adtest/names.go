package adtest

// The domain every DC serves. Provisioning is the slow part of a start, so
// all DCs are copies of one template and share these names.
const (
	Realm    = "EXAMPLE.TEST" // Kerberos realm; lower-cased it is the DNS domain and the UPN suffix
	Domain   = "EXAMPLE"      // NetBIOS domain: bind as EXAMPLE\name
	HostName = "dc1"          // the DC's host name (dc1.example.test)
	BaseDN   = "DC=example,DC=test"

	AdminDN  = "CN=Administrator,CN=Users," + BaseDN
	AdminUPN = "Administrator@example.test"
	// AdminPassword is fixed because it is provisioned into the cached
	// template; the DCs listen on loopback only.
	AdminPassword = "Gatehouse-Admin-1"

	PeopleDN = "OU=People," + BaseDN // the seeded users
	GroupsDN = "OU=Groups," + BaseDN // the seeded groups

	upnSuffix = "@example.test"
)

// sAMAccountNames of the seeded users, all in PeopleDN with CN equal to
// the sAMAccountName. Each has userPrincipalName and mail NAME@example.test
// (Meta: MetaUPN) and the password Password(NAME).
const (
	Alice = "alice" // member of InnerGroup, so transitively of OuterGroup
	Bob   = "bob"   // member of PlainGroup
	// Meta has LDAP filter metacharacters in its names. AD refuses '*'
	// (and " / \ [ ] : ; | = , + ? < >) in a sAMAccountName but accepts
	// parentheses; the UPN and mail may hold '*' too.
	Meta = "x(y)z"

	Locked         = "locked"         // locked out by three wrong binds: data 775 whatever the password
	Disabled       = "disabled"       // userAccountControl 514: data 533
	MustChange     = "mustchange"     // pwdLastSet 0: data 773
	Expired        = "expired"        // password expired: data 532
	AccountExpired = "accountexpired" // accountExpires in the past: data 701
)

// MetaUPN is the userPrincipalName and mail of Meta.
const MetaUPN = "x*(y)z@example.test"

// Names (CN and sAMAccountName) of the seeded groups, in GroupsDN.
// InnerGroup is a member of OuterGroup: nested membership.
const (
	InnerGroup = "inner" // members: Alice
	OuterGroup = "outer" // members: InnerGroup
	PlainGroup = "plain" // members: Bob
)

// Users are the sAMAccountNames of all seeded users.
func Users() []string {
	return []string{Alice, Bob, Meta, Locked, Disabled, MustChange, Expired, AccountExpired}
}

// User is what a seeded user's entry holds.
type User struct {
	Name        string // sAMAccountName, and the CN
	UPN         string // userPrincipalName
	Mail        string
	GivenName   string
	Surname     string // sn
	DisplayName string
	Password    string
}

// SeededUser describes the seeded user with sAMAccountName name.
func SeededUser(name string) User {
	given, sn := name, "Test"
	switch name {
	case Alice:
		given, sn = "Alice", "Liddell"
	case Bob:
		given, sn = "Bob", "Builder"
	case Meta:
		given, sn = "Meta", "Characters"
	}
	upn := name + upnSuffix
	if name == Meta {
		upn = MetaUPN
	}
	return User{
		Name:        name,
		UPN:         upn,
		Mail:        upn,
		GivenName:   given,
		Surname:     sn,
		DisplayName: given + " " + sn,
		Password:    Password(name),
	}
}

// Password is the password of a seeded user: distinct per user, so a test
// can tell one user's password from another's. Password policy checks are
// off (complexity, length, ages, history), so any new password is accepted.
func Password(user string) string { return "Pw-" + user + "-1" }

// Bind failure sub-codes: every failed simple bind is result 49 (invalid
// credentials) with a diagnostic message "... AcceptSecurityContext
// error, data XXX, v1db1" where XXX is one of these.
const (
	DataWrongPassword  = "52e" // also an unknown user, and a wrong password on a disabled or expired account
	DataDisabled       = "533"
	DataLocked         = "775"
	DataMustChange     = "773"
	DataExpired        = "532"
	DataAccountExpired = "701"
)
