// Package adtest runs private Samba Active Directory domain controllers
// for tests, so that code written for AD meets AD's real behaviour: the
// "data NNN" reasons of refused binds, unicodePwd, objectGUID, the
// transitive membership matching rule.
//
// # Lifecycle
//
// New starts a DC for one test and stops it in t.Cleanup. Shared returns
// one DC for all tests of a package binary; it needs
//
//	func TestMain(m *testing.M) { adtest.Main(m) }
//
// which stops it when the tests are done. Start does the same without a
// testing.TB. A DC that cannot start (Samba missing, not root) skips the
// test, or fails it when CI=true.
//
// Provisioning a domain takes 7–12 s (more on a loaded machine), so it is
// done once into a template cached in os.TempDir() (gatehouse-adtest-KEY,
// keyed by this package's template version, the Samba version and the
// user, rebuilt after a day) under a lock file, and each DC starts from a
// copy in a short directory of its own (/tmp/gh-ad-*). A DC answers about
// 1.5 s after Start is called with the template in place.
//
// Samba's ports (389, 636, 3268, 3269) cannot be moved, so each DC listens
// on a loopback address of its own, 127.0.0.N with N in 10–250, leased
// through a lock file (os.TempDir()/gatehouse-adtest-127.0.0.N.lock) so
// that test binaries running at once never share one. Samba needs root.
//
// # The domain
//
// Realm EXAMPLE.TEST, NetBIOS domain EXAMPLE, base DN DC=example,DC=test,
// administered by Administrator (AdminUPN, AdminDN, AdminPassword). Simple
// binds work on ldap:// (strong auth is off), on ldaps:// and after
// StartTLS; the certificate comes from a private CA (DC.CAFile), with the
// DC's IP address as a SAN. Names that bind: a UPN, a DN, or EXAMPLE\name.
//
// The password policy suits tests: no complexity, length, age or history
// rules, and lockout after three wrong passwords (for 30 minutes; a
// successful bind resets the count, so tests of a wrong password should
// not use one account more than twice in a row).
//
// The seed, added over LDAP after the start (names.go): users in PeopleDN
// (Alice, Bob, Meta with filter metacharacters, and one account in each
// refused state: Locked, Disabled, MustChange, Expired, AccountExpired,
// whose binds fail with the DataLocked ... codes), and groups in GroupsDN:
// InnerGroup (Alice) inside OuterGroup, and PlainGroup (Bob).
package adtest
